import AIBLogsPatterns
import Foundation
import Testing

@testable import AIBLogsMatching

let variantPattern = """
  id: sample-pattern
  catalog: none
  title: A sample
  summary: A sample pattern.
  severity: error
  phase: customize
  owner: customer-script
  retryable: false
  rank: 40
  literals: ['exit status', 'exit code']
  regexes:
    - 'exit status (?<code>\\d+)'
    - 'exit code (?<code>\\d+)(?: by (?<who>\\w+))?'
  message: 'Exited with {code}.'
  fixes: ['Fix it.', 'Or this.', 'Or that.']
  templatePaths: ['properties.customize[]']
  references: ['https://example.com/doc']
  variants:
    - name: killed
      when:
        captures: {code: '^(?<signal>9|15)$'}
      message: 'Killed by signal {signal}.'
      fixes: ['Find what killed it.']
      keepFixes: [3, 1]
    - name: by-nobody
      when:
        regex: 2
        absent: [who]
      fixes: ['Nobody ran it.']
      keepFixes: none
  samples:
    match:
      - line: 'PACKER OUT ==> azure-arm: exit status 3'
        captures: {code: '3'}
      - line: 'PACKER OUT ==> azure-arm: exit status 9'
        variant: killed
      - line: 'PACKER OUT ==> azure-arm: exit code 4'
        variant: by-nobody
      - 'PACKER OUT ==> azure-arm: exit code 4 by root'
      - line: 'PACKER OUT ==> azure-arm: exit code 15'
        variant: killed
    noMatch:
      - 'PACKER OUT ==> azure-arm: exit 0'

  """

/// The 1-based line of the first line of `text` that contains `part`.
func lineNumber(of part: String, in text: String) -> Int {
  (text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(part) } ?? -1) + 1
}

/// `variantPattern` with `old` replaced by `new` (which must occur).
func variantPatternReplacing(_ old: String, with new: String) -> String {
  precondition(variantPattern.contains(old), old)
  return variantPattern.replacingOccurrences(of: old, with: new)
}

/// Variants: how the loader reads them, each of its diagnostics, how the checker and the
/// selector use them.
@Suite struct PatternVariantTests {
  @Test func variantsLoadWithTheirConditionsAndAdvice() throws {
    let pattern = try load(variantPattern).get()
    #expect(pattern.variants.map(\.name) == ["killed", "by-nobody"])
    let killed = try #require(pattern.variant(named: "killed"))
    #expect(killed.line == lineNumber(of: "name: killed", in: variantPattern))
    #expect(killed.regex == nil)
    #expect(killed.captures.map(\.capture) == ["code"])
    #expect(killed.captures.first?.regex.source == "^(?<signal>9|15)$")
    #expect(killed.keptFixes == [3, 1])
    #expect(killed.advice(of: pattern).fixes == ["Find what killed it.", "Or that.", "Fix it."])
    let nobody = try #require(pattern.variant(named: "by-nobody"))
    #expect(nobody.regex == 2 && nobody.absent == ["who"] && nobody.message == nil && nobody.keptFixes.isEmpty)
    #expect(nobody.advice(of: pattern) == ("Exited with {code}.", ["Nobody ran it."]))
    #expect(pattern.matchSamples.map(\.variant) == [nil, "killed", "by-nobody", nil, "killed"])
    #expect(PatternChecker.check(PatternLibrary(patterns: [pattern])).isEmpty)
  }

  @Test func keepFixesIsAllWhenAbsentOrSaid() throws {
    for text in [
      variantPatternReplacing("    keepFixes: [3, 1]\n", with: ""),
      variantPatternReplacing("keepFixes: [3, 1]", with: "keepFixes: all"),
    ] {
      let pattern = try load(text).get()
      #expect(pattern.variant(named: "killed")?.keptFixes == [1, 2, 3])
    }
  }

  @Test func theFirstVariantWhoseConditionsHoldWins() throws {
    let pattern = try load(variantPattern).get()
    let selector = try VariantSelector(pattern: pattern)
    let scratch = PCRE2MatchScratch()
    func selected(_ regexIndex: Int?, _ captures: [String: String]) -> String? {
      selector.select(regexIndex: regexIndex, captures: captures, scratch: scratch)?.variant.name
    }
    #expect(selected(0, ["code": "3"]) == nil)
    #expect(selected(0, ["code": "15"]) == "killed")
    #expect(selected(1, ["code": "9"]) == "killed")
    #expect(selected(1, ["code": "4"]) == "by-nobody")
    #expect(selected(1, ["code": "4", "who": ""]) == "by-nobody")
    #expect(selected(1, ["code": "4", "who": "root"]) == nil)
    #expect(selected(nil, ["code": "4"]) == nil)
    #expect(selected(0, [:]) == nil)
    let selection = try #require(selector.select(regexIndex: 0, captures: ["code": "9"], scratch: scratch))
    #expect(selection.captures == ["code": "9", "signal": "9"])
    #expect(Pattern.render(selection.variant.message ?? "", captures: selection.captures) == "Killed by signal 9.")
  }

  @Test func theCheckerReportsASampleThatSelectsTheWrongVariant() throws {
    let text = variantPatternReplacing(
      "    - line: 'PACKER OUT ==> azure-arm: exit code 15'\n      variant: killed",
      with: "    - line: 'PACKER OUT ==> azure-arm: exit code 15'\n      variant: by-nobody")
    let diagnostics = PatternChecker.check(PatternLibrary(patterns: [try load(text).get()]))
    #expect(
      diagnostics.map(\.message) == ["match sample selects variant 'killed', the sample expects variant 'by-nobody'"])
    #expect(diagnostics.first?.line == lineNumber(of: "exit code 15", in: text))
    let unmarked = variantPatternReplacing(
      "    - line: 'PACKER OUT ==> azure-arm: exit code 4'\n      variant: by-nobody\n",
      with:
        "    - line: 'PACKER OUT ==> azure-arm: exit code 4'\n    - line: 'PACKER OUT ==> azure-arm: exit code 5'\n      variant: by-nobody\n"
    )
    let messages = PatternChecker.check(PatternLibrary(patterns: [try load(unmarked).get()])).map(\.message)
    #expect(messages == ["match sample selects variant 'by-nobody', the sample expects no variant"])
  }

  @Test func theCheckerReportsUnknownPlaceholdersConditionsAndBadConditionRegexes() throws {
    var text = variantPatternReplacing("'Killed by signal {signal}.'", with: "'Killed by {sender}.'")
    text = text.replacingOccurrences(of: "absent: [who]", with: "absent: [whom]")
    var messages = PatternChecker.check(PatternLibrary(patterns: [try load(text).get()])).map(\.message)
    #expect(
      messages.contains("placeholder {sender} of variant 'killed' is not a named capture of any regex or condition"))
    #expect(messages.contains("variant 'by-nobody' has a condition on 'whom', which no regex captures"))
    text = variantPatternReplacing("'^(?<signal>9|15)$'", with: "'^(?<signal>9|15$'")
    let diagnostics = PatternChecker.check(PatternLibrary(patterns: [try load(text).get()]))
    messages = diagnostics.map(\.message)
    #expect(messages.first?.hasPrefix("the 'code' condition of variant 'killed' does not compile") == true)
    #expect(diagnostics.first?.line == lineNumber(of: "captures: {code:", in: text))
    #expect(throws: PatternDiagnostic.self) {
      try CompiledPatternLibrary(library: PatternLibrary(patterns: [try load(text).get()]))
    }
  }

  /// Each loader diagnostic about variants: the text to change, what to put instead, the
  /// message and the text of the line it must name.
  @Test(arguments: [
    (
      "  - name: by-nobody\n", "  - by-nobody\n  - name: by-nobody\n",
      "each variant is a mapping with 'name', 'when' and its advice", "  - by-nobody"
    ),
    (
      "    keepFixes: none", "    keepFixes: none\n    colour: red",
      "unknown variant field 'colour' (known: fixes, keepFixes, message, name, templatePaths, when)", "colour: red"
    ),
    ("name: by-nobody", "name: By_Nobody", "a variant needs a kebab-case 'name'", "name: By_Nobody"),
    ("name: by-nobody", "name: killed # again", "variant name 'killed' is used twice", "killed # again"),
    (
      "    when:\n      regex: 2\n      absent: [who]\n", "", "variant 'by-nobody' needs 'when' (its conditions)",
      "name: by-nobody"
    ),
    (
      "    when:\n      regex: 2\n      absent: [who]\n", "    when: {}\n",
      "'when' of variant 'by-nobody' must be a mapping with at least one of: regex, captures, absent", "when: {}"
    ),
    (
      "      regex: 2\n", "      regex: 2\n      line: 3\n",
      "unknown condition 'line' in variant 'by-nobody' (known: absent, captures, regex)", "line: 3"
    ),
    ("regex: 2", "regex: 3", "'regex' of variant 'by-nobody' must be a regex number from 1 to 2", "regex: 3"),
    (
      "captures: {code: '^(?<signal>9|15)$'}", "captures: '9'",
      "'captures' of variant 'killed' must map capture names to regexes", "captures: '9'"
    ),
    (
      "captures: {code: '^(?<signal>9|15)$'}", "captures: {code: ''}",
      "'captures' of variant 'killed' must map capture names to non-empty regexes", "captures: {code: ''}"
    ),
    ("absent: [who]", "absent: who", "'absent' of variant 'by-nobody' must be a list of capture names", "absent: who"),
    (
      "message: 'Killed by signal {signal}.'", "message: ''",
      "'message' of variant 'killed' must be a non-empty string", "message: ''"
    ),
    (
      "fixes: ['Nobody ran it.']", "fixes: 'Nobody ran it.'",
      "'fixes' of variant 'by-nobody' must be a list of strings", "fixes: 'Nobody"
    ),
    (
      "keepFixes: [3, 1]", "keepFixes: [4]",
      "'keepFixes' of variant 'killed' must be all, none or a list of fix numbers from 1 to 3", "keepFixes: [4]"
    ),
    (
      "keepFixes: [3, 1]", "keepFixes: [3, 1]\n    templatePaths: 'identity'",
      "'templatePaths' of variant 'killed' must be a list of non-empty strings", "templatePaths: 'identity'"
    ),
    (
      "keepFixes: [3, 1]", "keepFixes: [3, 1]\n    templatePaths: ['']",
      "'templatePaths' of variant 'killed' must be a list of non-empty strings", "templatePaths: ['']"
    ),
    (
      "keepFixes: [3, 1]", "keepFixes: some",
      "'keepFixes' of variant 'killed' must be all, none or a list of fix numbers from 1 to 3", "keepFixes: some"
    ),
    (
      "    fixes: ['Nobody ran it.']\n", "",
      "variant 'by-nobody' of a pattern that is not benign leaves no fix: add 'fixes' or keep some", "name: by-nobody"
    ),
    ("variant: by-nobody", "variant: [by-nobody]", "a sample's 'variant' is a variant name", "variant: [by-nobody]"),
    (
      "variant: by-nobody", "variant: by-somebody",
      "the sample names an unknown variant 'by-somebody' (known: killed, by-nobody)", "exit code 4'"
    ),
    (
      "      variant: by-nobody\n", "", "variant 'by-nobody' has no match sample (add one with 'variant: by-nobody')",
      "name: by-nobody"
    ),
  ])
  func eachMalformedVariantIsRejectedWithItsLine(change: (String, String, String, String)) {
    let (old, new, message, lineText) = change
    let text = variantPatternReplacing(old, with: new)
    let error = diagnostic(text)
    #expect(error?.message == message)
    let expectedLine = lineNumber(of: String(lineText.split(separator: "\n").first ?? ""), in: text)
    #expect(error?.line == expectedLine, "\(message)")
  }

  @Test func variantsThatAreNotAListAreRejected() {
    let text = validPattern + "variants: {a: b}\n"
    let error = diagnostic(text)
    #expect(error?.message == "'variants' must be a list of variants")
    #expect(error?.line == lineNumber(of: "variants: {a: b}", in: text))
  }

  @Test func aSampleNamingAVariantOfAPatternWithoutVariantsIsRejected() {
    let text = validPattern.replacingOccurrences(
      of: "captures: {code: '3'}", with: "captures: {code: '3'}\n      variant: x")
    #expect(diagnostic(text)?.message == "the sample names an unknown variant 'x' (the pattern has none)")
  }

  @Test func aVariantsTemplatePathsComeFirstAndTheirPlaceholdersAreChecked() throws {
    let paths = "['properties.vmProfile.vmSize', 'properties.customize[]', '{signal}']"
    let text = variantPatternReplacing(
      "    keepFixes: [3, 1]\n", with: "    keepFixes: [3, 1]\n    templatePaths: \(paths)\n")
    let pattern = try load(text).get()
    let killed = try #require(pattern.variant(named: "killed"))
    #expect(killed.templatePaths(of: pattern) == ["properties.vmProfile.vmSize", "properties.customize[]", "{signal}"])
    #expect(pattern.variant(named: "by-nobody")?.templatePaths.isEmpty == true)
    #expect(PatternChecker.check(PatternLibrary(patterns: [pattern])).isEmpty)
    let unknown = try load(text.replacingOccurrences(of: "'{signal}'", with: "'{sender}'")).get()
    let messages = PatternChecker.check(PatternLibrary(patterns: [unknown])).map(\.message)
    #expect(
      messages.contains("placeholder {sender} of variant 'killed' is not a named capture of any regex or condition"))
  }
}
