import AIBLogsInput
import Dispatch
import Synchronization

/// Reads and prefilters blocks on a second thread while the calling thread verifies and
/// analyses the blocks before them: the literal scan and the regexes overlap instead of taking
/// turns.
///
/// The worker owns the `LineReader`: it copies each block (and its context tail) into one of a
/// few slots, finds the candidate lines there and hands the slot over; the caller runs the
/// regexes and its own callbacks on it, in order, then gives the slot back. A caller with no
/// slot queued gets the next block unscanned and finds its candidates itself, so that both
/// threads scan when the worker is the slower. Read errors arrive after every block before
/// them, as with `LineReader.forEachBlock`.
///
/// The caller numbers the lines, from each block's LF count, which the scan takes as a
/// by-product on whichever thread scans: the reader counts none (it would count a handed-over
/// block a second time, 2.6% of the analysis's CPU). Use `lineCount` and
/// `firstCutLineNumber` here, not the reader's.
public final class ScanPipeline {
  /// One block in flight: its bytes, its context tail, where it starts, and its candidates.
  private final class Slot: @unchecked Sendable {
    let bytes: UnsafeMutableRawBufferPointer
    let tail: UnsafeMutableRawBufferPointer
    var count = 0
    /// The block's bytes: in `bytes`, or in the reader's buffer when it outlives the callback.
    var view = UnsafeRawBufferPointer(start: nil, count: 0)
    var tailCount = 0
    var isCut = false
    var isEnd = false
    var error: InputError?
    let candidates = CandidateSet()
    /// Set when the worker handed the block over unscanned (the caller had nothing queued):
    /// the caller scans it with `filter`.
    var needsScan = false
    var filter = LineFilterChoice.automatonOnly

    init(capacity: Int) {
      bytes = .allocate(byteCount: capacity, alignment: 64)
      tail = .allocate(byteCount: LineReader.tailCapacity, alignment: 64)
    }

    deinit {
      bytes.deallocate()
      tail.deallocate()
    }
  }

  /// What the two threads share. A slot is written only by the worker between `free.wait()` and
  /// `filled.signal()`, and read only by the caller between `filled.wait()` and `free.signal()`.
  private final class Shared: @unchecked Sendable {
    let slots: [Slot]
    let filled = DispatchSemaphore(value: 0)
    let free = DispatchSemaphore(value: 0)
    let done = DispatchSemaphore(value: 0)
    let reader: LineReader
    let ruleSet: CompiledRuleSet
    /// Filled slots the caller has not taken yet: when there are none, the caller is idle (or
    /// about to be) and scans the next block itself.
    let backlog = Atomic<Int>(0)
    /// Written by the worker before it signals `done`.
    var filterRebuildCount = 0

    init(reader: LineReader, ruleSet: CompiledRuleSet, slotCount: Int, capacity: Int) {
      self.reader = reader
      self.ruleSet = ruleSet
      slots = (0..<slotCount).map { _ in Slot(capacity: capacity) }
      // Semaphores start at 0 and are signalled up: destroying one below its start value traps.
      for _ in 0..<slotCount { free.signal() }
    }
  }

  private let scanner: RuleScanner
  /// How many times the last `run` rebuilt its line filter (see `LineFilterTuner`).
  private(set) var filterRebuildCount = 0
  /// The number of lines `run` handed out (also after a read error).
  public private(set) var lineCount = 0
  /// The number of the first line the reader cut at its length limit, if any.
  public private(set) var firstCutLineNumber: Int?

  /// How many blocks are in flight between the two threads.
  static let slotCount = 3

  /// A `LineReader` with this many buffers keeps each block valid while the pipeline holds it,
  /// so that blocks are not copied into the pipeline's slots.
  public static let readerBufferCount = slotCount + 1

  /// Creates a pipeline that verifies with `scanner` (which keeps its counts and limit hits).
  public init(scanner: RuleScanner) {
    self.scanner = scanner
  }

  /// Reads all of `reader` and calls `onBlock` then `onLine` for each matched line of each
  /// block, in order, on the calling thread. `reader` must not be used elsewhere until this
  /// returns.
  public func run(
    reader: LineReader, onBlock: (LineBlock) -> Void, onLine: (MatchedLine) -> Void
  ) throws(InputError) {
    let inPlace = reader.blockLifetime >= ScanPipeline.slotCount
    let shared = Shared(
      reader: reader, ruleSet: scanner.ruleSet, slotCount: ScanPipeline.slotCount,
      capacity: inPlace ? 0 : reader.maxBlockSize)
    DispatchQueue.global(qos: .userInitiated).async {
      var index = 0
      var failure: InputError?
      let tuner = LineFilterTuner(ruleSet: shared.ruleSet)
      // The filter's sample (the first worthwhile block) and the blocks after it until the
      // filter is tuned go to the caller unscanned, to be scanned by the automaton alone: this
      // thread tunes the filter (about 5 ms) once the slots hold the sample and the next
      // blocks, so that the caller has work meanwhile (it waited for the tuning before).
      var sample: UnsafeRawBufferPointer?
      var blocksUntilTuning = 0
      do throws(InputError) {
        try shared.reader.forEachBlock { block in
          let isSample = sample == nil && tuner.tunes(onNext: block.bytes)
          let awaitsFilter = isSample || sample != nil
          let filter = awaitsFilter ? LineFilterChoice.automatonOnly : tuner.filter(forNext: block.bytes)
          shared.free.wait()
          let slot = shared.slots[index]
          // The caller is done with this slot's last block: learn from its passed lines.
          tuner.learn(from: slot.candidates)
          slot.count = block.bytes.count
          if inPlace {
            slot.view = block.bytes
          } else {
            if let source = block.bytes.baseAddress, slot.count > 0 {
              slot.bytes.baseAddress!.copyMemory(from: source, byteCount: slot.count)
            }
            slot.view = UnsafeRawBufferPointer(start: slot.bytes.baseAddress, count: slot.count)
          }
          slot.tailCount = block.previousTail.count
          if let source = block.previousTail.baseAddress, slot.tailCount > 0 {
            slot.tail.baseAddress!.copyMemory(from: source, byteCount: slot.tailCount)
          }
          slot.isCut = block.isCut
          block.newlineCount.isNumberedByConsumer = true
          slot.isEnd = false
          slot.error = nil
          // Balance the threads: when the caller has nothing queued, it scans this block itself
          // while this thread reads the next. The worker alone scanned every block before, and
          // the caller waited about 65 ms per GB for it; now about 20 ms.
          slot.needsScan = awaitsFilter || shared.backlog.load(ordering: .acquiring) == 0
          if slot.needsScan {
            slot.filter = filter
          } else {
            RuleScanner.findCandidates(
              in: slot.view, ruleSet: shared.ruleSet,
              filter: filter, into: slot.candidates,
              finishing: shared.backlog.load(ordering: .acquiring) > 0)
          }
          shared.backlog.add(1, ordering: .releasing)
          shared.filled.signal()
          if isSample {
            // Its bytes stay valid until this thread fills its slot again (a copy), or the
            // reader hands out `blockLifetime` more blocks (in place): both after the tuning.
            sample = slot.view
            blocksUntilTuning = ScanPipeline.slotCount - 1
          } else if let pending = sample {
            blocksUntilTuning -= 1
            if blocksUntilTuning == 0 {
              _ = tuner.filter(forNext: pending)
              sample = nil
            }
          }
          index = (index + 1) % shared.slots.count
        }
      } catch {
        failure = error
      }
      shared.filterRebuildCount = tuner.rebuildCount
      shared.free.wait()
      let last = shared.slots[index]
      last.isEnd = true
      last.error = failure
      shared.filled.signal()
      shared.done.signal()
    }
    var index = 0
    var failure: InputError?
    lineCount = 0
    firstCutLineNumber = nil
    while true {
      shared.filled.wait()
      let slot = shared.slots[index]
      if slot.isEnd {
        failure = slot.error
        shared.free.signal()
        break
      }
      let block = LineBlock(
        bytes: slot.view,
        firstLineNumber: lineCount + 1,
        previousTail: UnsafeRawBufferPointer(start: slot.tail.baseAddress, count: slot.tailCount), isCut: slot.isCut)
      if slot.isCut && firstCutLineNumber == nil { firstCutLineNumber = lineCount + 1 }
      shared.backlog.subtract(1, ordering: .releasing)
      if slot.needsScan {
        RuleScanner.findCandidates(
          in: slot.view, ruleSet: shared.ruleSet, filter: slot.filter, into: slot.candidates)
      }
      RuleScanner.finishCandidates(slot.candidates, ruleSet: shared.ruleSet)
      lineCount += block.lineCount(newlines: slot.candidates.newlines)
      onBlock(block)
      scanner.verify(block, candidates: CollectionOfOne(slot.candidates), onLine)
      shared.free.signal()
      index = (index + 1) % shared.slots.count
    }
    shared.done.wait()
    filterRebuildCount = shared.filterRebuildCount
    if let failure { throw failure }
  }
}
