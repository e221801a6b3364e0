/// Transcodes UTF-16 (little or big endian, the byte-order mark already removed) to UTF-8.
///
/// Unpaired surrogates become U+FFFD; an odd final byte is dropped.
public final class UTF16Source: ByteSource {
  private let base: ByteSource
  private let bigEndian: Bool
  private let input: UnsafeMutableRawBufferPointer
  private var inputStart = 0
  private var inputCount = 0
  private var pendingHighSurrogate: UInt32?
  private var output: [UInt8] = []
  private var outputOffset = 0
  private var ended = false

  /// Creates a transcoder over `base`.
  public init(base: ByteSource, bigEndian: Bool, chunkSize: Int = 64 * 1024) {
    self.base = base
    self.bigEndian = bigEndian
    input = .allocate(byteCount: max(2, chunkSize), alignment: 2)
  }

  deinit { input.deallocate() }

  private func append(scalar: UInt32) {
    switch scalar {
    case 0..<0x80:
      output.append(UInt8(scalar))
    case 0x80..<0x800:
      output.append(UInt8(0xC0 | (scalar >> 6)))
      output.append(UInt8(0x80 | (scalar & 0x3F)))
    case 0x800..<0x10000:
      output.append(UInt8(0xE0 | (scalar >> 12)))
      output.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
      output.append(UInt8(0x80 | (scalar & 0x3F)))
    default:
      output.append(UInt8(0xF0 | (scalar >> 18)))
      output.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
      output.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
      output.append(UInt8(0x80 | (scalar & 0x3F)))
    }
  }

  private func transcodeNextChunk() throws(InputError) {
    output.removeAll(keepingCapacity: true)
    outputOffset = 0
    // Move a leftover odd byte to the front, then fill.
    if inputCount > 0 && inputStart > 0 {
      input[0] = input[inputStart]
    }
    inputStart = 0
    let read = try base.read(into: UnsafeMutableRawBufferPointer(rebasing: input[inputCount...]))
    if read == 0 {
      ended = true
      if pendingHighSurrogate != nil {
        append(scalar: 0xFFFD)
        pendingHighSurrogate = nil
      }
      return
    }
    inputCount += read
    var index = 0
    while index + 1 < inputCount {
      let unit =
        bigEndian
        ? UInt32(input[index]) << 8 | UInt32(input[index + 1])
        : UInt32(input[index + 1]) << 8 | UInt32(input[index])
      index += 2
      if let high = pendingHighSurrogate {
        pendingHighSurrogate = nil
        if (0xDC00..<0xE000).contains(unit) {
          append(scalar: 0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00))
          continue
        }
        append(scalar: 0xFFFD)
      }
      if (0xD800..<0xDC00).contains(unit) {
        pendingHighSurrogate = unit
      } else if (0xDC00..<0xE000).contains(unit) {
        append(scalar: 0xFFFD)
      } else {
        append(scalar: unit)
      }
    }
    inputStart = index
    inputCount -= index
  }

  /// Reads the next bytes; see `ByteSource.read(into:)`.
  public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
    while outputOffset == output.count {
      if ended { return 0 }
      try transcodeNextChunk()
    }
    let count = min(buffer.count, output.count - outputOffset)
    output.withUnsafeBytes { bytes in
      buffer.baseAddress!.copyMemory(from: bytes.baseAddress! + outputOffset, byteCount: count)
    }
    outputOffset += count
    return count
  }
}
