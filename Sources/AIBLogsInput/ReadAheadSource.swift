import Dispatch
import Synchronization

/// Reads another source on a second thread, a few chunks ahead, so that expensive decoding
/// (gzip inflate) overlaps with the analysis of what was already decoded.
///
/// The producer fills a ring of fixed-size slots; `read(into:)` copies out of them in order.
/// Errors are delivered in order too, after the bytes before them. Dropping the source before
/// the end stops the producer.
public final class ReadAheadSource: ByteSource {
  /// State shared by the two threads. Slots are handed over through the semaphores: a slot is
  /// written only by the producer between `free.wait()` and `filled.signal()`, and read only by
  /// the consumer between `filled.wait()` and `free.signal()`.
  private final class Ring: @unchecked Sendable {
    let slots: [Slot]
    let filled = DispatchSemaphore(value: 0)
    let free = DispatchSemaphore(value: 0)
    let done = DispatchSemaphore(value: 0)
    private let stopRequested = Atomic<Bool>(false)

    init(slotCount: Int, slotSize: Int) {
      slots = (0..<slotCount).map { _ in Slot(size: slotSize) }
      // Semaphores start at 0 and are signalled up: destroying one below its initial value traps.
      for _ in 0..<slotCount { free.signal() }
    }

    var shouldStop: Bool { stopRequested.load(ordering: .acquiring) }

    func requestStop() { stopRequested.store(true, ordering: .releasing) }

  }

  /// One chunk in flight. Each slot is its own object, so the two threads never share the
  /// storage of a Swift array (whose copy-on-write check would race even on distinct elements).
  private final class Slot: @unchecked Sendable {
    let buffer: UnsafeMutableRawBufferPointer
    var count = 0
    var error: InputError?

    init(size: Int) { buffer = .allocate(byteCount: size, alignment: 64) }

    deinit { buffer.deallocate() }
  }

  /// A source moved to the producer thread; only that thread uses it afterwards.
  private final class SourceBox: @unchecked Sendable {
    let source: ByteSource
    init(_ source: ByteSource) { self.source = source }
  }

  private let ring: Ring
  private var slot = 0
  private var offset = 0
  private var holding = false
  private var finished = false

  /// Starts reading `base` ahead on a background thread; `base` must not be used elsewhere.
  public init(base: ByteSource, slotCount: Int = 4, slotSize: Int = 1 << 20) {
    let ring = Ring(slotCount: max(2, slotCount), slotSize: max(1, slotSize))
    self.ring = ring
    let box = SourceBox(base)
    DispatchQueue.global(qos: .userInitiated).async {
      var index = 0
      while true {
        ring.free.wait()
        if ring.shouldStop { break }
        let slot = ring.slots[index]
        let buffer = slot.buffer
        var count = 0
        var failure: InputError?
        // Fill the slot (or stop at the end or an error) so the consumer gets large chunks.
        while count < buffer.count {
          let read: Int
          do throws(InputError) {
            read = try box.source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[count...]))
          } catch {
            failure = error
            break
          }
          if read == 0 { break }
          count += read
        }
        slot.count = count
        slot.error = failure
        ring.filled.signal()
        if count < buffer.count { break }  // the end of the input, or an error
        index = (index + 1) % ring.slots.count
      }
      ring.done.signal()
    }
  }

  deinit {
    ring.requestStop()
    ring.free.signal()  // wake the producer if it waits for a slot
    ring.done.wait()
  }

  /// Copies the next bytes out of the ring; 0 at the end.
  public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
    guard !finished, buffer.count > 0 else { return 0 }
    while true {
      if !holding {
        ring.filled.wait()
        holding = true
        offset = 0
      }
      let current = ring.slots[slot]
      let count = current.count
      if offset < count {
        let take = min(buffer.count, count - offset)
        buffer.baseAddress!.copyMemory(from: current.buffer.baseAddress! + offset, byteCount: take)
        offset += take
        return take
      }
      // This slot is used up.
      if let error = current.error {
        finished = true
        throw error
      }
      if count < current.buffer.count {
        finished = true
        return 0
      }
      holding = false
      ring.free.signal()
      slot = (slot + 1) % ring.slots.count
    }
  }
}
