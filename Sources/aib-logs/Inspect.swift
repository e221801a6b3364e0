import AIBLogsInput
import ArgumentParser

/// `aib-logs inspect`: read inputs as `analyze` does (decompress, transcode, split lines) and
/// say what they are, without matching anything. It shows what the input layer sees, and the
/// benchmark times the reading alone with it.
struct Inspect: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inspect",
    abstract: "Read logs as analyze does and print what they are: size, lines, compression, encoding.")

  @Argument(help: "Log files; none or '-' reads standard input.")
  var files: [String] = []

  @Option(help: "Longest line, in bytes (1024 to 1 GiB), kept whole; longer lines are cut and counted.")
  var maxLineLength: Int = 1 << 20

  @Flag(help: "Also compute the SHA-256 of each raw input.")
  var sha256 = false

  func validate() throws {
    try requireInputOrPipe(files)
    try requireValidMaxLineLength(maxLineLength)
  }

  func run() throws {
    let out = OutputWriter.standardOutput()
    var unreadable = false
    for path in files.isEmpty ? ["-"] : files {
      do {
        let input = try InputOpener.open(path: path, computeDigest: sha256)
        let reader = LineReader(source: input.source, maxLineLength: maxLineLength)
        var warning: String?
        do {
          try reader.forEachBlock { _ in }
        } catch {
          warning = error.description
        }
        var text = "\(path): \(reader.lineCount) lines, \(reader.byteCount) bytes"
        text += input.isGzip ? ", gzip" : ", plain"
        if input.encoding != .plain { text += ", \(input.encoding.rawValue)" }
        if reader.cutLineCount > 0 { text += ", \(reader.cutLineCount) line(s) cut at \(maxLineLength) bytes" }
        if let digest = input.digest { text += ", sha256 \(digest.hexDigest())" }
        out.write(text + "\n")
        if let warning { printError("warning: \(warning)") }
      } catch {
        printError(error.description)
        unreadable = true
      }
    }
    out.close()
    if unreadable { throw ExitCode(2) }
  }
}
