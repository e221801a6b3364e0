/// Chooses the line filter for one input, and keeps it fitting as the input changes.
///
/// The filter is first tuned on a sample (the first worthwhile block): each literal is
/// represented by the windows that are rarest there. A log changes as it goes (a Windows
/// Update phase, an npm install), and a window that was rare in the sample can become common
/// later: every line that holds it then passes the filter and costs the automaton, without a
/// literal. The tuner counts, for the lines that passed without a literal, the window at the
/// position the kernel reported, and rebuilds the filter with those windows made expensive, so
/// that their literals are represented by other windows (or needles).
///
/// Used by one thread at a time; it learns from candidate sets whose automaton stage is done.
final class LineFilterTuner {
  private let ruleSet: CompiledRuleSet
  private let kernel: LineFilter.Kernel
  /// The rule set's literals prepared for the filter (nil when the kernel cannot take them).
  private var literals: LineFilter.Literals?
  /// The filter in use (the automaton alone until one is tuned).
  private(set) var choice = LineFilterChoice.automatonOnly
  /// The sample's window counts, kept for rebuilding.
  private var counts: LineFilter.WindowCounts?
  private var bytesBeforeFilter = 0
  /// False passes since the filter was first tuned, and the bytes they were counted over.
  private var falsePasses = LineFilter.FalsePassCounts()
  private var observedBytes = 0
  /// The current period: bytes scanned, lines passed, lines passed without a literal.
  private var periodBytes = 0
  private var periodPassed = 0
  private var periodFalse = 0
  /// How many bytes a period lasts: doubled when a rebuild did not help.
  private var periodLength = LineFilterTuner.initialPeriod
  /// The false-pass share of the period before the last rebuild, if there was one.
  private var shareBeforeRebuild: Double?
  /// How many times the filter was rebuilt (for tests and statistics).
  private(set) var rebuildCount = 0

  /// Bytes per period at first.
  static let initialPeriod = 8 << 20
  /// A period whose passed lines hold no literal at least this often triggers a rebuild.
  static let rebuildShare = 0.2
  /// ...and at least this many of them.
  static let rebuildMinimum = 1024

  /// A tuner for `ruleSet` with one of the kernel's implementations.
  init(ruleSet: CompiledRuleSet, kernel: LineFilter.Kernel = .best) {
    self.ruleSet = ruleSet
    self.kernel = kernel
  }

  /// The filter for the next block, tuning the first one on `block` when it is a worthwhile
  /// sample (a small input is scanned by the automaton alone: tuning would cost more).
  func filter(forNext block: UnsafeRawBufferPointer) -> LineFilterChoice {
    if counts == nil {
      let tune = tunes(onNext: block)
      bytesBeforeFilter += block.count
      if tune {
        let sampleCounts = LineFilter.WindowCounts(sample: block)
        counts = sampleCounts
        literals = LineFilter.Literals(ruleSet.prefilter.literalTexts)
        choice = LineFilterChoice(literals: literals, counts: sampleCounts, kernel: kernel)
      }
    }
    return choice
  }

  /// Whether `filter(forNext:)` tunes the filter on `block`: the first worthwhile sample.
  func tunes(onNext block: UnsafeRawBufferPointer) -> Bool {
    counts == nil
      && (block.count >= LineFilterChoice.worthwhileSample
        || bytesBeforeFilter + block.count >= LineFilterChoice.automatonOnlyLimit)
  }

  /// Learns from a candidate set whose automaton stage is done (`awaitsAutomaton` false):
  /// counts its false passes and rebuilds the filter when a period had too many.
  func learn(from part: CandidateSet) {
    guard let counts, choice.usesLineFilter, !part.awaitsAutomaton else { return }
    // Whether needles passed a window is asked of the filter in use now; the set may have been
    // scanned by the one before a rebuild (a few blocks in flight), which only blurs the count.
    let filter = choice.filter!
    falsePasses.add(windows: part.falsePassWindows, byNeedle: filter.needlesAccept)
    observedBytes += part.range.count
    periodBytes += part.range.count
    periodPassed += part.passedLineCount
    periodFalse += part.falsePassWindows.count
    // Counted once: the set is scanned again before it is learnt from again.
    part.falsePassWindows.removeAll(keepingCapacity: true)
    part.passedLineCount = 0
    guard periodBytes >= periodLength else { return }
    let share = periodPassed > 0 ? Double(periodFalse) / Double(periodPassed) : 0
    if let before = shareBeforeRebuild, share > before * 0.75 {
      // The last rebuild did not help much: look less often.
      periodLength *= 2
    }
    shareBeforeRebuild = nil
    if share >= LineFilterTuner.rebuildShare && periodFalse >= LineFilterTuner.rebuildMinimum {
      let penalized = counts.penalized(by: falsePasses, observedBytes: observedBytes)
      choice = LineFilterChoice(literals: literals, counts: penalized, kernel: kernel)
      rebuildCount += 1
      shareBeforeRebuild = share
    }
    periodBytes = 0
    periodPassed = 0
    periodFalse = 0
  }
}
