import Foundation
import Testing

@testable import AIBLogsMatching
@testable import AIBLogsPatterns

let validPattern = """
  id: sample-pattern
  catalog: none
  title: A sample
  summary: A sample pattern.
  severity: error
  phase: customize
  owner: customer-script
  retryable: false
  rank: 40
  literals: ['exit status']
  regexes:
    - 'exit status (?<code>\\d+)'
  message: 'Exited with {code}.'
  fixes: ['Fix it.']
  templatePaths: ['properties.customize[]']
  references: ['https://example.com/doc']
  samples:
    match:
      - line: 'PACKER OUT ==> azure-arm: exit status 3'
        captures: {code: '3'}
    noMatch:
      - 'PACKER OUT ==> azure-arm: exit code 0'

  """

func load(_ text: String, file: String = "Patterns/sample-pattern.yaml") -> Result<Pattern, PatternDiagnostic> {
  Result { () throws(PatternDiagnostic) in try PatternLoader.load(file: file, contents: text) }
}

func diagnostic(_ text: String, file: String = "Patterns/sample-pattern.yaml") -> PatternDiagnostic? {
  if case .failure(let error) = load(text, file: file) { return error }
  return nil
}

/// Each loader diagnostic, on a deliberately broken pattern file.
@Suite struct PatternLoaderTests {
  @Test func aValidFileLoads() throws {
    let pattern = try load(validPattern).get()
    #expect(pattern.id == "sample-pattern")
    #expect(pattern.regexes.first?.line == 12)
    #expect(pattern.matchSamples.first?.captures == ["code": "3"])
    #expect(PatternChecker.check(PatternLibrary(patterns: [pattern])).isEmpty)
  }

  @Test func invalidYAMLNamesTheLine() {
    let error = diagnostic("id: x\ntitle: [unclosed\n")
    #expect(error?.message.hasPrefix("invalid YAML") == true)
    #expect(error?.line == 3)
  }

  @Test func unknownFieldIsRejected() {
    let error = diagnostic(validPattern + "colour: red\n")
    #expect(error?.message.hasPrefix("unknown field 'colour'") == true)
    #expect(error?.line == 23)
  }

  @Test func missingFieldIsRejected() {
    let error = diagnostic(validPattern.replacingOccurrences(of: "title: A sample\n", with: ""))
    #expect(error?.message == "missing required field 'title'")
  }

  @Test func idMustMatchTheFileName() {
    let error = diagnostic(validPattern, file: "Patterns/other.yaml")
    #expect(error?.message == "id 'sample-pattern' differs from the file name 'other'")
    #expect(error?.line == 1)
  }

  @Test func rankIsReadAsYAMLReadsAnInteger() throws {
    for (text, rank) in [("40", 40), ("0", 0), ("0x1F", 31), ("2_0", 20)] {
      let pattern = try load(validPattern.replacingOccurrences(of: "rank: 40\n", with: "rank: \(text)\n")).get()
      #expect(pattern.rank == rank, "rank: \(text)")
    }
    // Read directly only when plainly decimal; the rest is left to Yams.
    #expect(PatternNode.plainDecimal("-3") == -3)
    for text in ["", "-", "007", "12a", "+4", "1_0"] { #expect(PatternNode.plainDecimal(text) == nil, "\(text)") }
    for text in ["'40'", "4o", "99999999999999999999"] {
      let error = diagnostic(validPattern.replacingOccurrences(of: "rank: 40\n", with: "rank: \(text)\n"))
      #expect(error?.message == "'rank' must be an integer", "rank: \(text)")
    }
  }

  @Test func retryableIsReadAsYAMLReadsABoolean() throws {
    for (text, value) in [("true", true), ("false", false), ("yes", true), ("off", false), ("True", true)] {
      let pattern = try load(validPattern.replacingOccurrences(of: "retryable: false\n", with: "retryable: \(text)\n"))
        .get()
      #expect(pattern.retryable == value, "retryable: \(text)")
    }
    let error = diagnostic(validPattern.replacingOccurrences(of: "retryable: false\n", with: "retryable: 'true'\n"))
    #expect(error?.message.contains("retryable") == true)
  }

  @Test func idsAreKebabCase() {
    for id in ["build-timeout", "apt-lock", "e1", "x"] { #expect(PatternLoader.isKebabCase(id), "\(id)") }
    for id in ["", "Build-timeout", "build--timeout", "build-timeout-", "-build", "build_timeout", "bùild"] {
      #expect(!PatternLoader.isKebabCase(id), "\(id)")
    }
  }

  @Test func badEnumValueListsTheAllowedOnes() {
    let error = diagnostic(validPattern.replacingOccurrences(of: "severity: error", with: "severity: fatal"))
    #expect(error?.message == "'severity' is 'fatal'; expected one of: note, warning, error")
    #expect(error?.line == 5)
  }

  @Test func benignNeedsAReason() {
    let error = diagnostic(validPattern + "benign: true\n")
    #expect(error?.message == "a benign pattern needs a benignReason")
  }

  @Test func shortLiteralIsRejected() {
    let error = diagnostic(validPattern.replacingOccurrences(of: "literals: ['exit status']", with: "literals: ['ex']"))
    #expect(error?.message.contains("too short for the prefilter") == true)
  }

  @Test func samplesAreRequiredBothWays() {
    let error = diagnostic(
      validPattern.replacingOccurrences(of: "  noMatch:\n    - 'PACKER OUT ==> azure-arm: exit code 0'\n", with: ""))
    #expect(error?.message == "a pattern needs at least one noMatch sample")
  }

  @Test func aRegexThatDoesNotCompileGetsACaretUnderPCRE2sOffset() throws {
    let pattern = try load(
      validPattern.replacingOccurrences(of: "'exit status (?<code>\\d+)'", with: "'exit status (?<code>\\d+'")
    ).get()
    let diagnostics = PatternChecker.check(PatternLibrary(patterns: [pattern]))
    let first = try #require(diagnostics.first)
    #expect(first.line == 12)
    #expect(first.message.contains("missing closing parenthesis"))
    #expect(first.caretOffset == 23)
    #expect(first.description.hasSuffix("    exit status (?<code>\\d+\n" + String(repeating: " ", count: 4 + 23) + "^"))
  }

  @Test func checkerReportsEachKindOfSampleProblem() throws {
    var text = validPattern.replacingOccurrences(of: "captures: {code: '3'}", with: "captures: {code: '4'}")
    text = text.replacingOccurrences(of: "exit code 0", with: "exit status 0")
    text = text.replacingOccurrences(of: "'Exited with {code}.'", with: "'Exited with {status}.'")
    let messages = PatternChecker.check(PatternLibrary(patterns: [try load(text).get()])).map(\.message)
    #expect(messages.contains("capture 'code' is '3', the sample expects '4'"))
    #expect(messages.contains("noMatch sample matches"))
    #expect(messages.contains("placeholder {status} is not a named capture of any regex"))
  }

  @Test func aSampleClaimedByTwoPatternsIsReportedUnlessOneSupersedes() throws {
    let first = try load(validPattern).get()
    let second = try load(
      validPattern.replacingOccurrences(of: "sample-pattern", with: "other-pattern"),
      file: "Patterns/other-pattern.yaml"
    ).get()
    let messages = PatternChecker.check(PatternLibrary(patterns: [first, second])).map(\.message)
    #expect(messages.contains("match sample is also matched by 'other-pattern'; say which wins with 'supersedes'"))
    var winner = second
    winner.supersedes = ["sample-pattern"]
    #expect(PatternChecker.check(PatternLibrary(patterns: [first, winner])).isEmpty)
  }
}

/// The bundled library is embedded in a compact form parsed at build time; it must read back
/// exactly as the YAML files do, positions included (diagnostics and `patterns check` use them).
@Suite struct BundledFormTests {
  @Test func theBundledFormReadsBackAsTheFilesDo() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let (fromFiles, diagnostics) = PatternLibrary.load(directory: root.appendingPathComponent("Patterns").path)
    #expect(diagnostics.isEmpty)
    let bundled = try PatternLibrary.bundled()
    #expect(bundled.patterns.count == fromFiles.patterns.count && bundled.patterns.count >= 60)
    for (fromBundle, fromFile) in zip(bundled.patterns, fromFiles.patterns) {
      var expected = fromFile
      expected.file = "Patterns/" + URL(fileURLWithPath: fromFile.file).lastPathComponent
      #expect(fromBundle == expected, "\(fromFile.id)")
    }
  }

  @Test func theCompactFormReadsNodesWithTheirPositions() throws {
    let node = try #require(PatternNode(encoded: "m1,1,2:s1,1,0,2:ids1,5,1,4:é\nxs2,1,0,1:kq2,4,1:s3,5,0,0:"))
    #expect(
      node
        == .mapping(
          [
            PatternNode.Pair(
              key: .scalar("id", line: 1, column: 1, quoted: false),
              value: .scalar("é\nx", line: 1, column: 5, quoted: true)),
            PatternNode.Pair(
              key: .scalar("k", line: 2, column: 1, quoted: false),
              value: .sequence([.scalar("", line: 3, column: 5, quoted: false)], line: 2, column: 4)),
          ], line: 1, column: 1))
  }

  @Test func aDamagedCompactFormIsRejected() {
    for damaged in [
      "", "x1,1,0:", "s1,1,0,5:abc", "s1,1,0,2:abc", "m1,1,1:s1,1,0,1:a", "q1,1,2:s1,1,0,1:a", "s1,1,0,-1:",
      "s1,1,0,99999999999999999999:a", "s1;1,0,1:a",
    ] {
      #expect(PatternNode(encoded: damaged) == nil, "\(damaged)")
    }
  }
}
