import AIBLogsAnalysis
import AIBLogsInput
import AIBLogsPatterns
import AIBLogsReporting
import ArgumentParser

#if canImport(Glibc)
  import Glibc
#endif

/// Output formats of `analyze`.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  case text, json
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

  @Option(help: "Output format: text or json.")
  var format: OutputFormat = .text

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
        let input = try InputOpener.open(path: path)
        let diagnosis = try analyzer.analyze(input, maxLineLength: maxLineLength)
        for warning in diagnosis.warnings { printError("warning: \(warning)") }
        diagnoses.append(diagnosis)
      } catch {
        printError(error.description)
        unreadable = true
      }
    }
    let report = AnalysisReport(
      toolVersion: AIBLogsCommand.version, patternLibrary: library.version, inputs: diagnoses)
    let writer = try output.map { try OutputWriter.file(path: $0) } ?? OutputWriter.standardOutput()
    if !diagnoses.isEmpty || format == .json {
      let reporter: any Reporter
      switch format {
      case .json: reporter = JSONReporter()
      case .text:
        let useColor: Bool
        switch color {
        case .always: useColor = true
        case .never: useColor = false
        case .auto: useColor = output == nil && writer.isTerminal && getenv("NO_COLOR") == nil
        }
        reporter = TextReporter(color: useColor)
      }
      writer.write(reporter.render(report))
    }
    writer.close()
    if unreadable { throw ExitCode(2) }
    if shouldFail(diagnoses) { throw ExitCode(1) }
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
