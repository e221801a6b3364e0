/// One RFC 6902 JSON Patch operation.
public struct JSONPatchOperation: Sendable, Equatable, Codable {
  /// The operation: `add`, `remove`, `replace`, `move`, `copy` or `test`.
  public var op: String
  /// The RFC 6901 pointer it applies to.
  public var path: String
  /// The value, for `add`, `replace` and `test`.
  public var value: JSONValue?
  /// The source pointer, for `move` and `copy`.
  public var from: String?

  /// Creates an operation.
  public init(op: String, path: String, value: JSONValue? = nil, from: String? = nil) {
    self.op = op
    self.path = path
    self.value = value
    self.from = from
  }

  /// `add` of `value` at `path` (`/-` at the end of an array path appends).
  public static func add(_ path: String, _ value: JSONValue) -> JSONPatchOperation {
    JSONPatchOperation(op: "add", path: path, value: value)
  }

  /// `replace` of the value at `path`.
  public static func replace(_ path: String, _ value: JSONValue) -> JSONPatchOperation {
    JSONPatchOperation(op: "replace", path: path, value: value)
  }

  enum CodingKeys: String, CodingKey { case op, path, value, from }

  /// Encodes `op` and `path`, plus `value` or `from` for the operations that have them.
  public func encode(to encoder: Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(op, forKey: .op)
    if let from { try container.encode(from, forKey: .from) }
    try container.encode(path, forKey: .path)
    if ["add", "replace", "test"].contains(op) { try container.encode(value ?? .null, forKey: .value) }
  }
}

/// Why a JSON Patch does not apply.
public struct JSONPatchError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The index of the failing operation.
  public var operation: Int
  /// What is wrong.
  public var message: String

  /// `operation 2: /properties/customize/9: no such element`.
  public var description: String { "operation \(operation): \(message)" }
}

/// Applies RFC 6902 JSON Patches.
public enum JSONPatch {
  /// `document` with every operation applied in order; throws at the first one that does not
  /// apply (the document is then unchanged).
  public static func apply(_ operations: [JSONPatchOperation], to document: JSONValue) throws(JSONPatchError)
    -> JSONValue
  {
    var result = document
    for (number, operation) in operations.enumerated() {
      do {
        try apply(operation, to: &result)
      } catch {
        throw JSONPatchError(operation: number, message: error.message)
      }
    }
    return result
  }

  /// The value at an RFC 6901 pointer, or nil.
  public static func value(at pointer: String, in document: JSONValue) -> JSONValue? {
    guard let tokens = tokens(pointer) else { return nil }
    var current = document
    for token in tokens {
      switch current {
      case .object(let members):
        guard let member = members.last(where: { $0.key == token }) else { return nil }
        current = member.value
      case .array(let elements):
        guard let index = arrayIndex(token, count: elements.count), index < elements.count else { return nil }
        current = elements[index]
      default:
        return nil
      }
    }
    return current
  }

  private static func apply(_ operation: JSONPatchOperation, to document: inout JSONValue) throws(PatchFailure) {
    guard let path = tokens(operation.path) else { throw PatchFailure("\(operation.path): not a JSON Pointer") }
    switch operation.op {
    case "add":
      guard let value = operation.value else { throw PatchFailure("add without a value") }
      try add(value, at: path, pointer: operation.path, in: &document)
    case "remove":
      _ = try remove(at: path, pointer: operation.path, in: &document)
    case "replace":
      guard let value = operation.value else { throw PatchFailure("replace without a value") }
      guard self.value(at: operation.path, in: document) != nil else {
        throw PatchFailure("\(operation.path): no such value")
      }
      guard let last = path.last else {
        document = value
        return
      }
      try withParent(of: path, pointer: operation.path, in: &document) { (parent) throws(PatchFailure) in
        switch parent {
        case .object(var members):
          guard let index = members.lastIndex(where: { $0.key == last }) else {
            throw PatchFailure("\(operation.path): no such member")
          }
          members[index].value = value
          parent = .object(members)
        case .array(var elements):
          guard let index = arrayIndex(last, count: elements.count), index < elements.count else {
            throw PatchFailure("\(operation.path): no such element")
          }
          elements[index] = value
          parent = .array(elements)
        default:
          throw PatchFailure("\(operation.path): no such value")
        }
      }
    case "move", "copy":
      guard let from = operation.from, let fromPath = tokens(from) else {
        throw PatchFailure("\(operation.op) without a valid from")
      }
      guard let value = self.value(at: from, in: document) else { throw PatchFailure("\(from): no such value") }
      if operation.op == "move" {
        if path.count > fromPath.count, Array(path.prefix(fromPath.count)) == fromPath {
          throw PatchFailure("cannot move \(from) into itself")
        }
        _ = try remove(at: fromPath, pointer: from, in: &document)
      }
      try add(value, at: path, pointer: operation.path, in: &document)
    case "test":
      guard self.value(at: operation.path, in: document) == (operation.value ?? .null) else {
        throw PatchFailure("\(operation.path): test failed")
      }
    default:
      throw PatchFailure("unknown operation '\(operation.op)'")
    }
  }

  private static func add(_ value: JSONValue, at path: [String], pointer: String, in document: inout JSONValue)
    throws(PatchFailure)
  {
    guard let last = path.last else {
      document = value
      return
    }
    try withParent(of: path, pointer: pointer, in: &document) { (parent) throws(PatchFailure) in
      switch parent {
      case .object(var members):
        if let index = members.lastIndex(where: { $0.key == last }) {
          members[index].value = value
        } else {
          members.append(JSONMemberValue(key: last, value: value))
        }
        parent = .object(members)
      case .array(var elements):
        if last == "-" {
          elements.append(value)
        } else if let index = arrayIndex(last, count: elements.count), index <= elements.count {
          elements.insert(value, at: index)
        } else {
          throw PatchFailure("\(pointer): index out of range")
        }
        parent = .array(elements)
      default:
        throw PatchFailure("\(pointer): the parent is not an object or array")
      }
    }
  }

  private static func remove(at path: [String], pointer: String, in document: inout JSONValue) throws(PatchFailure)
    -> JSONValue?
  {
    guard let last = path.last else { throw PatchFailure("cannot remove the whole document") }
    var removed: JSONValue?
    try withParent(of: path, pointer: pointer, in: &document) { (parent) throws(PatchFailure) in
      switch parent {
      case .object(var members):
        guard let index = members.lastIndex(where: { $0.key == last }) else {
          throw PatchFailure("\(pointer): no such member")
        }
        removed = members.remove(at: index).value
        parent = .object(members)
      case .array(var elements):
        guard let index = arrayIndex(last, count: elements.count), index < elements.count else {
          throw PatchFailure("\(pointer): no such element")
        }
        removed = elements.remove(at: index)
        parent = .array(elements)
      default:
        throw PatchFailure("\(pointer): the parent is not an object or array")
      }
    }
    return removed
  }

  /// Runs `body` on the container that holds the last step of `path`.
  private static func withParent(
    of path: [String], pointer: String, in document: inout JSONValue,
    _ body: (inout JSONValue) throws(PatchFailure) -> Void
  ) throws(PatchFailure) {
    if path.count == 1 {
      try body(&document)
      return
    }
    let head = path[0]
    let rest = Array(path.dropFirst())
    switch document {
    case .object(var members):
      guard let index = members.lastIndex(where: { $0.key == head }) else {
        throw PatchFailure("\(pointer): no such member")
      }
      try withParent(of: rest, pointer: pointer, in: &members[index].value, body)
      document = .object(members)
    case .array(var elements):
      guard let index = arrayIndex(head, count: elements.count), index < elements.count else {
        throw PatchFailure("\(pointer): no such element")
      }
      try withParent(of: rest, pointer: pointer, in: &elements[index], body)
      document = .array(elements)
    default:
      throw PatchFailure("\(pointer): no such path")
    }
  }

  private static func tokens(_ pointer: String) -> [String]? {
    if pointer.isEmpty { return [] }
    guard pointer.hasPrefix("/") else { return nil }
    return pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
      String($0).replacing("~1", with: "/").replacing("~0", with: "~")
    }
  }

  private static func arrayIndex(_ token: String, count: Int) -> Int? {
    guard !token.isEmpty, token.allSatisfy({ $0.isASCII && $0.isNumber }), token == "0" || !token.hasPrefix("0") else {
      return nil
    }
    return Int(token)
  }
}

/// A failed operation's message.
private struct PatchFailure: Error {
  let message: String
  init(_ message: String) { self.message = message }
}
