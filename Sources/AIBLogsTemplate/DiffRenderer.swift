/// Renders a template change as a readable diff of the file's lines: `@@ line N @@`, then
/// the lines removed (`-`) and added (`+`), with the file's own indentation.
struct DiffRenderer {
  /// How a change edits the file.
  enum Edit {
    /// The value at the change's path is replaced.
    case replace
    /// A member is added at a path whose parent object exists (the value may wrap the change).
    case add(TemplatePath, JSONValue)
    /// An element is appended to the array at a path.
    case append(TemplatePath, JSONValue)
  }

  let template: ImageTemplate

  /// The line the change is at and its diff lines.
  func render(_ edit: Edit, at path: TemplatePath, value: JSONValue) -> (line: Int, lines: [String]) {
    switch edit {
    case .replace: replacement(at: path, value: value)
    case .add(let target, let added): addition(at: target, value: added)
    case .append(let array, let element): append(to: array, value: element)
    }
  }

  private func scalars(_ line: Int) -> [Unicode.Scalar] { Array(template.line(line).unicodeScalars) }

  private func text(_ scalars: some Sequence<Unicode.Scalar>) -> String {
    var out = ""
    out.unicodeScalars.append(contentsOf: scalars)
    return out
  }

  private func indentation(_ line: Int) -> String {
    text(scalars(line).prefix { $0 == " " || $0 == "\t" })
  }

  /// Replaces the text of the node at `path` with `value`.
  private func replacement(at path: TemplatePath, value: JSONValue) -> (line: Int, lines: [String]) {
    guard let node = template.node(at: path) else { return fallback(path, value) }
    let first = scalars(node.start.line)
    let last = scalars(node.end.line)
    let prefix = text(first.prefix(max(0, node.start.column - 1)))
    let suffix = text(last.dropFirst(max(0, node.end.column - 1)))
    var lines = ["@@ line \(node.start.line) @@"]
    let removed = Array(node.start.line...node.end.line)
    for line in removed.prefix(8) { lines.append("-" + template.line(line)) }
    if removed.count > 8 { lines.append("-…") }
    lines.append("+" + prefix + value.jsonText + suffix)
    return (node.start.line, lines)
  }

  /// Adds the member named by the last step of `path` to its parent object.
  private func addition(at path: TemplatePath, value: JSONValue) -> (line: Int, lines: [String]) {
    guard case .key(let key) = path.last, let parent = template.node(at: path.parent), let members = parent.members
    else { return fallback(path, value) }
    let member = JSONValue.quote(key) + ": " + value.jsonText
    guard let first = members.first else {
      // `{}`: the member goes inside.
      return replacement(at: path.parent, value: .object([JSONMemberValue(key: key, value: value)]))
    }
    let line = first.keyStart.line
    if line > parent.start.line {
      return (line, ["@@ line \(line) @@", "+" + indentation(line) + member + ",", " " + template.line(line)])
    }
    // A one-line object: the member goes right after its `{`.
    let scalars = scalars(line)
    let head = text(scalars.prefix(parent.start.column))
    let tail = text(scalars.dropFirst(parent.start.column)).drop { $0 == " " }
    return (line, ["@@ line \(line) @@", "-" + template.line(line), "+" + head + member + ", " + tail])
  }

  /// Appends `value` to the array at `path`.
  private func append(to path: TemplatePath, value: JSONValue) -> (line: Int, lines: [String]) {
    guard let node = template.node(at: path), let elements = node.elements else { return fallback(path, value) }
    guard let last = elements.last, node.start.line != node.end.line else {
      return replacement(at: path, value: .array(elements.map(\.value) + [value]))
    }
    let line = last.end.line
    let scalars = scalars(line)
    let withComma = text(scalars.prefix(last.end.column - 1)) + "," + text(scalars.dropFirst(last.end.column - 1))
    return (
      line,
      [
        "@@ line \(line) @@", "-" + template.line(line), "+" + withComma,
        "+" + indentation(last.start.line) + value.jsonText,
      ]
    )
  }

  private func fallback(_ path: TemplatePath, _ value: JSONValue) -> (line: Int, lines: [String]) {
    let line = template.nearestPosition(path).line
    return (line, ["@@ line \(line) @@", "+\(path): \(value.jsonText)"])
  }
}
