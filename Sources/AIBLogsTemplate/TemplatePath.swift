/// One step of a path into a JSON document.
public enum PathComponent: Sendable, Hashable {
  /// An object member.
  case key(String)
  /// An array element.
  case index(Int)
  /// The position after the last element of an array (`-` in a JSON Pointer, for appending).
  case end
}

/// A path into an image template, shown as `properties.customize[2].restartTimeout` and
/// written as an RFC 6901 JSON Pointer (`/properties/customize/2/restartTimeout`).
public struct TemplatePath: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
  /// The steps from the root.
  public var components: [PathComponent]

  /// Creates a path from its steps.
  public init(_ components: [PathComponent]) { self.components = components }

  /// Parses the dotted form (`properties.customize[2].restartTimeout`); `["a.b"]` quotes a key.
  public init(stringLiteral value: String) { self.init(parsing: value) }

  /// Parses the dotted form (`properties.customize[2].restartTimeout`, `a["odd.key"]`).
  public init(parsing text: String) {
    var components: [PathComponent] = []
    var name = ""
    var iterator = Array(text).makeIterator()
    var pending: Character? = nil
    func next() -> Character? {
      if let character = pending {
        pending = nil
        return character
      }
      return iterator.next()
    }
    while let character = next() {
      switch character {
      case ".":
        if !name.isEmpty { components.append(.key(name)) }
        name = ""
      case "[":
        if !name.isEmpty { components.append(.key(name)) }
        name = ""
        var inside = ""
        var quoted = false
        while let inner = next() {
          if inner == "\"" && inside.isEmpty && !quoted {
            quoted = true
            continue
          }
          if quoted && inner == "\\" {
            if let escaped = next() { inside.append(escaped) }
            continue
          }
          if quoted && inner == "\"" {
            _ = next()  // the closing bracket
            break
          }
          if !quoted && inner == "]" { break }
          inside.append(inner)
        }
        if quoted {
          components.append(.key(inside))
        } else if inside == "-" {
          components.append(.end)
        } else if let number = Int(inside) {
          components.append(.index(number))
        } else {
          components.append(.key(inside))
        }
      default:
        name.append(character)
      }
    }
    if !name.isEmpty { components.append(.key(name)) }
    self.components = components
  }

  /// The path with `key` appended.
  public func appending(_ key: String) -> TemplatePath { TemplatePath(components + [.key(key)]) }

  /// The path with the array index `index` appended.
  public func appending(index: Int) -> TemplatePath { TemplatePath(components + [.index(index)]) }

  /// The path with a step appended.
  public func appending(_ component: PathComponent) -> TemplatePath { TemplatePath(components + [component]) }

  /// The path one step up (the root stays the root).
  public var parent: TemplatePath { TemplatePath(Array(components.dropLast())) }

  /// The last step, or nil for the root.
  public var last: PathComponent? { components.last }

  /// The dotted form: `properties.customize[2].restartTimeout`; keys that are not plain names
  /// are quoted (`userAssignedIdentities["/subscriptions/..."]`).
  public var description: String {
    var out = ""
    for component in components {
      switch component {
      case .key(let key):
        if TemplatePath.isPlainName(key) {
          out += out.isEmpty ? key : "." + key
        } else {
          out += "[" + JSONValue.quote(key) + "]"
        }
      case .index(let index): out += "[\(index)]"
      case .end: out += "[-]"
      }
    }
    return out.isEmpty ? "(root)" : out
  }

  /// The RFC 6901 JSON Pointer: `/properties/customize/2/restartTimeout`, `~` and `/` escaped
  /// as `~0` and `~1`; the root is the empty string.
  public var pointer: String {
    components.map { component in
      switch component {
      case .key(let key): "/" + key.replacing("~", with: "~0").replacing("/", with: "~1")
      case .index(let index): "/\(index)"
      case .end: "/-"
      }
    }.joined()
  }

  /// Parses an RFC 6901 JSON Pointer; nil when it does not start with `/` (and is not empty).
  /// Steps that are all digits become indices; `-` becomes `end`.
  public init?(pointer: String) {
    if pointer.isEmpty {
      self.init([])
      return
    }
    guard pointer.hasPrefix("/") else { return nil }
    let parts = pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
    self.init(
      parts.map { part in
        let key = String(part).replacing("~1", with: "/").replacing("~0", with: "~")
        if key == "-" { return .end }
        if !key.isEmpty, key.allSatisfy(\.isASCIIDigitCharacter), key == "0" || !key.hasPrefix("0"),
          let index = Int(key)
        {
          return .index(index)
        }
        return .key(key)
      })
  }

  private static func isPlainName(_ key: String) -> Bool {
    guard let first = key.unicodeScalars.first, first == "_" || first == "$" || first.properties.isAlphabetic else {
      return false
    }
    return key.unicodeScalars.allSatisfy {
      $0 == "_" || $0 == "$" || $0 == "-" || $0.properties.isAlphabetic || ("0"..."9").contains($0)
    }
  }
}

extension Character {
  fileprivate var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}
