import AIBLogsAnalysis
import AIBLogsPatterns
import Foundation

/// Builds `Finding` and `InputDiagnosis` values for template findings.
enum AnalysisValues {
  /// A finding about a template (phase `submission`, owner `template`, not retryable), with a
  /// fingerprint made of its id and path, so it stays the same when the line moves.
  static func templateFinding(
    id: String, severity: Severity, title: String, summary: String, line: Int, evidence: [EvidenceLine],
    captures: [String: String], message: String, fixes: [String], templatePaths: [String], references: [String]
  ) -> Finding {
    Finding(
      id: id, severity: severity, title: title, summary: summary, phase: .submission, owner: .template,
      retryable: false, customizer: nil, line: line, occurrences: 1, evidence: evidence, captures: captures,
      message: message, fixes: fixes, templatePaths: templatePaths, benign: false, benignReason: nil,
      rank: severity == .error ? 90 : severity == .warning ? 50 : 10, references: references,
      fingerprint: Fingerprint.of(id: id, message: templatePaths.first ?? title))
  }

  /// The diagnosis of a template input.
  static func templateDiagnosis(
    path: String, outcome: Outcome, primary: String?, findings: [Finding], lines: Int, bytes: Int,
    encoding: String, sha256: String?, warnings: [String]
  ) -> InputDiagnosis {
    InputDiagnosis(
      path: path, kind: .template, outcome: outcome, primary: primary, chain: [], findings: findings,
      timeline: Timeline(),
      input: InputFacts(
        lines: lines, bytes: Int64(bytes), gzip: false, encoding: encoding, cutLines: 0, candidateLines: 0,
        sha256: sha256),
      warnings: warnings)
  }
}
