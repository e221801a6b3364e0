/// Splits a byte stream into blocks of whole lines, in constant memory.
///
/// Reads fixed-size chunks. Lines end at LF; a trailing CR is for the consumer to drop
/// (`LineBlock.forEachLine` does). A last line without LF is kept. A line longer than
/// `maxLineLength` is handed out cut to that length, as a block of its own, and counted; the
/// rest of it is skipped.
public final class LineReader {
  private let source: ByteSource
  private let readSize: Int
  private let maxLineLength: Int
  /// The read buffers: blocks are handed out of one, and the reader moves on to the next
  /// after each block, so that a block stays valid while later ones are read.
  private let buffers: [UnsafeMutableRawBufferPointer]
  /// The buffer being filled.
  private var current = 0
  private var buffer: UnsafeMutableRawBufferPointer { buffers[current] }
  private let tail: UnsafeMutableRawBufferPointer
  private var tailCount = 0

  /// The number of lines handed out so far (without the blocks whose consumer numbers lines
  /// itself: `NewlineCountHint.isNumberedByConsumer`).
  public private(set) var lineCount = 0
  /// The number of bytes read so far (after decompression and transcoding).
  public private(set) var byteCount: Int64 = 0
  /// The number of lines that were cut at `maxLineLength`.
  public private(set) var cutLineCount = 0
  /// The line number of the first line that was cut, if any (counted as `lineCount` is: a
  /// consumer that numbers lines itself, as `ScanPipeline` does, keeps its own).
  public private(set) var firstCutLineNumber: Int?
  /// Whether the input read so far ends with a line break (true for an empty input): a log
  /// that was cut off usually ends inside a line.
  public private(set) var endsWithLineBreak = true

  /// The largest block `forEachBlock` hands out, in bytes.
  public var maxBlockSize: Int { readSize + maxLineLength }

  /// The size of the context kept from the previous block.
  public static let tailCapacity = 32 * 1024

  /// How many further blocks a block's bytes stay valid for after `forEachBlock` hands it out
  /// (its context tail is valid only during the callback).
  public var blockLifetime: Int { buffers.count - 1 }

  /// Creates a reader. `blockSize` is the read size; `maxLineLength` the longest line handed
  /// out whole; with `bufferCount` buffers, a block stays valid until `bufferCount - 1` more
  /// blocks have been handed out (each buffer takes `blockSize + maxLineLength` bytes).
  public init(source: ByteSource, blockSize: Int = 1 << 20, maxLineLength: Int = 1 << 20, bufferCount: Int = 1) {
    self.source = source
    self.maxLineLength = max(1, maxLineLength)
    readSize = max(1, min(blockSize, self.maxLineLength))
    let size = readSize + self.maxLineLength + 1
    buffers = (0..<max(1, bufferCount)).map { _ in .allocate(byteCount: size, alignment: 64) }
    tail = .allocate(byteCount: LineReader.tailCapacity, alignment: 64)
  }

  deinit {
    for buffer in buffers { buffer.deallocate() }
    tail.deallocate()
  }

  /// Reads the whole source and calls `body` with each block of lines.
  ///
  /// Everything that could be read is handed out before a read error is thrown.
  public func forEachBlock(_ body: (LineBlock) -> Void) throws(InputError) {
    var filled = 0  // a partial line without LF, at the front of the buffer
    var skipping = false
    while true {
      let count = try source.read(
        into: UnsafeMutableRawBufferPointer(start: buffer.baseAddress! + filled, count: readSize))
      byteCount += Int64(count)
      if count == 0 {
        if filled > 0 { deliver(start: 0, count: filled, isCut: false, body) }
        return
      }
      var scanFrom = filled
      filled += count
      if skipping {
        guard let newline = LineBlock.newlineIndex(in: view(filled), from: 0) else {
          filled = 0
          continue
        }
        skipping = false
        shift(from: newline + 1, to: filled)
        filled -= newline + 1
        scanFrom = 0
      }
      // The first line may have grown past the limit across reads.
      if let firstNewline = LineBlock.newlineIndex(in: view(filled), from: scanFrom) {
        if firstNewline > maxLineLength {
          deliver(start: 0, count: maxLineLength, isCut: true, body)
          moveOn(keeping: (firstNewline + 1)..<filled)
          filled -= firstNewline + 1
        }
      } else {
        if filled > maxLineLength {
          deliver(start: 0, count: maxLineLength, isCut: true, body)
          moveOn(keeping: filled..<filled)
          filled = 0
          skipping = true
        }
        continue
      }
      guard filled > 0, let last = lastNewline(before: filled) else { continue }
      deliver(start: 0, count: last + 1, isCut: false, body)
      moveOn(keeping: (last + 1)..<filled)
      filled -= last + 1
    }
  }

  private func view(_ count: Int) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: buffer.baseAddress!, count: count)
  }

  /// After a block was handed out of the current buffer: continue in the next buffer (or in
  /// this one, when there is only one), starting with the bytes of `kept`.
  private func moveOn(keeping kept: Range<Int>) {
    guard buffers.count > 1 else {
      shift(from: kept.lowerBound, to: kept.upperBound)
      return
    }
    let previous = buffer
    current = (current + 1) % buffers.count
    if !kept.isEmpty {
      buffer.baseAddress!.copyMemory(from: previous.baseAddress! + kept.lowerBound, byteCount: kept.count)
    }
  }

  private func shift(from start: Int, to end: Int) {
    guard end > start, start > 0 else { return }
    buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: end - start)
  }

  private func lastNewline(before end: Int) -> Int? {
    var index = end - 1
    let base = buffer.baseAddress!
    while index >= 0 {
      if base.load(fromByteOffset: index, as: UInt8.self) == 0x0A { return index }
      index -= 1
    }
    return nil
  }

  private func deliver(start: Int, count: Int, isCut: Bool, _ body: (LineBlock) -> Void) {
    let bytes = UnsafeRawBufferPointer(start: buffer.baseAddress! + start, count: count)
    let block = LineBlock(
      bytes: bytes, firstLineNumber: lineCount + 1,
      previousTail: UnsafeRawBufferPointer(start: tail.baseAddress!, count: tailCount), isCut: isCut)
    if isCut {
      cutLineCount += 1
      if firstCutLineNumber == nil { firstCutLineNumber = lineCount + 1 }
    }
    body(block)
    if let newlines = block.newlineCount.value {
      lineCount += block.lineCount(newlines: newlines)
    } else if !block.newlineCount.isNumberedByConsumer {
      lineCount += block.lineCount(newlines: LineReader.countNewlines(bytes))
    }
    if let last = bytes.last { endsWithLineBreak = last == 0x0A }
    keepTail(of: bytes)
  }

  /// Copies the last whole lines (at most `tailCapacity` bytes) of a block for context.
  private func keepTail(of bytes: UnsafeRawBufferPointer) {
    var start = max(0, bytes.count - LineReader.tailCapacity)
    if start > 0 {
      // Begin at a line start.
      guard let newline = LineBlock.newlineIndex(in: bytes, from: start - 1) else {
        tailCount = 0
        return
      }
      start = newline + 1
    }
    var count = bytes.count - start
    // A cut line has no LF; add one so that the tail stays a run of whole lines.
    let needsNewline = count > 0 && bytes[bytes.count - 1] != 0x0A
    if needsNewline && count == LineReader.tailCapacity { count -= 1 }
    tail.baseAddress!.copyMemory(from: bytes.baseAddress! + start, byteCount: count)
    tailCount = count
    if needsNewline {
      tail[tailCount] = 0x0A
      tailCount += 1
    }
  }

  /// The number of LF bytes in `bytes`.
  public static func countNewlines(_ bytes: UnsafeRawBufferPointer) -> Int {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return 0 }
    var count = 0
    var offset = 0
    // 64 bytes at a time, each lane adding 1 per LF; the lanes are summed before they can wrap
    // (255 chunks). Eight bytes at a time (SWAR) took about 90 microseconds per MB, as long as
    // scanning the block for literals.
    let newline = SIMD64<UInt8>(repeating: 0x0A)
    while bytes.count - offset >= 64 {
      var lanes = SIMD64<UInt8>()
      let chunks = min((bytes.count - offset) / 64, 255)
      for _ in 0..<chunks {
        let chunk = base.loadUnaligned(fromByteOffset: offset, as: SIMD64<UInt8>.self)
        // A mask lane is all ones where the byte is an LF (SIMDMask stores -1 for true, in the
        // layout of its storage): subtracting it adds one.
        lanes &-= unsafeBitCast(chunk .== newline, to: SIMD64<UInt8>.self)
        offset &+= 64
      }
      count &+= Int(SIMD64<UInt16>(truncatingIfNeeded: lanes).wrappedSum())
    }
    while offset < bytes.count {
      if base.load(fromByteOffset: offset, as: UInt8.self) == 0x0A { count += 1 }
      offset += 1
    }
    return count
  }
}
