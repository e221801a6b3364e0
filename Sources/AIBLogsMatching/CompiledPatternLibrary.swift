import AIBLogsInput
import AIBLogsPatterns

/// A pattern library compiled for matching, plus any extra rules of the layers above (which
/// come after the patterns in the rule set, so that one scan serves both).
public final class CompiledPatternLibrary: Sendable {
  /// The library.
  public let library: PatternLibrary
  /// The compiled rules: one per pattern, in library order, then `extraRules`.
  public let ruleSet: CompiledRuleSet
  /// The variant selectors of the patterns that have variants, by pattern id.
  public let variantSelectors: [String: VariantSelector]
  /// The most capturing groups of any variant condition (the size of a scratch for
  /// `selectVariant`).
  public let variantCaptureCount: Int
  /// The number of pattern rules at the front of `ruleSet`.
  public var patternCount: Int { library.patterns.count }

  /// Compiles `library` and `extraRules`; a regex that does not compile becomes a located
  /// diagnostic with a caret under PCRE2's offset.
  public init(library: PatternLibrary, extraRules: [MatchRule] = []) throws(PatternDiagnostic) {
    self.library = library
    let rules =
      library.patterns.map { MatchRule(id: $0.id, literals: $0.literals, regexes: $0.regexes.map(\.source)) }
      + extraRules
    do {
      ruleSet = try CompiledRuleSet(rules: rules)
    } catch {
      if let pattern = library.pattern(id: error.ruleID) {
        throw CompiledPatternLibrary.diagnostic(for: error.error, pattern: pattern, regexIndex: error.regexIndex)
      }
      throw PatternDiagnostic(file: "(built-in rule \(error.ruleID))", line: 0, message: "\(error)")
    }
    var selectors: [String: VariantSelector] = [:]
    for pattern in library.patterns where !pattern.variants.isEmpty {
      selectors[pattern.id] = try VariantSelector(pattern: pattern)
    }
    variantSelectors = selectors
    variantCaptureCount = selectors.values.map(\.maxCaptureCount).max() ?? 0
  }

  /// The variant of pattern `id` that applies to a match of its regex `regexIndex` (0-based; nil
  /// when unknown) with `captures`, or nil when the pattern has none that applies.
  public func selectVariant(
    patternID id: String, regexIndex: Int?, captures: [String: String], scratch: PCRE2MatchScratch
  ) -> VariantSelector.Selection? {
    variantSelectors[id]?.select(regexIndex: regexIndex, captures: captures, scratch: scratch)
  }

  /// The pattern of a rule index, or nil for an extra rule.
  public func pattern(ruleIndex: Int) -> Pattern? {
    ruleIndex < library.patterns.count ? library.patterns[ruleIndex] : nil
  }

  /// The diagnostic for a regex of `pattern` that did not compile.
  static func diagnostic(for error: PCRE2CompileError, pattern: Pattern, regexIndex: Int) -> PatternDiagnostic {
    let regex = pattern.regexes[regexIndex]
    return PatternDiagnostic(
      file: pattern.file, line: regex.line,
      message:
        "regex \(regexIndex + 1) of '\(pattern.id)' does not compile: \(error.message) (PCRE2 error \(error.code) at offset \(error.offset))",
      snippet: regex.source, caretOffset: error.offset)
  }
}
