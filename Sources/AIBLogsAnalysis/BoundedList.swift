/// A list whose length follows the input (a run's customizers, its phases) kept in bounded
/// memory: its first `headLimit` items, its last `tailLimit` items, and any item in between that
/// the caller pins because something still points at it. The items in between that are not
/// pinned are only counted. Indices are positions among all items appended, kept or not.
struct BoundedList<Element> {
  /// How many of the first items are kept.
  let headLimit: Int
  /// How many of the last items are kept.
  let tailLimit: Int
  /// How many items were appended, kept or not.
  private(set) var count = 0
  private var head: [Element] = []
  /// The last items, oldest first: the item at `tail[0]` has index `tailStart`.
  private var tail: [Element] = []
  private var pinned: [Int: Element] = [:]

  init(headLimit: Int, tailLimit: Int) {
    precondition(headLimit >= 0 && tailLimit >= 1)
    self.headLimit = headLimit
    self.tailLimit = tailLimit
  }

  private var tailStart: Int { count - tail.count }

  var isEmpty: Bool { count == 0 }

  /// The last item appended.
  var last: Element? { tail.last ?? head.last }

  /// How many items between the head and the tail are neither kept nor pinned.
  var elidedCount: Int { count - head.count - tail.count - pinned.count }

  /// The indices of the first and the last item that left the tail (pinned ones among them are
  /// still kept); nil when every item is kept.
  var leftOutRange: ClosedRange<Int>? {
    tailStart > head.count ? head.count...(tailStart - 1) : nil
  }

  /// Whether the item at `index` is kept.
  func contains(_ index: Int) -> Bool {
    guard index >= 0 && index < count else { return false }
    return index < head.count || index >= tailStart || pinned[index] != nil
  }

  /// The kept item at `index` (which must be kept: see `contains`).
  subscript(index: Int) -> Element {
    get {
      if index < head.count { return head[index] }
      if index >= tailStart { return tail[index - tailStart] }
      return pinned[index]!
    }
    set {
      if index < head.count {
        head[index] = newValue
      } else if index >= tailStart {
        tail[index - tailStart] = newValue
      } else {
        precondition(pinned[index] != nil, "index \(index) was not kept")
        pinned[index] = newValue
      }
    }
  }

  /// Appends `element`. Returns the item that left the tail to make room, with its index: it is
  /// no longer kept unless the caller pins it.
  mutating func append(_ element: Element) -> (index: Int, element: Element)? {
    count += 1
    if head.count < headLimit && tail.isEmpty {
      head.append(element)
      return nil
    }
    tail.append(element)
    guard tail.count > tailLimit else { return nil }
    let index = count - tail.count
    return (index, tail.removeFirst())
  }

  /// Keeps `element`, the item at `index` that left the tail.
  mutating func pin(_ index: Int, _ element: Element) {
    pinned[index] = element
  }

  /// Stops keeping the pinned items for which `isStale` is true.
  mutating func unpin(where isStale: (Int) -> Bool) {
    for index in pinned.keys where isStale(index) { pinned[index] = nil }
  }

  /// The indices of the pinned items.
  var pinnedIndices: [Int] { pinned.keys.sorted() }

  /// The indices of the kept items, in order.
  var keptIndices: [Int] {
    Array(0..<head.count) + pinnedIndices + Array(tailStart..<count)
  }

  /// The kept items, in order.
  var kept: [Element] { keptIndices.map { self[$0] } }

  /// The index of the last kept item that satisfies `predicate`.
  func lastIndex(where predicate: (Element) -> Bool) -> Int? {
    keptIndices.reversed().first { predicate(self[$0]) }
  }

  /// The last kept item that satisfies `predicate`.
  func last(where predicate: (Element) -> Bool) -> Element? {
    lastIndex(where: predicate).map { self[$0] }
  }
}
