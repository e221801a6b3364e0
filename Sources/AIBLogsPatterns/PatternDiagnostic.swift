/// A problem with a pattern file, located in the file, in the layout of compiler diagnostics.
public struct PatternDiagnostic: Error, Sendable, Equatable, CustomStringConvertible {
  /// The file's display name.
  public let file: String
  /// The 1-based line in the file (0 when unknown).
  public let line: Int
  /// What is wrong.
  public let message: String
  /// The offending text (a regex, a sample), shown under the location.
  public let snippet: String?
  /// The 0-based offset in `snippet` to put a caret under.
  public let caretOffset: Int?

  /// Creates a diagnostic.
  public init(file: String, line: Int, message: String, snippet: String? = nil, caretOffset: Int? = nil) {
    self.file = file
    self.line = line
    self.message = message
    self.snippet = snippet
    self.caretOffset = caretOffset
  }

  /// `file:line: error: message`, then the snippet and a caret line when known.
  public var description: String {
    var text = line > 0 ? "\(file):\(line): error: \(message)" : "\(file): error: \(message)"
    if let snippet {
      text += "\n    \(snippet)"
      if let caretOffset {
        let prefix = snippet.utf8.prefix(caretOffset)
        let width = String(decoding: prefix, as: UTF8.self).count
        text += "\n    " + String(repeating: " ", count: width) + "^"
      }
    }
    return text
  }
}
