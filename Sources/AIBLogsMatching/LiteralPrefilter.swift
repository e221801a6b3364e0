/// An Aho-Corasick automaton over literals, compiled into a full byte DFA, that finds which
/// literals occur in a block of text, ASCII case-insensitively.
///
/// States are stored pre-multiplied by 256, so one step is `state = table[state | byte]`.
/// Accepting states are numbered last, so "did something match here" is one comparison. It
/// reports a superset of the lines the rules can match; the regexes decide.
public struct LiteralPrefilter: Sendable {
  /// The transition table, `stateCount * 256` entries of pre-multiplied states.
  private let table: [UInt32]
  /// Pre-multiplied states at or above this value are accepting.
  private let firstAccepting: UInt32
  /// For each accepting state (index = state / 256 - first accepting index), the tags of the
  /// literals that end there.
  private let outputs: [[Int]]
  private let firstAcceptingIndex: Int

  /// Builds the automaton; `literals` pairs each literal with a tag (e.g. a rule index).
  public init(literals: [(text: String, tag: Int)]) {
    // 1. Trie over lowercased bytes.
    var goto: [[Int32]] = [[Int32](repeating: -1, count: 256)]
    var out: [Set<Int>] = [[]]
    for (text, tag) in literals {
      var state = 0
      for byte in text.utf8 {
        let folded = Int(LiteralPrefilter.lower(byte))
        if goto[state][folded] < 0 {
          goto.append([Int32](repeating: -1, count: 256))
          out.append([])
          goto[state][folded] = Int32(goto.count - 1)
        }
        state = Int(goto[state][folded])
      }
      out[state].insert(tag)
    }
    // 2. Failure links in BFS order, completing the DFA.
    let count = goto.count
    var fail = [Int](repeating: 0, count: count)
    var delta = [[Int32]](repeating: [Int32](repeating: 0, count: 256), count: count)
    var queue: [Int] = []
    for byte in 0..<256 {
      let next = goto[0][byte]
      if next >= 0 {
        delta[0][byte] = next
        fail[Int(next)] = 0
        queue.append(Int(next))
      } else {
        delta[0][byte] = 0
      }
    }
    var head = 0
    while head < queue.count {
      let state = queue[head]
      head += 1
      out[state].formUnion(out[fail[state]])
      for byte in 0..<256 {
        let next = goto[state][byte]
        if next >= 0 {
          fail[Int(next)] = Int(delta[fail[state]][byte])
          delta[state][byte] = next
          queue.append(Int(next))
        } else {
          delta[state][byte] = delta[fail[state]][byte]
        }
      }
    }
    // Outputs must be complete before renumbering: BFS order guarantees fail[state] was done.
    // 3. Renumber: non-accepting states first (state 0 stays 0), accepting states last.
    var order = (0..<count).filter { out[$0].isEmpty }
    let accepting = (0..<count).filter { !out[$0].isEmpty }
    order += accepting
    var newIndex = [Int](repeating: 0, count: count)
    for (index, state) in order.enumerated() { newIndex[state] = index }
    var flat = [UInt32](repeating: 0, count: count * 256)
    for (index, state) in order.enumerated() {
      for byte in 0..<256 {
        let target = newIndex[Int(delta[state][Int(LiteralPrefilter.lower(UInt8(byte)))])]
        flat[index * 256 + byte] = UInt32(target * 256)
      }
    }
    table = flat
    firstAcceptingIndex = count - accepting.count
    firstAccepting = UInt32(firstAcceptingIndex * 256)
    outputs = accepting.map { out[$0].sorted() }
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
        state = transitions[Int(state | UInt32(base[index]))]
        if state >= threshold {
          hit(index, outputs[Int(state >> 8) - firstAcceptingIndex])
        }
        index &+= 1
      }
    }
  }
}
