import AIBLogsPatterns

/// The variants of one pattern with their capture regexes compiled: picks the variant that
/// applies to a match.
public struct VariantSelector: Sendable {
  /// The pattern's variants, in file order.
  public let variants: [PatternVariant]
  /// The compiled regex of each capture condition, per variant.
  private let conditionRegexes: [[PCRE2Regex]]
  /// The most capturing groups of any condition regex (what a match scratch must hold).
  public var maxCaptureCount: Int { conditionRegexes.joined().map(\.captureCount).max() ?? 0 }

  /// The variant the selector picked, and the captures to render its advice with: the match's
  /// own, plus the named groups of its capture conditions.
  public struct Selection: Sendable, Equatable {
    /// The winning variant.
    public let variant: PatternVariant
    /// The captures for the variant's placeholders.
    public let captures: [String: String]
  }

  /// Compiles the capture conditions of `pattern`'s variants; a regex that does not compile
  /// becomes a located diagnostic with a caret under PCRE2's offset.
  public init(pattern: Pattern) throws(PatternDiagnostic) {
    variants = pattern.variants
    var compiled: [[PCRE2Regex]] = []
    for variant in pattern.variants {
      var regexes: [PCRE2Regex] = []
      for condition in variant.captures {
        do {
          regexes.append(try PCRE2Regex(condition.regex.source))
        } catch {
          throw PatternDiagnostic(
            file: pattern.file, line: condition.regex.line,
            message:
              "the '\(condition.capture)' condition of variant '\(variant.name)' does not compile: \(error.message) (PCRE2 error \(error.code) at offset \(error.offset))",
            snippet: condition.regex.source, caretOffset: error.offset)
        }
      }
      compiled.append(regexes)
    }
    conditionRegexes = compiled
  }

  /// The named groups of the capture conditions of `variant` (placeholders its advice may use).
  public func conditionCaptureNames(of variant: PatternVariant) -> Set<String> {
    guard let index = variants.firstIndex(of: variant) else { return [] }
    return Set(conditionRegexes[index].flatMap { $0.captureNames.map(\.name) })
  }

  /// The first variant whose conditions hold for a match of the regex `regexIndex` (0-based;
  /// nil when unknown) with `captures`, or nil when none does.
  public func select(regexIndex: Int?, captures: [String: String], scratch: PCRE2MatchScratch) -> Selection? {
    for (index, variant) in variants.enumerated() {
      if let wanted = variant.regex, regexIndex.map({ $0 + 1 }) != wanted { continue }
      if variant.absent.contains(where: { !(captures[$0] ?? "").isEmpty }) { continue }
      var rendered = captures
      var holds = true
      for (condition, regex) in zip(variant.captures, conditionRegexes[index]) {
        guard let text = captures[condition.capture],
          let groups = Self.match(regex, text, scratch: scratch)
        else {
          holds = false
          break
        }
        for (name, value) in groups where rendered[name] == nil { rendered[name] = value }
      }
      if holds { return Selection(variant: variant, captures: rendered) }
    }
    return nil
  }

  /// The named groups of `regex` matched on `text`, or nil when it does not match.
  private static func match(_ regex: PCRE2Regex, _ text: String, scratch: PCRE2MatchScratch) -> [String: String]? {
    var bytes = Array(text.utf8)
    return bytes.withUnsafeMutableBytes { raw -> [String: String]? in
      let subject = UnsafeRawBufferPointer(raw)
      guard let groups = (try? regex.match(subject, scratch: scratch)) ?? nil else { return nil }
      var named: [String: String] = [:]
      for (name, group) in regex.captureNames where group < groups.count {
        if let range = groups[group] {
          named[name] = String(decoding: UnsafeRawBufferPointer(rebasing: subject[range]), as: UTF8.self)
        }
      }
      return named
    }
  }
}
