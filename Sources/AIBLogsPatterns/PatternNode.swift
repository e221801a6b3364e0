import Yams

/// A node of a pattern file, as the loader reads it: a scalar (its text, and whether it was
/// quoted), a mapping or a sequence, each with where it starts in the file.
///
/// Pattern files are YAML, read through Yams into these nodes. The bundled library is read into
/// them from a compact form written at build time (`PatternNode(encoded:)`), which skips the
/// YAML parse that was most of every command's start-up; both paths give the same patterns,
/// positions included.
package indirect enum PatternNode: Sendable, Equatable {
  /// Text, with its 1-based line and column and whether it was quoted.
  case scalar(String, line: Int, column: Int, quoted: Bool)
  /// Key-value pairs in file order.
  case mapping([Pair], line: Int, column: Int)
  /// Items in file order.
  case sequence([PatternNode], line: Int, column: Int)

  /// A key and its value.
  package struct Pair: Sendable, Equatable {
    package let key: PatternNode
    package let value: PatternNode

    /// A key and its value.
    package init(key: PatternNode, value: PatternNode) {
      self.key = key
      self.value = value
    }
  }

  /// The node of a composed YAML document.
  init(_ node: Node) {
    let line = node.mark?.line ?? 0
    let column = node.mark?.column ?? 0
    switch node {
    case .scalar(let scalar):
      self = .scalar(
        scalar.string, line: line, column: column,
        quoted: scalar.style == .singleQuoted || scalar.style == .doubleQuoted)
    case .mapping(let mapping):
      self = .mapping(
        mapping.map { Pair(key: PatternNode($0.key), value: PatternNode($0.value)) }, line: line, column: column)
    case .sequence(let sequence):
      self = .sequence(sequence.map(PatternNode.init), line: line, column: column)
    case .alias:
      // Aliases are resolved by `compose`; one left over reads as an empty scalar.
      self = .scalar("", line: line, column: column, quoted: false)
    }
  }

  /// The 1-based line where the node starts (0 when unknown).
  var line: Int {
    switch self {
    case .scalar(_, let line, _, _), .mapping(_, let line, _), .sequence(_, let line, _): line
    }
  }

  /// The 1-based column where the node starts (0 when unknown).
  var column: Int {
    switch self {
    case .scalar(_, _, let column, _), .mapping(_, _, let column), .sequence(_, _, let column): column
    }
  }

  /// A scalar's text; nil for a mapping or a sequence.
  var string: String? {
    if case .scalar(let text, _, _, _) = self { return text }
    return nil
  }

  /// The column of a scalar's first character: a quoted scalar's text starts one column after
  /// its quote.
  var textColumn: Int { column + (isQuoted ? 1 : 0) }

  /// Whether the node is a quoted scalar.
  var isQuoted: Bool {
    if case .scalar(_, _, _, let quoted) = self { return quoted }
    return false
  }

  /// A mapping's pairs; nil otherwise.
  var mapping: [Pair]? {
    if case .mapping(let pairs, _, _) = self { return pairs }
    return nil
  }

  /// A sequence's items; nil otherwise.
  var sequence: [PatternNode]? {
    if case .sequence(let items, _, _) = self { return items }
    return nil
  }

  /// A scalar read as Yams reads a boolean (`true`, `false` and their other spellings; a
  /// quoted scalar is a string).
  var bool: Bool? {
    // `true` and `false` directly: the first scalar given to Yams builds its resolver, which
    // compiles a dozen ICU regexes (two fifths of loading the library). Other forms (`yes`,
    // `off`, `True`) go to Yams.
    if case .scalar(let text, _, _, false) = self {
      if text == "true" { return true }
      if text == "false" { return false }
    }
    return yamsScalar.flatMap(Bool.construct)
  }

  /// A scalar read as Yams reads an integer (a quoted scalar is a string).
  var int: Int? {
    // A plain decimal (`rank: 50`) directly: Yams resolves a scalar's type through regexes (a
    // third of loading the library went to reading the ranks). Other forms (`0x1F`, `0o17`,
    // `1_000`, a leading 0) go to Yams, which knows YAML's rules for them.
    if case .scalar(let text, _, _, false) = self, let value = PatternNode.plainDecimal(text) { return value }
    return yamsScalar.flatMap(Int.construct)
  }

  /// `text` as an integer when it is `0` or a decimal without a leading zero, with an optional
  /// `-`; nil otherwise.
  static func plainDecimal(_ text: String) -> Int? {
    let digits = text.utf8.first == UInt8(ascii: "-") ? text.utf8.dropFirst() : text.utf8[...]
    guard let first = digits.first, digits.count <= 18, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
      first != 0x30 || digits.count == 1
    else { return nil }
    return Int(text)
  }

  /// A scalar as Yams composes it (its tag and style are what `bool` and `int` look at).
  private var yamsScalar: Node.Scalar? {
    guard case .scalar(let text, _, _, let quoted) = self else { return nil }
    return quoted ? Node.Scalar(text, Tag(.str), .singleQuoted) : Node.Scalar(text, .implicit, .plain)
  }

  /// Reads the compact form `EmbedPatternsTool` writes: in pre-order, a scalar is
  /// `s<line>,<column>,<quoted 0|1>,<UTF-8 length>:<text>`, a mapping `m<line>,<column>,<pairs>:`
  /// followed by its keys and values, a sequence `q<line>,<column>,<items>:` followed by its
  /// items. Returns nil when `encoded` is not exactly one node of that form.
  package init?(encoded: String) {
    var bytes = Array(encoded.utf8)
    let node = bytes.withUnsafeMutableBufferPointer { buffer -> PatternNode? in
      var reader = EncodedReader(bytes: UnsafeBufferPointer(buffer))
      guard let node = reader.node(), reader.index == buffer.count else { return nil }
      return node
    }
    guard let node else { return nil }
    self = node
  }
}

/// A cursor over the compact form of `PatternNode(encoded:)`.
private struct EncodedReader {
  let bytes: UnsafeBufferPointer<UInt8>
  var index = 0

  /// A decimal number ended by `terminator`, which is consumed.
  mutating func number(endingWith terminator: UInt8) -> Int? {
    var value = 0
    var digits = 0
    while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39, digits < 18 {
      value = value * 10 + Int(bytes[index] - 0x30)
      index += 1
      digits += 1
    }
    guard digits > 0, index < bytes.count, bytes[index] == terminator else { return nil }
    index += 1
    return value
  }

  mutating func node() -> PatternNode? {
    guard index < bytes.count else { return nil }
    let kind = bytes[index]
    index += 1
    guard let line = number(endingWith: 0x2C), let column = number(endingWith: 0x2C) else { return nil }
    switch kind {
    case UInt8(ascii: "s"):
      guard let quoted = number(endingWith: 0x2C), let length = number(endingWith: 0x3A),
        length <= bytes.count - index
      else { return nil }
      let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<(index + length)]), as: UTF8.self)
      index += length
      return .scalar(text, line: line, column: column, quoted: quoted == 1)
    case UInt8(ascii: "m"):
      guard let count = number(endingWith: 0x3A) else { return nil }
      var pairs: [PatternNode.Pair] = []
      pairs.reserveCapacity(count)
      for _ in 0..<count {
        guard let key = node(), let value = node() else { return nil }
        pairs.append(PatternNode.Pair(key: key, value: value))
      }
      return .mapping(pairs, line: line, column: column)
    case UInt8(ascii: "q"):
      guard let count = number(endingWith: 0x3A) else { return nil }
      var items: [PatternNode] = []
      items.reserveCapacity(count)
      for _ in 0..<count {
        guard let item = node() else { return nil }
        items.append(item)
      }
      return .sequence(items, line: line, column: column)
    default:
      return nil
    }
  }
}
