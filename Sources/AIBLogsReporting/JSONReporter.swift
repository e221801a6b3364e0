import Foundation

/// The JSON format: schema v1, documented in `docs/json-schema.md`.
public struct JSONReporter: Reporter {
  /// Creates a JSON reporter.
  public init() {}

  /// Renders `report` in this format.
  public func render(_ report: AnalysisReport) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    guard let data = try? encoder.encode(report) else { return "{}\n" }
    return String(decoding: data, as: UTF8.self) + "\n"
  }
}
