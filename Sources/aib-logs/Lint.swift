import AIBLogsAnalysis
import AIBLogsPatterns
import AIBLogsReporting
import AIBLogsTemplate
import ArgumentParser
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// `aib-logs lint`: check image templates against the template reference, with the reports
/// and exit codes of `analyze`.
struct Lint: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "lint",
    abstract: "Check image templates (JSON, comments allowed) against the Image Builder template reference.",
    discussion: """
      Reads the ARM resource (type, apiVersion, properties), an ARM deployment template with the \
      image template in resources[], `az image builder show` output, or the properties object alone. \
      Each finding names the JSON path and the line and column in the file.
      """)

  @Argument(help: "Template files; none or '-' reads standard input.")
  var files: [String] = []

  @OptionGroup var report: ReportOptions

  func validate() throws {
    try requireInputOrPipe(files)
  }

  func run() throws {
    let linter = TemplateLinter()
    var diagnoses: [InputDiagnosis] = []
    var unreadable = false
    for path in files.isEmpty ? ["-"] : files {
      do {
        diagnoses.append(try linter.lint(path: path))
      } catch {
        printError(error.description)
        unreadable = true
      }
    }
    try report.emit(
      AnalysisReport(
        toolVersion: AIBLogsCommand.version, patternLibrary: TemplateLinter.rulesVersion, inputs: diagnoses),
      name: "lint")
    if unreadable { throw ExitCode(2) }
    if report.shouldFail(diagnoses) { throw ExitCode(1) }
  }
}
