import AIBLogsAnalysis
import AIBLogsPatterns
import AIBLogsReporting
import ArgumentParser
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Output formats of `analyze` and `lint`.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  case text, json, markdown, sarif, junit, github
  case azureDevOps = "azure-devops"
}

/// When the exit code is 1.
enum FailOn: String, ExpressibleByArgument, CaseIterable {
  case error, warning, never
}

/// When to colour text output.
enum ColorMode: String, ExpressibleByArgument, CaseIterable {
  case auto, always, never
}

/// The options that choose how a report is printed, shared by `analyze` and `lint`.
struct ReportOptions: ParsableArguments {
  @Option(help: "Output format: text, json, markdown, sarif, junit, github or azure-devops.")
  var format: OutputFormat = .text

  @Flag(name: .customLong("no-redact"), help: "Do not mask secrets (SAS signatures, keys, tokens, passwords).")
  var noRedact = false

  @Flag(help: "Also mask subscription and tenant ids.")
  var redactIds = false

  @Option(help: "Exit 1 when a finding at or above this severity is found: error, warning or never.")
  var failOn: FailOn = .error

  @Option(help: "Colour: auto (a terminal without NO_COLOR), always or never.")
  var color: ColorMode = .auto

  @Option(help: "Write the report to this file instead of standard output.")
  var output: String?

  /// Whether the format shows the input's SHA-256 (the Markdown report, also in CI summaries).
  var needsDigest: Bool { format != .text && format != .json }

  /// Redacts and prints `report`; `name` tells CI summary files apart (`analyze`, `lint`).
  func emit(_ report: AnalysisReport, name: String) throws {
    var report = report
    if !noRedact { report = Redactor(redactIDs: redactIds).redact(report) }
    let writer = try output.map { try OutputWriter.file(path: $0) } ?? OutputWriter.standardOutput()
    if !report.inputs.isEmpty || format != .text {
      writer.write(try reporter(for: report, writer: writer, name: name).render(report))
    }
    writer.close()
  }

  /// Whether the exit code is 1: a failed or cancelled run, or a finding at the threshold.
  func shouldFail(_ diagnoses: [InputDiagnosis]) -> Bool {
    let threshold: Severity
    switch failOn {
    case .never: return false
    case .error: threshold = .error
    case .warning: threshold = .warning
    }
    return diagnoses.contains { diagnosis in
      diagnosis.outcome == .failed || diagnosis.outcome == .cancelled
        || diagnosis.findings.contains { !$0.benign && $0.severity >= threshold }
    }
  }

  private func reporter(for report: AnalysisReport, writer: OutputWriter, name: String) throws -> any Reporter {
    switch format {
    case .json: return JSONReporter()
    case .markdown: return MarkdownReporter()
    case .sarif: return SARIFReporter()
    case .junit: return JUnitReporter()
    case .github:
      // The step summary shows the Markdown report on the run's page.
      if let summary = ProcessInfo.processInfo.environment["GITHUB_STEP_SUMMARY"], !summary.isEmpty {
        try append(MarkdownReporter().render(report), toFile: summary)
      }
      return GitHubReporter()
    case .azureDevOps:
      let directory = ProcessInfo.processInfo.environment["AGENT_TEMPDIRECTORY"] ?? "/tmp"
      let path = "\(directory)/aib-logs-\(name)-summary-\(getpid()).md"
      let file = try OutputWriter.file(path: path)
      file.write(MarkdownReporter().render(report))
      file.close()
      return AzureDevOpsReporter(summaryPath: path)
    case .text:
      let useColor: Bool
      switch color {
      case .always: useColor = true
      case .never: useColor = false
      case .auto: useColor = output == nil && writer.isTerminal && getenv("NO_COLOR") == nil
      }
      return TextReporter(color: useColor)
    }
  }

  private func append(_ text: String, toFile path: String) throws {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
      throw CLIError.input("cannot write '\(path)': \(String(cString: strerror(errno)).lowercased())")
    }
    defer { close(descriptor) }
    var text = text
    _ = text.withUTF8 { write(descriptor, $0.baseAddress, $0.count) }
  }
}
