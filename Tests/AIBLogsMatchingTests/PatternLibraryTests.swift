import Testing

@testable import AIBLogsMatching
@testable import AIBLogsPatterns

/// The bundled library, loaded once.
let bundledLibrary: PatternLibrary = {
  do {
    return try PatternLibrary.bundled()
  } catch {
    Issue.record("the bundled library does not load: \(error)")
    return PatternLibrary(patterns: [])
  }
}()

/// The one data-driven test of the pattern library: every sample of every pattern behaves as
/// its file says. Adding a pattern needs no new test code.
@Suite struct PatternLibraryTests {
  @Test func theLibraryHasEnoughPatterns() {
    #expect(bundledLibrary.patterns.count >= 60)
    for pattern in bundledLibrary.patterns {
      #expect(!pattern.matchSamples.isEmpty && !pattern.noMatchSamples.isEmpty, "\(pattern.id)")
    }
  }

  @Test(arguments: bundledLibrary.patterns.map(\.id))
  func samplesBehaveAsDeclared(id: String) {
    let diagnostics = PatternChecker.check(bundledLibrary).filter { $0.file.hasSuffix("/\(id).yaml") }
    for diagnostic in diagnostics { Issue.record("\(diagnostic)") }
  }

  @Test func everyMatchSampleIsFoundByTheOnePassScanner() throws {
    // The prefilter must not hide a line that a pattern's regexes match.
    let compiled = try CompiledPatternLibrary(library: bundledLibrary)
    let scanner = RuleScanner(ruleSet: compiled.ruleSet)
    for (index, pattern) in bundledLibrary.patterns.enumerated() {
      for sample in pattern.matchSamples {
        let matched = scanner.matchLine(sample.line).map(\.ruleIndex)
        #expect(matched.contains(index), "\(pattern.id): \(sample.line)")
      }
    }
  }

  @Test func idsAreTheCatalogsKebabCaseAndSummariesAreSentences() {
    for pattern in bundledLibrary.patterns {
      #expect(PatternLoader.isKebabCase(pattern.id), "\(pattern.id)")
      #expect(pattern.summary.hasSuffix("."), "\(pattern.id): summary should end with a period")
      #expect(!pattern.title.hasSuffix("."), "\(pattern.id): title should not end with a period")
    }
  }
}
