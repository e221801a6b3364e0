import AIBLogsInput
internal import CLiteralFilter
import Dispatch

/// Something to look for in log lines: literals for the prefilter and regexes for the
/// verdict, run on each line's message. Patterns from the library and the analysis layer's
/// own markers are both rules.
public struct MatchRule: Sendable {
  /// A stable name (a pattern id, or `marker:...`).
  public let id: String
  /// Every line a regex can match contains one of these (ASCII case-insensitive).
  public let literals: [String]
  /// PCRE2 sources, run on the message of the line.
  public let regexes: [String]

  /// Creates a rule.
  public init(id: String, literals: [String], regexes: [String]) {
    self.id = id
    self.literals = literals
    self.regexes = regexes
  }
}

/// A regex that did not compile, and where it belongs.
public struct RuleCompileError: Error, Sendable, CustomStringConvertible {
  /// The rule's id.
  public let ruleID: String
  /// Which regex of the rule (0-based).
  public let regexIndex: Int
  /// PCRE2's error.
  public let error: PCRE2CompileError

  /// The message in one line.
  public var description: String { "rule '\(ruleID)' regex \(regexIndex + 1): \(error)" }
}

/// Rules compiled once: the shared literal prefilter and every regex JIT-compiled.
///
/// Immutable and shareable between threads; each thread scans with its own `RuleScanner`.
public final class CompiledRuleSet: Sendable {
  /// The rules, in the order given.
  public let rules: [MatchRule]
  /// The compiled regexes of each rule.
  public let regexes: [[PCRE2Regex]]
  let prefilter: LiteralPrefilter
  let maxCaptureCount: Int

  /// Compiles every regex of every rule; throws the first one that does not compile.
  ///
  /// The regexes and the prefilter's automaton are built at the same time, on two threads: both
  /// take milliseconds, before the first line can be read.
  public init(rules: [MatchRule]) throws(RuleCompileError) {
    self.rules = rules
    let literals = rules.enumerated().flatMap { index, rule in rule.literals.map { (text: $0, tag: index) } }
    let automaton = UnsafeMutablePointer<LiteralPrefilter>.allocate(capacity: 1)
    let compiled = UnsafeMutablePointer<Result<[[PCRE2Regex]], RuleCompileError>>.allocate(capacity: 1)
    defer {
      automaton.deinitialize(count: 1)
      automaton.deallocate()
      compiled.deinitialize(count: 1)
      compiled.deallocate()
    }
    nonisolated(unsafe) let slots = (automaton, compiled)
    DispatchQueue.concurrentPerform(iterations: 2) { task in
      if task == 0 {
        slots.0.initialize(to: LiteralPrefilter(literals: literals))
      } else {
        slots.1.initialize(to: Result { () throws(RuleCompileError) in try CompiledRuleSet.compile(rules) })
      }
    }
    regexes = try compiled.pointee.get()
    prefilter = automaton.pointee
    maxCaptureCount = regexes.joined().map(\.captureCount).max() ?? 0
  }

  /// Every regex of every rule, compiled; throws the first one that does not compile.
  private static func compile(_ rules: [MatchRule]) throws(RuleCompileError) -> [[PCRE2Regex]] {
    var compiled: [[PCRE2Regex]] = []
    for rule in rules {
      var list: [PCRE2Regex] = []
      for (regexIndex, source) in rule.regexes.enumerated() {
        do throws(PCRE2CompileError) {
          list.append(try PCRE2Regex(source))
        } catch {
          throw RuleCompileError(ruleID: rule.id, regexIndex: regexIndex, error: error)
        }
      }
      compiled.append(list)
    }
    return compiled
  }
}

/// One rule's match on a line.
public struct RuleMatch: Sendable, Equatable {
  /// The index of the rule in the rule set.
  public let ruleIndex: Int
  /// Which of its regexes matched.
  public let regexIndex: Int
  /// The named captures that took part in the match.
  public let captures: Captures
}

/// The named captures of one match, by name. A regex has a few named groups and a matched
/// line is looked at once, so they are kept as a short list: no hashing, one allocation. The
/// list holds a struct rather than a tuple: freeing a list of tuples goes through the runtime's
/// generic tuple code for every element, several hundred instructions a matched line.
public struct Captures: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
  /// A capture: the group's name and the text it matched.
  public typealias Element = (key: String, value: String)

  /// A capture as stored.
  struct Pair: Sendable {
    let key: String
    var value: String
  }

  private var pairs: [Pair] = []

  /// No captures.
  public init() {}

  /// The given captures (a later duplicate name is ignored).
  public init(dictionaryLiteral elements: (String, String)...) {
    for (key, value) in elements where self[key] == nil { pairs.append(Pair(key: key, value: value)) }
  }

  /// The given captures, in order, with distinct names.
  init(pairs: [Pair]) { self.pairs = pairs }

  /// The text captured by the group `name`, or nil; setting nil removes it.
  public subscript(name: String) -> String? {
    get { pairs.first { $0.key == name }?.value }
    set {
      let index = pairs.firstIndex { $0.key == name }
      switch (index, newValue) {
      case (let index?, let value?): pairs[index].value = value
      case (let index?, nil): pairs.remove(at: index)
      case (nil, let value?): pairs.append(Pair(key: name, value: value))
      case (nil, nil): break
      }
    }
  }

  /// Whether nothing was captured.
  public var isEmpty: Bool { pairs.isEmpty }

  /// The captures in the order of their groups.
  public func makeIterator() -> Iterator { Iterator(pairs: pairs.makeIterator()) }

  /// Walks the captures in order.
  public struct Iterator: IteratorProtocol {
    fileprivate var pairs: IndexingIterator<[Pair]>

    /// The next capture.
    public mutating func next() -> Element? { pairs.next().map { ($0.key, $0.value) } }
  }

  /// The captures as a dictionary.
  public var dictionary: [String: String] {
    Dictionary(pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
  }

  /// Equal when the same names captured the same texts, in any order.
  public static func == (lhs: Captures, rhs: Captures) -> Bool { lhs.dictionary == rhs.dictionary }
}

/// A line on which at least one rule matched, with its parsed structure.
public struct MatchedLine {
  /// The 1-based line number in the input.
  public let number: Int
  /// The line's bytes, without LF or trailing CR; valid only during the callback.
  public let bytes: UnsafeRawBufferPointer
  /// The line's parts.
  public let structure: LogLineStructure
  /// The rules that matched, in rule order.
  public let matches: [RuleMatch]
  /// The block the line is in, for context lines; valid only during the callback.
  public let block: LineBlock
  /// The offset of the line in `block.bytes`.
  public let offsetInBlock: Int

  /// The line as text (invalid UTF-8 becomes U+FFFD).
  public var text: String { String(decoding: bytes, as: UTF8.self) }

  /// The message part of the line as text.
  public var message: String {
    String(decoding: UnsafeRawBufferPointer(rebasing: bytes[structure.message]), as: UTF8.self)
  }

  /// Up to `limit` lines before this one, oldest first, as (number, text).
  public func linesBefore(limit: Int) -> [(Int, String)] {
    block.lines(before: offsetInBlock, lineNumber: number, limit: limit).map {
      ($0.0, String(decoding: $0.1, as: UTF8.self))
    }
  }
}

/// A candidate line: its range in the block, its rules (`ruleCount` entries of `rules` from
/// `firstRule`), and its index among the part's lines.
typealias CandidateLine = (start: Int, end: Int, firstRule: Int, ruleCount: Int, lineIndex: Int)

/// The candidate lines of a block (or of one part of it): lines that contain a literal, with
/// the rules of those literals, and the part's LF count. Filled by the prefilter stage, read by
/// the verify stage; reused between blocks.
public final class CandidateSet: @unchecked Sendable {
  var range: Range<Int> = 0..<0
  var hits: [(offset: Int, state: Int)] = []
  var lanes = LiteralPrefilter.LaneBuffers()
  var lines: [CandidateLine] = []
  var rules: [Int] = []
  /// The lines the line filter passed: their range in the part, their index among the part's
  /// lines, and where their copy starts in `gathered` (before the copy: where in the part the
  /// copy starts, the earliest a literal can start).
  var filtered: [(start: Int, end: Int, lineIndex: Int, gatheredStart: Int, window: UInt64)] = []
  /// The eight bytes at the reported position of each passed line that held no literal (for
  /// `LineFilterTuner`), and the number of lines the filter passed; both kept until the next
  /// scan of this set.
  var falsePassWindows: [UInt64] = []
  var passedLineCount = 0
  /// The part's bytes, while the passed lines wait to be copied (valid until the part is
  /// verified: the block stays in memory as long as its candidates do).
  var waitingBytes = UnsafeRawBufferPointer(start: nil, count: 0)
  /// Whether the lines the filter passed still wait for the automaton (`finishCandidates`).
  public internal(set) var awaitsAutomaton = false
  /// The filtered lines copied one after another, each ending in LF, for the automaton: the
  /// first `gatheredCount` bytes. Sized for the worst case once (its untouched pages cost no
  /// memory), so that each line is one `memcpy`.
  var gathered: [UInt8] = []
  /// How many bytes of `gathered` hold lines.
  var gatheredCount = 0
  /// The number of LF bytes in the part that was scanned.
  public internal(set) var newlines = 0

  /// An empty set.
  public init() {}
}

/// How the prefilter finds candidate lines in one input: with a `LineFilter` tuned on the
/// input's first block when the rule set's literals allow one, else with the automaton alone.
public struct LineFilterChoice: @unchecked Sendable {
  let filter: LineFilter?

  /// Chooses for `ruleSet`, using `sample` (the first block of the input) to pick rare windows.
  public init(ruleSet: CompiledRuleSet, sample: UnsafeRawBufferPointer) {
    self.init(ruleSet: ruleSet, sample: sample, kernel: .best)
  }

  /// Chooses as above, with one of the kernel's implementations.
  init(ruleSet: CompiledRuleSet, sample: UnsafeRawBufferPointer, kernel: LineFilter.Kernel) {
    self.init(
      literals: LineFilter.Literals(ruleSet.prefilter.literalTexts), counts: LineFilter.WindowCounts(sample: sample),
      kernel: kernel)
  }

  /// Chooses from prepared literals and window counts already taken (`LineFilterTuner`).
  init(literals: LineFilter.Literals?, counts: LineFilter.WindowCounts, kernel: LineFilter.Kernel) {
    filter = literals.map { LineFilter(literals: $0, counts: counts, kernel: kernel) }
  }

  /// The automaton alone, on every byte (for comparisons, and for small inputs).
  public static let automatonOnly = LineFilterChoice(filter: nil)

  /// A block at least this large is a sample worth tuning a line filter on. Tuning takes a few
  /// milliseconds (most of an analysis of a small log); the automaton alone scans a few hundred
  /// kilobytes in less.
  public static let worthwhileSample = 256 << 10

  /// After this much input in smaller blocks (a pipe's short reads), the filter is tuned anyway,
  /// on the block at hand.
  public static let automatonOnlyLimit = 1 << 20

  private init(filter: LineFilter?) { self.filter = filter }

  /// Whether a line filter is in use.
  public var usesLineFilter: Bool { filter != nil }
}

/// A regex that hit its backtracking limit on a line: reported, never fatal.
public struct MatchLimitHit: Sendable, Equatable {
  /// The rule's id.
  public let ruleID: String
  /// The line number.
  public let line: Int
}

/// Scans blocks of lines with a compiled rule set: the literal prefilter over the whole block,
/// then the regexes of the rules whose literals occur, on those lines only.
///
/// Not thread-safe: one scanner per thread (`ScanPipeline` runs only the prefilter stage,
/// `findCandidates`, on its second thread).
public final class RuleScanner {
  /// The rule set.
  public let ruleSet: CompiledRuleSet
  private let scratch: PCRE2MatchScratch
  /// The lines that contained a literal (prefilter candidates), for statistics.
  public private(set) var candidateLineCount = 0
  /// Regexes that hit their backtracking limit.
  public private(set) var limitHits: [MatchLimitHit] = []

  /// Creates a scanner for `ruleSet`.
  public init(ruleSet: CompiledRuleSet) {
    self.ruleSet = ruleSet
    scratch = PCRE2MatchScratch(maxCaptureCount: max(1, ruleSet.maxCaptureCount))
  }

  private let candidates = CandidateSet()
  /// The line filter of this scanner, tuned on the first block it scans and kept fitting.
  private lazy var tuner = LineFilterTuner(ruleSet: ruleSet)

  /// Finds the candidate lines of `part.range` in `bytes`: lines containing a literal, with the
  /// rules of those literals, and counts the LF bytes. Touches only `part`.
  static func scanPart(
    _ part: CandidateSet, _ bytes: UnsafeRawBufferPointer, _ prefilter: LiteralPrefilter, _ lineFilter: LineFilter?
  ) {
    part.hits.removeAll(keepingCapacity: true)
    part.lines.removeAll(keepingCapacity: true)
    part.rules.removeAll(keepingCapacity: true)
    part.falsePassWindows.removeAll(keepingCapacity: true)
    part.passedLineCount = 0
    if let filter = lineFilter {
      scanFilteredPart(part, bytes, filter)
      return
    }
    let base = part.range.lowerBound
    let slice = UnsafeRawBufferPointer(rebasing: bytes[part.range])
    prefilter.scanLanes(slice, into: &part.hits, lanes: &part.lanes)
    var lineEnd = -1
    var counted = 0
    var lineIndex = 0
    for hit in part.hits {
      if hit.offset >= lineEnd {
        var start = hit.offset
        while start > 0 && slice[start - 1] != 0x0A { start -= 1 }
        lineEnd = LineBlock.newlineIndex(in: slice, from: hit.offset) ?? slice.count
        lineIndex += LineReader.countNewlines(UnsafeRawBufferPointer(rebasing: slice[counted..<start]))
        counted = start
        part.lines.append((base + start, base + lineEnd, part.rules.count, 0, lineIndex))
      }
      addRules(ofAcceptingState: hit.state, toLastOf: &part.lines, &part.rules, prefilter)
    }
    part.newlines = lineIndex + LineReader.countNewlines(UnsafeRawBufferPointer(rebasing: slice[counted...]))
  }

  /// Adds the rules of an automaton hit to the last of `lines`, each once.
  private static func addRules(
    ofAcceptingState state: Int, toLastOf lines: inout [CandidateLine], _ rules: inout [Int],
    _ prefilter: LiteralPrefilter
  ) {
    let last = lines.count - 1
    let first = lines[last].firstRule
    for tag in prefilter.tags(ofAcceptingState: state) where !rules[first...].contains(tag) {
      rules.append(tag)
      lines[last].ruleCount += 1
    }
  }

  /// The first stage of `scanPart` with the line filter: the lines the filter passes, with
  /// their line indices and where their copy for the automaton starts (where the line's first
  /// literal can start at the earliest, not the line's start); and the part's LF count. The copy
  /// itself is the second stage's, on whichever thread runs it.
  private static func scanFilteredPart(_ part: CandidateSet, _ bytes: UnsafeRawBufferPointer, _ filter: LineFilter) {
    // A local array: no exclusivity checks on the class's properties in the loop.
    var filtered = part.filtered
    part.filtered = []
    filtered.removeAll(keepingCapacity: true)
    let slice = UnsafeRawBufferPointer(rebasing: bytes[part.range])
    let lead = filter.lead
    let newlines = filter.forEachCandidateLine(in: slice) { start, hit, end, lineIndex in
      filtered.append((start, end, lineIndex, max(start, hit - lead), LineFilter.window(in: slice, at: hit)))
    }
    part.filtered = filtered
    part.waitingBytes = slice
    part.newlines = newlines
    part.awaitsAutomaton = true
  }

  /// Copies the passed lines of `part` one after another, each ending in LF, for the automaton.
  private static func gatherFilteredLines(_ part: CandidateSet) {
    var filtered = part.filtered
    var gathered = part.gathered
    part.filtered = []
    part.gathered = []
    let slice = part.waitingBytes
    // Passed lines are disjoint and each adds at most its bytes and an LF.
    let worstCase = 2 * slice.count
    if gathered.count < worstCase {
      gathered = [UInt8](unsafeUninitializedCapacity: worstCase) { _, count in count = worstCase }
    }
    var used = 0
    gathered.withUnsafeMutableBytes { out in
      for index in filtered.indices {
        let from = filtered[index].gatheredStart
        let count = filtered[index].end - from
        (out.baseAddress! + used).copyMemory(from: slice.baseAddress! + from, byteCount: count)
        filtered[index].gatheredStart = used
        used += count
        out[used] = 0x0A
        used += 1
      }
    }
    part.filtered = filtered
    part.gathered = gathered
    part.gatheredCount = used
    part.waitingBytes = UnsafeRawBufferPointer(start: nil, count: 0)
  }

  /// The second stage: the automaton over the passed lines, and the lines with a literal, with
  /// the rules of their literals.
  private static func runAutomaton(_ part: CandidateSet, _ prefilter: LiteralPrefilter) {
    part.awaitsAutomaton = false
    gatherFilteredLines(part)
    part.gathered.withUnsafeBytes { gathered in
      prefilter.scanLanes(
        UnsafeRawBufferPointer(rebasing: gathered[0..<part.gatheredCount]), into: &part.hits, lanes: &part.lanes)
    }
    // Local arrays: no exclusivity checks on the class's properties for every hit.
    var lines = part.lines
    var rules = part.rules
    part.lines = []
    part.rules = []
    defer {
      part.lines = lines
      part.rules = rules
    }
    var falsePasses = part.falsePassWindows
    part.falsePassWindows = []
    falsePasses.removeAll(keepingCapacity: true)
    let filtered = part.filtered
    let base = part.range.lowerBound
    var current = -1
    var cursor = 0
    for hit in part.hits {
      while cursor + 1 < filtered.count && filtered[cursor + 1].gatheredStart <= hit.offset {
        cursor += 1
      }
      if cursor != current {
        // The passed lines between the last one with a literal and this one held none.
        for skipped in filtered[(current + 1)..<cursor] { falsePasses.append(skipped.window) }
        current = cursor
        let line = filtered[cursor]
        lines.append((base + line.start, base + line.end, rules.count, 0, line.lineIndex))
      }
      addRules(ofAcceptingState: hit.state, toLastOf: &lines, &rules, prefilter)
    }
    for skipped in filtered[(current + 1)...] { falsePasses.append(skipped.window) }
    part.falsePassWindows = falsePasses
    part.passedLineCount = filtered.count
  }

  /// Completes `candidates` when `findCandidates(...finishing: false)` left the automaton stage
  /// to the caller (so that another thread can take it); does nothing otherwise.
  public static func finishCandidates(_ candidates: CandidateSet, ruleSet: CompiledRuleSet) {
    if candidates.awaitsAutomaton { runAutomaton(candidates, ruleSet.prefilter) }
  }

  /// Scans `block` and calls `body` for each line on which a rule matched, in line order: the
  /// literal prefilter over the whole block, then the regexes of the rules whose literals
  /// occur, on those lines only.
  public func scan(_ block: LineBlock, _ body: (MatchedLine) -> Void) {
    RuleScanner.findCandidates(
      in: block.bytes, ruleSet: ruleSet, filter: tuner.filter(forNext: block.bytes), into: candidates)
    tuner.learn(from: candidates)
    block.newlineCount.value = candidates.newlines
    verify(block, candidates: CollectionOfOne(candidates), body)
  }

  /// Finds the candidate lines of a whole block on the calling thread (the first stage of
  /// `scan`, for a pipeline that runs it on another thread): `candidates` is reset and filled,
  /// and its `newlines` is the block's LF count.
  /// With `finishing: false` the last stage may be left undone (`candidates.awaitsAutomaton`):
  /// `newlines` is set, and `finishCandidates` completes the rest, on any thread.
  public static func findCandidates(
    in bytes: UnsafeRawBufferPointer, ruleSet: CompiledRuleSet, filter: LineFilterChoice,
    into candidates: CandidateSet, finishing: Bool = true
  ) {
    candidates.range = 0..<bytes.count
    scanPart(candidates, bytes, ruleSet.prefilter, filter.filter)
    if finishing { finishCandidates(candidates, ruleSet: ruleSet) }
  }

  /// The second stage of `scan`: runs the regexes of the candidate lines found in `block` (by
  /// one or more consecutive parts) and calls `body` for each line on which a rule matched.
  public func verify<Parts: Collection>(
    _ block: LineBlock, candidates: Parts, _ body: (MatchedLine) -> Void
  ) where Parts.Element == CandidateSet {
    var firstLine = block.firstLineNumber
    // Once per block, not once per line: the rule set's array, retained, and the state kept
    // between lines, in locals (a stored property changed on every line costs a dynamic
    // exclusivity check each time).
    let regexes = ruleSet.regexes
    var state = lineState
    lineState = LineState()
    defer { lineState = state }
    let base = block.bytes.baseAddress
    for part in candidates {
      candidateLineCount += part.lines.count
      let lines = part.lines
      for (index, line) in lines.enumerated() {
        // The next candidate line's first and last bytes, asked for ahead: the lines were read
        // and scanned by the other thread (or long before), and the first touch of each waited
        // for the cache.
        if index + 1 < lines.count, let base {
          aib_prefetch(base + lines[index + 1].start)
          aib_prefetch(base + lines[index + 1].end - 1)
        }
        var rules = part.rules[line.firstRule..<(line.firstRule + line.ruleCount)]
        if rules.count > 1 {
          state.sortedRules.removeAll(keepingCapacity: true)
          state.sortedRules.append(contentsOf: rules)
          state.sortedRules.sort()
          rules = state.sortedRules[...]
        }
        verifyLine(
          block, start: line.start, end: line.end, number: firstLine + line.lineIndex, rules: rules, regexes: regexes,
          state: &state, body)
      }
      firstLine += part.newlines
    }
  }

  /// What verifying one line leaves for the next.
  private struct LineState {
    /// The rules of a line with more than one, in rule order (its buffer is reused).
    var sortedRules: [Int] = []
    /// The matches of the line being verified (its buffer is reused between lines).
    var matches: [RuleMatch] = []
    /// The operation id and timestamp of the last candidate line (they repeat on the next ones).
    var memo = LogLineStructure.Memo()
  }

  /// Kept between blocks; taken into a local while a block is verified.
  private var lineState = LineState()

  /// Runs the regexes of `rules` (in rule order) on the message of one candidate line and calls
  /// `body` when one matched.
  private func verifyLine(
    _ block: LineBlock, start: Int, end: Int, number lineNumber: Int, rules: ArraySlice<Int>,
    regexes: [[PCRE2Regex]], state: inout LineState, _ body: (MatchedLine) -> Void
  ) {
    let bytes = block.bytes
    var trimmedEnd = end
    if trimmedEnd > start && bytes[trimmedEnd - 1] == 0x0D { trimmedEnd -= 1 }
    let line = UnsafeRawBufferPointer(rebasing: bytes[start..<trimmedEnd])
    // A line holds a rule's literal but lacks a byte each of its regexes needs (a progress line
    // `35.4 MB / 283.2 MB` without the `%` of a file-progress line): no structure parse, no match.
    guard rules.contains(where: { rule in regexes[rule].contains { $0.mayMatch(within: line) } }) else { return }
    let structure = LogLineStructure(parsing: line, memo: &state.memo)
    let message = UnsafeRawBufferPointer(rebasing: line[structure.message])
    // The buffer of the previous line, unless the callback kept that line's matches.
    var matches = state.matches
    state.matches = []
    defer { state.matches = matches }
    // One by one: `removeAll(keepingCapacity:)` destroys through the generic array code.
    while !matches.isEmpty { matches.removeLast() }
    for rule in rules {
      for (regexIndex, regex) in regexes[rule].enumerated() {
        do {
          guard try regex.matches(message, scratch: scratch) else { continue }
          var captures = Captures()
          if !regex.captureNames.isEmpty {
            // The group ranges straight from the match data, without an array of them, into a
            // list made once at its final size.
            var pairs: [Captures.Pair] = []
            pairs.reserveCapacity(regex.captureNames.count)
            for (name, group) in regex.captureNames {
              if let range = regex.groupRange(group, subjectCount: message.count, scratch: scratch) {
                let value = String(decoding: UnsafeRawBufferPointer(rebasing: message[range]), as: UTF8.self)
                if let index = pairs.firstIndex(where: { $0.key == name }) {
                  pairs[index].value = value
                } else {
                  pairs.append(Captures.Pair(key: name, value: value))
                }
              }
            }
            captures = Captures(pairs: pairs)
          }
          matches.append(RuleMatch(ruleIndex: rule, regexIndex: regexIndex, captures: captures))
          break
        } catch {
          if limitHits.count < 100 {
            limitHits.append(MatchLimitHit(ruleID: ruleSet.rules[rule].id, line: lineNumber))
          }
        }
      }
    }
    if !matches.isEmpty {
      body(
        MatchedLine(
          number: lineNumber, bytes: line, structure: structure, matches: matches, block: block,
          offsetInBlock: start))
    }
  }

  /// Matches one line on its own (samples, tests): the rules whose regexes match its message.
  public func matchLine(_ text: String) -> [RuleMatch] {
    var result: [RuleMatch] = []
    var bytes = Array(text.utf8)
    if bytes.last == 0x0A { bytes.removeLast() }
    bytes.withUnsafeBytes { raw in
      let block = LineBlock(bytes: raw, firstLineNumber: 1)
      scan(block) { line in result = line.matches }
    }
    return result
  }
}
