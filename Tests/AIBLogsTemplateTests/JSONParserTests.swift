import Testing

@testable import AIBLogsTemplate

@Suite struct JSONParserTests {
  @Test func parsesEveryKindOfValue() throws {
    let node = try JSONParser.parse(#"{"a": [1, -2.5e3, true, false, null, "x\n\u00e9\ud83d\ude00"], "b": {}}"#)
    #expect(
      node.value
        == .object([
          JSONMemberValue(
            key: "a",
            value: .array([.integer(1), .double(-2500), .bool(true), .bool(false), .null, .string("x\né😀")])),
          JSONMemberValue(key: "b", value: .object([])),
        ]))
  }

  /// Strings with and without characters to escape are written as JSON that reads back the
  /// same (plain strings take a shortcut).
  @Test func quotedStringsReadBackTheSame() throws {
    let texts = [
      "", "plain text", "caf\u{E9} \u{1F600}", "say \"hi\"", #"C:\Windows\Temp"#, "line\nbreak\r\n", "tab\there",
      "bell\u{07} and nul\u{00}", "\u{1F}", "ends with a backslash \\",
    ]
    for text in texts {
      let quoted = JSONValue.quote(text)
      #expect(try JSONParser.parse(quoted).value == .string(text), "\(quoted)")
    }
    #expect(JSONValue.quote("plain") == "\"plain\"")
    #expect(JSONValue.quote("a\u{01}\"") == #""a\u0001\"""#)
  }

  @Test func recordsTheLineAndColumnOfEveryValue() throws {
    let text = """
      {
        "properties": {
          "customize": [
            { "type": "WindowsRestart", "restartTimeout": "15m" }
          ]
        }
      }
      """
    let root = try JSONParser.parse(text)
    let entry = try #require(root["properties"]?["customize"]?.elements?.first)
    #expect(entry.start.line == 4 && entry.start.column == 7)
    let timeout = try #require(entry.member("restartTimeout"))
    #expect(timeout.keyStart.line == 4 && timeout.keyStart.column == 35)
    #expect(timeout.value.start.line == 4 && timeout.value.start.column == 53)
    #expect(timeout.value.end.column == 58)
    #expect(root.start == SourcePosition(line: 1, column: 1, offset: 0))
    #expect(root.end.line == 7 && root.end.column == 2)
  }

  @Test func countsColumnsInUnicodeScalars() throws {
    let root = try JSONParser.parse("{\"name\": \"é€😀\", \"next\": 1}")
    let next = try #require(root.member("next"))
    #expect(next.keyStart.column == 17)
    #expect(next.keyStart.offset == 22)
  }

  @Test func toleratesCommentsAsARMToolingDoes() throws {
    let text = """
      // line comment before the value
      {
        /* block
           comment */ "a": 1, // trailing
        "b": "// not a comment", "c": "/* nor this */"
        /**/
      }
      // after
      """
    let root = try JSONParser.parse(text)
    #expect(root["a"]?.integer == 1)
    #expect(root["b"]?.string == "// not a comment")
    #expect(root["c"]?.string == "/* nor this */")
    #expect(root.member("a")?.keyStart.line == 4)
    #expect(root.member("a")?.keyStart.column == 17)
  }

  @Test func skipsAByteOrderMarkAndCarriageReturns() throws {
    let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("{\r\n  \"a\": 1\r\n}\r\n".utf8)
    let root = try JSONParser.parse(bytes)
    #expect(root.member("a")?.keyStart.line == 2)
    #expect(root.member("a")?.keyStart.column == 3)
    let template = try ImageTemplate(bytes: bytes, path: "t.json")
    #expect(template.lines == ["{", "  \"a\": 1", "}"])
  }

  @Test(arguments: [
    ("{\"a\": 1,}", 1, 9, "trailing comma before '}'"),
    ("[1, 2,]", 1, 7, "trailing comma before ']'"),
    ("{\n  \"a\": 1\n  \"b\": 2\n}", 3, 3, "expected ',' or '}' after the value of \"a\""),
    ("{\"a\" 1}", 1, 6, "expected ':' after the member name \"a\""),
    ("{'a': 1}", 1, 2, "expected a member name in double quotes"),
    ("{\"a\": 'x'}", 1, 7, "strings must use double quotes"),
    ("{\"a\": \"open", 1, 7, "unterminated string"),
    ("{\"a\": 1} /* open", 1, 10, "unterminated /* comment"),
    ("{\"a\": 1} x", 1, 10, "unexpected text after the end"),
    ("", 1, 1, "the file is empty"),
    ("{\"a\": 01}", 1, 7, "leading zeros"),
    ("{\"a\": tru}", 1, 7, "invalid literal"),
    ("{\"a\": \"\\q\"}", 1, 8, "invalid escape"),
    ("{\"a\": \"tab\there\"}", 1, 11, "control character"),
    ("{\"a\": [1, 2", 1, 12, "the array opened at line 1, column 7 is not closed"),
    ("{\"a\": /x}", 1, 7, "unexpected '/'"),
  ])
  func reportsSyntaxErrorsWithLineAndColumn(text: String, line: Int, column: Int, message: String) {
    do {
      _ = try JSONParser.parse(text)
      Issue.record("parsed: \(text)")
    } catch {
      #expect(error.line == line && error.column == column, "\(error)")
      #expect(error.message.contains(message), "\(error)")
      #expect(error.description.hasPrefix("line \(line), column \(column): "))
    }
  }

  @Test func refusesNestingDeeperThanTheLimit() {
    let text = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
    #expect(throws: TemplateParseError.self) { try JSONParser.parse(text) }
    let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
    #expect(throws: Never.self) { try JSONParser.parse(fine) }
  }

  @Test func lintReportsASyntaxErrorAsAFindingWithItsPosition() {
    let diagnosis = TemplateLinter().lint(
      text: "{\n  \"properties\": {\n    \"source\": {},\n  }\n}\n", path: "bad.json")
    #expect(diagnosis.kind == .template)
    #expect(diagnosis.outcome == .failed)
    #expect(diagnosis.primary == "template-json-syntax")
    let finding = diagnosis.findings.first
    #expect(finding?.line == 4)
    #expect(finding?.captures["column"] == "3")
    #expect(finding?.evidence.first?.text == "  }")
    #expect(finding?.message == "bad.json at 4:3: trailing comma before '}': JSON does not allow it.")
  }
}

@Suite struct TemplatePathTests {
  @Test func rendersTheDottedFormAndThePointer() {
    let path = TemplatePath([.key("properties"), .key("customize"), .index(2), .key("restartTimeout")])
    #expect(path.description == "properties.customize[2].restartTimeout")
    #expect(path.pointer == "/properties/customize/2/restartTimeout")
    #expect(TemplatePath(parsing: path.description) == path)
    #expect(TemplatePath(pointer: path.pointer) == path)
    #expect(TemplatePath("properties.customize[-]").pointer == "/properties/customize/-")
  }

  @Test func escapesKeysThatAreNotPlainNames() {
    let path = TemplatePath([.key("identity"), .key("userAssignedIdentities"), .key("/subscriptions/x~y")])
    #expect(path.description == #"identity.userAssignedIdentities["/subscriptions/x~y"]"#)
    #expect(path.pointer == "/identity/userAssignedIdentities/~1subscriptions~1x~0y")
    #expect(TemplatePath(pointer: path.pointer) == path)
    #expect(TemplatePath(parsing: path.description) == path)
    #expect(TemplatePath([]).pointer == "")
    #expect(TemplatePath(pointer: "no-slash") == nil)
  }
}
