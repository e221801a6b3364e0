import AIBLogsAnalysis
import AIBLogsPatterns

/// Field names and type values in their exact case (API 2024-02-01 is case-sensitive).
public struct FieldCaseRule: TemplateRule {
  /// Creates the rule.
  public init() {}
  /// The finding id.
  public let id = "template-field-case"
  /// Older API versions accept any case.
  public let severity = Severity.warning
  /// What the rule checks.
  public let title = "Field names and types are spelled exactly"
  /// Why it matters.
  public let summary =
    "API 2024-02-01 and later are case-sensitive: imageVersionID or sharedImage is rejected (\"unknown field\", "
    + "\"has a bad value\")."

  private static let customizerFields = [
    "type", "name", "scriptUri", "inline", "sha256Checksum", "sourceUri", "destination", "validExitCodes",
    "runElevated", "runAsSystem", "restartCommand", "restartCheckCommand", "restartTimeout", "searchCriteria",
    "filters", "updateLimit",
  ]
  private static let distributeFields = [
    "type", "runOutputName", "artifactTags", "imageId", "location", "galleryImageId", "replicationRegions",
    "targetRegions", "excludeFromLatest", "storageAccountType", "versioning", "uri",
  ]

  /// The known field names of the object at a logical path (`customize[]` for any element).
  private static func knownFields(_ path: String) -> [String]? {
    switch path {
    case "": ["type", "apiVersion", "name", "location", "tags", "identity", "properties", "dependsOn"]
    case "identity": ["type", "userAssignedIdentities"]
    case "properties":
      [
        "buildTimeoutInMinutes", "vmProfile", "source", "customize", "distribute", "validate", "optimize",
        "stagingResourceGroup", "errorHandling", "autoRun", "managedResourceTags",
      ]
    case "properties.vmProfile": ["vmSize", "osDiskSizeGB", "userAssignedIdentities", "vnetConfig"]
    case "properties.vmProfile.vnetConfig": ["subnetId", "containerInstanceSubnetId", "proxyVmSize"]
    case "properties.source": ["type", "publisher", "offer", "sku", "version", "planInfo", "imageId", "imageVersionId"]
    case "properties.errorHandling": ["onCustomizerError", "onValidationError"]
    case "properties.customize[]": customizerFields
    case "properties.distribute[]": distributeFields
    default: nil
    }
  }

  /// The findings for `template`.
  public func check(_ template: ImageTemplate) -> [Finding] {
    // `az image builder show` output has the CLI's own casing (osDiskSizeGb), not the template's.
    guard template.form != .cliOutput else { return [] }
    var findings: [Finding] = []
    var objects: [(TemplatePath, String, JSONNode)] = []
    if let resource = template.resource { objects.append((TemplatePath([]), "", resource)) }
    if let identity = template.resource?["identity"] { objects.append(("identity", "identity", identity)) }
    if let properties = template.properties {
      objects.append(("properties", "properties", properties))
      for field in ["vmProfile", "source", "errorHandling"] {
        if let node = properties[field] {
          objects.append((TemplatePath(parsing: "properties.\(field)"), "properties.\(field)", node))
        }
      }
      if let config = properties["vmProfile"]?["vnetConfig"] {
        objects.append(("properties.vmProfile.vnetConfig", "properties.vmProfile.vnetConfig", config))
      }
      for (index, entry) in template.customizers {
        objects.append((RuleSupport.customizePath(index), "properties.customize[]", entry))
      }
      for (index, entry) in template.distributions {
        objects.append((RuleSupport.distributePath(index), "properties.distribute[]", entry))
      }
    }
    for (path, kind, object) in objects {
      guard let members = object.members, let known = Self.knownFields(kind) else { continue }
      for member in members where !known.contains(member.key) {
        guard let exact = known.first(where: { $0.lowercased() == member.key.lowercased() }) else { continue }
        findings.append(
          finding(
            template, path.appending(member.key), at: member.keyStart, problem: "spelled '\(member.key)'",
            detail: "the field is named \(exact); API 2024-02-01 and later reject '\(member.key)' as an unknown field.",
            fix: "Rename it to \(exact)."))
      }
    }
    let typed: [(TemplatePath, JSONNode?, [String])] =
      [("properties.source.type", template.properties?["source"]?["type"], RuleSupport.sourceTypes)]
      + template.customizers.map {
        (RuleSupport.customizePath($0.index).appending("type"), $0.node["type"], RuleSupport.customizerTypes)
      }
      + template.distributions.map {
        (RuleSupport.distributePath($0.index).appending("type"), $0.node["type"], RuleSupport.distributeTypes)
      }
    for (path, node, known) in typed {
      guard let node, let value = node.string, let exact = RuleSupport.canonical(value, in: known), exact != value
      else { continue }
      findings.append(
        finding(
          template, path, at: node.start, problem: "'\(value)' instead of '\(exact)'",
          detail: "the type is spelled '\(exact)'; API 2024-02-01 and later reject '\(value)' (\"has a bad value\").",
          fix: "Write \"type\": \"\(exact)\"."))
    }
    return findings.sorted { ($0.line, $0.captures["column"] ?? "") < ($1.line, $1.captures["column"] ?? "") }
  }
}

/// A key that appears twice in one object: only one of the values is used.
public struct DuplicateKeyRule: TemplateRule {
  /// Creates the rule.
  public init() {}
  /// The finding id.
  public let id = "template-duplicate-key"
  /// One value silently wins.
  public let severity = Severity.warning
  /// What the rule checks.
  public let title = "No key appears twice in an object"
  /// Why it matters.
  public let summary = "JSON parsers keep one of two equal keys (usually the last); the other value is silently lost."

  /// The findings for `template`.
  public func check(_ template: ImageTemplate) -> [Finding] {
    var findings: [Finding] = []
    let start: (TemplatePath, JSONNode)
    if template.form == .propertiesOnly {
      start = ("properties", template.root)
    } else {
      start = (TemplatePath([]), template.resource ?? template.root)
    }
    var stack = [start]
    while let (path, node) = stack.popLast() {
      switch node.content {
      case .object(let members):
        var seen: [String: SourcePosition] = [:]
        for member in members {
          if let first = seen[member.key] {
            findings.append(
              finding(
                template, path.appending(member.key), at: member.keyStart, problem: "appears twice",
                detail: "\"\(member.key)\" is already set at line \(first.line) in this object; only one of the two "
                  + "values is used (usually this one).",
                fix: "Keep one \"\(member.key)\" and merge the values."))
          } else {
            seen[member.key] = member.keyStart
          }
          stack.append((path.appending(member.key), member.value))
        }
      case .array(let elements):
        for (index, element) in elements.enumerated() { stack.append((path.appending(index: index), element)) }
      default:
        break
      }
    }
    return findings.sorted { $0.line < $1.line }
  }
}
