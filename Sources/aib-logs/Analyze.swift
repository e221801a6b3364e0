import AIBLogsAnalysis
import AIBLogsInput
import AIBLogsPatterns
import AIBLogsReporting
import AIBLogsTemplate
import ArgumentParser

/// `aib-logs analyze`: diagnose one or more logs.
struct Analyze: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "analyze",
    abstract: "Diagnose customization logs (plain or gzip, detected by content; '-' is standard input).")

  @Argument(help: "Log files; none or '-' reads standard input.")
  var files: [String] = []

  @OptionGroup var report: ReportOptions

  @Option(
    help: ArgumentHelp(
      "The image template that was built: map the failing customizer to its entry and turn fixes into changes.",
      valueName: "template.json"))
  var template: String?

  @Option(help: "Longest line, in bytes (1024 to 1 GiB), matched whole; longer lines are cut and counted.")
  var maxLineLength: Int = 1 << 20

  @OptionGroup var patternOptions: PatternOptions

  func validate() throws {
    try requireInputOrPipe(files)
    try requireValidMaxLineLength(maxLineLength)
  }

  func run() throws {
    let library = try patternOptions.loadLibrary()
    let imageTemplate: ImageTemplate?
    do {
      imageTemplate = try template.map { path throws(TemplateLoadError) in try ImageTemplate.load(path: path) }
    } catch {
      throw CLIError.input(error.description)
    }
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
        let input = try InputOpener.open(path: path, computeDigest: report.needsDigest)
        let diagnosis = try analyzer.analyze(input, maxLineLength: maxLineLength)
        for warning in diagnosis.warnings { printError("warning: \(warning)") }
        diagnoses.append(diagnosis)
      } catch {
        printError(error.description)
        unreadable = true
      }
    }
    let advice = diagnoses.map { diagnosis in
      imageTemplate.flatMap { TemplateAdvisor().advise(template: $0, diagnosis: diagnosis) }
    }
    try report.emit(
      AnalysisReport(
        toolVersion: AIBLogsCommand.version, patternLibrary: library.version, inputs: diagnoses,
        templateAdvice: advice),
      name: "analyze")
    if unreadable { throw ExitCode(2) }
    if report.shouldFail(diagnoses) { throw ExitCode(1) }
  }
}
