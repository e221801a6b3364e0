import AIBLogsAnalysis
import AIBLogsPatterns

/// `source` exists and its `type` is `PlatformImage`, `ManagedImage` or `SharedImageVersion`
/// (ISO sources are retired).
public struct SourceTypeRule: TemplateRule {
  /// Creates the rule.
  public init() {}
  /// The finding id.
  public let id = "template-source-type"
  /// The service rejects the template (BadSourceType).
  public let severity = Severity.error
  /// What the rule checks.
  public let title = "source.type is a supported source"
  /// Why it matters.
  public let summary = "The build starts from a marketplace image, a managed image or a gallery image version."

  /// The findings for `template`.
  public func check(_ template: ImageTemplate) -> [Finding] {
    guard let properties = template.properties, properties.members != nil else { return [] }
    let path: TemplatePath = "properties.source"
    let types = RuleSupport.sourceTypes.joined(separator: ", ")
    guard let source = properties["source"] else {
      return [
        finding(
          template, path, problem: "missing",
          detail: "the template has no source: the image the build starts from.",
          fix: "Add \"source\": {\"type\": \"PlatformImage\", \"publisher\": ..., \"offer\": ..., \"sku\": ..., "
            + "\"version\": \"latest\"}.")
      ]
    }
    if source.isExpression { return [] }
    guard source.members != nil else {
      return [
        finding(
          template, path, at: source.start, problem: "not an object",
          detail: "source is \(source.typeDescription); it is an object with a type (\(types)).",
          fix: "Use an object such as {\"type\": \"PlatformImage\", ...}.")
      ]
    }
    let typePath = path.appending("type")
    guard let node = source["type"] else {
      return [
        finding(
          template, typePath, at: source.start, problem: "missing",
          detail: "source has no type; it is one of \(types).", fix: "Add \"type\": one of \(types).")
      ]
    }
    if node.isExpression { return [] }
    guard let type = node.string else {
      return [
        finding(
          template, typePath, at: node.start, problem: "not a string",
          detail: "source.type is \(node.typeDescription); it is one of \(types).", fix: "Use one of \(types).")
      ]
    }
    if type.lowercased() == "iso" {
      return [
        finding(
          template, typePath, at: node.start, problem: "ISO sources are retired",
          detail:
            "source.type ISO (a RHEL ISO) was retired in 2020: the service no longer accepts or builds templates "
            + "with an ISO source.",
          fix: "Start from a PlatformImage (for example publisher RedHat, offer RHEL) or your own managed image.")
      ]
    }
    if RuleSupport.canonical(type, in: RuleSupport.sourceTypes) == nil {
      return [
        finding(
          template, typePath, at: node.start, problem: "unknown source type '\(type)'",
          detail: "source.type '\(type)' is not a source type; it is one of \(types).",
          fix: "Use one of \(types).")
      ]
    }
    return []
  }
}

/// Each source type has its required fields, and its resource IDs are well formed.
public struct SourceFieldsRule: TemplateRule {
  /// Creates the rule.
  public init() {}
  /// The finding id.
  public let id = "template-source-fields"
  /// The service rejects the template ("Missing field", "has a bad value").
  public let severity = Severity.error
  /// What the rule checks.
  public let title = "The source has the fields its type needs"
  /// Why it matters.
  public let summary =
    "PlatformImage needs publisher, offer, sku and version; ManagedImage an imageId; SharedImageVersion an "
    + "imageVersionId."

  /// The findings for `template`.
  public func check(_ template: ImageTemplate) -> [Finding] {
    let path: TemplatePath = "properties.source"
    guard let source = template.node(at: path), source.members != nil, let raw = source["type"]?.string,
      let type = RuleSupport.canonical(raw, in: RuleSupport.sourceTypes)
    else { return [] }
    var findings: [Finding] = []
    let required: [String]
    switch type {
    case "PlatformImage": required = ["publisher", "offer", "sku", "version"]
    case "ManagedImage": required = ["imageId"]
    default: required = ["imageVersionId"]
    }
    for field in required {
      let fieldPath = path.appending(field)
      guard let node = source[field] ?? caseVariant(field, in: source) else {
        findings.append(
          finding(
            template, fieldPath, at: source.start, problem: "missing",
            detail: "a \(type) source needs \(field).", fix: fixText(type: type, field: field)))
        continue
      }
      if node.isExpression || source[field] == nil { continue }
      guard let text = node.string, !text.isEmpty else {
        findings.append(
          finding(
            template, fieldPath, at: node.start, problem: "not a non-empty string",
            detail: "\(field) is \(node.value.jsonText); it is a non-empty string.",
            fix: fixText(type: type, field: field)))
        continue
      }
      if let problem = valueProblem(field: field, text: text) {
        findings.append(
          finding(
            template, fieldPath, at: node.start, problem: "bad value",
            detail: "\(field) '\(text)' is not valid: \(problem).", fix: fixText(type: type, field: field)))
      }
    }
    return findings
  }

  private func caseVariant(_ field: String, in object: JSONNode) -> JSONNode? {
    object.members?.last { $0.key.lowercased() == field.lowercased() }?.value
  }

  private func valueProblem(field: String, text: String) -> String? {
    switch field {
    case "version":
      if text.lowercased() == "latest" { return nil }
      let parts = text.split(separator: ".", omittingEmptySubsequences: false)
      return parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) })
        ? nil : "a marketplace version is \"latest\" or numbers separated by dots"
    case "imageId":
      return RuleSupport.resourceIDProblem(text, provider: ["Microsoft.Compute", "images", "*"])
    case "imageVersionId":
      let lower = text.lowercased()
      if lower.hasPrefix("/sharedgalleries/") || lower.hasPrefix("/communitygalleries/") { return nil }
      return RuleSupport.resourceIDProblem(
        text, provider: ["Microsoft.Compute", "galleries", "*", "images", "*", "versions", "*"])
    default:
      return nil
    }
  }

  private func fixText(type: String, field: String) -> String {
    switch field {
    case "imageId":
      return "Give the managed image's resource ID: /subscriptions/<id>/resourceGroups/<group>/providers/"
        + "Microsoft.Compute/images/<name> (az image list)."
    case "imageVersionId":
      return "Give the image version's resource ID: .../providers/Microsoft.Compute/galleries/<gallery>/images/"
        + "<definition>/versions/<version> (az sig image-version list)."
    case "version":
      return "Use \"latest\" or a version from az vm image list --all."
    default:
      return "Add \(field) as az vm image list shows it (publisher, offer, sku, version)."
    }
  }
}
