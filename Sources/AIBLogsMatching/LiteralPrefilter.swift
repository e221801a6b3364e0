/// An Aho-Corasick automaton over literals, compiled into a full byte DFA, that finds which
/// literals occur in a block of text, ASCII case-insensitively.
///
/// Bytes are first mapped to classes (each byte that occurs in a literal, case-folded, and one
/// class for all others), which keeps the table small for the caches. States are stored
/// pre-multiplied by the class count (a power of two), so one step is
/// `state = table[state | class[byte]]`.
/// Accepting states are numbered last, so "did something match here" is one comparison. It
/// reports a superset of the lines the rules can match; the regexes decide.
public struct LiteralPrefilter: Sendable {
  /// The transition table, `stateCount * classCount` entries of pre-multiplied states.
  private let table: [UInt32]
  /// The class of each byte.
  private let classes: [UInt8]
  /// log2 of the class count.
  private let classShift: UInt32
  /// Pre-multiplied states at or above this value are accepting.
  private let firstAccepting: UInt32
  /// For each accepting state (index = state / 256 - first accepting index), the tags of the
  /// literals that end there.
  private let outputs: [[Int]]
  private let firstAcceptingIndex: Int
  /// The literals, for building a `LineFilter` for an input.
  let literalTexts: [String]

  /// Builds the automaton; `literals` pairs each literal with a tag (e.g. a rule index).
  ///
  /// Built over byte classes from the start (each folded byte of a literal is its own class,
  /// every other byte is class 0), in flat arrays: a few hundred kilobytes instead of a
  /// 256-entry row per state, which made this most of the start-up time.
  public init(literals: [(text: String, tag: Int)]) {
    // 1. Byte classes.
    var classOf = [UInt8](repeating: 0, count: 256)
    var classCount = 1
    for (text, _) in literals {
      for byte in text.utf8 {
        let folded = Int(LiteralPrefilter.lower(byte))
        if classOf[folded] == 0 && classCount < 255 {
          classOf[folded] = UInt8(classCount)
          classCount += 1
        }
      }
    }
    for byte in 0..<256 { classOf[byte] = classOf[Int(LiteralPrefilter.lower(UInt8(byte)))] }
    var shift: UInt32 = 0
    while (1 << shift) < classCount { shift += 1 }
    let width = 1 << Int(shift)
    // 2. Trie over classes: `goto[state * width + class]`, -1 where there is no edge.
    // Sized once for the most states there can be (one per literal byte): grown by appending,
    // it was copied at each doubling, and each copy touched fresh pages.
    var goto = [Int32](repeating: -1, count: width)
    goto.reserveCapacity((literals.reduce(0) { $0 + $1.text.utf8.count } + 1) * width)
    var out: [[Int]] = [[]]
    for (text, tag) in literals {
      var state = 0
      for byte in text.utf8 {
        let slot = state * width + Int(classOf[Int(byte)])
        if goto[slot] < 0 {
          goto[slot] = Int32(out.count)
          goto.append(contentsOf: repeatElement(-1, count: width))
          out.append([])
        }
        state = Int(goto[slot])
      }
      if !out[state].contains(tag) { out[state].append(tag) }
    }
    // 3. Failure links in BFS order, completing the DFA in place of `goto`.
    let count = out.count
    var fail = [Int](repeating: 0, count: count)
    // Completed in place: the trie is not needed after.
    var delta: [Int32] = []
    swap(&delta, &goto)
    var queue: [Int] = []
    queue.reserveCapacity(count)
    for cls in 0..<width {
      let next = delta[cls]
      if next >= 0 {
        queue.append(Int(next))
      } else {
        delta[cls] = 0
      }
    }
    var head = 0
    // The rows through buffer pointers: a checked array write per entry was most of the build
    // (half a million entries), which runs before the first block can be scanned.
    delta.withUnsafeMutableBufferPointer { delta in
      while head < queue.count {
        let state = queue[head]
        head += 1
        for tag in out[fail[state]] where !out[state].contains(tag) { out[state].append(tag) }
        let row = state * width
        let failRow = fail[state] * width
        // Columns past the class count are never indexed: they stay -1 and become 0 below.
        for cls in 0..<classCount {
          let next = delta[row + cls]
          if next >= 0 {
            fail[Int(next)] = Int(delta[failRow + cls])
            queue.append(Int(next))
          } else {
            delta[row + cls] = delta[failRow + cls]
          }
        }
      }
    }
    // Outputs must be complete before renumbering: BFS order guarantees fail[state] was done.
    // 4. Renumber: non-accepting states first (state 0 stays 0), accepting states last.
    // Accepting states start at a power of two, so that "any of several lanes accepts" is one
    // OR and one comparison.
    let plain = (0..<count).filter { out[$0].isEmpty }
    let accepting = (0..<count).filter { !out[$0].isEmpty }
    var firstIndex = 1
    while firstIndex < plain.count { firstIndex <<= 1 }
    var newIndex = [Int](repeating: 0, count: count)
    for (index, state) in plain.enumerated() { newIndex[state] = index }
    for (index, state) in accepting.enumerated() { newIndex[state] = firstIndex + index }
    // The rows between the last plain state and `firstIndex` belong to no state and are never
    // read: left untouched, their pages cost neither memory nor page faults (they were half of
    // the table, and zeroing them most of the start-up's page faults).
    let flat = [UInt32](unsafeUninitializedCapacity: (firstIndex + accepting.count) * width) { flat, initialized in
      delta.withUnsafeBufferPointer { delta in
        newIndex.withUnsafeBufferPointer { newIndex in
          for state in 0..<count {
            let row = newIndex[state] * width
            for cls in 0..<classCount {
              flat[row + cls] = UInt32(newIndex[Int(delta[state * width + cls])] * width)
            }
            // Columns past the class count are never indexed either; set for tidiness.
            for cls in classCount..<width { flat[row + cls] = 0 }
          }
        }
      }
      initialized = flat.count
    }
    table = flat
    classes = classOf
    classShift = shift
    firstAcceptingIndex = firstIndex
    firstAccepting = UInt32(firstIndex * width)
    outputs = accepting.map { out[$0].sorted() }
    literalTexts = literals.map(\.text)
  }

  @inline(__always)
  static func lower(_ byte: UInt8) -> UInt8 {
    byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
  }

  /// Calls `hit` with the offset of the last byte of each literal occurrence and the tags of
  /// the literals that end there.
  public func scan(_ bytes: UnsafeRawBufferPointer, _ hit: (Int, [Int]) -> Void) {
    guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
    table.withUnsafeBufferPointer { table in
      let transitions = table.baseAddress!
      let threshold = firstAccepting
      var state: UInt32 = 0
      var index = 0
      let count = bytes.count
      while index < count {
        state = transitions[Int(state | UInt32(classes[Int(base[index])]))]
        if state >= threshold {
          hit(index, outputs[Int(state >> classShift) - firstAcceptingIndex])
        }
        index &+= 1
      }
    }
  }

  /// The number of accepting states; `scanLanes` reports hits by their index.
  public var acceptingStateCount: Int { outputs.count }

  /// The tags of accepting state `index`.
  public func tags(ofAcceptingState index: Int) -> [Int] { outputs[index] }

  /// Scans `bytes` as four line-aligned lanes in lock step (four independent load chains
  /// instead of one) and appends each hit as (offset, accepting state index) to `hits`, in
  /// offset order.
  public func scanLanes(_ bytes: UnsafeRawBufferPointer, into hits: inout [(offset: Int, state: Int)]) {
    var lanes = LaneBuffers()
    scanLanes(bytes, into: &hits, lanes: &lanes)
  }

  /// Per-lane hit buffers, kept by a caller between scans so that they are not reallocated.
  public struct LaneBuffers {
    var hits: [[(offset: Int, state: Int)]] = [[], [], [], []]

    /// Empty buffers.
    public init() {}
  }

  /// `scanLanes(_:into:)` with the caller's lane buffers.
  public func scanLanes(
    _ bytes: UnsafeRawBufferPointer, into hits: inout [(offset: Int, state: Int)], lanes: inout LaneBuffers
  ) {
    guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count > 0 else { return }
    let count = bytes.count
    // Lane boundaries just after a newline, so no literal spans two lanes.
    var bounds = [0, 0, 0, 0, count]
    for lane in 1..<4 {
      var cut = max(bounds[lane - 1], count * lane / 4)
      while cut < count && base[cut &- 1] != 0x0A { cut &+= 1 }
      bounds[lane] = min(cut, count)
    }
    for lane in 0..<4 { lanes.hits[lane].removeAll(keepingCapacity: true) }
    var laneHits = lanes.hits
    lanes.hits = []
    defer { lanes.hits = laneHits }
    classes.withUnsafeBufferPointer { classBuffer in
      table.withUnsafeBufferPointer { table in
        let t = table.baseAddress!
        let c = classBuffer.baseAddress!
        let threshold = firstAccepting
        let firstIndex = firstAcceptingIndex
        var p0 = bounds[0]
        var p1 = bounds[1]
        var p2 = bounds[2]
        var p3 = bounds[3]
        var s0: UInt32 = 0
        var s1: UInt32 = 0
        var s2: UInt32 = 0
        var s3: UInt32 = 0
        let steps = min(bounds[1] - bounds[0], bounds[2] - bounds[1], bounds[3] - bounds[2], bounds[4] - bounds[3])
        var step = 0
        while step < steps {
          s0 = t[Int(s0 | UInt32(c[Int(base[p0])]))]
          s1 = t[Int(s1 | UInt32(c[Int(base[p1])]))]
          s2 = t[Int(s2 | UInt32(c[Int(base[p2])]))]
          s3 = t[Int(s3 | UInt32(c[Int(base[p3])]))]
          if (s0 | s1 | s2 | s3) >= threshold {
            // Only the lanes that accept call out (usually one of the four).
            if s0 >= threshold { LiteralPrefilter.record(s0, p0, 0, firstIndex, classShift, &laneHits) }
            if s1 >= threshold { LiteralPrefilter.record(s1, p1, 1, firstIndex, classShift, &laneHits) }
            if s2 >= threshold { LiteralPrefilter.record(s2, p2, 2, firstIndex, classShift, &laneHits) }
            if s3 >= threshold { LiteralPrefilter.record(s3, p3, 3, firstIndex, classShift, &laneHits) }
          }
          p0 &+= 1
          p1 &+= 1
          p2 &+= 1
          p3 &+= 1
          step &+= 1
        }
        // Finish each lane on its own.
        var states = [s0, s1, s2, s3]
        var positions = [p0, p1, p2, p3]
        for lane in 0..<4 {
          var state = states[lane]
          var position = positions[lane]
          let end = bounds[lane + 1]
          while position < end {
            state = t[Int(state | UInt32(c[Int(base[position])]))]
            if state >= threshold {
              LiteralPrefilter.record(state, position, lane, firstIndex, classShift, &laneHits)
            }
            position &+= 1
          }
          states[lane] = state
          positions[lane] = position
        }
      }
    }
    for lane in 0..<4 { hits.append(contentsOf: laneHits[lane]) }
  }

  @inline(never)
  private static func record(
    _ state: UInt32, _ position: Int, _ lane: Int, _ firstIndex: Int, _ shift: UInt32,
    _ hits: inout [[(offset: Int, state: Int)]]
  ) {
    hits[lane].append((position, Int(state >> shift) - firstIndex))
  }
}
