import AIBLogsAnalysis
import AIBLogsTemplate

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
  /// For each input (same order), the concrete template changes for its root cause, when
  /// `analyze --template` was given; printed as `templateAdvice` inside the input in JSON.
  public var templateAdvice: [TemplateAdvice?]

  /// Creates a report.
  public init(
    toolVersion: String, patternLibrary: String, inputs: [InputDiagnosis], templateAdvice: [TemplateAdvice?] = []
  ) {
    tool = ToolInfo(name: "aib-logs", version: toolVersion)
    self.patternLibrary = patternLibrary
    self.inputs = inputs
    self.templateAdvice = templateAdvice
  }

  /// The template advice for input `index`, if any.
  public func advice(for index: Int) -> TemplateAdvice? {
    index < templateAdvice.count ? templateAdvice[index] : nil
  }

  enum CodingKeys: String, CodingKey {
    case schemaVersion, tool, patternLibrary, inputs
  }

  /// An input with its template advice, encoded as one JSON object.
  private struct EncodedInput: Encodable {
    let diagnosis: InputDiagnosis
    let advice: TemplateAdvice?

    enum Keys: String, CodingKey { case templateAdvice }

    func encode(to encoder: Encoder) throws {
      try diagnosis.encode(to: encoder)
      if let advice {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(advice, forKey: .templateAdvice)
      }
    }
  }

  /// Encodes the contract: `inputs` carry `templateAdvice` when there is some.
  public func encode(to encoder: Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(schemaVersion, forKey: .schemaVersion)
    try container.encode(tool, forKey: .tool)
    try container.encode(patternLibrary, forKey: .patternLibrary)
    try container.encode(
      inputs.enumerated().map { EncodedInput(diagnosis: $0.element, advice: advice(for: $0.offset)) }, forKey: .inputs)
  }

  /// Decodes a report (template advice is not read back).
  public init(from decoder: Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    schemaVersion = try container.decode(Int.self, forKey: .schemaVersion)
    tool = try container.decode(ToolInfo.self, forKey: .tool)
    patternLibrary = try container.decode(String.self, forKey: .patternLibrary)
    inputs = try container.decode([InputDiagnosis].self, forKey: .inputs)
    templateAdvice = []
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
