import AIBLogsAnalysis

/// Phrases shared by the human-readable formats.
enum ReportText {
  /// `FAILED`, `SUCCEEDED`...
  static func verdict(_ outcome: Outcome) -> String {
    switch outcome {
    case .succeeded: "SUCCEEDED"
    case .failed: "FAILED"
    case .cancelled: "CANCELLED"
    case .incomplete: "INCOMPLETE"
    case .unknown: "UNKNOWN"
    }
  }

  /// What the primary finding is, as a heading: `Root cause`, or `Likely cause` when the input
  /// ends before the build did.
  static func primaryHeading(_ input: InputDiagnosis) -> String {
    input.primaryRole == .likelyCause ? "Likely cause" : "Root cause"
  }

  /// The words before the primary finding's title in a verdict line: none for a root cause,
  /// `likely cause: ` when the input ends before the build did.
  static func primaryLead(_ input: InputDiagnosis) -> String {
    input.primaryRole == .likelyCause ? "likely cause: " : ""
  }

  /// The prefix of the primary finding in an annotation: `root cause: ` or `likely cause: `.
  static func primaryPrefix(_ finding: Finding, of input: InputDiagnosis) -> String {
    guard finding.id == input.primary else { return "" }
    return input.primaryRole == .likelyCause ? "likely cause: " : "root cause: "
  }

  /// Where a finding happened: phase and customizer with its template index.
  static func location(_ finding: Finding) -> String {
    var parts = ["phase \(finding.phase.rawValue)"]
    if let customizer = finding.customizer {
      parts.append(customizerName(customizer))
    }
    return parts.joined(separator: ", ")
  }

  /// `customizer #3, properties.customize[1] (powershell)` or `AIB's own step #1 (file)`.
  static func customizerName(_ customizer: CustomizerReference) -> String {
    if customizer.isAIBStep { return "AIB's own step #\(customizer.number) (\(customizer.type))" }
    let index = customizer.templateIndex.map { ", properties.customize[\($0)]" } ?? ""
    return "customizer #\(customizer.number)\(index) (\(customizer.type))"
  }

  /// The short name of a customizer run in tables and charts.
  static func runName(_ run: CustomizerRun) -> String {
    run.isAIBStep
      ? "AIB \(run.aibStep ?? "step")" : "customize[\(run.templateIndex.map(String.init) ?? "?")] \(run.type)"
  }

  /// `1 h 5 min`, `3 min 12 s`, `40 s`.
  static func duration(_ seconds: Int64) -> String {
    if seconds < 60 { return "\(seconds) s" }
    if seconds < 3600 { return "\(seconds / 60) min \(seconds % 60) s" }
    return "\(seconds / 3600) h \((seconds % 3600) / 60) min"
  }
}
