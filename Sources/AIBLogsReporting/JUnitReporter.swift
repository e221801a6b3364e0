import AIBLogsAnalysis

/// JUnit XML: one test suite per input, one test case per phase or customizer; the findings
/// are failures of the step they happened in, so test views in CI show the cause.
public struct JUnitReporter: Reporter {
  /// Creates a JUnit reporter.
  public init() {}

  /// Text safe inside XML attributes and elements (control characters other than tab and line
  /// breaks are dropped, as XML 1.0 forbids them).
  static func escape(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&apos;"
      case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
      default:
        if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
        out.unicodeScalars.append(scalar)
      }
    }
    return out
  }

  private struct Case {
    var name: String
    var seconds: Int64
    var failures: [Finding] = []
  }

  /// Renders `report` as JUnit XML.
  public func render(_ report: AnalysisReport) -> String {
    var suites = ""
    var totalTests = 0
    var totalFailures = 0
    for input in report.inputs {
      var cases: [Case] = []
      for phase in input.timeline.phases where phase.phase != "customize" {
        cases.append(Case(name: "phase \(phase.phase)", seconds: 0))
      }
      for run in input.timeline.customizers {
        cases.append(Case(name: "#\(run.number) \(ReportText.runName(run))", seconds: run.durationSeconds ?? 0))
      }
      if cases.isEmpty { cases.append(Case(name: "build", seconds: 0)) }
      for finding in input.findings where !finding.benign && finding.severity == .error {
        var target = cases.firstIndex { $0.name.hasPrefix("#\(finding.customizer?.number ?? -1) ") }
        if target == nil { target = cases.firstIndex { $0.name == "phase \(finding.phase.rawValue)" } }
        if target == nil {
          cases.append(Case(name: "phase \(finding.phase.rawValue)", seconds: 0))
          target = cases.count - 1
        }
        if let target { cases[target].failures.append(finding) }
      }
      let failures = cases.filter { !$0.failures.isEmpty }.count
      totalTests += cases.count
      totalFailures += failures
      let suiteName = JUnitReporter.escape(input.path)
      suites += "  <testsuite name=\"\(suiteName)\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\">\n"
      for testCase in cases {
        let name = JUnitReporter.escape(testCase.name)
        suites += "    <testcase classname=\"aib-logs.\(suiteName)\" name=\"\(name)\" time=\"\(testCase.seconds)\""
        if testCase.failures.isEmpty {
          suites += "/>\n"
          continue
        }
        suites += ">\n"
        let primary = testCase.failures.first { $0.id == input.primary } ?? testCase.failures[0]
        let message = JUnitReporter.escape("\(primary.id): \(primary.message)")
        var body = ""
        for finding in testCase.failures {
          body += "\(finding.id) (\(finding.severity.rawValue), line \(finding.line)): \(finding.message)\n"
          for fix in finding.fixes { body += "  fix: \(fix)\n" }
          for line in finding.evidence { body += "  \(line.line): \(line.text)\n" }
        }
        suites += "      <failure message=\"\(message)\" type=\"\(JUnitReporter.escape(primary.id))\">"
        suites += JUnitReporter.escape(body) + "</failure>\n    </testcase>\n"
      }
      suites += "  </testsuite>\n"
    }
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      + "<testsuites name=\"aib-logs\" tests=\"\(totalTests)\" failures=\"\(totalFailures)\">\n\(suites)</testsuites>\n"
  }
}
