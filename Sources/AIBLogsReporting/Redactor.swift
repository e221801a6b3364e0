import AIBLogsAnalysis
import AIBLogsMatching
import AIBLogsTemplate
import Foundation

/// Masks secrets in every text of a report before it is printed: SAS signatures, storage
/// keys, bearer and JWT tokens, passwords and secrets in commands and URLs, connection
/// strings; and, on request, subscription and tenant ids.
public struct Redactor {
  private let rules: [(regex: PCRE2Regex, replacement: String)]
  private let scratch = PCRE2MatchScratch()

  /// Secret-shaped text, most specific first. Values may be quoted, JSON-escaped (`\"`,
  /// `\u0026`), percent-encoded or cut off at the end of a quoted line; names may be compound
  /// (`adminPassword`, `AZURE_CLIENT_SECRET`, `$env:SQL_SA_PASSWORD`).
  private static let secretRules: [(String, String)] = [
    // PEM private keys: the header line, and base64 body lines (see the key rule below).
    (#"-----BEGIN [A-Z ]*PRIVATE KEY-----.*"#, "-----BEGIN PRIVATE KEY----- REDACTED"),
    // SAS signatures, also with escaped or encoded delimiters.
    (#"(?i)((?:[?&;]|\\u0026|%26|&amp;)sig(?:=|%3D))[^&\s"'<>;\\]+"#, "$1REDACTED"),
    (
      #"(?i)\b((?:AccountKey|SharedAccessKey|SharedAccessSignature|ClientSecret|Password|Pwd)=)(\{[^}]*\}?|[^;\s"'&]+)"#,
      "$1REDACTED"
    ),
    // Tokens that look like tokens wherever they are.
    (#"\beyJ[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]*){0,2}"#, "REDACTED-JWT"),
    (#"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})"#, "REDACTED-TOKEN"),
    (#"\bAKIA[0-9A-Z]{16}\b"#, "REDACTED-KEY"),
    // Entra ID client secrets (`xxx8Q~...`).
    (#"(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{20,}"#, "REDACTED-SECRET"),
    (#"(?i)(\b(?:bearer|basic)\s+)(?!authorization_uri)[A-Za-z0-9._~+/=-]{8,}"#, "$1REDACTED"),
    (#"(?i)(\bauthorization["']?\s*[:=]\s*["']?(?:token|negotiate)\s+)\S+"#, "$1REDACTED"),
    // PowerShell: the value of ConvertTo-SecureString, past its switches.
    (
      #"(?i)(ConvertTo-SecureString(?:\s+-(?:AsPlainText|Force|String)\b(?::\$true)?)*\s+)("[^"]*"?|'[^']*'?|[^\s)-]\S*)"#,
      "$1REDACTED"
    ),
    // Names that hold secrets, assigned with `:` or `=`, the name possibly compound and quoted.
    (
      #"(?i)([\w$.:-]*(?:password|passwd|pwd|secret|api_?key|access_?key|account_?key|token|credential)[\w.-]*(?:\\*["'])?\s*[:=]\s*)(?!AADSTS)(\\*"(?:[^"\\]|\\(?!\\*"))*(?:\\*"|$)|'[^']*(?:'|$)|[^\s;,&"'\\)]+(?:&(?![\w.-]+=)[^\s;,&"'\\)]*)*)"#,
      "$1REDACTED"
    ),
    // Command-line options that take a secret (not a parenthesised expression or a switch).
    (
      #"(?i)(\s--?(?:password|passwd|secret|client-secret|token|api-key|account-key|sas-token|pat|Password|Secret|Token|ApiKey|ClientSecret|AccessToken|PersonalAccessToken)(?:\s+|=))(?![-(])("[^"]*"?|'[^']*'?|\S+)"#,
      "$1REDACTED"
    ),
    (#"(?i)(\baz\s+login\b.*?\s-p\s+)("[^"]*"?|'[^']*'?|\S+)"#, "$1REDACTED"),
    (#"(?i)(\bnet\s+user\s+\S+\s+)(?![/*])("[^"]*"?|\S+)"#, "$1REDACTED"),
    // A Key Vault secret's value in `az keyvault secret show` output.
    (#"(?i)(vault\.azure\.net/secrets/.*?\\*"value\\*"\s*:\s*\\*")[^"\\]*"#, "$1REDACTED"),
    // User info in URLs (`user:password@`, a token as the user name).
    (#"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@"']+@"#, "$1REDACTED@"),
    // Storage keys and other base64 secrets: long mixed runs, also cut off; not a hash's hex
    // (no upper case) and not an npm integrity value (`sha512-` comes before it).
    // A run that follows `/`, `:` or `.` is a path or a URL, not a key.
    (#"(?<![A-Za-z0-9+/=:.-])(?=[A-Za-z0-9+])[A-Za-z0-9+/]{86}=="#, "REDACTED-KEY"),
    (
      #"(?<![A-Za-z0-9+/=:.-])(?=[A-Za-z0-9+])(?=(?:[A-Za-z0-9+/]*[A-Z]){2})(?=(?:[A-Za-z0-9+/]*[a-z]){2})(?=(?:[A-Za-z0-9+/]*[0-9]){2})[A-Za-z0-9+/]{40,}={0,2}"#,
      "REDACTED-KEY"
    ),
  ]

  private static let idRules: [(String, String)] = [
    (#"(?i)(/subscriptions/)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"#, "$1<subscription-id>"),
    (
      #"(?i)(subscription(?:Id|_id| id)?["']?\s*[:=]?\s*["']?)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"#,
      "$1<subscription-id>"
    ),
    (
      #"(?i)(tenant(?:Id|_id|-id| id)?["']?\s*[:=]?\s*["']?)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"#,
      "$1<tenant-id>"
    ),
    (
      #"(?i)((?:login\.microsoftonline\.com|sts\.windows\.net)/)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"#,
      "$1<tenant-id>"
    ),
  ]

  /// Creates a redactor; `redactIDs` also masks subscription and tenant ids.
  public init(redactIDs: Bool = false) {
    let sources = Redactor.secretRules + (redactIDs ? Redactor.idRules : [])
    // The rules are fixed and tested: one that does not compile is a programming error, not
    // a reason to print secrets.
    rules = sources.map { source, replacement in
      guard let regex = try? PCRE2Regex(source) else {
        preconditionFailure("redaction rule does not compile: \(source)")
      }
      return (regex, replacement)
    }
  }

  /// `text` with secrets masked.
  public func redact(_ text: String) -> String {
    PCRE2Regex.applying(rules, to: text, scratch: scratch)
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

  /// `value` with every string value redacted, through its JSON form (parsed by the template
  /// layer's JSON code: Foundation's `JSONSerialization` took most of the time). Decoded back
  /// only when a string changed: most reports hold no secret, and decoding was half the cost.
  private func redactingStrings<T: Codable>(in value: T) -> T {
    guard let data = try? JSONEncoder().encode(value), let node = try? JSONParser.parse([UInt8](data)) else {
      // Every value here encodes; if one ever did not, print nothing of it rather than
      // something unredacted.
      preconditionFailure("a report value did not encode to JSON for redaction")
    }
    var changed = false
    let redacted = redactingStrings(in: node.value, changed: &changed)
    guard changed else { return value }
    guard let result = try? JSONDecoder().decode(T.self, from: Data(redacted.jsonText.utf8)) else {
      preconditionFailure("a report value did not round-trip through JSON for redaction")
    }
    return result
  }

  /// `value` with every string value redacted; `changed` is set when one was.
  private func redactingStrings(in value: JSONValue, changed: inout Bool) -> JSONValue {
    switch value {
    case .string(let text):
      let redacted = redact(text)
      if redacted != text { changed = true }
      return .string(redacted)
    case .array(let elements):
      return .array(elements.map { redactingStrings(in: $0, changed: &changed) })
    case .object(let members):
      return .object(
        members.map { JSONMemberValue(key: $0.key, value: redactingStrings(in: $0.value, changed: &changed)) })
    case .null, .bool, .integer, .double:
      return value
    }
  }
}
