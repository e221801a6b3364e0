import AIBLogsAnalysis
import AIBLogsMatching

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

  /// `report` with every text it prints redacted.
  public func redact(_ report: AnalysisReport) -> AnalysisReport {
    var report = report
    report.inputs = report.inputs.map(redact)
    return report
  }

  private func redact(_ input: InputDiagnosis) -> InputDiagnosis {
    var input = input
    input.path = redact(input.path)
    input.warnings = input.warnings.map(redact)
    input.findings = input.findings.map { finding in
      var finding = finding
      finding.evidence = finding.evidence.map { EvidenceLine(line: $0.line, text: redact($0.text)) }
      finding.message = redact(finding.message)
      finding.fixes = finding.fixes.map(redact)
      finding.captures = finding.captures.mapValues(redact)
      return finding
    }
    input.timeline.customizers = input.timeline.customizers.map { run in
      var run = run
      run.detail = run.detail.map(redact)
      run.lastOutput = run.lastOutput.map { EvidenceLine(line: $0.line, text: redact($0.text)) }
      return run
    }
    return input
  }
}
