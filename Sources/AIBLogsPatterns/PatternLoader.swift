import Yams

/// Parses pattern files (YAML) into `Pattern` values, rejecting anything malformed with a
/// located diagnostic. It does not compile regexes; the matching layer does.
public enum PatternLoader {
  /// Every key a pattern file may have.
  public static let knownKeys: Set<String> = [
    "id", "catalog", "title", "summary", "severity", "phase", "owner", "retryable", "rank",
    "benign", "benignReason", "supersedes", "literals", "regexes", "message", "fixes",
    "templatePaths", "references", "samples", "notes", "packerLinesOnly", "variants",
  ]

  /// Every key a variant may have.
  public static let knownVariantKeys: Set<String> = [
    "name", "when", "message", "fixes", "keepFixes", "templatePaths",
  ]

  /// Every condition a variant's `when` may have.
  public static let knownConditionKeys: Set<String> = ["regex", "captures", "absent"]

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
    try FieldReader.rejectUnknownKeys(of: mapping, known: knownKeys, file: file) { "unknown field '\($0)'" }
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
      return PatternRegex(source: text, line: node.line, column: node.textColumn)
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
    let fixes = try reader.strings("fixes")
    let variants = try reader.variants(regexCount: regexes.count, fixCount: fixes.count, benign: benign)
    try checkSampleVariants(file: file, variants: variants, samples: matchSamples)
    var pattern = Pattern(
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
      fixes: fixes,
      templatePaths: try reader.strings("templatePaths"),
      references: try reader.strings("references"),
      matchSamples: matchSamples,
      noMatchSamples: noMatchSamples,
      notes: try reader.optionalString("notes") ?? "",
      file: file,
      packerLinesOnly: try reader.optionalBool("packerLinesOnly") ?? false)
    pattern.variants = variants
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

  /// Every sample names a variant of the file, and every variant has a sample.
  static func checkSampleVariants(
    file: String, variants: [PatternVariant], samples: [MatchSample]
  ) throws(PatternDiagnostic) {
    for sample in samples {
      if let name = sample.variant, !variants.contains(where: { $0.name == name }) {
        let known = variants.isEmpty ? "the pattern has none" : "known: \(variants.map(\.name).joined(separator: ", "))"
        throw PatternDiagnostic(
          file: file, line: sample.fileLine, message: "the sample names an unknown variant '\(name)' (\(known))")
      }
    }
    for variant in variants where !samples.contains(where: { $0.variant == variant.name }) {
      throw PatternDiagnostic(
        file: file, line: variant.line,
        message: "variant '\(variant.name)' has no match sample (add one with 'variant: \(variant.name)')")
    }
  }

  static func fileStem(_ file: String) -> String {
    let name = file.split(separator: "/").last.map(String.init) ?? file
    return name.hasSuffix(".yaml") ? String(name.dropLast(5)) : name
  }

  static func isKebabCase(_ id: String) -> Bool {
    // By bytes: with Character properties and Foundation's `contains` it cost 35 k
    // instructions per id.
    let bytes = id.utf8
    func isLowerOrDigit(_ byte: UInt8) -> Bool { (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) }
    guard let first = bytes.first, isLowerOrDigit(first), bytes.last != UInt8(ascii: "-") else { return false }
    var previous: UInt8 = 0
    for byte in bytes {
      guard isLowerOrDigit(byte) || byte == UInt8(ascii: "-") else { return false }
      if byte == UInt8(ascii: "-") && previous == byte { return false }
      previous = byte
    }
    return true
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

  /// Throws, at the key's line, `unknown(key)` and the known keys for the first key of
  /// `mapping` that is not in `known`.
  static func rejectUnknownKeys(
    of mapping: [PatternNode.Pair], known: Set<String>, file: String, _ unknown: (String) -> String
  ) throws(PatternDiagnostic) {
    for pair in mapping {
      guard let key = pair.key.string, known.contains(key) else {
        throw PatternDiagnostic(
          file: file, line: pair.key.line,
          message: unknown(pair.key.string ?? "?") + " (known: \(known.sorted().joined(separator: ", ")))")
      }
    }
  }

  /// The text of `key` in `mapping`: nil when the key is absent; `problem`, at the value's line,
  /// when it is not a non-empty string.
  static func nonEmptyText(
    _ key: String, in mapping: [PatternNode.Pair], file: String, problem: String
  ) throws(PatternDiagnostic) -> String? {
    guard let node = value(of: key, in: mapping) else { return nil }
    guard let text = node.string, !text.isEmpty else {
      throw PatternDiagnostic(file: file, line: node.line, message: problem)
    }
    return text
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
            message: "each match sample is a string or a mapping with 'line' (and optional 'captures', 'variant')")
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
        let variant = try FieldReader.nonEmptyText(
          "variant", in: entry, file: file, problem: "a sample's 'variant' is a variant name")
        for pair in entry where !["line", "captures", "variant"].contains(pair.key.string) {
          throw PatternDiagnostic(
            file: file, line: fileLine, message: "unknown sample key '\(pair.key.string ?? "?")'")
        }
        matches.append(MatchSample(line: text, captures: captures, fileLine: fileLine, variant: variant))
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

  /// The `variants` list (empty when absent), checked against the pattern's regex and fix counts.
  func variants(regexCount: Int, fixCount: Int, benign: Bool) throws(PatternDiagnostic) -> [PatternVariant] {
    guard let node = node("variants") else { return [] }
    guard let items = node.sequence else { throw fail("variants", "'variants' must be a list of variants") }
    var variants: [PatternVariant] = []
    for item in items {
      let variant = try variant(item, regexCount: regexCount, fixCount: fixCount, benign: benign)
      if variants.contains(where: { $0.name == variant.name }) {
        throw PatternDiagnostic(file: file, line: item.line, message: "variant name '\(variant.name)' is used twice")
      }
      variants.append(variant)
    }
    return variants
  }

  private func variant(
    _ item: PatternNode, regexCount: Int, fixCount: Int, benign: Bool
  ) throws(PatternDiagnostic) -> PatternVariant {
    guard let entry = item.mapping else {
      throw PatternDiagnostic(
        file: file, line: item.line, message: "each variant is a mapping with 'name', 'when' and its advice")
    }
    try FieldReader.rejectUnknownKeys(of: entry, known: PatternLoader.knownVariantKeys, file: file) {
      "unknown variant field '\($0)'"
    }
    guard let name = FieldReader.value(of: "name", in: entry)?.string, PatternLoader.isKebabCase(name) else {
      let line = FieldReader.value(of: "name", in: entry)?.line ?? item.line
      throw PatternDiagnostic(file: file, line: line, message: "a variant needs a kebab-case 'name'")
    }
    guard let whenNode = FieldReader.value(of: "when", in: entry) else {
      throw PatternDiagnostic(file: file, line: item.line, message: "variant '\(name)' needs 'when' (its conditions)")
    }
    guard let conditions = whenNode.mapping, !conditions.isEmpty else {
      throw PatternDiagnostic(
        file: file, line: whenNode.line,
        message: "'when' of variant '\(name)' must be a mapping with at least one of: regex, captures, absent")
    }
    try FieldReader.rejectUnknownKeys(of: conditions, known: PatternLoader.knownConditionKeys, file: file) {
      "unknown condition '\($0)' in variant '\(name)'"
    }
    var regex: Int?
    if let regexNode = FieldReader.value(of: "regex", in: conditions) {
      guard let index = regexNode.int, (1...regexCount).contains(index) else {
        throw PatternDiagnostic(
          file: file, line: regexNode.line,
          message: "'regex' of variant '\(name)' must be a regex number from 1 to \(regexCount)")
      }
      regex = index
    }
    var captures: [CaptureCondition] = []
    if let capturesNode = FieldReader.value(of: "captures", in: conditions) {
      guard let pairs = capturesNode.mapping, !pairs.isEmpty else {
        throw PatternDiagnostic(
          file: file, line: capturesNode.line,
          message: "'captures' of variant '\(name)' must map capture names to regexes")
      }
      for pair in pairs {
        guard let capture = pair.key.string, let source = pair.value.string, !source.isEmpty else {
          throw PatternDiagnostic(
            file: file, line: pair.value.line,
            message: "'captures' of variant '\(name)' must map capture names to non-empty regexes")
        }
        captures.append(
          CaptureCondition(
            capture: capture, regex: PatternRegex(source: source, line: pair.value.line, column: pair.value.textColumn))
        )
      }
    }
    var absent: [String] = []
    if let absentNode = FieldReader.value(of: "absent", in: conditions) {
      guard let names = absentNode.sequence?.compactMap(\.string), names.count == absentNode.sequence?.count,
        !names.isEmpty
      else {
        throw PatternDiagnostic(
          file: file, line: absentNode.line, message: "'absent' of variant '\(name)' must be a list of capture names")
      }
      absent = names
    }
    let message = try FieldReader.nonEmptyText(
      "message", in: entry, file: file, problem: "'message' of variant '\(name)' must be a non-empty string")
    var fixes: [String] = []
    if let fixesNode = FieldReader.value(of: "fixes", in: entry) {
      guard let texts = fixesNode.sequence?.compactMap(\.string), texts.count == fixesNode.sequence?.count else {
        throw PatternDiagnostic(
          file: file, line: fixesNode.line, message: "'fixes' of variant '\(name)' must be a list of strings")
      }
      fixes = texts
    }
    let kept = try keptFixes(FieldReader.value(of: "keepFixes", in: entry), variant: name, fixCount: fixCount)
    var templatePaths: [String] = []
    if let pathsNode = FieldReader.value(of: "templatePaths", in: entry) {
      guard let texts = pathsNode.sequence?.compactMap(\.string), texts.count == pathsNode.sequence?.count,
        !texts.isEmpty, !texts.contains(where: \.isEmpty)
      else {
        throw PatternDiagnostic(
          file: file, line: pathsNode.line,
          message: "'templatePaths' of variant '\(name)' must be a list of non-empty strings")
      }
      templatePaths = texts
    }
    if fixes.isEmpty && kept.isEmpty && !benign {
      throw PatternDiagnostic(
        file: file, line: item.line,
        message: "variant '\(name)' of a pattern that is not benign leaves no fix: add 'fixes' or keep some")
    }
    return PatternVariant(
      name: name, regex: regex, captures: captures, absent: absent, message: message, fixes: fixes,
      keptFixes: kept, templatePaths: templatePaths, line: item.line)
  }

  /// `keepFixes`: `all` (also when absent), `none`, or a list of 1-based indices of the pattern's fixes.
  private func keptFixes(_ node: PatternNode?, variant name: String, fixCount: Int) throws(PatternDiagnostic) -> [Int] {
    guard let node else { return (0..<fixCount).map { $0 + 1 } }
    if let text = node.string, !node.isQuoted {
      if text == "all" { return (0..<fixCount).map { $0 + 1 } }
      if text == "none" { return [] }
    }
    let problem =
      "'keepFixes' of variant '\(name)' must be all, none or a list of fix numbers from 1 to \(fixCount)"
    guard let items = node.sequence else { throw PatternDiagnostic(file: file, line: node.line, message: problem) }
    var kept: [Int] = []
    for item in items {
      guard let index = item.int, index >= 1, index <= fixCount, !kept.contains(index)
      else { throw PatternDiagnostic(file: file, line: item.line, message: problem) }
      kept.append(index)
    }
    return kept
  }
}
