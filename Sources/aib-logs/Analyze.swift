import AIBLogsAnalysis
import AIBLogsInput
import AIBLogsPatterns
import AIBLogsReporting
import ArgumentParser
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Output formats of `analyze`.
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

/// `aib-logs analyze`: diagnose one or more logs.
struct Analyze: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Diagnose customization logs (plain or gzip, detected by content; '-' is standard input).")

  @Argument(help: "Log files; none or '-' reads standard input.")
  var files: [String] = []

  @Option(help: "Output format: text, json, markdown, sarif, junit, github or azure-devops.")
  var format: OutputFormat = .text

  @Flag(name: .customLong("no-redact"), help: "Do not mask secrets (SAS signatures, keys, tokens, passwords).")
  var noRedact = false

  @Flag(help: "Also mask subscription and tenant ids.")
  var redactIds = false

  @Option(help: "Exit 1 when a finding at or above this severity is the cause of a failure: error, warning or never.")
  var failOn: FailOn = .error

  @Option(help: "Colour: auto (a terminal without NO_COLOR), always or never.")
  var color: ColorMode = .auto

  @Option(help: "Write the report to this file instead of standard output.")
  var output: String?

  @Option(help: "Longest line, in bytes, matched whole; longer lines are cut and counted.")
  var maxLineLength: Int = 1 << 20

  @OptionGroup var patternOptions: PatternOptions

  func validate() throws {
    if maxLineLength < 1024 { throw ValidationError("--max-line-length must be at least 1024") }
  }

  func run() throws {
    let library = try patternOptions.loadLibrary()
    let analyzer: LogAnalyzer
    do {
      analyzer = try LogAnalyzer(library: library)
    } catch {
      throw CLIError.input("the pattern library does not compile:\n\(error)")
    }
    var diagnoses: [InputDiagnosis] = []
    var unreadable = false
    for path in files.isEmpty ? ["-"] : files {
      do {
        let input = try InputOpener.open(path: path, computeDigest: format != .text && format != .json)
        let diagnosis = try analyzer.analyze(input, maxLineLength: maxLineLength)
        for warning in diagnosis.warnings { printError("warning: \(warning)") }
        diagnoses.append(diagnosis)
      } catch {
        printError(error.description)
        unreadable = true
      }
    }
    var report = AnalysisReport(
      toolVersion: AIBLogsCommand.version, patternLibrary: library.version, inputs: diagnoses)
    if !noRedact { report = Redactor(redactIDs: redactIds).redact(report) }
    let writer = try output.map { try OutputWriter.file(path: $0) } ?? OutputWriter.standardOutput()
    if !diagnoses.isEmpty || format != .text {
      writer.write(try reporter(for: report, writer: writer).render(report))
    }
    writer.close()
    if unreadable { throw ExitCode(2) }
    if shouldFail(diagnoses) { throw ExitCode(1) }
  }

  private func reporter(for report: AnalysisReport, writer: OutputWriter) throws -> any Reporter {
    switch format {
    case .json: return JSONReporter()
    case .markdown: return MarkdownReporter()
    case .sarif: return SARIFReporter()
    case .junit: return JUnitReporter()
    case .github:
      // The step summary shows the Markdown report on the run's page.
      if let summary = ProcessInfo.processInfo.environment["GITHUB_STEP_SUMMARY"], !summary.isEmpty {
        try appendFile(summary, MarkdownReporter().render(report))
      }
      return GitHubReporter()
    case .azureDevOps:
      let directory = ProcessInfo.processInfo.environment["AGENT_TEMPDIRECTORY"] ?? "/tmp"
      let path = "\(directory)/aib-logs-summary-\(getpid()).md"
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

  private func appendFile(_ path: String, _ text: String) throws {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
      throw CLIError.input("cannot write '\(path)': \(String(cString: strerror(errno)).lowercased())")
    }
    defer { close(descriptor) }
    var text = text
    _ = text.withUTF8 { write(descriptor, $0.baseAddress, $0.count) }
  }

  private func shouldFail(_ diagnoses: [InputDiagnosis]) -> Bool {
    let threshold: Severity
    switch failOn {
    case .never: return false
    case .error: threshold = .error
    case .warning: threshold = .warning
    }
    for diagnosis in diagnoses {
      if diagnosis.outcome == .failed || diagnosis.outcome == .cancelled { return true }
      if diagnosis.findings.contains(where: { !$0.benign && $0.severity >= threshold }) { return true }
    }
    return false
  }
}
