import Foundation
import Testing

@testable import AIBLogsTemplate

@Suite struct JSONPatchTests {
  let document = json(#"{"a": {"b": [1, 2, 3]}, "c": "x", "d~/e": 1}"#)

  @Test func addsReplacesAndRemoves() throws {
    let patched = try JSONPatch.apply(
      [
        .add("/a/b/-", .integer(4)),
        .add("/a/b/0", .integer(0)),
        .add("/a/new", .bool(true)),
        .replace("/c", .string("y")),
        JSONPatchOperation(op: "remove", path: "/d~0~1e"),
        JSONPatchOperation(op: "test", path: "/a/b/4", value: .integer(4)),
      ], to: document)
    #expect(patched == json(#"{"a": {"b": [0, 1, 2, 3, 4], "new": true}, "c": "y"}"#))
  }

  @Test func movesAndCopies() throws {
    let patched = try JSONPatch.apply(
      [
        JSONPatchOperation(op: "copy", path: "/a/copy", from: "/c"),
        JSONPatchOperation(op: "move", path: "/moved", from: "/a/b"),
      ], to: document)
    #expect(patched == json(#"{"a": {"copy": "x"}, "c": "x", "d~/e": 1, "moved": [1, 2, 3]}"#))
  }

  @Test func replaceKeepsTheMemberOrder() throws {
    let patched = try JSONPatch.apply([.replace("/a", .integer(1))], to: document)
    guard case .object(let members) = patched else { throw PatchTestError.notAnObject }
    #expect(members.map(\.key) == ["a", "c", "d~/e"])
  }

  @Test(arguments: [
    (JSONPatchOperation.add("/missing/x", .integer(1)), "operation 0: /missing/x: no such member"),
    (.add("/a/b/7", .integer(1)), "operation 0: /a/b/7: index out of range"),
    (.replace("/nope", .integer(1)), "operation 0: /nope: no such value"),
    (JSONPatchOperation(op: "remove", path: "/a/b/3"), "operation 0: /a/b/3: no such element"),
    (JSONPatchOperation(op: "test", path: "/c", value: .string("z")), "operation 0: /c: test failed"),
    (JSONPatchOperation(op: "move", path: "/a/b/x", from: "/a"), "operation 0: cannot move /a into itself"),
    (JSONPatchOperation(op: "jump", path: "/c"), "operation 0: unknown operation 'jump'"),
    (.add("c", .integer(1)), "operation 0: c: not a JSON Pointer"),
  ])
  func refusesOperationsThatDoNotApply(operation: JSONPatchOperation, message: String) {
    #expect(throws: JSONPatchError.self) { try JSONPatch.apply([operation], to: document) }
    do {
      _ = try JSONPatch.apply([operation], to: document)
    } catch {
      #expect(error.description == message)
    }
  }

  @Test func readsValuesByPointer() {
    #expect(JSONPatch.value(at: "/a/b/1", in: document) == .integer(2))
    #expect(JSONPatch.value(at: "/d~0~1e", in: document) == .integer(1))
    #expect(JSONPatch.value(at: "", in: document) == document)
    #expect(JSONPatch.value(at: "/a/b/01", in: document) == nil)
  }

  @Test func encodesOperationsAsRFC6902() throws {
    let operations = [JSONPatchOperation.add("/a/-", .integer(3010)), .replace("/t", .string("30m"))]
    let text = String(decoding: try sortedJSON(operations), as: UTF8.self)
    #expect(text == #"[{"op":"add","path":"\/a\/-","value":3010},{"op":"replace","path":"\/t","value":"30m"}]"#)
  }
}

enum PatchTestError: Error { case notAnObject }

@Suite struct AnalysisValuesTests {
  @Test func findingsAndDiagnosesAreBuilt() {
    let diagnosis = TemplateLinter().lint(text: "{\"buildTimeoutInMinutes\": 2, \"source\": {}}", path: "t.json")
    #expect(diagnosis.path == "t.json")
    #expect(diagnosis.kind == .template)
    #expect(diagnosis.timeline.customizers.isEmpty)
    #expect(diagnosis.input.lines == 1)
    #expect(diagnosis.findings.allSatisfy { $0.occurrences == 1 && $0.phase == .submission && !$0.benign })
  }
}
