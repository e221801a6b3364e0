#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A stream of bytes read in chunks: a file, standard input, or a decoder over another source.
public protocol ByteSource: AnyObject {
  /// Reads up to `buffer.count` bytes into `buffer` and returns how many were read; 0 means
  /// the end of the input.
  func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int
}

/// Reads a file descriptor with `read(2)`.
public final class FileDescriptorSource: ByteSource {
  private let descriptor: Int32
  private let ownsDescriptor: Bool
  /// The name used in messages.
  public let path: String

  /// Wraps an open descriptor; the source closes it on deinit when `ownsDescriptor` is true.
  public init(descriptor: Int32, path: String, ownsDescriptor: Bool) {
    self.descriptor = descriptor
    self.path = path
    self.ownsDescriptor = ownsDescriptor
  }

  /// Opens `path` for reading.
  public convenience init(path: String) throws(InputError) {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 {
      throw .unreadable(path: path, reason: systemErrorMessage(errno))
    }
    var info = stat()
    if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
      close(fd)
      throw .isDirectory(path: path)
    }
    self.init(descriptor: fd, path: path, ownsDescriptor: true)
  }

  deinit {
    if ownsDescriptor { close(descriptor) }
  }

  /// Reads the next bytes; see `ByteSource.read(into:)`.
  public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
    guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
    while true {
      let count = Glibc.read(descriptor, base, buffer.count)
      if count >= 0 { return count }
      if errno == EINTR { continue }
      let code = errno
      if code == EISDIR { throw .isDirectory(path: path) }
      throw .unreadable(path: path, reason: systemErrorMessage(code))
    }
  }
}

/// Replays bytes that were read ahead (to sniff the format) before reading on from `base`.
public final class PrefixedSource: ByteSource {
  private var prefix: [UInt8]
  private var prefixOffset = 0
  private let base: ByteSource

  /// Creates a source that yields `prefix` and then the rest of `base`.
  public init(prefix: [UInt8], base: ByteSource) {
    self.prefix = prefix
    self.base = base
  }

  /// Reads the next bytes; see `ByteSource.read(into:)`.
  public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
    if prefixOffset < prefix.count {
      let count = min(buffer.count, prefix.count - prefixOffset)
      prefix.withUnsafeBytes { bytes in
        buffer.baseAddress!.copyMemory(
          from: bytes.baseAddress! + prefixOffset, byteCount: count)
      }
      prefixOffset += count
      if prefixOffset == prefix.count { prefix = [] }
      return count
    }
    return try base.read(into: buffer)
  }
}

/// A source over bytes held in memory (tests, small inputs).
public final class MemorySource: ByteSource {
  private let bytes: [UInt8]
  private var offset = 0
  private let chunkLimit: Int

  /// Creates a source over `bytes` that hands out at most `chunkLimit` bytes per read, so that
  /// tests can force any chunk boundary.
  public init(_ bytes: [UInt8], chunkLimit: Int = .max) {
    self.bytes = bytes
    self.chunkLimit = max(1, chunkLimit)
  }

  /// Reads the next bytes; see `ByteSource.read(into:)`.
  public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
    let count = min(buffer.count, bytes.count - offset, chunkLimit)
    guard count > 0 else { return 0 }
    bytes.withUnsafeBytes { source in
      buffer.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: count)
    }
    offset += count
    return count
  }
}

/// The lowercase text of a system error number, as `strerror` gives it.
func systemErrorMessage(_ code: Int32) -> String {
  guard let text = strerror(code) else { return "error \(code)" }
  return String(cString: text).lowercased()
}
