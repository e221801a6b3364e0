#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// How the bytes of an input were encoded, as detected from its content (never its name).
public enum InputEncoding: String, Sendable, Equatable {
  /// Plain bytes (UTF-8 or anything else); passed through.
  case plain
  /// UTF-8 with a byte-order mark, which is removed.
  case utf8BOM = "utf-8-bom"
  /// UTF-16 little endian with a byte-order mark, transcoded to UTF-8.
  case utf16LittleEndian = "utf-16le"
  /// UTF-16 big endian with a byte-order mark, transcoded to UTF-8.
  case utf16BigEndian = "utf-16be"
}

/// An opened input: its decoded byte stream and what was detected about it.
public struct OpenedInput {
  /// The name of the input in messages and reports (`-` is standard input).
  public let path: String
  /// The decoded bytes: gzip inflated, UTF-16 transcoded.
  public let source: ByteSource
  /// Whether the input was gzip-compressed.
  public let isGzip: Bool
  /// The text encoding that was detected after decompression.
  public let encoding: InputEncoding
  /// The gzip decoder, when there is one, for its statistics after reading.
  public let gzip: GzipSource?
  /// The digest of the raw input, when it was asked for; read it after reading.
  public let digest: HashingSource?
}

/// Opens files and standard input and detects compression and encoding from their content.
public enum InputOpener {
  /// Opens `path`; `-` means standard input. With `computeDigest`, the SHA-256 of the raw
  /// bytes is computed while they are read.
  ///
  /// Throws `InputError` for a missing, unreadable or empty input, or a directory.
  public static func open(
    path: String, computeDigest: Bool = false, readAhead: Bool = true
  ) throws(InputError) -> OpenedInput {
    let raw: ByteSource =
      path == "-"
      ? FileDescriptorSource(descriptor: STDIN_FILENO, path: "-", ownsDescriptor: false)
      : try FileDescriptorSource(path: path)
    return try open(source: raw, path: path, computeDigest: computeDigest, readAhead: readAhead)
  }

  /// Detects compression and encoding of an already opened byte stream. With `readAhead`,
  /// compressed input is decoded on a second thread.
  public static func open(
    source original: ByteSource, path: String, computeDigest: Bool = false, readAhead: Bool = true
  ) throws(InputError) -> OpenedInput {
    let digest = computeDigest ? HashingSource(base: original) : nil
    let raw: ByteSource = digest ?? original
    let head = try readPrefix(of: raw, count: 2)
    if head.isEmpty { throw .empty(path: path) }
    var source: ByteSource = PrefixedSource(prefix: head, base: raw)
    var gzip: GzipSource?
    var next = head
    // Gzip inside gzip (a `.gz` compressed again by a download or an archive step) is unwrapped
    // too, a few layers deep.
    for _ in 0..<4 where next.count >= 2 && next[0] == 0x1f && next[1] == 0x8b {
      let decoder = GzipSource(base: source, path: path)
      gzip = gzip ?? decoder
      do {
        next = try readPrefix(of: decoder, count: 2)
      } catch {
        // Nothing could be decoded: the file is not readable gzip at all.
        switch error {
        case .truncatedGzip: throw .unreadable(path: path, reason: "truncated gzip data, nothing could be decoded")
        case .corruptGzip(_, let reason): throw .unreadable(path: path, reason: "damaged gzip data (\(reason))")
        default: throw error
        }
      }
      if next.isEmpty { throw .empty(path: path) }
      source = PrefixedSource(prefix: next, base: decoder)
    }
    let bom = try readPrefix(of: source, count: 3)
    var encoding = InputEncoding.plain
    var keep = bom
    if bom.count >= 2 && bom[0] == 0xFF && bom[1] == 0xFE {
      encoding = .utf16LittleEndian
      keep = Array(bom[2...])
    } else if bom.count >= 2 && bom[0] == 0xFE && bom[1] == 0xFF {
      encoding = .utf16BigEndian
      keep = Array(bom[2...])
    } else if bom == [0xEF, 0xBB, 0xBF] {
      encoding = .utf8BOM
      keep = []
    }
    source = PrefixedSource(prefix: keep, base: source)
    switch encoding {
    case .utf16LittleEndian: source = UTF16Source(base: source, bigEndian: false)
    case .utf16BigEndian: source = UTF16Source(base: source, bigEndian: true)
    case .plain, .utf8BOM: break
    }
    // Decoding is the expensive part of compressed input: give it a thread of its own.
    if gzip != nil && readAhead { source = ReadAheadSource(base: source) }
    return OpenedInput(
      path: path, source: source, isGzip: gzip != nil, encoding: encoding, gzip: gzip, digest: digest)
  }

  /// Reads up to `count` bytes (fewer only at the end of the input).
  private static func readPrefix(of source: ByteSource, count: Int) throws(InputError) -> [UInt8] {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 1)
    defer { buffer.deallocate() }
    var filled = 0
    while filled < count {
      let read = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
      if read == 0 { break }
      filled += read
    }
    return Array(buffer[..<filled])
  }
}
