import Yams

/// Parses pattern files (YAML) into `Pattern` values, rejecting anything malformed with a
/// located diagnostic. It does not compile regexes; the matching layer does.
public enum PatternLoader {
  /// Every key a pattern file may have.
  public static let knownKeys: Set<String> = [
    "id", "catalog", "title", "summary", "severity", "phase", "owner", "retryable", "rank",
    "benign", "benignReason", "supersedes", "literals", "regexes", "message", "fixes",
    "templatePaths", "references", "samples", "notes", "packerLinesOnly",
  ]

  /// Parses the contents of one pattern file; `file` is its display name (`x.yaml` or a path).
  public static func load(file: String, contents: String) throws(PatternDiagnostic) -> Pattern {
    let root: Node
    do {
      // The encoding is given: Yams's default reads the whole environment for every file.
      guard let node = try Yams.compose(yaml: contents, .basic, .default, .utf8) else {
        throw PatternDiagnostic(file: file, line: 0, message: "the file is empty")
      }
      root = node
    } catch let error as PatternDiagnostic {
      throw error
    } catch let error as YamlError {
      throw PatternDiagnostic(
        file: file, line: yamlErrorLine(error), message: "invalid YAML: \(yamlErrorSummary(error))")
    } catch {
      throw PatternDiagnostic(file: file, line: 0, message: "invalid YAML: \(error)")
    }
    return try load(file: file, root: PatternNode(root))
  }

  /// Reads one pattern file's root node (from YAML, or from the bundled library's compact form).
  package static func load(file: String, root: PatternNode) throws(PatternDiagnostic) -> Pattern {
    guard let mapping = root.mapping else {
      throw PatternDiagnostic(file: file, line: root.line, message: "a pattern file must be a mapping of fields")
    }
    let reader = FieldReader(file: file, mapping: mapping, root: root)
    for pair in mapping {
      guard let name = pair.key.string, knownKeys.contains(name) else {
        throw PatternDiagnostic(
          file: file, line: pair.key.line,
          message: "unknown field '\(pair.key.string ?? "?")' (known: \(knownKeys.sorted().joined(separator: ", ")))")
      }
    }
    let id = try reader.string("id")
    let stem = fileStem(file)
    if id != stem {
      throw PatternDiagnostic(
        file: file, line: reader.line(of: "id"), message: "id '\(id)' differs from the file name '\(stem)'")
    }
    if !isKebabCase(id) {
      throw PatternDiagnostic(file: file, line: reader.line(of: "id"), message: "id '\(id)' is not kebab-case")
    }
    let benign = try reader.optionalBool("benign") ?? false
    let benignReason = try reader.optionalString("benignReason") ?? ""
    if benign && benignReason.isEmpty {
      throw PatternDiagnostic(
        file: file, line: reader.line(of: "benign"), message: "a benign pattern needs a benignReason")
    }
    let rank = try reader.int("rank")
    if !(0...100).contains(rank) {
      throw PatternDiagnostic(file: file, line: reader.line(of: "rank"), message: "rank \(rank) is outside 0...100")
    }
    let literals = try reader.strings("literals")
    if literals.isEmpty {
      throw PatternDiagnostic(
        file: file, line: reader.line(of: "literals"), message: "a pattern needs at least one literal for the prefilter"
      )
    }
    for literal in literals where literal.utf8.count < 4 {
      throw PatternDiagnostic(
        file: file, line: reader.line(of: "literals"),
        message: "literal '\(literal)' is too short for the prefilter (4 bytes or more)")
    }
    let regexNodes = try reader.sequence("regexes")
    if regexNodes.isEmpty {
      throw PatternDiagnostic(
        file: file, line: reader.line(of: "regexes"), message: "a pattern needs at least one regex")
    }
    let regexes = try regexNodes.map { node throws(PatternDiagnostic) -> PatternRegex in
      guard let text = node.string else {
        throw PatternDiagnostic(file: file, line: node.line, message: "each regex must be a string")
      }
      // A quoted scalar starts one column after its mark.
      let column = node.column + (node.isQuoted ? 1 : 0)
      return PatternRegex(source: text, line: node.line, column: column)
    }
    let (matchSamples, noMatchSamples) = try reader.samples()
    if matchSamples.isEmpty {
      throw PatternDiagnostic(
        file: file, line: reader.line(of: "samples"), message: "a pattern needs at least one match sample")
    }
    if noMatchSamples.isEmpty {
      throw PatternDiagnostic(
        file: file, line: reader.line(of: "samples"), message: "a pattern needs at least one noMatch sample")
    }
    let pattern = Pattern(
      id: id,
      catalog: try reader.scalarText("catalog"),
      title: try reader.string("title"),
      summary: try reader.string("summary"),
      severity: try reader.enumeration("severity"),
      phase: try reader.enumeration("phase"),
      owner: try reader.enumeration("owner"),
      retryable: try reader.bool("retryable"),
      rank: rank,
      benign: benign,
      benignReason: benignReason,
      supersedes: try reader.optionalStrings("supersedes"),
      literals: literals,
      regexes: regexes,
      message: try reader.string("message"),
      fixes: try reader.strings("fixes"),
      templatePaths: try reader.strings("templatePaths"),
      references: try reader.strings("references"),
      matchSamples: matchSamples,
      noMatchSamples: noMatchSamples,
      notes: try reader.optionalString("notes") ?? "",
      file: file,
      packerLinesOnly: try reader.optionalBool("packerLinesOnly") ?? false)
    if pattern.fixes.isEmpty && !benign {
      throw PatternDiagnostic(
        file: file, line: reader.line(of: "fixes"), message: "a pattern that is not benign needs at least one fix")
    }
    for reference in pattern.references where !reference.hasPrefix("https://") {
      throw PatternDiagnostic(
        file: file, line: reader.line(of: "references"), message: "reference '\(reference)' is not an https URL")
    }
    return pattern
  }

  static func fileStem(_ file: String) -> String {
    let name = file.split(separator: "/").last.map(String.init) ?? file
    return name.hasSuffix(".yaml") ? String(name.dropLast(5)) : name
  }

  static func isKebabCase(_ id: String) -> Bool {
    guard let first = id.first, first.isLowercase || first.isNumber else { return false }
    return id.allSatisfy { ($0.isLowercase && $0.isASCII) || $0.isNumber || $0 == "-" }
      && !id.contains("--") && !id.hasSuffix("-")
  }

  static func yamlErrorLine(_ error: YamlError) -> Int {
    switch error {
    case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
      return mark.line
    default:
      return 0
    }
  }

  static func yamlErrorSummary(_ error: YamlError) -> String {
    switch error {
    case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _),
      .composer(let context, let problem, _, _):
      return [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
    default:
      return "\(error)"
    }
  }
}

/// Typed access to the fields of one pattern mapping, with located diagnostics.
struct FieldReader {
  let file: String
  let root: PatternNode
  /// The mapping's values by key text, the first of a repeated key winning (as in a lookup).
  private let fields: [String: PatternNode]

  init(file: String, mapping: [PatternNode.Pair], root: PatternNode) {
    self.file = file
    self.root = root
    var fields: [String: PatternNode] = [:]
    fields.reserveCapacity(mapping.count)
    for pair in mapping {
      if let key = pair.key.string, fields[key] == nil { fields[key] = pair.value }
    }
    self.fields = fields
  }

  func node(_ key: String) -> PatternNode? { fields[key] }

  /// The value of `key` in `mapping`, the first of a repeated key winning.
  static func value(of key: String, in mapping: [PatternNode.Pair]) -> PatternNode? {
    mapping.first { $0.key.string == key }?.value
  }

  func line(of key: String) -> Int {
    node(key)?.line ?? root.line
  }

  func fail(_ key: String, _ message: String) -> PatternDiagnostic {
    PatternDiagnostic(file: file, line: line(of: key), message: message)
  }

  func required(_ key: String) throws(PatternDiagnostic) -> PatternNode {
    guard let value = node(key) else { throw fail(key, "missing required field '\(key)'") }
    return value
  }

  func string(_ key: String) throws(PatternDiagnostic) -> String {
    guard let text = try required(key).string, !text.isEmpty else {
      throw fail(key, "'\(key)' must be a non-empty string")
    }
    return text
  }

  /// A scalar's text whatever its type (`catalog: D4`, `catalog: none`).
  func scalarText(_ key: String) throws(PatternDiagnostic) -> String { try string(key) }

  func optionalString(_ key: String) throws(PatternDiagnostic) -> String? {
    guard node(key) != nil else { return nil }
    return try string(key)
  }

  func bool(_ key: String) throws(PatternDiagnostic) -> Bool {
    guard let value = try required(key).bool else { throw fail(key, "'\(key)' must be true or false") }
    return value
  }

  func optionalBool(_ key: String) throws(PatternDiagnostic) -> Bool? {
    guard node(key) != nil else { return nil }
    return try bool(key)
  }

  func int(_ key: String) throws(PatternDiagnostic) -> Int {
    guard let value = try required(key).int else { throw fail(key, "'\(key)' must be an integer") }
    return value
  }

  func enumeration<T: RawRepresentable & CaseIterable>(_ key: String) throws(PatternDiagnostic) -> T
  where T.RawValue == String {
    let text = try string(key)
    guard let value = T(rawValue: text) else {
      let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
      throw fail(key, "'\(key)' is '\(text)'; expected one of: \(allowed)")
    }
    return value
  }

  func sequence(_ key: String) throws(PatternDiagnostic) -> [PatternNode] {
    guard let items = try required(key).sequence else {
      throw fail(key, "'\(key)' must be a list")
    }
    return items
  }

  func strings(_ key: String) throws(PatternDiagnostic) -> [String] {
    try sequence(key).map { item throws(PatternDiagnostic) -> String in
      guard let text = item.string else {
        throw PatternDiagnostic(file: file, line: item.line, message: "'\(key)' must be a list of strings")
      }
      return text
    }
  }

  func optionalStrings(_ key: String) throws(PatternDiagnostic) -> [String] {
    guard node(key) != nil else { return [] }
    return try strings(key)
  }

  func samples() throws(PatternDiagnostic) -> ([MatchSample], [NoMatchSample]) {
    guard let samples = try required("samples").mapping else {
      throw fail("samples", "'samples' must be a mapping with 'match' and 'noMatch'")
    }
    for pair in samples where pair.key.string != "match" && pair.key.string != "noMatch" {
      throw PatternDiagnostic(
        file: file, line: pair.value.line,
        message: "unknown samples key '\(pair.key.string ?? "?")' (expected match, noMatch)")
    }
    var matches: [MatchSample] = []
    if let node = FieldReader.value(of: "match", in: samples) {
      guard let items = node.sequence else { throw fail("samples", "'samples.match' must be a list") }
      for item in items {
        let fileLine = item.line
        if let text = item.string {
          matches.append(MatchSample(line: text, fileLine: fileLine))
          continue
        }
        guard let entry = item.mapping, let text = FieldReader.value(of: "line", in: entry)?.string else {
          throw PatternDiagnostic(
            file: file, line: fileLine,
            message: "each match sample is a string or a mapping with 'line' (and optional 'captures')")
        }
        var captures: [String: String] = [:]
        if let captureNode = FieldReader.value(of: "captures", in: entry) {
          guard let captureMap = captureNode.mapping else {
            throw PatternDiagnostic(file: file, line: captureNode.line, message: "'captures' must be a mapping")
          }
          for pair in captureMap {
            guard let key = pair.key.string, let value = pair.value.string else {
              throw PatternDiagnostic(file: file, line: pair.value.line, message: "captures map names to strings")
            }
            captures[key] = value
          }
        }
        for pair in entry where pair.key.string != "line" && pair.key.string != "captures" {
          throw PatternDiagnostic(
            file: file, line: fileLine, message: "unknown sample key '\(pair.key.string ?? "?")'")
        }
        matches.append(MatchSample(line: text, captures: captures, fileLine: fileLine))
      }
    }
    var misses: [NoMatchSample] = []
    if let node = FieldReader.value(of: "noMatch", in: samples) {
      guard let items = node.sequence else { throw fail("samples", "'samples.noMatch' must be a list") }
      for item in items {
        guard let text = item.string else {
          throw PatternDiagnostic(file: file, line: item.line, message: "each noMatch sample is a string")
        }
        misses.append(NoMatchSample(line: text, fileLine: item.line))
      }
    }
    return (matches, misses)
  }
}
