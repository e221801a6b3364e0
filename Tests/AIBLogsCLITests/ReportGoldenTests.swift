import Foundation
import Testing

/// The scenario every format's golden file is made from: a failed Windows build with a
/// PowerShell error record, so every section of every format has something to show.
let goldenLog = "SampleLogs/win-new-script-exit.log"
let goldenDirectory = packageRoot.appendingPathComponent("Tests/AIBLogsCLITests/Golden")

/// Output with what changes between builds of the tool replaced by placeholders.
func scrubbed(_ text: String) -> String {
  var text = text
  for (pattern, placeholder) in [
    (#"\b\d+-[0-9a-f]{16}\b"#, "${LIBRARY}"),
    (#"aib-logs-analyze-summary-\d+\.md"#, "aib-logs-analyze-summary-${PID}.md"),
  ] {
    text = text.replacingOccurrences(of: pattern, with: placeholder, options: .regularExpression)
  }
  // The Azure DevOps summary is written to the test process's scratch directory.
  text = text.replacingOccurrences(of: testScratchDirectory.path + "/", with: "/${TMP}/")
  return text.replacingOccurrences(of: "aib-logs 0.1.0", with: "aib-logs ${VERSION}")
    .replacingOccurrences(of: "\"version\" : \"0.1.0\"", with: "\"version\" : \"${VERSION}\"")
}

/// Golden files for every format over the same analysis. Re-record with
/// `AIB_LOGS_RECORD=1 swift test --filter ReportGoldenTests` and review the diff.
@Suite(.serialized) struct ReportGoldenTests {
  @Test(arguments: formats)
  func formatMatchesItsGoldenFile(format: String) throws {
    let result = try run(
      ["analyze", "--format", format, "--color", "never", goldenLog],
      environment: ["GITHUB_STEP_SUMMARY": "", "AGENT_TEMPDIRECTORY": testScratchDirectory.path])
    #expect(result.status == 1)
    let actual = scrubbed(result.stdout)
    let golden = goldenDirectory.appendingPathComponent("\(format).golden")
    if ProcessInfo.processInfo.environment["AIB_LOGS_RECORD"] == "1" {
      try Data(actual.utf8).write(to: golden)
      return
    }
    let expected = try String(contentsOf: golden, encoding: .utf8)
    #expect(actual == expected, "the \(format) output changed; re-record with AIB_LOGS_RECORD=1 and review the diff")
  }
}
