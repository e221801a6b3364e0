import AIBLogsAnalysis
import AIBLogsPatterns

/// One check of an image template against the template reference.
///
/// A rule is a small value with an id (`template-build-timeout-range`), one severity, and a
/// check that returns its findings (phase `submission`, owner `template`), each naming the
/// JSON path, line and column it is about.
public protocol TemplateRule: Sendable {
  /// The finding id, `template-...`.
  var id: String { get }
  /// The severity of every finding of this rule.
  var severity: Severity { get }
  /// What the rule checks, in a few words.
  var title: String { get }
  /// One sentence on why it matters.
  var summary: String { get }
  /// The findings for `template`, in file order; empty when it passes.
  func check(_ template: ImageTemplate) -> [Finding]
}

/// Where the reference rules come from.
let templateReference = "https://learn.microsoft.com/azure/virtual-machines/linux/image-builder-json"

extension TemplateRule {
  /// A finding of this rule about `path`, placed at `position` or else at the nearest node on
  /// the path that exists in the file (the parent object for a missing field).
  func finding(
    _ template: ImageTemplate, _ path: TemplatePath, at position: SourcePosition? = nil, problem: String,
    detail: String, fix: String
  ) -> Finding {
    let place = position ?? template.nearestPosition(path)
    let pointer = template.pointer(for: path)
    var captures = ["path": path.description, "line": String(place.line), "column": String(place.column)]
    if let pointer { captures["pointer"] = pointer }
    return AnalysisValues.templateFinding(
      id: id, severity: severity, title: "\(path): \(problem)", summary: summary, line: place.line,
      evidence: [EvidenceLine(line: place.line, text: template.evidenceText(line: place.line, column: place.column))],
      captures: captures, message: "\(path) at \(place.line):\(place.column): \(detail)", fixes: [fix],
      templatePaths: [path.description], references: [templateReference])
  }
}

extension ImageTemplate {
  /// The start of the node at `path`, or of its nearest ancestor in the file.
  func nearestPosition(_ path: TemplatePath) -> SourcePosition {
    var current = path
    while true {
      if let node = node(at: current) { return node.start }
      if current.components.isEmpty { return resource?.start ?? root.start }
      current = current.parent
    }
  }

  /// A line of the file for evidence; a very long line (a minified template) is cut to a
  /// window around `column`.
  func evidenceText(line number: Int, column: Int) -> String {
    var text = line(number)
    while let last = text.last, last == " " || last == "\t" { text.removeLast() }
    let scalars = Array(text.unicodeScalars)
    guard scalars.count > 240 else { return text }
    let from = max(0, column - 1 - 100)
    let to = min(scalars.count, from + 200)
    var out = from > 0 ? "…" : ""
    out.unicodeScalars.append(contentsOf: scalars[from..<to])
    if to < scalars.count { out += "…" }
    return out
  }
}

/// Helpers the rules share.
extension TemplateRule {
  /// The findings for an array of typed objects (customizers, distribution targets): each
  /// entry must be an object whose `type` is one of `knownTypes`. `section` names the array in
  /// messages (`customize`), `noun` the kind of type (`customizer`), `example` an entry to copy.
  func typedEntryFindings(
    _ template: ImageTemplate, _ elements: [JSONNode], section: String, path: (Int) -> TemplatePath,
    knownTypes: [String], noun: String, example: String
  ) -> [Finding] {
    let types = knownTypes.joined(separator: ", ")
    var findings: [Finding] = []
    for (index, entry) in elements.enumerated() where !entry.isExpression {
      let entryPath = path(index)
      guard entry.members != nil else {
        findings.append(
          finding(
            template, entryPath, at: entry.start, problem: "not an object",
            detail: "\(section)[\(index)] is \(entry.typeDescription); each \(noun) is an object with a type.",
            fix: "Use an object such as \(example)."))
        continue
      }
      guard let node = entry["type"] else {
        findings.append(
          finding(
            template, entryPath.appending("type"), at: entry.start, problem: "missing",
            detail: "\(section)[\(index)] has no type; it is one of \(types).", fix: "Add \"type\": one of \(types)."))
        continue
      }
      if node.isExpression { continue }
      if let type = node.string, RuleSupport.canonical(type, in: knownTypes) != nil { continue }
      let shown = node.string.map { "'\($0)'" } ?? node.typeDescription
      findings.append(
        finding(
          template, entryPath.appending("type"), at: node.start, problem: "unknown \(noun) type \(shown)",
          detail: "type \(shown) is not a \(noun) type; it is one of \(types).", fix: "Use one of \(types)."))
    }
    return findings
  }
}

enum RuleSupport {
  /// Whether `text` is a GUID (`8-4-4-4-12` hex digits).
  static func isGUID(_ text: Substring) -> Bool {
    let groups = text.split(separator: "-", omittingEmptySubsequences: false)
    guard groups.map(\.count) == [8, 4, 4, 4, 12] else { return false }
    return groups.allSatisfy { $0.allSatisfy(\.isHexDigit) }
  }

  /// Checks an Azure resource ID: `/subscriptions/<guid>/resourceGroups/<name>/providers/`
  /// then `provider` steps (`["Microsoft.Compute", "images", "*"]`, `*` any name, a trailing
  /// `?` step group optional). Returns the problem, or nil when it is well formed.
  static func resourceIDProblem(_ text: String, provider: [String], optionalTail: [String] = []) -> String? {
    if text.contains("<") || text.contains(">") || text.contains("{") {
      return "it still contains a placeholder"
    }
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count >= 5, parts[0].isEmpty, parts[1].lowercased() == "subscriptions" else {
      return "a resource ID starts with /subscriptions/<subscription id>/resourceGroups/<name>/providers/"
    }
    guard isGUID(parts[2]) else { return "'\(parts[2])' is not a subscription id (a GUID)" }
    guard parts[3].lowercased() == "resourcegroups", !parts[4].isEmpty else {
      return "a resource ID continues with /resourceGroups/<name>/providers/"
    }
    let rest = parts.dropFirst(5).map(String.init)
    let expected = ["providers"] + provider
    let withTail = expected + optionalTail
    for shape in [expected, withTail] where rest.count == shape.count {
      let matches = zip(rest, shape).allSatisfy { part, want in
        want == "*" ? !part.isEmpty : part.lowercased() == want.lowercased()
      }
      if matches { return nil }
    }
    let shape = (expected.map { $0 == "*" ? "<name>" : $0 }).joined(separator: "/")
    return "expected .../resourceGroups/<name>/\(shape)"
  }

  /// Seconds of a Go duration (`5m`, `2h`, `1h30m`, `90s`, `5m0s`), or nil when it is not one.
  static func durationSeconds(_ text: String) -> Double? {
    let units: [(String, Double)] = [
      ("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600),
    ]
    var rest = Substring(text)
    var total = 0.0
    guard !rest.isEmpty else { return nil }
    while !rest.isEmpty {
      let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
      guard !number.isEmpty, let value = Double(number) else { return nil }
      rest = rest.dropFirst(number.count)
      let unit = rest.prefix { $0.isLetter || $0 == "µ" }
      guard let factor = units.first(where: { $0.0 == unit })?.1 else { return nil }
      rest = rest.dropFirst(unit.count)
      total += value * factor
    }
    return total
  }

  /// A duration in the shortest exact form: `30m`, `2h`, `1h30m`, `45s`.
  static func formatDuration(seconds: Int) -> String {
    if seconds == 0 { return "0s" }
    var out = ""
    let hours = seconds / 3600
    let minutes = (seconds % 3600) / 60
    let rest = seconds % 60
    if hours > 0 { out += "\(hours)h" }
    if minutes > 0 { out += "\(minutes)m" }
    if rest > 0 { out += "\(rest)s" }
    return out
  }

  /// The date part of an `apiVersion` (`2022-07-01` of `2022-07-01-preview`), or nil.
  static func apiDate(_ version: String) -> String? {
    let date = String(version.prefix(10))
    let parts = date.split(separator: "-")
    guard date.count == 10, parts.map(\.count) == [4, 2, 2], parts.allSatisfy({ $0.allSatisfy(\.isNumber) }) else {
      return nil
    }
    return date
  }

  /// Whether the template's literal `apiVersion` is at least `date` (false when unknown).
  static func apiVersion(_ template: ImageTemplate, isAtLeast date: String) -> Bool {
    guard let version = template.apiVersion, let found = apiDate(version) else { return false }
    return found >= date
  }

  /// The number of vCPUs a VM size name shows (`Standard_D2s_v3` → 2, `Standard_DS1_v2` → 1).
  static func vCPUs(ofSize size: String) -> Int? {
    let parts = size.split(separator: "_")
    guard parts.count >= 2 else { return nil }
    let body = parts[1]
    let letters = body.prefix { $0.isLetter }
    let digits = body.dropFirst(letters.count).prefix { $0.isNumber }
    return Int(digits)
  }

  /// The customizer types of the reference, in their exact spelling.
  static let customizerTypes = ["Shell", "PowerShell", "File", "WindowsRestart", "WindowsUpdate"]
  /// The source types of the reference.
  static let sourceTypes = ["PlatformImage", "ManagedImage", "SharedImageVersion"]
  /// The distribution types of the reference.
  static let distributeTypes = ["ManagedImage", "SharedImage", "VHD"]

  /// The exact spelling of `value` in `known`, ignoring case; nil when it is not there.
  static func canonical(_ value: String, in known: [String]) -> String? {
    known.first { $0.lowercased() == value.lowercased() }
  }

  /// The customizers whose `type` is `type` (ignoring case), with their paths.
  static func customizers(_ template: ImageTemplate, ofType type: String) -> [(
    index: Int, node: JSONNode, path: TemplatePath
  )] {
    template.customizers.compactMap { entry in
      guard entry.node["type"]?.string?.lowercased() == type.lowercased() else { return nil }
      return (entry.index, entry.node, customizePath(entry.index))
    }
  }

  /// `properties.customize[index]`.
  static func customizePath(_ index: Int) -> TemplatePath {
    TemplatePath([.key("properties"), .key("customize"), .index(index)])
  }

  /// `properties.distribute[index]`.
  static func distributePath(_ index: Int) -> TemplatePath {
    TemplatePath([.key("properties"), .key("distribute"), .index(index)])
  }

  /// Whether `node` is a non-empty array of strings (ARM expressions allowed).
  static func isStringArray(_ node: JSONNode) -> Bool {
    guard let elements = node.elements else { return false }
    return elements.allSatisfy { $0.string != nil }
  }
}
