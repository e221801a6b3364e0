import AIBLogsAnalysis
import AIBLogsInput
import AIBLogsPatterns
import Foundation
import Testing

@testable import AIBLogsTemplate

/// The package's root directory.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()

/// `SampleTemplates/<name>`.
func sampleTemplate(_ name: String) -> String {
  packageRoot.appendingPathComponent("SampleTemplates").appendingPathComponent(name).path
}

/// `SampleLogs/<name>`.
func sampleLog(_ name: String) -> String {
  packageRoot.appendingPathComponent("SampleLogs").appendingPathComponent(name).path
}

/// `../shared/corpus/real/<name>`, beside the package.
func corpusLog(_ name: String) -> String {
  packageRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus/real").appendingPathComponent(name)
    .path
}

/// Whether the shared corpus is beside the package (it is in development and CI).
let corpusAvailable = FileManager.default.fileExists(atPath: corpusLog("EXPECTED.tsv"))

/// The analyzer with the bundled pattern library.
let analyzer: LogAnalyzer = {
  do {
    return try LogAnalyzer(library: try PatternLibrary.bundled())
  } catch {
    fatalError("the bundled library does not load: \(error)")
  }
}()

/// Diagnoses a log file.
func diagnose(path: String) throws -> InputDiagnosis {
  try analyzer.analyze(try InputOpener.open(path: path))
}

/// Diagnoses log lines given in memory.
func diagnose(lines: [String]) throws -> InputDiagnosis {
  let bytes = Array((lines.joined(separator: "\n") + "\n").utf8)
  return try analyzer.analyze(try InputOpener.open(source: MemorySource(bytes), path: "test.log"))
}

/// The findings `lint` reports for a template text.
func lintFindings(_ text: String) -> [Finding] {
  TemplateLinter().lint(text: text).findings
}

/// `rule@path` for every finding, in report order.
func summary(_ findings: [Finding]) -> [String] {
  findings.map { "\($0.id)@\($0.captures["path"] ?? "")" }
}

/// The pointers at which two JSON values differ: the deepest paths where a value was
/// replaced, added or removed (arrays of different lengths differ at the added or removed
/// indices when the rest is equal).
func differences(_ before: JSONValue, _ after: JSONValue, at pointer: String = "") -> [String] {
  switch (before, after) {
  case (.object(let left), .object(let right)):
    let leftKeys = Dictionary(left.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    let rightKeys = Dictionary(right.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    var result: [String] = []
    for key in Set(leftKeys.keys).union(rightKeys.keys).sorted() {
      let child = pointer + "/" + key.replacing("~", with: "~0").replacing("/", with: "~1")
      switch (leftKeys[key], rightKeys[key]) {
      case (let l?, let r?): result += differences(l, r, at: child)
      default: result.append(child)
      }
    }
    return result
  case (.array(let left), .array(let right)):
    var result: [String] = []
    for index in 0..<max(left.count, right.count) {
      if index < left.count, index < right.count {
        result += differences(left[index], right[index], at: pointer + "/\(index)")
      } else {
        result.append(pointer + "/\(index)")
      }
    }
    return result
  default:
    return before == after ? [] : [pointer]
  }
}

/// Multi-line JSON text with two-space indentation, members in order.
func pretty(_ value: JSONValue, indent: String = "") -> String {
  let inner = indent + "  "
  switch value {
  case .array(let elements) where !elements.isEmpty:
    return "[\n" + elements.map { inner + pretty($0, indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
  case .object(let members) where !members.isEmpty:
    return "{\n"
      + members.map { inner + JSONValue.quote($0.key) + ": " + pretty($0.value, indent: inner) }
      .joined(separator: ",\n") + "\n" + indent + "}"
  default:
    return value.jsonText
  }
}

/// Parses JSON text that a test knows is valid.
func json(_ text: String) -> JSONValue {
  do {
    return try JSONParser.parse(text).value
  } catch {
    Issue.record("test JSON does not parse: \(error)")
    return .null
  }
}

/// `value` as compact JSON with sorted keys (Foundation's encoder).
func sortedJSON(_ value: some Encodable) throws -> Data {
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.sortedKeys]
  return try encoder.encode(value)
}
