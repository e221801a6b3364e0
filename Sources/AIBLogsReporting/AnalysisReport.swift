import AIBLogsAnalysis

/// Everything a reporter prints: the diagnoses of one run of `aib-logs analyze`.
public struct AnalysisReport: Sendable, Codable {
  /// The version of the JSON contract; bumped only for incompatible changes.
  public static let schemaVersion = 1

  /// The JSON schema version.
  public var schemaVersion: Int = AnalysisReport.schemaVersion
  /// The tool's name and version.
  public var tool: ToolInfo
  /// The pattern library's version (pattern count and a hash of the patterns).
  public var patternLibrary: String
  /// One diagnosis per input, in the order given.
  public var inputs: [InputDiagnosis]

  /// Creates a report.
  public init(toolVersion: String, patternLibrary: String, inputs: [InputDiagnosis]) {
    tool = ToolInfo(name: "aib-logs", version: toolVersion)
    self.patternLibrary = patternLibrary
    self.inputs = inputs
  }
}

/// The tool that wrote a report.
public struct ToolInfo: Sendable, Codable {
  /// Always `aib-logs`.
  public var name: String
  /// The tool's version.
  public var version: String
}

/// Turns a report into text in one output format.
public protocol Reporter {
  /// The report as the text to print.
  func render(_ report: AnalysisReport) -> String
}
