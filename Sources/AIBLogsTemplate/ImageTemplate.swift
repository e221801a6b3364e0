import AIBLogsInput

/// The operating system a template builds, as far as the template shows it.
public enum TemplateOS: String, Sendable, Codable {
  /// Windows (a Windows marketplace source, or Windows-only customizers).
  case windows
  /// Linux (a Linux marketplace source, or Shell customizers).
  case linux
  /// The template does not say (a managed-image or gallery source with only File steps).
  case unknown
}

/// How the file holds the image template.
public enum TemplateForm: Sendable, Equatable {
  /// The ARM resource itself: `{"type": ..., "apiVersion": ..., "properties": {...}}`.
  case resource
  /// Only the `properties` object (`{"source": ..., "customize": ..., "distribute": ...}`).
  case propertiesOnly
  /// An ARM deployment template whose `resources[index]` is the image template.
  case deployment(resourceIndex: Int)
  /// `az image builder show` output: resource fields and properties side by side at the top.
  case cliOutput
}

/// A parsed image template: the JSON tree with positions, where the template sits in the file,
/// and the file's lines for evidence.
///
/// Paths given to it are logical, from the template resource (`properties.customize[2]`), in
/// every form; `filePath(for:)` turns one into the path in the actual file.
public struct ImageTemplate: Sendable {
  /// The file's name as given.
  public let path: String
  /// The whole document.
  public let root: JSONNode
  /// How the file holds the template.
  public let form: TemplateForm
  /// The template resource object (nil when the file is the `properties` object alone).
  public let resource: JSONNode?
  /// The `properties` object, when there is one.
  public let properties: JSONNode?
  /// The operating system the template builds, inferred.
  public let os: TemplateOS
  /// The file's lines (without line ends), for evidence.
  public let lines: [String]
  /// The file's size in bytes.
  public let byteCount: Int

  /// Parses a template from UTF-8 bytes; throws the first JSON syntax error.
  public init(bytes: [UInt8], path: String) throws(TemplateParseError) {
    let root = try JSONParser.parse(bytes)
    self.path = path
    self.root = root
    byteCount = bytes.count
    lines = ImageTemplate.splitLines(bytes)
    let typeName = "Microsoft.VirtualMachineImages/imageTemplates"
    if root["resources"]?.elements != nil, root["$schema"] != nil || root["contentVersion"] != nil {
      let resources = root["resources"]?.elements ?? []
      let index = resources.firstIndex { $0["type"]?.string?.lowercased() == typeName.lowercased() }
      form = .deployment(resourceIndex: index ?? -1)
      resource = index.map { resources[$0] }
      properties = resource?["properties"]
    } else if root["properties"] == nil, root["source"] != nil || root["customize"] != nil || root["distribute"] != nil,
      root["identity"] != nil || root["type"] != nil || root["id"] != nil
    {
      form = .cliOutput
      resource = root
      properties = root
    } else if root["properties"] != nil || root["type"] != nil || root["apiVersion"] != nil {
      form = .resource
      resource = root
      properties = root["properties"]
    } else if root.members != nil,
      ["source", "customize", "distribute", "vmProfile", "buildTimeoutInMinutes"].contains(where: { root[$0] != nil })
    {
      form = .propertiesOnly
      resource = nil
      properties = root
    } else {
      form = .resource
      resource = root
      properties = nil
    }
    os = ImageTemplate.inferOS(properties)
  }

  /// Parses a template from text.
  public init(text: String, path: String = "template.json") throws(TemplateParseError) {
    try self.init(bytes: Array(text.utf8), path: path)
  }

  /// Reads and parses a template file (`-` is standard input). UTF-16 with a byte-order mark
  /// (as Windows PowerShell writes it) is transcoded.
  public static func load(path: String) throws(TemplateLoadError) -> ImageTemplate {
    let bytes: [UInt8]
    do {
      bytes = try readFile(path: path).bytes
    } catch {
      throw .unreadable(error.description)
    }
    do {
      return try ImageTemplate(bytes: bytes, path: path)
    } catch {
      throw .syntax(path: path, error)
    }
  }

  /// The whole content of a file or standard input, decoded to UTF-8 (gzip and UTF-16 too);
  /// reading stops after `limit` bytes.
  public static func readFile(path: String, limit: Int = 64 << 20) throws(InputError) -> TemplateFile {
    let input = try InputOpener.open(path: path, computeDigest: true)
    var bytes: [UInt8] = []
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 1)
    defer { buffer.deallocate() }
    while bytes.count <= limit {
      let count = try input.source.read(into: buffer)
      if count == 0 { break }
      bytes.append(contentsOf: buffer[0..<count])
    }
    return TemplateFile(
      path: path, bytes: bytes, encoding: input.encoding.rawValue, sha256: input.digest?.hexDigest())
  }

  /// The node at a logical path (`properties.customize[1].inline`), or nil when absent; a
  /// `null` value counts as absent, as the service reads it.
  public func node(at path: TemplatePath) -> JSONNode? {
    guard let filePath = filePath(for: path) else { return nil }
    var node: JSONNode? = root
    for component in filePath.components {
      switch component {
      case .key(let key): node = node?[key]
      case .index(let index):
        guard let elements = node?.elements, elements.indices.contains(index) else { return nil }
        node = elements[index]
      case .end: return nil
      }
    }
    return node?.isNull == true ? nil : node
  }

  /// Where a logical path is in the file: the same path for a resource, under
  /// `resources[i]` in a deployment template, without the leading `properties` when the file
  /// is the properties object alone (nil for paths outside `properties` then).
  public func filePath(for path: TemplatePath) -> TemplatePath? {
    switch form {
    case .resource: return path
    case .deployment(let index):
      guard index >= 0 else { return nil }
      return TemplatePath([.key("resources"), .index(index)] + path.components)
    case .propertiesOnly:
      guard path.components.first == .key("properties") else { return nil }
      return TemplatePath(Array(path.components.dropFirst()))
    case .cliOutput:
      guard path.components.first == .key("properties") else { return path }
      return TemplatePath(Array(path.components.dropFirst()))
    }
  }

  /// The RFC 6901 pointer of a logical path in this file (`/properties/customize/2`, or
  /// `/customize/2` for a properties-only file); nil when the path cannot be in the file.
  public func pointer(for path: TemplatePath) -> String? { filePath(for: path)?.pointer }

  /// The text of a 1-based line, or "" past the end.
  public func line(_ number: Int) -> String {
    lines.indices.contains(number - 1) ? lines[number - 1] : ""
  }

  /// The template's `apiVersion`, when it is a literal string.
  public var apiVersion: String? { resource?["apiVersion"]?.string }

  /// The entries of `properties.customize` with their indices (none when it is not an array).
  public var customizers: [(index: Int, node: JSONNode)] {
    (properties?["customize"]?.elements ?? []).enumerated().map { ($0.offset, $0.element) }
  }

  /// Every line of the `inline` scripts of the Shell and PowerShell customizers: the line's
  /// node and text, its path, and whether the step is a Shell step.
  public var inlineScriptLines: [(node: JSONNode, text: String, path: TemplatePath, isShell: Bool)] {
    customizers.flatMap { index, entry -> [(node: JSONNode, text: String, path: TemplatePath, isShell: Bool)] in
      guard let type = entry["type"]?.string?.lowercased(), type == "shell" || type == "powershell",
        let lines = entry["inline"]?.elements
      else { return [] }
      return lines.enumerated().compactMap { offset, line in
        guard let text = line.string else { return nil }
        let path = RuleSupport.customizePath(index).appending("inline").appending(index: offset)
        return (line, text, path, type == "shell")
      }
    }
  }

  /// The entries of `properties.distribute` with their indices.
  public var distributions: [(index: Int, node: JSONNode)] {
    (properties?["distribute"]?.elements ?? []).enumerated().map { ($0.offset, $0.element) }
  }

  private static func splitLines(_ bytes: [UInt8]) -> [String] {
    var lines: [String] = []
    var start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") {
      var end = index
      if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
      lines.append(String(decoding: bytes[start..<end], as: UTF8.self))
      start = index + 1
    }
    if start < bytes.count { lines.append(String(decoding: bytes[start...], as: UTF8.self)) }
    return lines
  }

  private static let linuxWords = [
    "ubuntu", "canonical", "redhat", "rhel", "centos", "debian", "suse", "sles", "openlogic", "oracle-linux",
    "almalinux", "rocky", "mariner", "azurelinux", "flatcar", "linux",
  ]

  private static func inferOS(_ properties: JSONNode?) -> TemplateOS {
    if let source = properties?["source"] {
      let words = ["publisher", "offer", "sku"].compactMap { source[$0]?.string?.lowercased() }
      if words.contains(where: { $0.contains("windows") }) { return .windows }
      if words.contains(where: { word in linuxWords.contains { word.contains($0) } }) { return .linux }
    }
    let types = (properties?["customize"]?.elements ?? []).compactMap { $0["type"]?.string?.lowercased() }
    if types.contains("windowsrestart") || types.contains("windowsupdate") { return .windows }
    if types.contains("shell") { return .linux }
    if types.contains("powershell") { return .windows }
    let destinations = (properties?["customize"]?.elements ?? []).compactMap { $0["destination"]?.string }
    if destinations.contains(where: { isWindowsPath($0) }) { return .windows }
    if destinations.contains(where: { $0.hasPrefix("/") }) { return .linux }
    return .unknown
  }

  /// Whether `text` is a Windows path (`C:\...`, `c:/...`).
  static func isWindowsPath(_ text: String) -> Bool {
    let scalars = Array(text.unicodeScalars.prefix(3))
    return scalars.count == 3 && scalars[0].properties.isAlphabetic && scalars[0].isASCII && scalars[1] == ":"
      && (scalars[2] == "\\" || scalars[2] == "/")
  }
}

/// Why a template could not be loaded.
public enum TemplateLoadError: Error, Sendable, CustomStringConvertible {
  /// The file could not be read (exit 2 in the CLI); the text is a one-line message.
  case unreadable(String)
  /// The file is not valid JSON (with comments).
  case syntax(path: String, TemplateParseError)

  /// One line for standard error.
  public var description: String {
    switch self {
    case .unreadable(let message): message
    case .syntax(let path, let error): "\(path): not valid JSON: \(error)"
    }
  }
}

/// A template file's content as read.
public struct TemplateFile: Sendable {
  /// The name as given (`-` is standard input).
  public var path: String
  /// The content, as UTF-8.
  public var bytes: [UInt8]
  /// The encoding detected (`plain`, `utf-8-bom`, `utf-16le`, `utf-16be`).
  public var encoding: String
  /// The SHA-256 of the raw bytes, when computed.
  public var sha256: String?

  /// Creates a file value.
  public init(path: String, bytes: [UInt8], encoding: String = "plain", sha256: String? = nil) {
    self.path = path
    self.bytes = bytes
    self.encoding = encoding
    self.sha256 = sha256
  }
}
