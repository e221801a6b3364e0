/// A place in a source text.
public struct SourcePosition: Sendable, Hashable, Codable, Comparable {
  /// The 1-based line.
  public var line: Int
  /// The 1-based column, counted in Unicode scalars (a tab counts as one).
  public var column: Int
  /// The 0-based byte offset in the UTF-8 text.
  public var offset: Int

  /// Creates a position.
  public init(line: Int, column: Int, offset: Int) {
    self.line = line
    self.column = column
    self.offset = offset
  }

  /// Orders by offset.
  public static func < (lhs: SourcePosition, rhs: SourcePosition) -> Bool { lhs.offset < rhs.offset }
}

/// A JSON value parsed from a file, with where it starts and ends.
public struct JSONNode: Sendable {
  /// The value and its children.
  public enum Content: Sendable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number without fraction or exponent that fits in `Int`.
    case integer(Int)
    /// Any other number.
    case double(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONNode])
    /// An object, members in file order (repeated keys kept).
    case object([JSONMember])
  }

  /// The value.
  public var content: Content
  /// Where the value starts (its first character).
  public var start: SourcePosition
  /// Just after the value's last character.
  public var end: SourcePosition

  /// Creates a node.
  public init(content: Content, start: SourcePosition, end: SourcePosition) {
    self.content = content
    self.start = start
    self.end = end
  }

  /// The value without positions.
  public var value: JSONValue {
    switch content {
    case .null: .null
    case .bool(let value): .bool(value)
    case .integer(let value): .integer(value)
    case .double(let value): .double(value)
    case .string(let value): .string(value)
    case .array(let elements): .array(elements.map(\.value))
    case .object(let members): .object(members.map { JSONMemberValue(key: $0.key, value: $0.value.value) })
    }
  }

  /// The member `key` of an object (the last one when a key repeats), or nil when it is
  /// absent or `null` (the service reads both the same way).
  public subscript(key: String) -> JSONNode? {
    guard let value = member(key)?.value, !value.isNull else { return nil }
    return value
  }

  /// The member `key` of an object with its key position (the last one when a key repeats).
  public func member(_ key: String) -> JSONMember? {
    guard case .object(let members) = content else { return nil }
    return members.last { $0.key == key }
  }

  /// The members of an object, or nil for any other value.
  public var members: [JSONMember]? {
    if case .object(let members) = content { return members }
    return nil
  }

  /// The elements of an array, or nil for any other value.
  public var elements: [JSONNode]? {
    if case .array(let elements) = content { return elements }
    return nil
  }

  /// The string, or nil for any other value.
  public var string: String? {
    if case .string(let value) = content { return value }
    return nil
  }

  /// The integer, or nil for any other value (a whole `double` such as `240.0` counts).
  public var integer: Int? {
    switch content {
    case .integer(let value): return value
    case .double(let value) where value == value.rounded() && abs(value) < 1e15: return Int(value)
    default: return nil
    }
  }

  /// Whether the value is a number.
  public var isNumber: Bool {
    switch content {
    case .integer, .double: true
    default: false
    }
  }

  /// The Boolean, or nil for any other value.
  public var bool: Bool? {
    if case .bool(let value) = content { return value }
    return nil
  }

  /// Whether the value is `null`.
  public var isNull: Bool {
    if case .null = content { return true }
    return false
  }

  /// Whether the value is an ARM template expression (`"[parameters('size')]"`), whose value
  /// is only known at deployment; rules do not judge it. `"[[..."` is an escaped literal.
  public var isExpression: Bool {
    guard let text = string else { return false }
    return text.hasPrefix("[") && !text.hasPrefix("[[") && text.hasSuffix("]")
  }

  /// A short name of the JSON type, for messages (`a string`, `a number`).
  public var typeDescription: String {
    switch content {
    case .null: "null"
    case .bool: "a Boolean"
    case .integer, .double: "a number"
    case .string: "a string"
    case .array: "an array"
    case .object: "an object"
    }
  }
}

/// One member of a parsed object: its key, where the key is, and its value.
public struct JSONMember: Sendable {
  /// The member name.
  public var key: String
  /// Where the key's opening quote is.
  public var keyStart: SourcePosition
  /// The value.
  public var value: JSONNode

  /// Creates a member.
  public init(key: String, keyStart: SourcePosition, value: JSONNode) {
    self.key = key
    self.keyStart = keyStart
    self.value = value
  }
}
