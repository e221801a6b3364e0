import AIBLogsInput
import Testing

@testable import AIBLogsAnalysis

/// Diagnoses `lines` as one log, with how many items the run model's structures held at the end.
func diagnoseCounting(_ lines: [String]) throws -> (diagnosis: InputDiagnosis, retained: [String: Int]) {
  let bytes = Array((lines.joined(separator: "\n") + "\n").utf8)
  return try analyzer.analyzeCounting(try InputOpener.open(source: MemorySource(bytes), path: "test.log"))
}

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

  @Test func manyCustomizersKeepTheFirstAndLastAndThoseAFindingPointsAt() throws {
    let count = 1000
    let window = RunModelBuilder.stepWindow
    let (diagnosis, retained) = try diagnoseCounting(manySteps(count, errorStep: 500))
    #expect(diagnosis.outcome == .failed)
    let numbers = diagnosis.timeline.customizers.map(\.number)
    #expect(numbers == Array(1...window) + [500] + Array((count - window + 1)...count))
    let elided = try #require(diagnosis.timeline.customizersElided)
    #expect(elided.count == count - 2 * window - 1)
    #expect(elided.firstNumber == window + 1)
    #expect(elided.lastNumber == count - window)
    // Step n starts on line 2n: one start line, one output line (plus the error in step 500).
    #expect(elided.firstLine == 2 * (window + 1))
    #expect(elided.lastLine == 2 * (count - window) + 1)
    // The finding in a step that was left out still names it, with its template index.
    let lock = try #require(diagnosis.findings.first { $0.id == "apt-lock" })
    #expect(lock.customizer?.number == 500)
    #expect(lock.customizer?.templateIndex == 499)
    #expect(diagnosis.timeline.customizers.first { $0.number == 500 }?.templateIndex == 499)
    #expect(diagnosis.timeline.customizers.last?.templateIndex == count - 1)
    #expect(diagnosis.timeline.customizers.last?.failed == true)
    // Every step that ended has a duration: the next one's start ends it.
    #expect(diagnosis.timeline.customizers.dropLast().allSatisfy { $0.durationSeconds == 1 })
    // The notable lines of the steps left out are not kept.
    #expect(retained["customizers"] == 2 * window + 1)
    #expect((retained["notableSteps"] ?? .max) <= 2 * window + 2)
    #expect(diagnosis.warnings.filter { $0.contains("customizers: the timeline lists") }.count == 1)
  }

  @Test func stepsPinnedOnlyWhileAFindingPointsAtThem() throws {
    // The same finding in a step every 150 steps: it moves on each time, so only the step it
    // was last seen in stays pinned, not the ones it left.
    var lines = [at(0, "[INFO] Packer version: 1.14.3 [go1.24.0 linux amd64]")]
    for step in 1...2990 {
      lines.append(at(step, "ui: ==> azure-arm: Provisioning with shell script: /tmp/script_\(step).sh"))
      if step % 150 == 0 {
        lines.append(
          at(
            step,
            "ui error: ==> azure-arm: E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 1734 (unattended-upgr)"
          ))
      }
    }
    let (diagnosis, retained) = try diagnoseCounting(lines)
    let window = RunModelBuilder.stepWindow
    #expect(diagnosis.findings.first { $0.id == "apt-lock" }?.customizer?.number == 2850)
    #expect(retained["pinnedCustomizers"] == 1)
    #expect(diagnosis.timeline.customizers.map(\.number) == Array(1...window) + [2850] + Array((2991 - window)...2990))
  }

  @Test func aFewCustomizersAreAllListed() throws {
    let diagnosis = try diagnose(manySteps(12, errorStep: 3))
    #expect(diagnosis.timeline.customizers.map(\.number) == Array(1...12))
    #expect(diagnosis.timeline.customizersElided == nil)
    #expect(diagnosis.timeline.phasesElided == nil)
    #expect(!diagnosis.warnings.contains { $0.contains("not listed") })
  }

  @Test func alternatingPhasesKeepTheFirstAndLast() throws {
    var lines = [at(0, "[INFO] Packer version: 1.14.3 [go1.24.0 linux amd64]")]
    let restarts = 400
    for step in 1...restarts {
      lines.append(at(step, "ui: ==> azure-arm: Waiting for SSH to become available..."))
      lines.append(at(step, "ui: ==> azure-arm: Provisioning with shell script: /tmp/script_\(step).sh"))
    }
    let (diagnosis, retained) = try diagnoseCounting(lines)
    let window = RunModelBuilder.phaseWindow
    // startup, then connect and customize for each step.
    let total = 1 + 2 * restarts
    #expect(diagnosis.timeline.phases.count == 2 * window)
    #expect(retained["phases"] == 2 * window)
    let elided = try #require(diagnosis.timeline.phasesElided)
    #expect(elided.count == total - 2 * window)
    #expect(elided.firstNumber == nil)
    // The phase at index `window` (0-based) starts on line 1 + window (one phase a line).
    #expect(elided.firstLine == window + 1)
    #expect(elided.lastLine == total - window)
    #expect(diagnosis.timeline.phases.first?.phase == "startup")
    #expect(diagnosis.timeline.phases.last?.phase == "customize")
    #expect(diagnosis.warnings.filter { $0.contains("phases: the timeline lists") }.count == 1)
  }

  @Test func manyDistinctImageStatesKeepFewAndStillFindTheLoop() throws {
    var lines = [
      at(0, "ui: ==> azure-arm: Provisioning with Powershell..."),
      at(
        0,
        "packer-provisioner-powershell plugin: Found command: if( TEST-PATH c:\\DeprovisioningScript.ps1 ){cat c:\\DeprovisioningScript.ps1} else {echo \"x\"}"
      ),
    ]
    let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    for index in 0..<500 {
      let name = "\(letters[index / 26 % 26])\(letters[index % 26])"
      lines.append(at(1 + index, "ui:     azure-arm: IMAGE_STATE_TEST_\(name)"))
    }
    for minute in 1...40 { lines.append(at(600 + 60 * minute, "ui:     azure-arm: IMAGE_STATE_UNDEPLOYABLE")) }
    lines.append(at(9000, "ui error: Cancelling build after receiving terminated"))
    let (diagnosis, retained) = try diagnoseCounting(lines)
    #expect((retained["imageStates"] ?? .max) <= 16)
    #expect(diagnosis.primary == "sysprep-state-loop")
    #expect(diagnosis.findings.first?.occurrences == 40)
  }

  @Test func manyProvisionerPluginNamesKeepFewEchoDecisions() throws {
    var lines = [at(0, "ui: ==> azure-arm: Provisioning with shell script: /tmp/script.sh")]
    for index in 0..<300 {
      lines.append(at(1 + index, "packer-provisioner-shell-\(index) plugin: error: something \(index)"))
    }
    let (_, retained) = try diagnoseCounting(lines)
    #expect((retained["echoPlugins"] ?? .max) <= 16)
  }

  @Test func aLongLineIsKeptAsEvidenceCutBetweenWords() throws {
    let words = String(repeating: "word ", count: 10_000)
    let lines = [
      at(0, "ui: ==> azure-arm: Provisioning with shell script: /tmp/script.sh"),
      at(
        1,
        "ui error: ==> azure-arm: E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 1734 (unattended-upgr) \(words)"
      ),
      at(
        2,
        "ui error: Build 'azure-arm' errored after 2 minutes 5 seconds: Script exited with non-zero exit status: 100. Allowed exit codes are: [0]"
      ),
    ]
    let (diagnosis, retained) = try diagnoseCounting(lines)
    let lock = try #require(diagnosis.findings.first { $0.id == "apt-lock" })
    let text = try #require(lock.evidence.first { $0.line == 2 }?.text)
    let kept = try #require(text.components(separatedBy: " \u{2026} [").first)
    #expect(kept.utf8.count <= EvidenceLine.textLimit)
    #expect(kept.hasSuffix("word"))
    let full = lines[1].utf8.count
    #expect(text.hasSuffix("[\(full - kept.utf8.count) more bytes not kept]"))
    #expect((retained["evidenceBytes"] ?? .max) < 16 * EvidenceLine.textLimit)
  }

  @Test func aLineWithoutSpacesIsCutOnACharacterBoundary() {
    let text = "x" + String(repeating: "é", count: EvidenceLine.textLimit)
    let line = Array(text.utf8).withUnsafeBytes { EvidenceLine(line: 1, bytes: $0) }
    let kept = line.text.components(separatedBy: " \u{2026} [").first ?? ""
    #expect(kept.utf8.count == EvidenceLine.textLimit - 1)
    #expect(!kept.contains("\u{FFFD}"))
  }

  @Test func backtrackingLimitHitsAreOneWarning() throws {
    let hits = (1...40).map { (ruleID: $0 % 4 == 0 ? "b" : "a", line: $0) }
    let said = try #require(LogAnalyzer.limitHitsWarning(hits))
    #expect(said.contains("'a' on lines 1, 2, 3, 5, 6 and 25 more recorded"))
    #expect(said.contains("'b' on lines 4, 8, 12, 16, 20 and 5 more recorded"))
    #expect(LogAnalyzer.limitHitsWarning([]) == nil)
    #expect(LogAnalyzer.limitHitsWarning([("c", 9)])?.hasSuffix("'c' on line 9") == true)
  }
}
