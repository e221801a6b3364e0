import AIBLogsInput
import AIBLogsPatterns
import Foundation
import Testing

@testable import AIBLogsMatching

/// The SIMD line filter must never lose a line that holds a literal, on either of its code
/// paths, and the scan through it must find exactly what the automaton alone finds.
@Suite struct LineFilterTests {
  /// The kernel's code paths this machine can run.
  static let paths = LineFilter.Kernel.available

  /// A small deterministic generator (so a failure can be replayed).
  struct Generator {
    var state: UInt64
    mutating func next(_ bound: Int) -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int((state >> 33) % UInt64(bound))
    }
  }

  /// Letters in both cases, digits, punctuation, and bytes that ASCII case folding must not
  /// confuse: `@` and a backquote (0x40, 0x60), a tab, NUL, 0xFF, and the two bytes of `é`.
  static let alphabet =
    Array("abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 .:;/-_'\"()[]{}<>=@`\té".utf8)
    + [0x00, 0xFF]

  /// Random lines with literals planted in random case at random places, some lines long, some
  /// empty, some with CR, the last one sometimes without LF.
  static func randomText(_ generator: inout Generator, literals: [[UInt8]], lines: Int) -> [UInt8] {
    var text: [UInt8] = []
    for line in 0..<lines {
      let length = [0, 3, 17, 40, 90, 160, 700][generator.next(7)]
      var bytes = (0..<length).map { _ in alphabet[generator.next(alphabet.count)] }
      if generator.next(3) == 0, !literals.isEmpty {
        let literal = literals[generator.next(literals.count)].map { byte -> UInt8 in
          generator.next(2) == 0 && byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte
        }
        bytes.insert(contentsOf: literal, at: generator.next(bytes.count + 1))
      }
      if generator.next(10) == 0 { bytes.append(0x0D) }
      text += bytes
      if line < lines - 1 || generator.next(2) == 0 { text.append(0x0A) }
    }
    return text
  }

  /// Literals are text (pattern files are UTF-8): ASCII bytes of the alphabet, and sometimes
  /// a whole `é`.
  static func randomLiterals(_ generator: inout Generator, count: Int) -> [[UInt8]] {
    let ascii = alphabet.filter { $0 < 0x80 }
    var literals: [[UInt8]] = []
    for _ in 0..<count {
      var literal: [UInt8] = []
      // Now and then a long literal that holds an earlier one near its end (which makes it
      // redundant for the kernel and moves its start far from the kernel's position).
      if let inner = literals.last, generator.next(5) == 0 {
        let prefix = (0..<(10 + generator.next(40))).map { _ in ascii[generator.next(ascii.count)] }
        literal = prefix.map(LiteralPrefilter.lower) + inner
        literals.append(literal)
        continue
      }
      let length = 4 + generator.next(41)
      while literal.count < length {
        if generator.next(20) == 0 {
          literal += [0xC3, 0xA9]
        } else {
          let byte = ascii[generator.next(ascii.count)]
          literal.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
        }
      }
      literals.append(literal)
    }
    return literals
  }

  /// The ranges of the lines of `text` that contain a literal, by plain search.
  static func linesWithLiterals(_ text: [UInt8], _ literals: [[UInt8]]) -> [Range<Int>] {
    var result: [Range<Int>] = []
    var start = 0
    while start <= text.count {
      let end = text[start...].firstIndex(of: 0x0A) ?? text.count
      let line = text[start..<end].map(LiteralPrefilter.lower)
      if literals.contains(where: { literal in
        line.count >= literal.count
          && (0...(line.count - literal.count)).contains { line[$0..<($0 + literal.count)].elementsEqual(literal) }
      }) {
        result.append(start..<end)
      }
      if end == text.count { break }
      start = end + 1
    }
    return result
  }

  /// The offset of the first literal occurrence in `text[range]`, or nil.
  static func firstLiteralStart(_ text: [UInt8], _ range: Range<Int>, _ literals: [[UInt8]]) -> Int? {
    let line = text[range].map(LiteralPrefilter.lower)
    return (0..<line.count).first { start in
      literals.contains { start + $0.count <= line.count && line[start..<(start + $0.count)].elementsEqual($0) }
    }.map { range.lowerBound + $0 }
  }

  static func candidateLines(_ filter: LineFilter, _ text: [UInt8]) -> [Range<Int>] {
    candidates(filter, text).map(\.line)
  }

  /// The candidate lines with the position the kernel reported for each. Checks the line
  /// indices and the LF count the kernel reported against the text.
  static func candidates(_ filter: LineFilter, _ text: [UInt8]) -> [(line: Range<Int>, hit: Int)] {
    var lines: [(line: Range<Int>, hit: Int)] = []
    let newlines = text.withUnsafeBytes { bytes in
      filter.forEachCandidateLine(in: bytes) { start, hit, end, index in
        #expect(index == text[..<start].filter { $0 == 0x0A }.count, "index of the line at \(start)")
        lines.append((start..<end, hit))
      }
    }
    #expect(newlines == text.filter { $0 == 0x0A }.count)
    return lines
  }

  @Test(arguments: paths)
  func everyLineWithALiteralIsACandidate(kernel: LineFilter.Kernel) throws {
    for seed in 1...40 {
      var generator = Generator(state: UInt64(seed))
      let literals = Self.randomLiterals(&generator, count: 1 + generator.next(60))
      let text = Self.randomText(&generator, literals: literals, lines: 1 + generator.next(300))
      // Tune on the text itself, on another text, or on nothing, and every other time with
      // windows of the text counted as false passes (as `LineFilterTuner` rebuilds): the choice
      // of windows and needle buckets must not matter for correctness.
      let sample = [text, Self.randomText(&generator, literals: [], lines: 50), []][seed % 3]
      var counts = sample.withUnsafeBytes { LineFilter.WindowCounts(sample: $0) }
      if seed % 2 == 0 {
        var passes = LineFilter.FalsePassCounts()
        text.withUnsafeBytes { bytes in
          let windows =
            bytes.isEmpty ? [] : (0..<200).map { _ in LineFilter.window(in: bytes, at: generator.next(bytes.count)) }
          passes.add(windows: windows) { _ in seed % 4 == 0 }
        }
        counts = counts.penalized(by: passes, observedBytes: max(1, text.count / 10))
      }
      let prepared = try #require(LineFilter.Literals(literals.map { String(decoding: $0, as: UTF8.self) }))
      let filter = LineFilter(literals: prepared, counts: counts, kernel: kernel)
      let candidates = Self.candidateLines(filter, text)
      let expected = Self.linesWithLiterals(text, literals)
      #expect(Set(expected).isSubset(of: Set(candidates)), "seed \(seed): a line with a literal was lost")
      #expect(candidates == candidates.sorted { $0.lowerBound < $1.lowerBound }, "seed \(seed)")
      for line in candidates {
        #expect(line.lowerBound == 0 || text[line.lowerBound - 1] == 0x0A, "seed \(seed): not a line start")
        #expect(line.upperBound == text.count || text[line.upperBound] == 0x0A, "seed \(seed): not a line end")
      }
      // The automaton may start `lead` bytes before the reported position: no literal earlier.
      for (line, hit) in Self.candidates(filter, text) {
        #expect(line.contains(hit) || (line.isEmpty && hit == line.lowerBound), "seed \(seed): hit outside its line")
        if let first = Self.firstLiteralStart(text, line, literals) {
          #expect(first >= hit - filter.lead, "seed \(seed): a literal starts before the automaton would")
        }
      }
    }
  }

  @Test(arguments: paths)
  func aLiteralAtEveryOffsetOfABlockIsFound(kernel: LineFilter.Kernel) throws {
    // Every alignment against the 32- and 64-byte chunks and the four-byte grid, and the tail.
    for literal in ["fail", "B / ", "exited with code:", "Press Enter", "0x80070070"] {
      let filter = try #require(
        [UInt8]().withUnsafeBytes { LineFilter(literals: [literal], sample: $0, kernel: kernel) })
      for offset in 0..<136 {
        for trailing in [0, 1, 5, 40] {
          let text =
            [UInt8](repeating: UInt8(ascii: "x"), count: offset) + Array(literal.uppercased().utf8)
            + [UInt8](repeating: UInt8(ascii: "y"), count: trailing)
          #expect(Self.candidateLines(filter, text) == [0..<text.count], "\(literal) at \(offset)+\(trailing)")
        }
      }
    }
  }

  @Test(arguments: paths)
  func newlinesAreCountedAroundCandidateLines(kernel: LineFilter.Kernel) throws {
    let filter = try #require([UInt8]().withUnsafeBytes { LineFilter(literals: ["abcd"], sample: $0, kernel: kernel) })
    var generator = Generator(state: 7)
    for length in [0, 1, 31, 32, 33, 36, 127, 128, 129, 1000, 4099] {
      // LFs, empty lines and a literal now and then, at every alignment against the chunks.
      var text: [UInt8] = []
      while text.count < length {
        switch generator.next(9) {
        case 0, 1: text.append(0x0A)
        case 2: text += Array("ABCD".utf8)
        default: text.append(UInt8(ascii: "q"))
        }
      }
      let lines = Self.candidates(filter, text)
      #expect(lines.map(\.line) == Self.linesWithLiterals(text, [Array("abcd".utf8)]), "length \(length)")
    }
  }

  @Test func literalsTheKernelCannotTakeLeaveTheAutomatonAlone() {
    #expect([UInt8]().withUnsafeBytes { LineFilter(literals: ["ok", "failure"], sample: $0) } == nil)
    #expect([UInt8]().withUnsafeBytes { LineFilter(literals: ["two\nlines"], sample: $0) } == nil)
    #expect([UInt8]().withUnsafeBytes { LineFilter(literals: [], sample: $0) } == nil)
  }

  @Test func literalsThatContainAnotherAreRedundant() {
    // One that holds another far from its start stays: the automaton would have to start far
    // before the kernel's position for it.
    let kept = LineFilter.withoutRedundant(
      ["B / ", " b / 1", "ERROR", "error:", "exit code", "Exit", "WinRM connection err: http response error: 401"]
        .map { Array($0.utf8) })
    #expect(
      kept.map { String(decoding: $0, as: UTF8.self) } == [
        "B / ", "ERROR", "Exit", "WinRM connection err: http response error: 401",
      ])
  }

  /// The bundled library and the analysis-like scan over every sample log: the filtered scan
  /// finds the same candidate lines with the same rules as the automaton over every byte.
  @Test(arguments: paths)
  func filteredScanEqualsTheAutomatonOnTheSampleLogs(kernel: LineFilter.Kernel) throws {
    let library = try PatternLibrary.bundled()
    let compiled = try CompiledPatternLibrary(library: library, extraRules: [])
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let logs = try FileManager.default.contentsOfDirectory(
      at: root.appendingPathComponent("SampleLogs"), includingPropertiesForKeys: nil
    ).filter { !$0.lastPathComponent.hasSuffix(".json") && $0.pathExtension != "md" }
    #expect(logs.count >= 10)
    for url in logs {
      let text = Array(try Data(contentsOf: url))
      text.withUnsafeBytes { bytes in
        let filtered = CandidateSet()
        let plain = CandidateSet()
        let choice = LineFilterChoice(ruleSet: compiled.ruleSet, sample: bytes, kernel: kernel)
        #expect(choice.usesLineFilter)
        RuleScanner.findCandidates(in: bytes, ruleSet: compiled.ruleSet, filter: choice, into: filtered)
        RuleScanner.findCandidates(in: bytes, ruleSet: compiled.ruleSet, filter: .automatonOnly, into: plain)
        #expect(
          filtered.lines.map { [$0.start, $0.end, $0.lineIndex] }
            == plain.lines.map { [$0.start, $0.end, $0.lineIndex] }, "\(url.lastPathComponent)")
        #expect(
          filtered.lines.map { Set(filtered.rules[$0.firstRule..<($0.firstRule + $0.ruleCount)]) }
            == plain.lines.map { Set(plain.rules[$0.firstRule..<($0.firstRule + $0.ruleCount)]) },
          "\(url.lastPathComponent)")
        #expect(filtered.newlines == plain.newlines)
      }
    }
  }
}
