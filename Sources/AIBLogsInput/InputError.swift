/// Why an input could not be read, or could be read only in part.
///
/// Every case renders as one line that names the input and the reason, in the style
/// `cannot read 'x.log': no such file or directory`.
public enum InputError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The input could not be opened or read; `reason` is the lowercase system message.
  case unreadable(path: String, reason: String)
  /// The input is a directory.
  case isDirectory(path: String)
  /// The input has no bytes at all.
  case empty(path: String)
  /// The gzip stream ends before its end marker; what came before it was decoded.
  case truncatedGzip(path: String)
  /// The gzip stream is damaged; what came before the damage was decoded.
  case corruptGzip(path: String, reason: String)

  /// The one-line message for the user (without the `aib-logs: ` prefix).
  public var description: String {
    switch self {
    case .unreadable(let path, let reason): "cannot read '\(path)': \(reason)"
    case .isDirectory(let path): "cannot read '\(path)': is a directory"
    case .empty(let path): "cannot analyse '\(path)': the file is empty"
    case .truncatedGzip(let path):
      "'\(path)' is a truncated gzip file: analysed what was decoded before the end"
    case .corruptGzip(let path, let reason):
      "'\(path)' is a damaged gzip file (\(reason)): analysed what was decoded before the damage"
    }
  }

  /// Whether the input was still partly analysed (a warning rather than a failure to read).
  public var isPartial: Bool {
    switch self {
    case .truncatedGzip, .corruptGzip: true
    default: false
    }
  }
}
