import AIBLogsAnalysis
import AIBLogsTemplate

/// The Markdown format: a self-contained report for a support ticket or a pull-request comment.
public struct MarkdownReporter: Reporter {
  /// Creates a Markdown reporter.
  public init() {}

  /// Renders `report` as Markdown.
  public func render(_ report: AnalysisReport) -> String {
    var out = "# aib-logs report\n\n"
    for (index, input) in report.inputs.enumerated() { out += renderInput(input, advice: report.advice(for: index)) }
    out += "---\n\naib-logs \(report.tool.version), pattern library \(report.patternLibrary)"
    out += ", JSON schema v\(report.schemaVersion). Secrets are redacted by their names and shapes unless "
    out += "`--no-redact` was given; read it before sharing.\n"
    return out
  }

  /// A code fence longer than any run of backticks in `lines`, so the log cannot close it.
  static func fence(for lines: [String]) -> String {
    var longest = 0
    for line in lines {
      var run = 0
      for character in line {
        run = character == "`" ? run + 1 : 0
        longest = max(longest, run)
      }
    }
    return String(repeating: "`", count: max(3, longest + 1))
  }

  /// Text for a table cell: pipes escaped, line breaks removed.
  static func cell(_ text: String) -> String {
    text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
  }

  /// Inline code that the text's own backticks cannot break.
  static func code(_ text: String) -> String {
    let fence = text.contains("`") ? "``" : "`"
    return "\(fence) \(text) \(fence)".replacingOccurrences(of: "` \(text) `", with: "`\(text)`")
  }

  private func renderInput(_ input: InputDiagnosis, advice: TemplateAdvice?) -> String {
    var out = "## \(MarkdownReporter.code(input.path))\n\n"
    let primary = input.findings.first { $0.id == input.primary }
    out += "| | |\n|---|---|\n"
    out += "| Outcome | **\(ReportText.verdict(input.outcome))** |\n"
    if let primary {
      out += "| \(ReportText.primaryHeading(input)) | `\(primary.id)`: \(MarkdownReporter.cell(primary.title)) |\n"
      out += "| Phase | \(primary.phase.rawValue) |\n"
      if let customizer = primary.customizer {
        out += "| Customizer | \(MarkdownReporter.cell(ReportText.customizerName(customizer))) |\n"
      }
      out += "| Retry helps | \(primary.retryable ? "yes" : "no") |\n"
    }
    out += "| Input | \(input.kind.rawValue), \(input.input.lines) lines\(input.input.gzip ? ", gzip" : "") |\n"
    if let sha = input.input.sha256 { out += "| SHA-256 | `\(sha)` |\n" }
    if let start = input.timeline.start, let end = input.timeline.end { out += "| Time | \(start) to \(end) |\n" }
    out += "\n"
    if let primary {
      out += "### \(ReportText.primaryHeading(input)): \(primary.title)\n\n\(primary.message)\n\n"
      if !primary.fixes.isEmpty {
        out += "**What to do**\n\n" + primary.fixes.map { "- \($0)\n" }.joined() + "\n"
      }
      if !primary.templatePaths.isEmpty {
        out += "Template paths: " + primary.templatePaths.map { "`\($0)`" }.joined(separator: ", ") + "\n\n"
      }
      if let advice { out += advice.renderMarkdown() + "\n" }
      out += evidenceBlock(primary)
      if !primary.references.isEmpty {
        out += "References: " + primary.references.map { "<\($0)>" }.joined(separator: ", ") + "\n\n"
      }
    }
    let others = input.findings.filter { $0.id != input.primary && !$0.benign }
    if !others.isEmpty {
      out += "### Other findings\n\n| Line | Severity | Id | Title | In chain |\n|---:|---|---|---|---|\n"
      for finding in others {
        out +=
          "| \(finding.line) | \(finding.severity.rawValue) | `\(finding.id)` | \(MarkdownReporter.cell(finding.title)) | "
        out += input.chain.contains(finding.id) ? "yes |\n" : "no |\n"
      }
      out += "\n"
      for finding in others where finding.severity == .error {
        out +=
          "<details><summary><code>\(finding.id)</code> evidence</summary>\n\n\(evidenceBlock(finding))</details>\n\n"
      }
    }
    out += timeline(input)
    let benign = input.findings.filter(\.benign)
    if !benign.isEmpty {
      out += "### Set aside as harmless\n\n| Id | Lines | Why |\n|---|---:|---|\n"
      for finding in benign {
        out += "| `\(finding.id)` | \(finding.occurrences) | \(MarkdownReporter.cell(finding.benignReason ?? "")) |\n"
      }
      out += "\n"
    }
    if !input.warnings.isEmpty {
      out += "### Warnings\n\n" + input.warnings.map { "- \(MarkdownReporter.cell($0))\n" }.joined() + "\n"
    }
    return out
  }

  private func evidenceBlock(_ finding: Finding) -> String {
    let lines = finding.evidence.map { "\(String($0.line).leftPad(6))  \($0.text)" }
    let fence = MarkdownReporter.fence(for: lines)
    return "\(fence)text\n" + lines.joined(separator: "\n") + "\n\(fence)\n\n"
  }

  private func timeline(_ input: InputDiagnosis) -> String {
    let runs = input.timeline.customizers
    guard !runs.isEmpty else { return "" }
    var out = "### Customizers\n\n| # | Step | Start | Duration | Exit code | |\n|---:|---|---|---:|---:|---|\n"
    for (index, run) in runs.enumerated() {
      // Customizers the timeline does not list (a run with more than it keeps).
      if index > 0, runs[index - 1].number + 1 < run.number {
        out += "| ⋮ | #\(runs[index - 1].number + 1) to #\(run.number - 1) not listed | | | | |\n"
      }
      out += "| \(run.number) | \(MarkdownReporter.cell(ReportText.runName(run))) | \(run.start ?? "") | "
      out += "\(run.durationSeconds.map(ReportText.duration) ?? "") | \(run.exitCode.map(String.init) ?? "") | "
      out += run.failed ? "failed |\n" : "|\n"
    }
    out += "\n"
    let timed = runs.filter { $0.start != nil && $0.durationSeconds != nil }
    if !timed.isEmpty {
      out += "```mermaid\ngantt\n  dateFormat YYYY-MM-DD HH:mm:ss\n  axisFormat %H:%M\n  section Customizers\n"
      for run in timed {
        let name = ReportText.runName(run).replacingOccurrences(of: ":", with: " ").replacingOccurrences(
          of: "#", with: "")
        let status = run.failed ? "crit, " : "done, "
        out += "  \(name) :\(status)c\(run.number), \(run.start ?? ""), \(max(1, run.durationSeconds ?? 1))s\n"
      }
      out += "```\n\n"
    }
    return out
  }
}
