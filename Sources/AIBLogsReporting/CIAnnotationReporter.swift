import AIBLogsAnalysis

/// GitHub Actions workflow commands: `::error file=…,line=…,title=…::message` per finding.
public struct GitHubReporter: Reporter {
  /// Creates a GitHub Actions reporter.
  public init() {}

  /// Escapes a command's message (`%`, CR, LF).
  static func escapeData(_ text: String) -> String {
    text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
      .replacingOccurrences(of: "\n", with: "%0A")
  }

  /// Escapes a command's property value (also `:` and `,`).
  static func escapeProperty(_ text: String) -> String {
    escapeData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
  }

  /// Renders one workflow command per finding that is not benign.
  public func render(_ report: AnalysisReport) -> String {
    var out = ""
    for input in report.inputs {
      for finding in input.findings where !finding.benign {
        let command =
          switch finding.severity {
          case .error: "error"
          case .warning: "warning"
          case .note: "notice"
          }
        let title = "\(ReportText.primaryPrefix(finding, of: input))\(finding.title) [\(finding.id)]"
        var message = finding.message
        if let fix = finding.fixes.first { message += "\nFix: \(fix)" }
        out += "::\(command) file=\(GitHubReporter.escapeProperty(input.path)),line=\(max(1, finding.line))"
        out += ",title=\(GitHubReporter.escapeProperty(title))::\(GitHubReporter.escapeData(message))\n"
      }
    }
    return out
  }
}

/// Azure DevOps logging commands: `##vso[task.logissue …]` per finding, and
/// `##vso[task.uploadsummary]` with the Markdown report when its file is known.
public struct AzureDevOpsReporter: Reporter {
  /// The path of the Markdown summary to attach to the run, if one was written.
  public var summaryPath: String?

  /// Creates an Azure DevOps reporter.
  public init(summaryPath: String? = nil) { self.summaryPath = summaryPath }

  /// Escapes a logging command's message or property value.
  static func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "%", with: "%AZP25").replacingOccurrences(of: ";", with: "%3B")
      .replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
      .replacingOccurrences(of: "]", with: "%5D")
  }

  /// Renders one logging command per finding that is not benign, then the summary command.
  public func render(_ report: AnalysisReport) -> String {
    var out = ""
    for input in report.inputs {
      for finding in input.findings where !finding.benign && finding.severity != .note {
        let type = finding.severity == .error ? "error" : "warning"
        var message = "\(ReportText.primaryPrefix(finding, of: input))\(finding.title): \(finding.message)"
        if let fix = finding.fixes.first { message += " Fix: \(fix)" }
        out += "##vso[task.logissue type=\(type);sourcepath=\(AzureDevOpsReporter.escape(input.path))"
        out += ";linenumber=\(max(1, finding.line));code=\(finding.id)]\(AzureDevOpsReporter.escape(message))\n"
      }
    }
    if let summaryPath { out += "##vso[task.uploadsummary]\(summaryPath)\n" }
    return out
  }
}
