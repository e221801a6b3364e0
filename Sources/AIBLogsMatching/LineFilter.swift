internal import CLiteralFilter

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A fast first pass over a block: finds the lines that may contain one of many literals
/// (ASCII case-insensitively), so that the exact automaton runs on those lines only.
///
/// The C kernel (`CLiteralFilter`, AVX2 when the machine has it) tests hashed 4- and 8-byte
/// windows of the literals at every fourth byte, and 4-byte needles at every byte (for literals
/// of four to six bytes, and for those whose windows are common in the input). It never misses
/// a line that contains a literal; it may pass lines that do not, which the automaton then drops.
///
/// Only literal sets it can represent get a filter: every literal at least four bytes long and
/// without a line break. `LiteralPrefilter` scans the whole block with its automaton otherwise.
struct LineFilter: @unchecked Sendable {
  /// The kernel's tables, allocated once and never written after `init`.
  private let tables: UnsafeMutablePointer<aib_filter_tables>
  /// Keeps `tables` alive as long as a copy of the filter exists.
  private let owner: TableOwner

  private final class TableOwner: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<aib_filter_tables>
    init(_ pointer: UnsafeMutablePointer<aib_filter_tables>) { self.pointer = pointer }
    deinit { pointer.deallocate() }
  }

  /// The bytes of a window that every occurrence of a literal puts on the sampling grid.
  static let gridStride = 4
  /// Literals at least this long are sampled by 8-byte windows.
  static let minimumWindow8Length = 8 + gridStride - 1
  /// Literals at least this long (and shorter than `minimumWindow8Length`) by 4-byte windows.
  static let minimumWindow4Length = 4 + gridStride - 1
  /// Windows and needles are chosen among the first bytes of a literal, up to this offset, and
  /// a literal that holds another is dropped only when that one starts within this many bytes:
  /// so the automaton can start close to the position the kernel reports (`lead`).
  static let maximumRepresentationOffset = 24
  /// Shorter literals are needles tested at every byte; these buckets hold them.
  static let needleBuckets = 8
  /// At most this many distinct needles (three per bucket on average), so that buckets stay
  /// selective.
  static let maximumNeedles = 24

  /// Builds the tables, or returns nil when a literal is shorter than four bytes or holds a
  /// line break. `sample` (the first block of the input) tells which windows of each literal
  /// are rare in this log: each literal is represented by the windows that occur least there.
  init?(literals: [String], sample: UnsafeRawBufferPointer, kernel: Kernel = .best) {
    guard let prepared = Literals(literals) else { return nil }
    self.init(literals: prepared, counts: WindowCounts(sample: sample), kernel: kernel)
  }

  /// The literals of a filter, with what does not depend on the input worked out once (which
  /// ones are redundant, and where the kept ones occur inside each), so that the filter can be
  /// rebuilt cheaply (`LineFilterTuner`).
  struct Literals {
    /// The literals as given.
    let originals: [[UInt8]]
    /// Those the tables represent (see `withoutRedundant`).
    let kept: [[UInt8]]
    /// For each literal, each kept literal that occurs in it, by index in `kept`, with where
    /// it first occurs (ASCII case-insensitively).
    let occurrences: [[(kept: Int, offset: Int)]]

    /// Prepares `literals`, or returns nil when one is shorter than four bytes or holds a line
    /// break (the kernel cannot take them).
    init?(_ literals: [String]) {
      let originals = literals.map { Array($0.utf8) }
      guard !literals.isEmpty,
        originals.allSatisfy({ $0.count >= 4 && !$0.contains(0x0A) && !$0.contains(0x0D) })
      else { return nil }
      self.originals = originals
      let kept = LineFilter.withoutRedundant(originals)
      self.kept = kept
      let foldedKept = kept.map { $0.map(LiteralPrefilter.lower) }
      occurrences = originals.map { literal in
        let text = literal.map(LiteralPrefilter.lower)
        return foldedKept.indices.compactMap { index in
          LineFilter.firstOccurrence(of: foldedKept[index], in: text).map { (index, $0) }
        }
      }
    }
  }

  /// Builds the tables as above from window counts already taken (and perhaps penalised by
  /// the false passes of an earlier filter: see `LineFilterTuner`).
  init(literals: Literals, counts: WindowCounts, kernel: Kernel = .best) {
    let pointer = UnsafeMutablePointer<aib_filter_tables>.allocate(capacity: 1)
    UnsafeMutableRawPointer(pointer).initializeMemory(
      as: UInt8.self, repeating: 0, count: MemoryLayout<aib_filter_tables>.size)
    tables = pointer
    owner = TableOwner(pointer)
    self.kernel = LineFilter.Kernel.available.contains(kernel) ? kernel : .portable

    // Each literal's cheapest representation: windows on the grid when it is long enough, else
    // a needle. Then the literals whose windows are still common in the sample become needles
    // when their best needle is rarer, as long as the buckets can take them.
    var plans = literals.kept.map { LiteralPlan(literal: $0, counts: counts) }
    // Literals that share a needle (`(y/n)?` and `(y/n):`) take one place in the buckets.
    var needleTexts = Set(plans.filter(\.isNeedle).map(\.bestNeedleText))
    let order = plans.indices.filter { plans[$0].needleSaving > 0 }.sorted {
      plans[$0].needleSaving > plans[$1].needleSaving
    }
    for index in order {
      let text = plans[index].bestNeedleText
      guard needleTexts.contains(text) || needleTexts.count < LineFilter.maximumNeedles else { continue }
      plans[index].useNeedle()
      needleTexts.insert(text)
    }
    lead = LineFilter.lead(literals, plans)
    var needles: [[UInt8]] = []
    for plan in plans {
      let literal = plan.folded
      switch plan.representation {
      case .windows8(let offsets):
        for start in offsets {
          let low = LineFilter.word(literal, start)
          let high = LineFilter.word(literal, start + 4)
          let word = aib_filter_first_index(low) << 5
          LineFilter.setBit(&pointer.pointee.first, word | aib_filter_fingerprint8(high))
          LineFilter.setBit(&pointer.pointee.first, word | aib_filter_fingerprint8_second(high))
          LineFilter.setBit(&pointer.pointee.window8, aib_filter_hash8(low, high))
          LineFilter.setBit(&pointer.pointee.window8_second, aib_filter_second_hash8(low, high))
        }
      case .windows4(let offsets):
        for start in offsets {
          let window = LineFilter.word(literal, start)
          let word = aib_filter_first_index(window) << 5
          LineFilter.setBit(&pointer.pointee.first, word | aib_filter_fingerprint4(window))
          LineFilter.setBit(&pointer.pointee.first, word | aib_filter_fingerprint4_second(window))
          LineFilter.setBit(&pointer.pointee.window4, aib_filter_hash4(window))
          LineFilter.setBit(&pointer.pointee.window4_second, aib_filter_second_hash4(window))
        }
      case .needle(let offset):
        let needle = Array(plan.original[offset..<(offset + 4)])
        if !needles.contains(where: { $0.map { $0 | 0x20 } == needle.map { $0 | 0x20 } }) {
          needles.append(needle)
        }
      }
    }
    var buckets = [NeedleBucket](repeating: NeedleBucket(), count: LineFilter.needleBuckets)
    let bytewise = self.kernel == .avx512
    for needle in needles {
      // A bucket accepts every combination of its needles' bytes: first avoid combinations
      // that are common in the sample or made an earlier filter pass lines in vain, then keep
      // buckets small.
      // Each bucket's cost once: `min(by:)` over a cost closure computed two per comparison,
      // and the filter is rebuilt about a dozen times per GB (its build 21.4 -> 19.9 M
      // instructions over the five builds of a 100 MB run).
      let costs = buckets.map { bucket in
        (
          bucket.forbiddenWeight(adding: needle, counts.forbiddenNeedleTexts, bytewise: bytewise),
          bucket.growth(adding: needle)
        )
      }
      let candidate = costs.indices.min { costs[$0] < costs[$1] }!
      buckets[candidate].add(needle)
      let bit = UInt8(1) << UInt8(candidate)
      for (position, byte) in needle.enumerated() {
        for variant in LineFilter.caseVariants(byte) {
          LineFilter.orNibble(&pointer.pointee.low, position, Int(variant & 0x0F), bit)
          LineFilter.orNibble(&pointer.pointee.high, position, Int(variant >> 4), bit)
          LineFilter.orByte(&pointer.pointee.needle7, position, Int(variant & 0x7F), bit)
        }
      }
    }
  }

  /// How one literal is represented in the tables, and what it costs in chance hits.
  private struct LiteralPlan {
    enum Representation {
      /// Folded 8-byte windows at these offsets, one per grid residue.
      case windows8([Int])
      /// Folded 4-byte windows at these offsets, one per grid residue.
      case windows4([Int])
      /// A 4-byte needle at this offset, tested at every byte.
      case needle(Int)
    }

    let original: [UInt8]
    let folded: [UInt8]
    private(set) var representation: Representation
    /// How often the chosen windows occur in the sample.
    private(set) var cost: Int
    /// The rarest 4-byte needle and how often it occurs in the sample.
    let bestNeedle: (offset: Int, count: Int)

    init(literal: [UInt8], counts: WindowCounts) {
      original = literal
      folded = literal.map { $0 | 0x20 }
      let folded = folded
      let needleOffset = LineFilter.rarestOffset(
        folded, width: 4, offsets: 0...min(folded.count - 4, LineFilter.maximumRepresentationOffset)
      ) {
        counts.four(folded, $0)
      }
      bestNeedle = (needleOffset, counts.four(folded, needleOffset))
      if folded.count >= LineFilter.minimumWindow8Length {
        // A first-level pass (the 4-byte prefix, and one time in 32 the fingerprint of the next
        // four bytes by chance) costs a few cycles, a second-level pass a line for the automaton.
        let weighted = { (offset: Int) in counts.four(folded, offset) + 32 * 16 * counts.eight(folded, offset) }
        let offsets = LineFilter.residueOffsets(folded, width: 8, count: weighted)
        representation = .windows8(offsets)
        cost = offsets.reduce(0) { $0 + counts.eight(folded, $1) }
      } else if folded.count >= LineFilter.minimumWindow4Length {
        let offsets = LineFilter.residueOffsets(folded, width: 4) { counts.four(folded, $0) }
        representation = .windows4(offsets)
        cost = offsets.reduce(0) { $0 + counts.four(folded, $1) }
      } else {
        representation = .needle(needleOffset)
        cost = bestNeedle.count
      }
    }

    /// The offset of the representation that lies farthest into the literal.
    var farthestOffset: Int {
      switch representation {
      case .windows8(let offsets), .windows4(let offsets): offsets.max() ?? 0
      case .needle(let offset): offset
      }
    }

    /// The folded bytes of the rarest needle.
    var bestNeedleText: [UInt8] { Array(folded[bestNeedle.offset..<(bestNeedle.offset + 4)]) }

    var isNeedle: Bool {
      if case .needle = representation { return true }
      return false
    }

    /// How many fewer chance hits (in the sample) the literal would cause as a needle.
    var needleSaving: Int { isNeedle ? 0 : cost - bestNeedle.count }

    mutating func useNeedle() {
      representation = .needle(bestNeedle.offset)
      cost = bestNeedle.count
    }
  }

  /// For each residue of the grid stride, the offset (with that residue) of the `width`-byte
  /// window of `literal` that is rarest: wherever the literal occurs, one of them is sampled.
  private static func residueOffsets(_ literal: [UInt8], width: Int, count: (Int) -> Int) -> [Int] {
    (0..<gridStride).map { residue in
      rarestOffset(
        literal, width: width,
        offsets: Swift.stride(
          from: residue, through: min(literal.count - width, maximumRepresentationOffset), by: gridStride)
      ) {
        count($0)
      }
    }
  }

  /// How far before the kernel's position a literal of a passed line can start: for each
  /// literal, the nearest bound among the kept literals inside it (itself, or one that made it
  /// redundant): where that one first occurs in it plus its farthest representation.
  private static func lead(_ literals: Literals, _ plans: [LiteralPlan]) -> Int {
    literals.occurrences.map { inside in
      inside.map { $0.offset + plans[$0.kept].farthestOffset }.min() ?? 0
    }.max() ?? 0
  }

  /// The literals without duplicates (ASCII case-insensitively) and without those that contain
  /// another near their start: a line that holds the longer one holds the shorter one too, and
  /// the automaton need not start much earlier for it (see `lead`).
  static func withoutRedundant(_ literals: [[UInt8]]) -> [[UInt8]] {
    let folded = literals.map { $0.map(LiteralPrefilter.lower) }
    let order = folded.indices.sorted { (folded[$0].count, $0) < (folded[$1].count, $1) }
    var kept: [Int] = []
    for index in order {
      let text = folded[index]
      let covered = kept.contains {
        (firstOccurrence(of: folded[$0], in: text) ?? Int.max) <= maximumRepresentationOffset
      }
      if !covered { kept.append(index) }
    }
    return kept.sorted().map { literals[$0] }
  }

  /// The offset of the first occurrence of `needle` in `text`, or nil.
  fileprivate static func firstOccurrence(of needle: [UInt8], in text: [UInt8]) -> Int? {
    guard !needle.isEmpty, needle.count <= text.count else { return nil }
    for start in 0...(text.count - needle.count) where text[start] == needle[0] {
      if text[start..<(start + needle.count)].elementsEqual(needle) { return start }
    }
    return nil
  }

  /// The needles of one nibble bucket: for each of the four positions, the low and high
  /// nibbles it accepts (as bit sets). It accepts every combination of them.
  private struct NeedleBucket {
    var low = SIMD4<UInt16>()
    var high = SIMD4<UInt16>()
    /// For each position, the low seven bits it accepts (the AVX-512 kernel's test), as two
    /// 64-bit sets.
    var sevenBits = SIMD8<UInt64>()

    /// How many 4-byte sequences the bucket accepts.
    var size: Int {
      (0..<4).reduce(1) { $0 * low[$1].nonzeroBitCount * high[$1].nonzeroBitCount }
    }

    /// How many more sequences it would accept with `needle` added.
    func growth(adding needle: [UInt8]) -> Int {
      var copy = self
      copy.add(needle)
      return copy.size - size
    }

    mutating func add(_ needle: [UInt8]) {
      for (position, byte) in needle.enumerated() {
        for variant in LineFilter.caseVariants(byte) {
          low[position] |= 1 << UInt16(variant & 0x0F)
          high[position] |= 1 << UInt16(variant >> 4)
          let low7 = Int(variant & 0x7F)
          sevenBits[position * 2 + low7 >> 6] |= 1 << UInt64(low7 & 63)
        }
      }
    }

    /// Whether the AVX-512 kernel passes `text` (four bytes, the first in the low byte) by this
    /// bucket: by each byte's low seven bits.
    func acceptsBytewise(_ text: UInt32) -> Bool {
      for position in 0..<4 {
        let low7 = Int(truncatingIfNeeded: text >> (8 * UInt32(position))) & 0x7F
        if sevenBits[position * 2 + low7 >> 6] & (1 << UInt64(low7 & 63)) == 0 { return false }
      }
      return true
    }

    /// The weight of the `forbidden` sequences the bucket would newly accept with `needle`.
    /// Only for the bytewise test: a nibble bucket accepts so many combinations that avoiding
    /// some of them crowds the needles into fewer buckets, which then pass more lines.
    func forbiddenWeight(adding needle: [UInt8], _ forbidden: [(text: UInt32, weight: Int)], bytewise: Bool) -> Int {
      guard bytewise, !forbidden.isEmpty else { return 0 }
      var copy = self
      copy.add(needle)
      var total = 0
      for entry in forbidden where copy.acceptsBytewise(entry.text) && !acceptsBytewise(entry.text) {
        total += entry.weight
      }
      return total
    }
  }

  /// How often each window hash occurs in a sample of the input, at every position, plus how
  /// often a window was where an earlier filter passed a line that held no literal (scaled to
  /// the sample's size): what choosing that window would cost.
  struct WindowCounts {
    private var fourCounts = [UInt32](repeating: 0, count: 1 << 16)
    private var eightCounts = [UInt32](repeating: 0, count: 1 << 16)
    /// The sample's size in bytes.
    let sampleSize: Int
    /// Four-byte sequences that needle buckets should not accept, with how much passing them
    /// costs (false passes scaled to the sample's size).
    private(set) var forbiddenNeedleTexts: [(text: UInt32, weight: Int)] = []

    init(sample: UnsafeRawBufferPointer) {
      sampleSize = sample.count
      guard sample.count >= 8 else { return }
      var sequences = [UInt32](repeating: 0, count: 1 << 16)
      fourCounts.withUnsafeMutableBufferPointer { four in
        eightCounts.withUnsafeMutableBufferPointer { eight in
          sequences.withUnsafeMutableBufferPointer { sequences in
            var next = sample.loadUnaligned(fromByteOffset: 0, as: UInt32.self)
            for index in 0..<(sample.count - 7) {
              let raw = next
              let low = raw | 0x2020_2020
              let high = sample.loadUnaligned(fromByteOffset: index + 4, as: UInt32.self) | 0x2020_2020
              next = sample.loadUnaligned(fromByteOffset: index + 1, as: UInt32.self)
              let hash4 = Int(aib_filter_hash4(UInt32(littleEndian: low)))
              four[hash4] &+= 1
              sequences[hash4] = raw
              eight[Int(aib_filter_hash8(UInt32(littleEndian: low), UInt32(littleEndian: high)))] &+= 1
            }
          }
        }
      }
      // The sample's most common 4-byte sequences: a needle bucket that accepts one of them
      // (by a combination of its needles' bytes) passes many lines in vain.
      let threshold = UInt32(max(16, sample.count >> 14))
      let common = fourCounts.indices.filter { fourCounts[$0] >= threshold }
      forbiddenNeedleTexts = common.sorted { fourCounts[$0] > fourCounts[$1] }.prefix(256).map {
        (UInt32(littleEndian: sequences[$0]), Int(fourCounts[$0]))
      }
    }

    /// These counts plus the false passes of `passes`, observed over `observedBytes` of input,
    /// scaled to the sample's size.
    func penalized(by passes: FalsePassCounts, observedBytes: Int) -> WindowCounts {
      var copy = self
      let scale = Double(max(sampleSize, 1)) / Double(max(observedBytes, 1))
      for index in 0..<(1 << 16) {
        if passes.four[index] > 0 {
          copy.fourCounts[index] &+= UInt32(min(Double(passes.four[index]) * scale + 1, Double(UInt32.max / 2)))
        }
        if passes.eight[index] > 0 {
          copy.eightCounts[index] &+= UInt32(min(Double(passes.eight[index]) * scale + 1, Double(UInt32.max / 2)))
        }
      }
      copy.forbiddenNeedleTexts += passes.needleTexts.map { entry in (entry.text, Int(Double(entry.count) * scale) + 1)
      }
      return copy
    }

    /// The count of the folded 4-byte window of `literal` at `start`.
    func four(_ literal: [UInt8], _ start: Int) -> Int {
      Int(fourCounts[Int(aib_filter_hash4(LineFilter.word(literal, start)))])
    }

    /// The count of the folded 8-byte window of `literal` at `start`.
    func eight(_ literal: [UInt8], _ start: Int) -> Int {
      Int(eightCounts[Int(aib_filter_hash8(LineFilter.word(literal, start), LineFilter.word(literal, start + 4)))])
    }
  }

  /// Where a filter passed lines that held no literal: for each 4- and 8-byte window hash, how
  /// many such lines had that window at the position the kernel reported.
  struct FalsePassCounts {
    fileprivate(set) var four = [UInt32](repeating: 0, count: 1 << 16)
    fileprivate(set) var eight = [UInt32](repeating: 0, count: 1 << 16)

    /// False passes that a needle bucket caused, by hash of their first four bytes: how many,
    /// and the last such four bytes.
    private var needleCounts = [UInt32](repeating: 0, count: 1 << 16)
    private var needleSequences = [UInt32](repeating: 0, count: 1 << 16)

    /// Counts false passes whose reported positions held `windows` (eight bytes each, the first
    /// in the low byte); `byNeedle` tells whether the needle buckets passed a window.
    mutating func add(windows: [UInt64], byNeedle: (UInt64) -> Bool) {
      four.withUnsafeMutableBufferPointer { four in
        eight.withUnsafeMutableBufferPointer { eight in
          needleCounts.withUnsafeMutableBufferPointer { needleCounts in
            needleSequences.withUnsafeMutableBufferPointer { needleSequences in
              for window in windows {
                let folded = window | 0x2020_2020_2020_2020
                let low = UInt32(truncatingIfNeeded: folded)
                let high = UInt32(truncatingIfNeeded: folded >> 32)
                let hash4 = Int(aib_filter_hash4(low))
                four[hash4] &+= 1
                eight[Int(aib_filter_hash8(low, high))] &+= 1
                if byNeedle(window) {
                  needleCounts[hash4] &+= 1
                  needleSequences[hash4] = UInt32(truncatingIfNeeded: window)
                }
              }
            }
          }
        }
      }
    }

    /// The four-byte sequences that needle buckets passed most often in vain (at most 64).
    var needleTexts: [(text: UInt32, count: UInt32)] {
      let counted = needleCounts.indices.filter { needleCounts[$0] >= 16 }
      return counted.sorted { needleCounts[$0] > needleCounts[$1] }.prefix(64).map {
        (needleSequences[$0], needleCounts[$0])
      }
    }
  }

  /// The kernel's implementations. Each passes every line that holds a literal; AVX-512's
  /// needle tables (a byte's low seven bits, not its two nibbles) pass fewer other lines.
  enum Kernel: Int32, Sendable, CaseIterable {
    case portable = 0
    case avx2 = 1
    case avx512 = 2

    /// The ones this machine can run, portable first.
    static let available: [Kernel] = allCases.filter { $0.rawValue <= aib_filter_simd_available() }
    /// The fastest one this machine can run.
    static let best = available.last!
  }

  /// The code this filter runs.
  let kernel: Kernel

  /// No literal of a passed line starts more than this many bytes before the position the
  /// kernel reported for it: every occurrence of a literal holds a representation (window or
  /// needle) at most this far from its start, which passes, and the reported position is the
  /// line's first passing one.
  let lead: Int

  /// Calls `line` with the start, the first position that passed the filter, the end (the LF's
  /// offset, or the count) and the index (the LFs before it) of each line of `bytes` that may
  /// contain a literal, in order, and returns the number of LF bytes in `bytes`.
  /// No literal in a line starts before `max(start, hit - lead)`.
  @discardableResult
  func forEachCandidateLine(
    in bytes: UnsafeRawBufferPointer, _ line: (_ start: Int, _ hit: Int, _ end: Int, _ index: Int) -> Void
  ) -> Int {
    guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count > 0 else { return 0 }
    precondition(bytes.count < Int(UInt32.max), "blocks are far smaller than 4 GiB")
    let capacity = 1024
    var newlines = 0
    withUnsafeTemporaryAllocation(of: aib_filter_line.self, capacity: capacity) { lines in
      var position = 0
      while position < bytes.count {
        var resume = 0
        var passed = 0
        let found = aib_filter_scan(
          tables, base, position, bytes.count, lines.baseAddress!, capacity, &resume, &passed, kernel.rawValue)
        for found in lines[0..<found] {
          line(Int(found.start), Int(found.hit), Int(found.end), newlines + Int(found.newlines))
        }
        newlines += passed
        position = resume
      }
    }
    return newlines
  }

  /// Whether the needle buckets pass the first four bytes of `window` (the first in the low
  /// byte), as this filter's kernel tests them.
  func needlesAccept(_ window: UInt64) -> Bool {
    withUnsafeBytes(of: &tables.pointee.needle7) { seven in
      withUnsafeBytes(of: &tables.pointee.low) { low in
        withUnsafeBytes(of: &tables.pointee.high) { high in
          var buckets: UInt8 = 0xFF
          for position in 0..<4 {
            let byte = Int(UInt8(truncatingIfNeeded: window >> (8 * UInt64(position))))
            if kernel == .avx512 {
              buckets &= seven[position * 128 + byte & 0x7F]
            } else {
              buckets &= low[position * 16 + byte & 0x0F] & high[position * 16 + byte >> 4]
            }
          }
          return buckets != 0
        }
      }
    }
  }

  /// The eight bytes of `bytes` at `offset` (the first in the low byte), zero past the end.
  static func window(in bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt64 {
    if offset + 8 <= bytes.count {
      return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
    var window: UInt64 = 0
    for index in offset..<bytes.count { window |= UInt64(bytes[index]) << (8 * UInt64(index - offset)) }
    return window
  }

  // MARK: - Building the tables

  private static func word(_ bytes: [UInt8], _ start: Int) -> UInt32 {
    UInt32(bytes[start]) | UInt32(bytes[start + 1]) << 8 | UInt32(bytes[start + 2]) << 16
      | UInt32(bytes[start + 3]) << 24
  }

  /// Sets bit `hash` of a bitmap of 32-bit words (a C array, imported as a tuple).
  private static func setBit<Bitmap>(_ bitmap: inout Bitmap, _ hash: UInt32) {
    withUnsafeMutableBytes(of: &bitmap) { raw in
      let words = raw.bindMemory(to: UInt32.self)
      words[Int(hash >> 5)] |= 1 << (hash & 31)
    }
  }

  /// Adds `bucket` to entry `nibble` of needle position `position` in a `[4][16]` table.
  private static func orNibble<Table>(_ table: inout Table, _ position: Int, _ nibble: Int, _ bucket: UInt8) {
    withUnsafeMutableBytes(of: &table) { raw in raw[position * 16 + nibble] |= bucket }
  }

  /// Adds `bucket` to entry `low7` of needle position `position` in a `[4][128]` table.
  private static func orByte<Table>(_ table: inout Table, _ position: Int, _ low7: Int, _ bucket: UInt8) {
    withUnsafeMutableBytes(of: &table) { raw in raw[position * 128 + low7] |= bucket }
  }

  /// The byte itself and, for an ASCII letter, its other case.
  private static func caseVariants(_ byte: UInt8) -> [UInt8] {
    switch byte {
    case 0x41...0x5A, 0x61...0x7A: [byte & ~0x20, byte | 0x20]
    default: [byte]
    }
  }

  /// The one of `offsets` whose `width`-byte window of `literal` occurs least in the sample
  /// (`count`), ties broken by a rough table of how common each byte is in log text.
  private static func rarestOffset<Offsets: Sequence<Int>>(
    _ literal: [UInt8], width: Int, offsets: Offsets, count: (Int) -> Int
  ) -> Int {
    var best = 0
    var bestCost = (Int.max, Int.max)
    for offset in offsets {
      let cost = (count(offset), literal[offset..<(offset + width)].reduce(0) { $0 + commonness($1) })
      if cost < bestCost {
        bestCost = cost
        best = offset
      }
    }
    return best
  }

  /// How common a folded byte is in log text, 0 (rare) to 12 (very common).
  private static func commonness(_ byte: UInt8) -> Int {
    switch byte {
    case 0x20: 12  // space
    case UInt8(ascii: "e"), UInt8(ascii: "t"), UInt8(ascii: "a"), UInt8(ascii: "o"), UInt8(ascii: "i"),
      UInt8(ascii: "n"), UInt8(ascii: "s"), UInt8(ascii: "r"):
      10
    case UInt8(ascii: "h"), UInt8(ascii: "l"), UInt8(ascii: "d"), UInt8(ascii: "c"), UInt8(ascii: "u"),
      UInt8(ascii: "m"):
      7
    case UInt8(ascii: "f"), UInt8(ascii: "p"), UInt8(ascii: "g"), UInt8(ascii: "w"), UInt8(ascii: "y"),
      UInt8(ascii: "b"), UInt8(ascii: "v"):
      5
    case UInt8(ascii: "0")...UInt8(ascii: "9"): 6
    case UInt8(ascii: "k"), UInt8(ascii: "x"), UInt8(ascii: "j"), UInt8(ascii: "q"), UInt8(ascii: "z"): 2
    default: 1
    }
  }
}
