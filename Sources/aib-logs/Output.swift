import ArgumentParser

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes to standard output or a file, buffered; a closed pipe (`| head`) ends the program
/// quietly.
final class OutputWriter {
  private let descriptor: Int32
  private var buffer: [UInt8] = []

  private init(descriptor: Int32) {
    self.descriptor = descriptor
    buffer.reserveCapacity(1 << 16)
  }

  /// Standard output.
  static func standardOutput() -> OutputWriter { OutputWriter(descriptor: STDOUT_FILENO) }

  /// A file opened for writing; throws a one-line message when it cannot be created.
  static func file(path: String) throws -> OutputWriter {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
      throw CLIError.input("cannot write '\(path)': \(String(cString: strerror(errno)).lowercased())")
    }
    return OutputWriter(descriptor: descriptor)
  }

  /// Whether the output is a terminal.
  var isTerminal: Bool { isatty(descriptor) == 1 }

  func write(_ text: String) {
    buffer.append(contentsOf: text.utf8)
    if buffer.count >= 1 << 16 { flush() }
  }

  func flush() {
    var offset = 0
    while offset < buffer.count {
      let written = buffer.withUnsafeBytes { bytes in
        Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
      }
      if written < 0 {
        if errno == EINTR { continue }
        // EPIPE: the reader went away; that is a normal end for `aib-logs ... | head`.
        if errno == EPIPE { exit(0) }
        printError("cannot write output: \(String(cString: strerror(errno)).lowercased())")
        exit(2)
      }
      offset += written
    }
    buffer.removeAll(keepingCapacity: true)
  }

  func close() {
    flush()
    if descriptor != STDOUT_FILENO { Glibc.close(descriptor) }
  }
}

/// Prints `aib-logs: <message>` on standard error.
func printError(_ message: String) {
  let line = Array("aib-logs: \(message)\n".utf8)
  _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress!, $0.count) }
}

/// Errors the command line turns into an exit code and one line on standard error.
enum CLIError: Error, CustomStringConvertible {
  /// An input or the pattern library could not be read (exit 2).
  case input(String)

  var description: String {
    switch self {
    case .input(let message): message
    }
  }
}

/// With no file and standard input a terminal, there is nothing to read: say how to give one
/// instead of waiting for typed input.
func requireInputOrPipe(_ files: [String]) throws {
  if files.isEmpty && isatty(STDIN_FILENO) == 1 {
    throw ValidationError("give a file to read, or pipe one in ('-' reads standard input)")
  }
}

/// The range `--max-line-length` accepts: at least a kilobyte, and at most 1 GiB (a line's
/// parts are kept as 32-bit offsets, and the reader holds four buffers of this size).
let maxLineLengthRange = 1024...(1 << 30)

/// Rejects a `--max-line-length` outside `maxLineLengthRange` with a one-line message.
func requireValidMaxLineLength(_ value: Int) throws {
  guard maxLineLengthRange.contains(value) else {
    throw ValidationError(
      "--max-line-length must be between \(maxLineLengthRange.lowerBound) and \(maxLineLengthRange.upperBound) "
        + "bytes (1 GiB)")
  }
}
