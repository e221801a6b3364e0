import AIBLogsAnalysis
import AIBLogsInput
import AIBLogsPatterns

/// Checks image templates against the reference rules and reports like `analyze` does: an
/// `InputDiagnosis` of kind `template`, failed when an error-severity finding exists.
public struct TemplateLinter: Sendable {
  /// Every rule, in the order the template reference describes the fields.
  public static let allRules: [any TemplateRule] = [
    TemplateStructureRule(),
    ResourceTypeRule(),
    APIVersionRule(),
    APIVersionOutdatedRule(),
    ARMResourceFieldsRule(),
    IdentityRule(),
    BuildTimeoutRangeRule(),
    BuildTimeoutWindowsRule(),
    VMSizeRule(),
    SmallVMSizeRule(),
    OSDiskSizeRule(),
    VNetConfigRule(),
    ErrorHandlingRule(),
    SourceTypeRule(),
    SourceFieldsRule(),
    CustomizerTypeRule(),
    CustomizerNameUniqueRule(),
    CustomizerFieldsRule(),
    SHA256ChecksumRule(),
    SHA256LowercaseRule(),
    FileDestinationRule(),
    PowerShellOptionsRule(),
    ValidExitCodesZeroRule(),
    RestartTimeoutRule(),
    WindowsUpdateRule(),
    WindowsUpdateOrderRule(),
    InteractiveCommandRule(),
    InlineRebootRule(),
    DistributeTypeRule(),
    RunOutputNameRule(),
    DistributeFieldsRule(),
    ReplicationRegionsRule(),
    ReplicationRegionsDeprecatedRule(),
    FieldCaseRule(),
    DuplicateKeyRule(),
  ]

  /// The id of the finding for a file that is not valid JSON.
  public static let syntaxRuleID = "template-json-syntax"

  /// A version string for reports: the number of rules.
  public static var rulesVersion: String { "template-rules-\(allRules.count + 1)" }

  /// The rules this linter runs.
  public let rules: [any TemplateRule]

  /// Creates a linter with `rules` (all of them by default).
  public init(rules: [any TemplateRule] = TemplateLinter.allRules) { self.rules = rules }

  /// The findings for a parsed template: errors first, then warnings, each in file order.
  public func findings(_ template: ImageTemplate) -> [Finding] {
    var all: [(finding: Finding, order: Int)] = []
    for rule in rules {
      let found = rule.check(template)
      all += found.map { ($0, all.count) }
      // A file that is not an image template has nothing else worth checking.
      if rule is TemplateStructureRule, !found.isEmpty { break }
    }
    return all.sorted { lhs, rhs in
      let left = lhs.finding
      let right = rhs.finding
      if left.severity != right.severity { return left.severity > right.severity }
      let leftColumn = Int(left.captures["column"] ?? "") ?? 0
      let rightColumn = Int(right.captures["column"] ?? "") ?? 0
      if left.line != right.line { return left.line < right.line }
      if leftColumn != rightColumn { return leftColumn < rightColumn }
      return lhs.order < rhs.order
    }.map(\.finding)
  }

  /// The diagnosis of a parsed template.
  public func lint(_ template: ImageTemplate, encoding: String = "plain", sha256: String? = nil) -> InputDiagnosis {
    let findings = findings(template)
    let primary = findings.first { $0.severity == .error }
    return AnalysisValues.templateDiagnosis(
      path: template.path, outcome: primary == nil ? .succeeded : .failed, primary: primary?.id, findings: findings,
      lines: template.lines.count, bytes: template.byteCount, encoding: encoding, sha256: sha256, warnings: [])
  }

  /// The diagnosis of a template's bytes; a JSON syntax error is an error finding with its
  /// line and column.
  public func lint(_ file: TemplateFile) -> InputDiagnosis {
    let bytes = file.bytes
    let path = file.path
    do {
      return lint(try ImageTemplate(bytes: bytes, path: path), encoding: file.encoding, sha256: file.sha256)
    } catch {
      let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
      var text = error.line <= lines.count ? String(decoding: lines[error.line - 1], as: UTF8.self) : ""
      if text.hasSuffix("\r") { text.removeLast() }
      let finding = AnalysisValues.templateFinding(
        id: TemplateLinter.syntaxRuleID, severity: .error, title: "not valid JSON: \(error.message)",
        summary: "ARM and the Azure CLI read the template as JSON (comments allowed); this file does not parse.",
        line: error.line, evidence: [EvidenceLine(line: error.line, text: text)],
        captures: ["line": String(error.line), "column": String(error.column)],
        message: "\(path) at \(error.line):\(error.column): \(error.message).",
        fixes: ["Fix the JSON at line \(error.line), column \(error.column); an editor with JSON support shows it."],
        templatePaths: [], references: [templateReference])
      return AnalysisValues.templateDiagnosis(
        path: path, outcome: .failed, primary: finding.id, findings: [finding], lines: lines.count,
        bytes: bytes.count, encoding: file.encoding, sha256: file.sha256, warnings: [])
    }
  }

  /// Reads and lints a file (`-` is standard input); throws when it cannot be read.
  public func lint(path: String) throws(InputError) -> InputDiagnosis {
    lint(try ImageTemplate.readFile(path: path))
  }

  /// The diagnosis of template text (for tests and tools).
  public func lint(text: String, path: String = "template.json") -> InputDiagnosis {
    lint(TemplateFile(path: path, bytes: Array(text.utf8)))
  }
}
