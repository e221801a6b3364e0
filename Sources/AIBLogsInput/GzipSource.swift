internal import CZlib

/// Inflates a gzip stream (all concatenated members) from another source with zlib.
///
/// Truncation and damage are reported only after every decodable byte has been returned: the
/// read that would go past the damage throws `InputError.truncatedGzip` or `.corruptGzip`.
/// Bytes after the last member that are not another gzip member are ignored, as `gzip -d` does,
/// and counted in `trailingGarbageBytes`.
public final class GzipSource: ByteSource {
  private let base: ByteSource
  private let path: String
  // zlib keeps a pointer back to the stream, so the z_stream must not move: heap-allocate it.
  private let stream: UnsafeMutablePointer<z_stream>
  private let input: UnsafeMutableRawBufferPointer
  private var inputEnd = false
  private var finished = false
  private var pendingError: InputError?
  /// How many bytes after the last gzip member were ignored.
  public private(set) var trailingGarbageBytes = 0
  /// How many gzip members were decoded completely.
  public private(set) var membersCompleted = 0

  /// Creates an inflater over `base`; `path` names the input in messages.
  public init(base: ByteSource, path: String, inputChunkSize: Int = 256 * 1024) {
    self.base = base
    self.path = path
    stream = .allocate(capacity: 1)
    stream.initialize(to: z_stream())
    input = .allocate(byteCount: inputChunkSize, alignment: 16)
    // 15 + 32: the largest window, with automatic gzip or zlib header detection.
    let status = czlib_inflate_init2(stream, 15 + 32)
    if status != Z_OK {
      pendingError = .corruptGzip(path: path, reason: "zlib could not start (\(status))")
      finished = true
    }
  }

  deinit {
    inflateEnd(stream)
    stream.deinitialize(count: 1)
    stream.deallocate()
    input.deallocate()
  }

  private func refill() throws(InputError) {
    let count = try base.read(into: input)
    stream.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
    stream.pointee.avail_in = uInt(count)
    if count == 0 { inputEnd = true }
  }

  /// After the end of a member: is another member next? Reads more input if needed.
  private func nextMemberFollows() throws(InputError) -> Bool {
    if stream.pointee.avail_in == 0 && !inputEnd { try refill() }
    guard stream.pointee.avail_in > 0 else { return false }
    let first = stream.pointee.next_in[0]
    if stream.pointee.avail_in == 1 {
      // Need the second magic byte: keep the first one and read on.
      let saved = first
      let count = try base.read(into: UnsafeMutableRawBufferPointer(rebasing: input[1...]))
      input[0] = saved
      stream.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
      stream.pointee.avail_in = uInt(1 + count)
      if count == 0 {
        inputEnd = true
        trailingGarbageBytes += 1
        return false
      }
    }
    if stream.pointee.next_in[0] == 0x1f && stream.pointee.next_in[1] == 0x8b { return true }
    trailingGarbageBytes += Int(stream.pointee.avail_in)
    while true {
      let count = try base.read(into: input)
      if count == 0 { break }
      trailingGarbageBytes += count
    }
    inputEnd = true
    return false
  }

  /// Reads the next bytes; see `ByteSource.read(into:)`.
  public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
    guard !finished, buffer.count > 0 else {
      if let error = pendingError {
        pendingError = nil
        throw error
      }
      return 0
    }
    stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
    stream.pointee.avail_out = uInt(buffer.count)
    while stream.pointee.avail_out > 0 {
      if stream.pointee.avail_in == 0 && !inputEnd { try refill() }
      let status = inflate(stream, Z_NO_FLUSH)
      let produced = buffer.count - Int(stream.pointee.avail_out)
      switch status {
      case Z_OK:
        continue
      case Z_STREAM_END:
        membersCompleted += 1
        if try nextMemberFollows() {
          inflateReset(stream)
          continue
        }
        finished = true
        return produced
      case Z_BUF_ERROR:
        // No progress possible: output full (handled by the loop) or input exhausted.
        if inputEnd {
          finished = true
          pendingError = .truncatedGzip(path: path)
          if produced > 0 { return produced }
          pendingError = nil
          throw .truncatedGzip(path: path)
        }
        continue
      default:
        let reason =
          stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(status)"
        finished = true
        pendingError = .corruptGzip(path: path, reason: reason)
        if produced > 0 { return produced }
        pendingError = nil
        throw .corruptGzip(path: path, reason: reason)
      }
    }
    return buffer.count - Int(stream.pointee.avail_out)
  }
}
