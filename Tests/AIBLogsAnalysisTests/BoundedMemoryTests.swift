import AIBLogsInput
import Testing

@testable import AIBLogsAnalysis

/// A new-format line at `second` seconds after 10:00:00 (the time wraps every 24 h).
func at(_ second: Int, _ text: String) -> String {
  let clock = second % 86_400
  let time = [clock / 3600, clock / 60 % 60, clock % 60].map { $0 < 10 ? "0\($0)" : "\($0)" }.joined(separator: ":")
  return new(time, text)
}

/// Inputs whose length grows a structure of the run model: what is kept stays bounded and what
/// was left out is counted right. None of these asserts a time.
@Suite struct BoundedMemoryTests {
  /// One failed run of five lines: Packer's start, a shell step, apt's lock error, the error, the export.
  func failedRun(_ index: Int) -> [String] {
    [
      at(index, "[INFO] Packer version: 1.14.3 [go1.24.0 linux amd64]"),
      at(index, "ui: ==> azure-arm: Provisioning with shell script: /tmp/packer-shell\(index)"),
      at(
        index,
        "ui error: ==> azure-arm: E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 1734 (unattended-upgr)"
      ),
      at(
        index,
        "ui error: Build 'azure-arm' errored after 2 minutes 5 seconds: Script exited with non-zero exit status: 100. Allowed exit codes are: [0]"
      ),
      "\(op) Done exporting Packer logs to Azure Storage.",
    ]
  }

  @Test func manyConcatenatedRunsKeepTheFirstAndLastFewAndCountTheRest() throws {
    let runCount = 60
    var lines: [String] = []
    for index in 0..<runCount - 1 { lines += failedRun(index) }
    lines += [
      at(9000, "[INFO] Packer version: 1.14.3 [go1.24.0 linux amd64]"),
      at(9001, "ui: ==> azure-arm: Provisioning with shell script: /tmp/packer-shell1"),
      at(9002, "ui: Build 'azure-arm' finished after 5 minutes."),
      "\(op) Done exporting Packer logs to Azure Storage.",
    ]
    let diagnosis = try diagnose(lines)
    #expect(diagnosis.outcome == .succeeded)
    let runs = try #require(diagnosis.runs)
    let listed = RunHistoryBuilder.listed
    #expect(runs.count == runCount)
    #expect(runs.diagnosedFrom == (runCount - 1) * 5 + 1)
    #expect(runs.earlier.count == 2 * listed)
    #expect(
      runs.earlier.first == EarlierRun(startLine: 1, endLine: 5, outcome: .failed, primary: "apt-lock", primaryLine: 3))
    #expect(runs.earlier.last?.endLine == (runCount - 1) * 5)
    let elided = try #require(runs.earlierElided)
    #expect(elided.count == runCount - 1 - 2 * listed)
    #expect(elided.outcomes == ["failed": runCount - 1 - 2 * listed])
    #expect(elided.startLine == listed * 5 + 1)
    #expect(elided.endLine == (runCount - 1 - listed) * 5)
    // One warning, which lists only the kept runs.
    let said = diagnosis.warnings.filter { $0.contains("runs of the build") }
    #expect(said.count == 1)
    #expect(said.first?.contains("\(runCount) runs of the build") == true)
    #expect(said.first?.contains("\(elided.count) more runs, lines \(elided.startLine) to \(elided.endLine)") == true)
    #expect(said.first.map { $0.components(separatedBy: " ended failed").count - 1 } == 2 * listed)
  }

  @Test func twoRunsListEveryEarlierRunWithoutAnElision() throws {
    let diagnosis = try diagnose(failedRun(0) + failedRun(1))
    let runs = try #require(diagnosis.runs)
    #expect(runs.count == 2)
    #expect(runs.earlierElided == nil)
    #expect(runs.earlier.count == 1)
  }

  @Test func oneRunHasNoRunHistory() throws {
    #expect(try diagnose(failedRun(0)).runs == nil)
  }

  /// A run of `count` shell steps that each print a line and end; step `errorStep` (1-based) also
  /// prints apt's lock error, and the last one fails the build.
  func manySteps(_ count: Int, errorStep: Int) -> [String] {
    var lines = [at(0, "[INFO] Packer version: 1.14.3 [go1.24.0 linux amd64]")]
    for step in 1...count {
      lines.append(at(step, "ui: ==> azure-arm: Provisioning with shell script: /tmp/script_\(step).sh"))
      lines.append(at(step, "ui:     azure-arm: error: step \(step) could not copy a file"))
      if step == errorStep {
        lines.append(
          at(
            step,
            "ui error: ==> azure-arm: E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 1734 (unattended-upgr)"
          ))
      }
    }
    lines.append(
      at(
        count + 1,
        "ui error: Build 'azure-arm' errored after 2 minutes 5 seconds: Script exited with non-zero exit status: 1. Allowed exit codes are: [0]"
      ))
    return lines
  }

}
