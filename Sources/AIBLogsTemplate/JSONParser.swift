/// A JSON syntax error, with where it is.
public struct TemplateParseError: Error, Sendable, Equatable, CustomStringConvertible {
  /// What is wrong.
  public var message: String
  /// The 1-based line.
  public var line: Int
  /// The 1-based column (Unicode scalars).
  public var column: Int

  /// Creates an error.
  public init(message: String, line: Int, column: Int) {
    self.message = message
    self.line = line
    self.column = column
  }

  /// `line 3, column 7: expected ',' or '}' after an object member`.
  public var description: String { "line \(line), column \(column): \(message)" }
}

/// Parses JSON as ARM tooling reads it: standard JSON plus `//` and `/* */` comments, with a
/// UTF-8 byte-order mark ignored. Every value records where it starts and ends.
public struct JSONParser {
  private let bytes: [UInt8]
  private var index = 0
  private var line = 1
  private var column = 1
  private var depth = 0
  private static let maximumDepth = 512

  /// Parses `bytes` (UTF-8) into a tree; throws the first syntax error.
  public static func parse(_ bytes: [UInt8]) throws(TemplateParseError) -> JSONNode {
    var parser = JSONParser(bytes: bytes)
    return try parser.parseDocument()
  }

  /// Parses `text` into a tree; throws the first syntax error.
  public static func parse(_ text: String) throws(TemplateParseError) -> JSONNode {
    try parse(Array(text.utf8))
  }

  private init(bytes: [UInt8]) {
    self.bytes = bytes
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
  }

  private var position: SourcePosition { SourcePosition(line: line, column: column, offset: index) }

  private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

  private func error(_ message: String, at position: SourcePosition? = nil) -> TemplateParseError {
    let place = position ?? self.position
    return TemplateParseError(message: message, line: place.line, column: place.column)
  }

  private mutating func advance() {
    guard index < bytes.count else { return }
    let byte = bytes[index]
    index += 1
    if byte == UInt8(ascii: "\n") {
      line += 1
      column = 1
    } else if byte & 0xC0 != 0x80 {
      // One column per scalar: its first byte counts, continuation bytes do not.
      column += 1
    }
  }

  private mutating func parseDocument() throws(TemplateParseError) -> JSONNode {
    try skipTrivia()
    guard current != nil else { throw error("the file is empty: expected a JSON object") }
    let node = try parseValue()
    try skipTrivia()
    if current != nil { throw error("unexpected text after the end of the JSON value") }
    return node
  }

  /// Skips whitespace and comments.
  private mutating func skipTrivia() throws(TemplateParseError) {
    while let byte = current {
      switch byte {
      case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
        advance()
      case UInt8(ascii: "/"):
        let start = position
        let next = index + 1 < bytes.count ? bytes[index + 1] : nil
        if next == UInt8(ascii: "/") {
          while let byte = current, byte != UInt8(ascii: "\n") { advance() }
        } else if next == UInt8(ascii: "*") {
          advance()
          advance()
          var closed = false
          while let byte = current {
            if byte == UInt8(ascii: "*"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "/") {
              advance()
              advance()
              closed = true
              break
            }
            advance()
          }
          if !closed { throw error("unterminated /* comment", at: start) }
        } else {
          throw error("unexpected '/': comments start with // or /*")
        }
      default:
        return
      }
    }
  }

  private mutating func parseValue() throws(TemplateParseError) -> JSONNode {
    guard let byte = current else { throw error("unexpected end of file: expected a value") }
    let start = position
    switch byte {
    case UInt8(ascii: "{"): return try parseObject()
    case UInt8(ascii: "["): return try parseArray()
    case UInt8(ascii: "\""):
      let text = try parseString()
      return JSONNode(content: .string(text), start: start, end: position)
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
      return try parseNumber()
    case UInt8(ascii: "t"): return try parseLiteral("true", .bool(true))
    case UInt8(ascii: "f"): return try parseLiteral("false", .bool(false))
    case UInt8(ascii: "n"): return try parseLiteral("null", .null)
    case UInt8(ascii: "'"): throw error("strings must use double quotes (\"), not single quotes")
    default:
      throw error("unexpected \(describe(byte)): expected a value")
    }
  }

  private func describe(_ byte: UInt8) -> String {
    if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
    return "byte 0x" + String(byte, radix: 16, uppercase: true)
  }

  private mutating func enter() throws(TemplateParseError) {
    depth += 1
    if depth > JSONParser.maximumDepth { throw error("values are nested more than \(JSONParser.maximumDepth) deep") }
  }

  private mutating func parseObject() throws(TemplateParseError) -> JSONNode {
    let start = position
    try enter()
    advance()
    var members: [JSONMember] = []
    try skipTrivia()
    if current == UInt8(ascii: "}") {
      advance()
      depth -= 1
      return JSONNode(content: .object([]), start: start, end: position)
    }
    while true {
      try skipTrivia()
      guard let byte = current else {
        throw error("unexpected end of file: the object opened at \(at(start)) is not closed")
      }
      if byte == UInt8(ascii: "}") { throw error("trailing comma before '}': JSON does not allow it") }
      guard byte == UInt8(ascii: "\"") else {
        throw error("expected a member name in double quotes, found \(describe(byte))")
      }
      let keyStart = position
      let key = try parseString()
      try skipTrivia()
      guard current == UInt8(ascii: ":") else { throw error("expected ':' after the member name \"\(key)\"") }
      advance()
      try skipTrivia()
      let value = try parseValue()
      members.append(JSONMember(key: key, keyStart: keyStart, value: value))
      try skipTrivia()
      guard let next = current else {
        throw error("unexpected end of file: the object opened at \(at(start)) is not closed")
      }
      if next == UInt8(ascii: ",") {
        advance()
        continue
      }
      if next == UInt8(ascii: "}") {
        advance()
        depth -= 1
        return JSONNode(content: .object(members), start: start, end: position)
      }
      throw error("expected ',' or '}' after the value of \"\(key)\", found \(describe(next))")
    }
  }

  private mutating func parseArray() throws(TemplateParseError) -> JSONNode {
    let start = position
    try enter()
    advance()
    var elements: [JSONNode] = []
    try skipTrivia()
    if current == UInt8(ascii: "]") {
      advance()
      depth -= 1
      return JSONNode(content: .array([]), start: start, end: position)
    }
    while true {
      try skipTrivia()
      guard let byte = current else {
        throw error("unexpected end of file: the array opened at \(at(start)) is not closed")
      }
      if byte == UInt8(ascii: "]") { throw error("trailing comma before ']': JSON does not allow it") }
      elements.append(try parseValue())
      try skipTrivia()
      guard let next = current else {
        throw error("unexpected end of file: the array opened at \(at(start)) is not closed")
      }
      if next == UInt8(ascii: ",") {
        advance()
        continue
      }
      if next == UInt8(ascii: "]") {
        advance()
        depth -= 1
        return JSONNode(content: .array(elements), start: start, end: position)
      }
      throw error("expected ',' or ']' after an array element, found \(describe(next))")
    }
  }

  private func at(_ position: SourcePosition) -> String { "line \(position.line), column \(position.column)" }

  private mutating func parseLiteral(_ word: String, _ content: JSONNode.Content) throws(TemplateParseError) -> JSONNode
  {
    let start = position
    for expected in word.utf8 {
      guard current == expected else { throw error("invalid literal: expected '\(word)'", at: start) }
      advance()
    }
    return JSONNode(content: content, start: start, end: position)
  }

  private mutating func parseNumber() throws(TemplateParseError) -> JSONNode {
    let start = position
    let first = index
    var isInteger = true
    if current == UInt8(ascii: "-") { advance() }
    guard let lead = current, isDigit(lead) else { throw error("invalid number: expected a digit", at: start) }
    if lead == UInt8(ascii: "0") {
      advance()
      if let next = current, isDigit(next) { throw error("invalid number: leading zeros are not allowed", at: start) }
    } else {
      while let byte = current, isDigit(byte) { advance() }
    }
    if current == UInt8(ascii: ".") {
      isInteger = false
      advance()
      guard let byte = current, isDigit(byte) else { throw error("invalid number: expected a digit after '.'") }
      while let byte = current, isDigit(byte) { advance() }
    }
    if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
      isInteger = false
      advance()
      if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { advance() }
      guard let byte = current, isDigit(byte) else { throw error("invalid number: expected a digit in the exponent") }
      while let byte = current, isDigit(byte) { advance() }
    }
    let text = String(decoding: bytes[first..<index], as: UTF8.self)
    if isInteger, let value = Int(text) {
      return JSONNode(content: .integer(value), start: start, end: position)
    }
    guard let value = Double(text), value.isFinite else { throw error("number out of range: \(text)", at: start) }
    return JSONNode(content: .double(value), start: start, end: position)
  }

  private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

  /// Parses a string at the opening quote; the position ends after the closing quote.
  private mutating func parseString() throws(TemplateParseError) -> String {
    let start = position
    advance()
    var utf8: [UInt8] = []
    while true {
      guard let byte = current else { throw error("unterminated string", at: start) }
      if byte == UInt8(ascii: "\"") {
        advance()
        return String(decoding: utf8, as: UTF8.self)
      }
      if byte == UInt8(ascii: "\n") {
        throw error("unterminated string: a line break inside a string must be \\n", at: start)
      }
      if byte < 0x20 { throw error("control character \(describe(byte)) inside a string must be escaped") }
      if byte != UInt8(ascii: "\\") {
        utf8.append(byte)
        advance()
        continue
      }
      let escapeStart = position
      advance()
      guard let escape = current else { throw error("unterminated string", at: start) }
      advance()
      switch escape {
      case UInt8(ascii: "\""): utf8.append(UInt8(ascii: "\""))
      case UInt8(ascii: "\\"): utf8.append(UInt8(ascii: "\\"))
      case UInt8(ascii: "/"): utf8.append(UInt8(ascii: "/"))
      case UInt8(ascii: "b"): utf8.append(0x08)
      case UInt8(ascii: "f"): utf8.append(0x0C)
      case UInt8(ascii: "n"): utf8.append(UInt8(ascii: "\n"))
      case UInt8(ascii: "r"): utf8.append(UInt8(ascii: "\r"))
      case UInt8(ascii: "t"): utf8.append(UInt8(ascii: "\t"))
      case UInt8(ascii: "u"):
        var scalar = try parseHex4(escapeStart)
        if (0xD800..<0xDC00).contains(scalar) {
          if current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") {
            advance()
            advance()
            let low = try parseHex4(escapeStart)
            if (0xDC00..<0xE000).contains(low) {
              scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else {
              scalar = 0xFFFD
            }
          } else {
            scalar = 0xFFFD
          }
        } else if (0xDC00..<0xE000).contains(scalar) {
          scalar = 0xFFFD
        }
        utf8.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8))
      default:
        throw error("invalid escape '\\\(Character(Unicode.Scalar(escape)))' in a string", at: escapeStart)
      }
    }
  }

  private mutating func parseHex4(_ escapeStart: SourcePosition) throws(TemplateParseError) -> UInt32 {
    var value: UInt32 = 0
    for _ in 0..<4 {
      guard let byte = current, let digit = hexValue(byte) else {
        throw error("invalid \\u escape: expected four hex digits", at: escapeStart)
      }
      value = value << 4 | digit
      advance()
    }
    return value
  }

  private func hexValue(_ byte: UInt8) -> UInt32? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
    case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
    default: nil
    }
  }
}
