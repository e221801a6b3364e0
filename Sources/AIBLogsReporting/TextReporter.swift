import AIBLogsAnalysis
import AIBLogsPatterns
import AIBLogsTemplate

/// The terminal format: the verdict first, then evidence, chain, timeline and benign lines.
public struct TextReporter: Reporter {
  /// Whether to use ANSI colour.
  public var color: Bool

  /// Creates a text reporter.
  public init(color: Bool) { self.color = color }

  private func style(_ text: String, _ code: String) -> String {
    color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
  }

  /// Log text with control characters and escape sequences made visible, so that a log cannot
  /// drive the terminal.
  static func neutralise(_ text: String) -> String {
    var result = ""
    result.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
      switch scalar.value {
      case 0x09: result.append("    ")
      case 0x00..<0x20, 0x7F, 0x80..<0xA0:
        result += "\\x" + String(scalar.value, radix: 16, uppercase: true).leftPad(2)
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result
  }

  /// Renders `report` in this format.
  public func render(_ report: AnalysisReport) -> String {
    var out = ""
    for (index, input) in report.inputs.enumerated() {
      if index > 0 { out += "\n" }
      out += renderInput(input, advice: report.advice(for: index), showPath: report.inputs.count > 1)
    }
    return out
  }

  private func renderInput(_ input: InputDiagnosis, advice: TemplateAdvice?, showPath: Bool) -> String {
    var out = ""
    let primary = input.findings.first { $0.id == input.primary }
    let place = primary.map { ReportText.location($0) } ?? ""
    let verdict: String
    switch input.outcome {
    case .succeeded: verdict = style("SUCCEEDED", "1;32")
    case .failed: verdict = style("FAILED", "1;31")
    case .cancelled: verdict = style("CANCELLED", "1;31")
    case .incomplete: verdict = style("INCOMPLETE", "1;33")
    case .unknown: verdict = style("UNKNOWN", "1;33")
    }
    out += "\(verdict)\(showPath ? "  \(input.path)" : "")"
    if let primary {
      out += ": \(ReportText.primaryLead(input))\(primary.title)\(place.isEmpty ? "" : " (\(place))")\n"
      out += "  why:  \(TextReporter.neutralise(primary.message))\n"
      if let fix = primary.fixes.first { out += "  fix:  \(TextReporter.neutralise(fix))\n" }
      out += "  id:   \(primary.id)\(primary.retryable ? "  (a retry may help)" : "")\n"
    } else if input.kind == .template {
      out += input.outcome == .succeeded ? ": no errors in the template\n" : ": no error found\n"
    } else {
      out += input.outcome == .succeeded ? ": the build finished\n" : ": no failure found\n"
    }
    if let primary {
      if primary.fixes.count > 1 {
        out += "\n" + style("What to do", "1") + "\n"
        for fix in primary.fixes { out += "  - \(TextReporter.neutralise(fix))\n" }
        if !primary.templatePaths.isEmpty {
          out += "  template: \(primary.templatePaths.joined(separator: ", "))\n"
        }
      }
      if let advice {
        out += "\n" + style("Template changes", "1") + "\n"
        for line in advice.renderText().split(separator: "\n", omittingEmptySubsequences: false) {
          out += TextReporter.neutralise(String(line)) + "\n"
        }
      }
      out += "\n" + style("Evidence", "1") + "\n"
      let width = String(primary.evidence.map(\.line).max() ?? 0).count
      for line in primary.evidence {
        out += "  " + style(String(line.line).leftPad(width), "2") + "  " + TextReporter.neutralise(line.text) + "\n"
      }
    }
    let chain = input.chain.compactMap { id in input.findings.first { $0.id == id } }
    if !chain.isEmpty {
      out += "\n" + style("Consequences and other errors", "1") + "\n"
      for finding in chain { out += "  line \(finding.line): \(finding.id): \(finding.title)\n" }
    }
    let others = input.findings.filter { $0.id != input.primary && !$0.benign && !input.chain.contains($0.id) }
    if !others.isEmpty {
      out += "\n" + style("Also seen", "1") + "\n"
      for finding in others {
        out += "  line \(finding.line): [\(finding.severity.rawValue)] \(finding.id): \(finding.title)\n"
      }
    }
    let customizers = input.timeline.customizers
    if !customizers.isEmpty {
      out += "\n" + style("Customizers", "1") + "\n"
      let longest = max(1, customizers.compactMap(\.durationSeconds).max() ?? 1)
      for (index, run) in customizers.enumerated() {
        // Customizers the timeline does not list (a run with more than it keeps).
        if index > 0, customizers[index - 1].number + 1 < run.number {
          out += "  " + style("   ⋮ #\(customizers[index - 1].number + 1) to #\(run.number - 1) not listed", "2") + "\n"
        }
        let name = ReportText.runName(run)
        let seconds = run.durationSeconds
        let bar = seconds.map { String(repeating: "█", count: max(1, Int(($0 * 30 + longest - 1) / longest))) } ?? ""
        let mark = run.failed ? style(" ✗", "31") : ""
        out += "  #\(String(run.number).leftPad(2)) \(name.padding(toLength: 34, withPad: " ", startingAt: 0)) "
        out += "\((seconds.map(ReportText.duration) ?? "?").leftPad(9)) \(bar)\(mark)\n"
      }
    }
    let benign = input.findings.filter(\.benign)
    if !benign.isEmpty {
      out += "\n" + style("Set aside (harmless)", "1") + "\n"
      for finding in benign {
        out += "  \(finding.id) ×\(finding.occurrences) (first line \(finding.line)): \(finding.benignReason ?? "")\n"
      }
    }
    for warning in input.warnings { out += style("warning: ", "33") + warning + "\n" }
    return out
  }
}

extension String {
  func leftPad(_ width: Int) -> String {
    count >= width ? self : String(repeating: " ", count: width - count) + self
  }
}
