import AIBLogsAnalysis
import AIBLogsMatching
import AIBLogsTemplate
import Foundation

/// Masks secrets in every text of a report before it is printed: SAS signatures, storage
/// keys, bearer and JWT tokens, passwords and secrets in commands and URLs, connection
/// strings; and, on request, subscription and tenant ids.
public struct Redactor {
  private let rules: [(PCRE2Regex, String)]
  private let scratch = PCRE2MatchScratch()

  private static let secretRules: [(String, String)] = [
    (#"(?i)([?&;]sig=)[^&\s"'<>;]+"#, "$1REDACTED"),
    (
      #"(?i)\b((?:AccountKey|SharedAccessKey|SharedAccessSignature|ClientSecret|Password|Pwd)=)[^;\s"'&]+"#,
      "$1REDACTED"
    ),
    (#"(?i)(\bbearer\s+)[A-Za-z0-9._~+/=-]{8,}"#, "$1REDACTED"),
    (#"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{4,}"#, "REDACTED-JWT"),
    (
      #"(?i)(\b(?:password|passwd|client_?secret|secret|api_?key|access_?token|auth_?token|token)\b["']?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s;,&"']+)"#,
      "$1REDACTED"
    ),
    (
      #"(?i)(\s-(?:Password|Secret|Token|ApiKey|ClientSecret|AccessToken|PersonalAccessToken|Pat)\s+)("[^"]*"|'[^']*'|\S+)"#,
      "$1REDACTED"
    ),
    (#"(?i)(ConvertTo-SecureString\s+(?:-String\s+)?)("[^"]*"|'[^']*'|\S+)"#, "$1REDACTED"),
    (#"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s:@"']+:[^/\s@"']+@"#, "$1REDACTED@"),
    (#"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{86}=="#, "REDACTED-KEY"),
  ]

  private static let idRules: [(String, String)] = [
    (#"(?i)(/subscriptions/)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"#, "$1<subscription-id>"),
    (
      #"(?i)(subscription(?:Id|_id| id)?["']?\s*[:=]?\s*["']?)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"#,
      "$1<subscription-id>"
    ),
    (
      #"(?i)(tenant(?:Id|_id| id)?["']?\s*[:=]?\s*["']?)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"#,
      "$1<tenant-id>"
    ),
    (
      #"(?i)(login\.microsoftonline\.com/)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"#,
      "$1<tenant-id>"
    ),
  ]

  /// Creates a redactor; `redactIDs` also masks subscription and tenant ids.
  public init(redactIDs: Bool = false) {
    let sources = Redactor.secretRules + (redactIDs ? Redactor.idRules : [])
    rules = sources.compactMap { source, replacement in (try? PCRE2Regex(source)).map { ($0, replacement) } }
  }

  /// `text` with secrets masked.
  public func redact(_ text: String) -> String {
    var result = text
    for (regex, replacement) in rules {
      result = regex.replacingMatches(in: result, with: replacement, scratch: scratch)
    }
    return result
  }

  /// `report` with every text it prints redacted: every string value in every input's
  /// diagnosis and template advice, whatever field it is in, so that a field added later cannot
  /// leak.
  public func redact(_ report: AnalysisReport) -> AnalysisReport {
    var report = report
    report.inputs = report.inputs.map { redactingStrings(in: $0) }
    report.templateAdvice = report.templateAdvice.map { advice in advice.map { redactingStrings(in: $0) } }
    return report
  }

  /// `value` with every string value redacted, through its JSON form.
  private func redactingStrings<T: Codable>(in value: T) -> T {
    guard let data = try? JSONEncoder().encode(value), let object = try? JSONSerialization.jsonObject(with: data),
      let redacted = try? JSONSerialization.data(withJSONObject: redactingStrings(inJSON: object)),
      let result = try? JSONDecoder().decode(T.self, from: redacted)
    else {
      // Every value here encodes and decodes; if one ever did not, print nothing of it rather
      // than something unredacted.
      preconditionFailure("a report value did not round-trip through JSON for redaction")
    }
    return result
  }

  private func redactingStrings(inJSON object: Any) -> Any {
    switch object {
    case let text as String: return redact(text)
    case let array as [Any]: return array.map { redactingStrings(inJSON: $0) }
    case let dictionary as [String: Any]: return dictionary.mapValues { redactingStrings(inJSON: $0) }
    default: return object
    }
  }
}
