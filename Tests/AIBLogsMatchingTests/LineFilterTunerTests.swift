import AIBLogsInput
import Testing

@testable import AIBLogsMatching

/// The tuner rebuilds the line filter when lines pass it without a literal, so that a window
/// that was rare in the sample and turned common later stops passing lines.
@Suite struct LineFilterTunerTests {
  static let literal = "Windows update script exited with non-zero exit status"

  /// `count` lines; every `every`-th one (from the first) is `special`, the others plain noise.
  static func lines(_ count: Int, special: String?, every: Int) -> [UInt8] {
    var text: [UInt8] = []
    for index in 0..<count {
      let message =
        if let special, index % every == 0 { special } else { "Installing package number \(index) from the feed" }
      text += Array("[0f3c6a2e-5b7d-4e1f-9a8b-2c4d6e8f0a1b] PACKER OUT     azure-arm: \(message)\n".utf8)
    }
    return text
  }

  /// Scans `text` in blocks of `blockSize` with the tuner's filter; returns, per block, how
  /// many lines passed the filter without a literal.
  static func falsePasses(_ tuner: LineFilterTuner, _ ruleSet: CompiledRuleSet, _ text: [UInt8], blockSize: Int)
    -> [Int]
  {
    var result: [Int] = []
    let candidates = CandidateSet()
    text.withUnsafeBytes { bytes in
      var start = 0
      while start < bytes.count {
        var end = min(bytes.count, start + blockSize)
        while end < bytes.count && bytes[end - 1] != 0x0A { end += 1 }
        let block = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
        RuleScanner.findCandidates(in: block, ruleSet: ruleSet, filter: tuner.filter(forNext: block), into: candidates)
        result.append(candidates.falsePassWindows.count)
        tuner.learn(from: candidates)
        start = end
      }
    }
    return result
  }

  @Test(arguments: LineFilter.Kernel.available)
  func aWindowThatTurnsCommonIsReplaced(kernel: LineFilter.Kernel) throws {
    let ruleSet = try CompiledRuleSet(rules: [
      MatchRule(id: "update", literals: [Self.literal], regexes: ["Windows update script exited"])
    ])
    // The sample: the end of the literal ("script exited with") is common, its start never
    // occurs, so the filter represents the literal by windows of "Windows update ".
    let sample = Self.lines(4_000, special: "The provisioner script exited with code 0", every: 4)
    // Then a Windows Update phase: lines that hold "Windows update" but not the literal.
    let phase = Self.lines(200_000, special: "Searching for Windows updates...", every: 2)
    let tuner = LineFilterTuner(ruleSet: ruleSet, kernel: kernel)
    let perBlock = Self.falsePasses(tuner, ruleSet, sample + phase, blockSize: sample.count)
    let first = try #require(perBlock.dropFirst().first)
    #expect(first > 400, "the phase's first block passes its Windows Update lines: \(perBlock)")
    #expect(tuner.rebuildCount >= 1)
    #expect(try #require(perBlock.last) < first / 4, "after the rebuild they stop passing: \(perBlock)")
  }

  /// The AVX-512 kernel's bytewise buckets (nibble buckets ignore forbidden sequences).
  @Test(.enabled(if: LineFilter.Kernel.available.contains(.avx512)))
  func aNeedleBucketAvoidsForbiddenCombinations() throws {
    // Sixteen needles for eight buckets: some share one, and a bucket accepts every
    // combination of its needles' bytes. A sequence counted as a false pass (here "cand",
    // made of "cold" and "band") must not be accepted after the rebuild.
    let literals = [
      "band", "cold", "dust", "echo", "fork", "gulp", "hymn", "iris", "jazz", "kilo", "lynx", "mist", "nova",
      "opal", "pine", "quiz",
    ]
    var passes = LineFilter.FalsePassCounts()
    let forbidden = Array("cand".utf8)
    let window = forbidden.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    passes.add(windows: Array(repeating: window, count: 1_000)) { _ in true }
    let counts = [UInt8]().withUnsafeBytes { LineFilter.WindowCounts(sample: $0) }
      .penalized(by: passes, observedBytes: 1 << 20)
    let filter = LineFilter(literals: try #require(LineFilter.Literals(literals)), counts: counts, kernel: .avx512)
    #expect(!filter.needlesAccept(window))
    for literal in literals {
      let bytes = Array(literal.utf8)
      let own = bytes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
      #expect(filter.needlesAccept(own), "\(literal)")
    }
  }

  /// Through the pipeline, over more than one tuning period: the filter is rebuilt on the
  /// reading thread while earlier blocks are still verified, and every line with the literal is
  /// found.
  @Test func thePipelineRebuildsItsFilterAndLosesNoLine() throws {
    let ruleSet = try CompiledRuleSet(rules: [
      MatchRule(id: "update", literals: [Self.literal], regexes: [#"exit status (?<code>\d+)"#])
    ])
    // The sample part is longer than the automaton-only start (the filter is tuned on the block
    // that ends it, whatever the block size).
    var text = Self.lines(12_000, special: "The provisioner script exited with code 0", every: 4)
    #expect(text.count > LineFilterChoice.automatonOnlyLimit)
    var expected: [Int] = []
    var number = 12_000
    while text.count < LineFilterChoice.automatonOnlyLimit + 3 * LineFilterTuner.initialPeriod / 2 {
      number += 1
      let message: String
      if number % 97 == 0 {
        message = "\(Self.literal) \(number)"
        expected.append(number)
      } else {
        message = number % 2 == 0 ? "Searching for Windows updates..." : "Installing package number \(number)"
      }
      text += Array("[0f3c6a2e-5b7d-4e1f-9a8b-2c4d6e8f0a1b] PACKER OUT     azure-arm: \(message)\n".utf8)
    }
    let pipeline = ScanPipeline(scanner: RuleScanner(ruleSet: ruleSet))
    let reader = LineReader(
      source: MemorySource(text), blockSize: 1 << 18, bufferCount: ScanPipeline.readerBufferCount)
    var found: [Int] = []
    try pipeline.run(reader: reader, onBlock: { _ in }, onLine: { found.append($0.number) })
    #expect(pipeline.filterRebuildCount >= 1)
    #expect(found == expected)
  }
}
