import AIBLogsInput
import Foundation
import Testing

@testable import AIBLogsAnalysis

/// `SampleLogs/` in the package.
let sampleLogDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent().appendingPathComponent("SampleLogs")

/// Every scenario log in `SampleLogs/` (`*.log`, `*.txt`, `*.gz`).
let sampleLogs: [String] = {
  let names = (try? FileManager.default.contentsOfDirectory(atPath: sampleLogDirectory.path)) ?? []
  return names.filter { $0.hasSuffix(".log") || $0.hasSuffix(".txt") || $0.hasSuffix(".gz") }.sorted()
}()

/// The stable part of a diagnosis that a golden file pins: what a user relies on, without
/// texts that change when a pattern's wording improves.
struct GoldenDiagnosis: Codable, Equatable {
  var kind: String
  var outcome: String
  var primary: String?
  /// True when the primary is only the likely cause (the log stops before the build ended);
  /// absent otherwise.
  var likelyCause: Bool?
  var chain: [String]
  var findings: [String]
  var customizers: [String]

  init(_ diagnosis: InputDiagnosis) {
    kind = diagnosis.kind.rawValue
    outcome = diagnosis.outcome.rawValue
    primary = diagnosis.primary
    likelyCause = diagnosis.primaryRole == .likelyCause ? true : nil
    chain = diagnosis.chain
    findings = diagnosis.findings.map { "\($0.id)@\($0.line)" }
    customizers = diagnosis.timeline.customizers.map { run in
      var text = run.isAIBStep ? "aib:\(run.aibStep ?? "?")" : "customize[\(run.templateIndex ?? -1)]:\(run.type)"
      if let code = run.exitCode { text += " exit \(code)" }
      if run.failed { text += " failed" }
      return text
    }
  }
}

/// The end-to-end scenarios: each sample log against its golden `<name>.expected.json`.
/// Re-record with `AIB_LOGS_RECORD=1 swift test --filter SampleLogTests` and review the diff.
@Suite struct SampleLogTests {
  @Test func thereAreScenarios() {
    #expect(sampleLogs.count >= 10)
  }

  @Test(arguments: sampleLogs)
  func scenarioMatchesItsGoldenFile(name: String) throws {
    let input = try InputOpener.open(path: sampleLogDirectory.appendingPathComponent(name).path)
    let actual = GoldenDiagnosis(try analyzer.analyze(input))
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let golden = sampleLogDirectory.appendingPathComponent(name + ".expected.json")
    if ProcessInfo.processInfo.environment["AIB_LOGS_RECORD"] == "1" {
      try (encoder.encode(actual) + Data("\n".utf8)).write(to: golden)
      return
    }
    guard let data = FileManager.default.contents(atPath: golden.path) else {
      Issue.record("no golden file \(golden.lastPathComponent); record it with AIB_LOGS_RECORD=1")
      return
    }
    let expected = try JSONDecoder().decode(GoldenDiagnosis.self, from: data)
    let rendered = String(decoding: try encoder.encode(actual), as: UTF8.self)
    #expect(actual == expected, "\(name): \(rendered)")
  }
}
