import AIBLogsInput
import Foundation
import Testing

@testable import AIBLogsMatching

@Suite struct MatchingTests {
  @Test func namedCapturesComeBackByName() throws {
    let regex = try PCRE2Regex(#"exit status: (?<code>\d+)(?:\. Allowed: (?<allowed>\w+))?"#)
    let scratch = PCRE2MatchScratch()
    let subject = Array("Script exited with non-zero exit status: 3010".utf8)
    let groups = try subject.withUnsafeBytes { try regex.match($0, scratch: scratch) }
    #expect(Set(regex.captureNames.map(\.name)) == ["code", "allowed"])
    #expect(groups?[1] == 41..<45)
    #expect(groups?[2] == nil)
  }

  @Test func invalidUTF8IsMatchedAsBytes() throws {
    let regex = try PCRE2Regex(#"package \S+ failed"#)
    let subject: [UInt8] = Array("package ".utf8) + [0xFF, 0xFE] + Array(" failed".utf8)
    #expect(try subject.withUnsafeBytes { try regex.matches($0, scratch: PCRE2MatchScratch()) })
  }

  @Test func aHostileLineHitsTheLimitInsteadOfHanging() throws {
    let regex = try PCRE2Regex(#"^(a|aa)+$"#)
    let subject = Array((String(repeating: "a", count: 5000) + "b").utf8)
    let scratch = PCRE2MatchScratch(matchLimit: 10_000)
    #expect(throws: PCRE2MatchError.limitExceeded) {
      _ = try subject.withUnsafeBytes { try regex.matches($0, scratch: scratch) }
    }
  }

  @Test func aLineWithoutTheRequiredByteCannotMatch() throws {
    let progress = try PCRE2Regex(#"(?<done>[\d.]+ [KMGT]?i?B) / (?<total>[\d.]+ [KMGT]?i?B)\s+(?<percent>[\d.]+)%"#)
    #expect(progress.requiredByte == UInt8(ascii: "%"))
    let winget = Array("    azure-arm:   35.4 MB / 283.2 MB".utf8)
    #expect(!winget.withUnsafeBytes { progress.mayMatch(within: $0) })
    let upload = Array("    azure-arm: 1.2 GB / 8.2 GB  14%".utf8)
    #expect(upload.withUnsafeBytes { progress.mayMatch(within: $0) })
    // A caseless letter may be in either case.
    let caseless = try PCRE2Regex("(?i)access denied")
    #expect(Array("ACCESS DENIED".utf8).withUnsafeBytes { caseless.mayMatch(within: $0) })
    #expect(Array("Access Denied".utf8).withUnsafeBytes { caseless.mayMatch(within: $0) })
  }

  /// The shortcut never rules out a line that a regex of the library matches.
  @Test func everyMatchSampleKeepsTheRegexesThatMatchIt() throws {
    let scratch = PCRE2MatchScratch()
    for pattern in bundledLibrary.patterns {
      let regexes = try pattern.regexes.map { try PCRE2Regex($0.source) }
      for sample in pattern.matchSamples {
        let line = Array(sample.line.utf8)
        let message = Array(LogLineStructure.message(of: sample.line).utf8)
        for regex in regexes where try message.withUnsafeBytes({ try regex.matches($0, scratch: scratch) }) {
          #expect(line.withUnsafeBytes { regex.mayMatch(within: $0) }, "\(pattern.id): \(sample.line)")
        }
      }
    }
  }

  @Test func compileErrorsCarryPCRE2sMessageAndOffset() {
    #expect(throws: PCRE2CompileError(message: "missing closing parenthesis", offset: 6, code: 114)) {
      _ = try PCRE2Regex("disk (")
    }
  }

  @Test func prefilterFindsTheSameLiteralsAsANaiveSearch() {
    let literals = ["error", "Timeout waiting", "exit status", "rror: x", "IMAGE_STATE_"]
    let prefilter = LiteralPrefilter(literals: literals.enumerated().map { (text: $0.element, tag: $0.offset) })
    let text = "an ERROR: x here; timeout WAITING for winrm; exit status 1; image_state_undeployable; nothing"
    var found = Set<Int>()
    Array(text.utf8).withUnsafeBytes { bytes in prefilter.scan(bytes) { _, tags in found.formUnion(tags) } }
    let lowered = text.lowercased()
    let naive = Set(literals.enumerated().filter { lowered.contains($0.element.lowercased()) }.map(\.offset))
    #expect(found == naive)
    #expect(found == [0, 1, 2, 3, 4])
  }

  @Test func scannerReportsLineNumbersAcrossABlock() throws {
    let rules = [MatchRule(id: "exit", literals: ["exit status"], regexes: [#"exit status (?<code>\d+)"#])]
    let scanner = RuleScanner(ruleSet: try CompiledRuleSet(rules: rules))
    let text = "one\ntwo exit status 1\nthree\r\nfour EXIT STATUS 9\nfive exit status 22\r\n"
    var found: [(Int, String?)] = []
    Array(text.utf8).withUnsafeBytes { bytes in
      scanner.scan(LineBlock(bytes: bytes, firstLineNumber: 10)) { line in
        found.append((line.number, line.matches.first?.captures["code"]))
      }
    }
    // Line 13 contains the literal in another case; the regex is case-sensitive and decides.
    #expect(found.map(\.0) == [11, 14])
    #expect(found.map(\.1) == ["1", "22"])
    #expect(scanner.candidateLineCount == 3)
  }
}

@Suite struct LaneScanTests {
  @Test(arguments: [0, 1, 2, 3, 7, 64, 1000])
  func fourLanesFindExactlyWhatOneLaneFinds(lines: Int) {
    let literals = ["exit status", "error", "IMAGE_STATE_", "Timeout waiting for", "B / 1"]
    let prefilter = LiteralPrefilter(literals: literals.enumerated().map { (text: $0.element, tag: $0.offset) })
    var generator = SystemRandomNumberGenerator()
    let words = [
      "exit", "status", "Error", "ERROR:", "IMAGE_STATE_UNDEPLOYABLE", "Timeout", "waiting", "for", "x", "B", "/", "1",
    ]
    var text = ""
    for _ in 0..<lines {
      let count = Int.random(in: 0...12, using: &generator)
      text += (0..<count).map { _ in words.randomElement(using: &generator)! }.joined(separator: " ") + "\n"
    }
    var single: [(Int, [Int])] = []
    var lanes: [(offset: Int, state: Int)] = []
    Array(text.utf8).withUnsafeBytes { bytes in
      prefilter.scan(bytes) { offset, tags in single.append((offset, tags)) }
      prefilter.scanLanes(bytes, into: &lanes)
    }
    #expect(lanes.map(\.offset) == single.map(\.0))
    #expect(lanes.map { prefilter.tags(ofAcceptingState: $0.state) } == single.map(\.1))
  }
}

/// A source that yields some bytes and then fails.
final class FailingAfterSource: ByteSource {
  private let inner: MemorySource

  init(_ bytes: [UInt8]) { inner = MemorySource(bytes, chunkLimit: 700) }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
    let count = try inner.read(into: buffer)
    if count == 0 { throw .truncatedGzip(path: "x.gz") }
    return count
  }
}

@Suite struct ScanPipelineTests {
  let rules = [
    MatchRule(id: "exit", literals: ["exit status"], regexes: [#"exit status (?<code>\d+)"#]),
    MatchRule(id: "state", literals: ["IMAGE_STATE_"], regexes: [#"^(?<state>IMAGE_STATE_\w+)$"#]),
  ]

  func text(lines: Int) -> [UInt8] {
    var out = ""
    for number in 1...lines {
      switch number % 7 {
      case 0: out += "[922bdf36-b53c-4e78-9cd8-6b70b9674685] PACKER OUT     azure-arm: IMAGE_STATE_UNDEPLOYABLE\r\n"
      case 3: out += "line \(number): script exit status \(number)\n"
      default: out += "line \(number) of plain output with some padding to cross blocks\n"
      }
    }
    return Array(out.utf8)
  }

  func collect(
    _ run: (RuleScanner, LineReader, inout [(Int, String, [String: String])]) throws -> Void, _ bytes: [UInt8],
    bufferCount: Int = 1
  )
    throws -> [(Int, String, [String: String])]
  {
    let scanner = RuleScanner(ruleSet: try CompiledRuleSet(rules: rules))
    let reader = LineReader(
      source: MemorySource(bytes, chunkLimit: 333), blockSize: 512, maxLineLength: 4096, bufferCount: bufferCount)
    var found: [(Int, String, [String: String])] = []
    try run(scanner, reader, &found)
    return found
  }

  /// One reader buffer: the pipeline copies blocks into its slots; enough buffers: it holds the
  /// reader's blocks in place. The input (small blocks, 1.9 MB) is scanned by the automaton
  /// alone for its first `LineFilterChoice.automatonOnlyLimit` bytes and with a tuned line
  /// filter after them. A fast caller has nothing queued and scans most blocks itself; a slow
  /// one leaves the scanning to the worker.
  @Test(arguments: [1, ScanPipeline.readerBufferCount], [false, true])
  func thePipelineFindsWhatTheInlineScanFinds(bufferCount: Int, slowCaller: Bool) throws {
    let lineCount = 30_000
    let bytes = text(lines: lineCount)
    #expect(bytes.count > 3 * LineFilterChoice.automatonOnlyLimit / 2)
    let inline = try collect(
      { scanner, reader, found in
        try reader.forEachBlock { block in
          scanner.scan(block) { line in found.append((line.number, line.text, line.matches[0].captures.dictionary)) }
        }
      }, bytes)
    let piped = try collect(
      { scanner, reader, found in
        let pipeline = ScanPipeline(scanner: scanner)
        try pipeline.run(
          reader: reader, onBlock: { _ in },
          onLine: { line in
            found.append((line.number, line.text, line.matches[0].captures.dictionary))
            if slowCaller && found.count % 50 == 0 { usleep(100) }
          })
        #expect(pipeline.lineCount == lineCount)
      }, bytes, bufferCount: bufferCount)
    #expect(inline.count == lineCount / 7 + (lineCount - 3) / 7 + 1)
    #expect(piped.map(\.0) == inline.map(\.0))
    #expect(piped.map(\.1) == inline.map(\.1))
    #expect(piped.map(\.2) == inline.map(\.2))
  }

  /// The pipeline numbers the lines itself (its reader counts none): the same numbers, line
  /// count and first cut line as a reader that counts, across a cut line and a last line
  /// without LF, whichever thread scans the blocks.
  @Test(arguments: [false, true])
  func thePipelineNumbersLinesAsACountingReaderDoes(slowCaller: Bool) throws {
    var bytes = text(lines: 2_000)
    bytes += [UInt8](repeating: UInt8(ascii: "x"), count: 5_000) + [0x0A]
    bytes += text(lines: 700)
    bytes += Array("the last line, without LF: exit status 9".utf8)
    let ruleSet = try CompiledRuleSet(rules: rules)
    let counting = LineReader(source: MemorySource(bytes, chunkLimit: 333), blockSize: 512, maxLineLength: 4096)
    var inline: [Int] = []
    let scanner = RuleScanner(ruleSet: ruleSet)
    try counting.forEachBlock { block in scanner.scan(block) { inline.append($0.number) } }
    #expect(counting.lineCount == 2_000 + 1 + 700 + 1)
    #expect(counting.firstCutLineNumber == 2_001)

    let reader = LineReader(
      source: MemorySource(bytes, chunkLimit: 333), blockSize: 512, maxLineLength: 4096,
      bufferCount: ScanPipeline.readerBufferCount)
    let pipeline = ScanPipeline(scanner: RuleScanner(ruleSet: ruleSet))
    var piped: [Int] = []
    try pipeline.run(
      reader: reader, onBlock: { _ in },
      onLine: { line in
        piped.append(line.number)
        if slowCaller && piped.count % 20 == 0 { usleep(100) }
      })
    #expect(piped == inline)
    #expect(piped.last == counting.lineCount)
    #expect(pipeline.lineCount == counting.lineCount)
    #expect(pipeline.firstCutLineNumber == counting.firstCutLineNumber)
  }

  @Test func aReadErrorArrivesAfterTheBlocksBeforeIt() throws {
    let scanner = RuleScanner(ruleSet: try CompiledRuleSet(rules: rules))
    let reader = LineReader(source: FailingAfterSource(text(lines: 500)), blockSize: 256, maxLineLength: 1024)
    var lines = 0
    let pipeline = ScanPipeline(scanner: scanner)
    #expect(throws: InputError.truncatedGzip(path: "x.gz")) {
      try pipeline.run(reader: reader, onBlock: { _ in }, onLine: { _ in lines += 1 })
    }
    #expect(lines == 500 / 7 + (500 - 3) / 7 + 1)
    #expect(pipeline.lineCount == 500)
  }
}

@Suite struct CapturesTests {
  @Test func capturesAreLookedUpSetAndRemovedByName() {
    var captures: Captures = ["code": "3", "command": "sh x.sh"]
    #expect(captures["code"] == "3")
    #expect(captures["missing"] == nil)
    captures["code"] = "100"
    captures["allowed"] = "[0]"
    captures["command"] = nil
    #expect(captures.map(\.key) == ["code", "allowed"])
    #expect(captures.dictionary == ["code": "100", "allowed": "[0]"])
    #expect(captures == ["allowed": "[0]", "code": "100"])
    #expect(captures != ["code": "100"])
    #expect(!captures.isEmpty && Captures().isEmpty)
  }
}
