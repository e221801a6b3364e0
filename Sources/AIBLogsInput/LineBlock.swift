#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A run of whole lines handed out by `LineReader`.
///
/// Lines are separated by LF. The last line of the block may lack its LF (the end of the input,
/// or a line cut at the length limit). The memory is valid only during the callback that
/// receives the block.
public struct LineBlock {
  /// The bytes of the lines.
  public let bytes: UnsafeRawBufferPointer
  /// The 1-based number of the first line of the block in the whole input.
  public let firstLineNumber: Int
  /// Up to the last 32 KiB of whole lines before this block (empty for the first block), for
  /// context around lines at the start of the block.
  public let previousTail: UnsafeRawBufferPointer
  /// Whether the block is one line cut at the reader's length limit (the rest was skipped).
  public let isCut: Bool
  /// Where a consumer that counted the block's LF bytes anyway can leave the count, so that
  /// the reader does not count them again, or say that it numbers the lines itself.
  public let newlineCount = NewlineCountHint()

  /// Creates a block over memory the caller keeps alive.
  public init(
    bytes: UnsafeRawBufferPointer, firstLineNumber: Int,
    previousTail: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0), isCut: Bool = false
  ) {
    self.bytes = bytes
    self.firstLineNumber = firstLineNumber
    self.previousTail = previousTail
    self.isCut = isCut
  }

  /// The number of lines in the block, given its LF count: one more when its last line has no
  /// LF (the end of the input, or a cut line).
  public func lineCount(newlines: Int) -> Int {
    newlines + (bytes.isEmpty || bytes[bytes.count - 1] == 0x0A ? 0 : 1)
  }

  /// Calls `body` with each line's number and bytes (without LF or a trailing CR).
  public func forEachLine(_ body: (Int, UnsafeRawBufferPointer) -> Void) {
    var number = firstLineNumber
    var start = 0
    let count = bytes.count
    guard let base = bytes.baseAddress else { return }
    while start < count {
      let end = LineBlock.newlineIndex(in: bytes, from: start) ?? count
      body(number, LineBlock.stripCR(UnsafeRawBufferPointer(start: base + start, count: end - start)))
      number += 1
      start = end + 1
    }
  }

  /// Up to `limit` lines that come before the line starting at `lineStart`, oldest first, taken
  /// from this block and then from `previousTail`; each with its line number.
  public func lines(before lineStart: Int, lineNumber: Int, limit: Int) -> [(Int, UnsafeRawBufferPointer)] {
    var result: [(Int, UnsafeRawBufferPointer)] = []
    walkBackward(from: lineStart, lineNumber: lineNumber) { number, line in
      result.append((number, line))
      return result.count < limit
    }
    return result.reversed()
  }

  /// Visits the lines before the line starting at `lineStart`, newest first, from this block and
  /// then from `previousTail`, without allocating; `body` returns false to stop.
  public func walkBackward(
    from lineStart: Int, lineNumber: Int, _ body: (Int, UnsafeRawBufferPointer) -> Bool
  ) {
    var number = lineNumber
    var end = lineStart  // exclusive: one past the LF of the previous line
    var region = bytes
    var usingTail = false
    while true {
      if end == 0 {
        if usingTail || previousTail.isEmpty { return }
        region = previousTail
        end = previousTail.count
        usingTail = true
        continue
      }
      guard let base = region.baseAddress else { return }
      var lineEnd = end - 1
      let start = LineBlock.lastNewlineIndex(in: base, before: lineEnd).map { $0 + 1 } ?? 0
      if lineEnd > start && base.load(fromByteOffset: lineEnd - 1, as: UInt8.self) == 0x0D {
        lineEnd -= 1
      }
      number -= 1
      if !body(number, UnsafeRawBufferPointer(start: base + start, count: lineEnd - start)) { return }
      end = start
    }
  }

  /// The index of the first LF at or after `from`, or nil.
  @inline(__always)
  public static func newlineIndex(in bytes: UnsafeRawBufferPointer, from: Int) -> Int? {
    guard let base = bytes.baseAddress, from < bytes.count else { return nil }
    guard let hit = memchr(base + from, 0x0A, bytes.count - from) else { return nil }
    return UnsafeRawPointer(hit) - base
  }

  /// The index of the last LF before `end` in the bytes at `base`, or nil.
  ///
  /// Eight bytes at a time: on a 100 MB benchmark log, `walkBackward`'s own work for about
  /// 5,500 lines took 5.3 M instructions looking a byte at a time, 1.6 M this way.
  @inline(__always)
  static func lastNewlineIndex(in base: UnsafeRawPointer, before end: Int) -> Int? {
    let newlines: UInt64 = 0x0A0A_0A0A_0A0A_0A0A
    let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
    var index = end
    while index >= 8 {
      let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index - 8, as: UInt64.self)) ^ newlines
      // The high bit of each byte that was LF (a zero byte now), without the borrow between
      // bytes of the shorter zero-byte test, which can mark the byte above a zero byte.
      let found = ~(((word & low7) &+ low7) | word | low7)
      // The last byte in memory is the most significant one.
      if found != 0 { return index - 1 - found.leadingZeroBitCount / 8 }
      index -= 8
    }
    while index > 0 {
      index -= 1
      if base.load(fromByteOffset: index, as: UInt8.self) == 0x0A { return index }
    }
    return nil
  }

  /// `line` without one trailing CR.
  @inline(__always)
  public static func stripCR(_ line: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
    if let base = line.baseAddress, line.count > 0, line[line.count - 1] == 0x0D {
      return UnsafeRawBufferPointer(start: base, count: line.count - 1)
    }
    return line
  }
}

/// A count of LF bytes left by a block's consumer for the reader (see `LineBlock.newlineCount`).
public final class NewlineCountHint {
  /// The number of LF bytes in the block, when the consumer counted them.
  public var value: Int?
  /// Set by a consumer that numbers the lines itself, from counts it takes later (a pipeline
  /// whose other thread scans the block): the reader does not count this block's lines, so its
  /// `lineCount`, and the numbers of the blocks and cut lines after this one, leave them out.
  public var isNumberedByConsumer = false

  init() {}
}
