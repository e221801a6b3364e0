import AIBLogsAnalysis
import AIBLogsPatterns

/// The file must hold an image template: a resource with a `properties` object, a
/// deployment template with an image-template resource, or the properties object alone.
public struct TemplateStructureRule: TemplateRule {
  /// Creates the rule.
  public init() {}
  /// The finding id.
  public let id = "template-structure"
  /// Always an error: nothing else can be checked.
  public let severity = Severity.error
  /// What the rule checks.
  public let title = "The file holds an image template"
  /// Why it matters.
  public let summary = "Without a properties object there is no source, customizer or distribution to build."

  /// The findings for `template`.
  public func check(_ template: ImageTemplate) -> [Finding] {
    guard template.root.members != nil else {
      return [
        finding(
          template, "properties", at: template.root.start, problem: "not a JSON object",
          detail: "the file is \(template.root.typeDescription), not an image template object.",
          fix: "Give the image template resource (type, apiVersion, location, identity, properties) or its properties.")
      ]
    }
    if case .deployment(let index) = template.form, index < 0 {
      return [
        finding(
          template, "resources", at: template.root["resources"]?.start ?? template.root.start,
          problem: "no image template resource",
          detail: "the deployment template has no resource of type Microsoft.VirtualMachineImages/imageTemplates.",
          fix: "Add the image template to resources[], with type Microsoft.VirtualMachineImages/imageTemplates.")
      ]
    }
    guard let properties = template.properties else {
      return [
        finding(
          template, "properties", problem: "missing",
          detail: "the template has no properties object (source, customize, distribute).",
          fix: "Add \"properties\": { \"source\": ..., \"customize\": [...], \"distribute\": [...] }.")
      ]
    }
    if properties.members == nil {
      return [
        finding(
          template, "properties", problem: "not an object",
          detail: "properties is \(properties.typeDescription); it must be an object.",
          fix: "Make properties an object with source, customize and distribute.")
      ]
    }
    return []
  }
}

/// `type` must be `Microsoft.VirtualMachineImages/imageTemplates`.
public struct ResourceTypeRule: TemplateRule {
  /// Creates the rule.
  public init() {}
  /// The finding id.
  public let id = "template-resource-type"
  /// ARM deploys another resource type, or none.
  public let severity = Severity.error
  /// What the rule checks.
  public let title = "The resource type is Microsoft.VirtualMachineImages/imageTemplates"
  /// Why it matters.
  public let summary = "Another type is not an image template; ARM sends it to a different resource provider."

  /// The findings for `template`.
  public func check(_ template: ImageTemplate) -> [Finding] {
    guard let node = template.resource?["type"], !node.isExpression else { return [] }
    let expected = "Microsoft.VirtualMachineImages/imageTemplates"
    if let text = node.string, text.lowercased() == expected.lowercased() { return [] }
    let shown = node.string.map { "'\($0)'" } ?? node.typeDescription
    return [
      finding(
        template, "type", at: node.start, problem: "not an image template type",
        detail: "type is \(shown); an image template is \(expected).",
        fix: "Set \"type\": \"\(expected)\".")
    ]
  }
}

/// `apiVersion`, when given, must be an API version (`2022-07-01`, `2019-05-01-preview`).
public struct APIVersionRule: TemplateRule {
  /// Creates the rule.
  public init() {}
  /// The finding id.
  public let id = "template-api-version"
  /// ARM rejects a malformed version.
  public let severity = Severity.error
  /// What the rule checks.
  public let title = "apiVersion is an API version"
  /// Why it matters.
  public let summary = "ARM rejects a deployment whose apiVersion is not one of the resource provider's versions."

  /// The findings for `template`.
  public func check(_ template: ImageTemplate) -> [Finding] {
    guard let node = template.resource?["apiVersion"], !node.isExpression else { return [] }
    let fix = "Use a current version such as \"2022-07-01\" or \"2024-02-01\"."
    guard let text = node.string else {
      return [
        finding(
          template, "apiVersion", at: node.start, problem: "not a string",
          detail: "apiVersion is \(node.typeDescription); it is a date string such as \"2022-07-01\".", fix: fix)
      ]
    }
    let suffix = text.dropFirst(10)
    if RuleSupport.apiDate(text) == nil || !(suffix.isEmpty || suffix == "-preview") {
      return [
        finding(
          template, "apiVersion", at: node.start, problem: "'\(text)' is not an API version",
          detail: "'\(text)' is not an API version (YYYY-MM-DD, or YYYY-MM-DD-preview).", fix: fix)
      ]
    }
    return []
  }
}

/// Preview API versions of the image builder are retired.
public struct APIVersionOutdatedRule: TemplateRule {
  /// Creates the rule.
  public init() {}
  /// The finding id.
  public let id = "template-api-version-outdated"
  /// The template may still deploy where old versions linger, but not for long.
  public let severity = Severity.warning
  /// What the rule checks.
  public let title = "apiVersion is not a retired preview version"
  /// Why it matters.
  public let summary = "The preview API versions (2019-05-01-preview and earlier) are retired by the service."

  /// The findings for `template`.
  public func check(_ template: ImageTemplate) -> [Finding] {
    guard let node = template.resource?["apiVersion"], let text = node.string, !node.isExpression,
      RuleSupport.apiDate(text) != nil, text.hasSuffix("-preview")
    else { return [] }
    return [
      finding(
        template, "apiVersion", at: node.start, problem: "retired preview version '\(text)'",
        detail:
          "'\(text)' is a preview API version; the image builder retired its preview versions, and since "
          + "2020-02-14 a template also needs a user-assigned identity.",
        fix: "Use \"2022-07-01\" or later, and add an identity if the template has none.")
    ]
  }
}

/// A resource in an ARM deployment needs `apiVersion`, `name` and `location`; a resource
/// object needs `location`.
public struct ARMResourceFieldsRule: TemplateRule {
  /// Creates the rule.
  public init() {}
  /// The finding id.
  public let id = "template-arm-resource-fields"
  /// The file may be used in a way that supplies them (a REST body, a CLI flag).
  public let severity = Severity.warning
  /// What the rule checks.
  public let title = "The ARM resource has apiVersion, name and location"
  /// Why it matters.
  public let summary = "ARM cannot deploy a resource without its API version, name and region."

  /// The findings for `template`.
  public func check(_ template: ImageTemplate) -> [Finding] {
    guard let resource = template.resource, resource.members != nil, template.properties != nil,
      template.form != .cliOutput
    else { return [] }
    var required = ["location"]
    if case .deployment = template.form { required = ["apiVersion", "name", "location"] }
    return required.filter { resource[$0] == nil }.map { field in
      finding(
        template, TemplatePath([.key(field)]), at: resource.start, problem: "missing",
        detail: "the image template resource has no \(field); ARM needs it to deploy the resource.",
        fix: field == "location"
          ? "Add \"location\": the region the image is built in (a region where Image Builder runs)."
          : "Add \"\(field)\" to the resource.")
    }
  }
}

/// The template needs exactly one user-assigned identity (API 2020-02-14 and later).
public struct IdentityRule: TemplateRule {
  /// Creates the rule.
  public init() {}
  /// The finding id.
  public let id = "template-identity"
  /// The service rejects the template ("Missing field 'identity'").
  public let severity = Severity.error
  /// What the rule checks.
  public let title = "One user-assigned identity"
  /// Why it matters.
  public let summary =
    "Image Builder acts as the template's user-assigned identity; it needs exactly one, and has needed it since "
    + "API 2020-02-14."

  /// The findings for `template`.
  public func check(_ template: ImageTemplate) -> [Finding] {
    guard let resource = template.resource, resource.members != nil, template.properties != nil else { return [] }
    let path: TemplatePath = "identity"
    guard let identity = resource["identity"] else {
      if let version = template.apiVersion, version.hasSuffix("-preview") { return [] }
      return [
        finding(
          template, path, at: resource.start, problem: "missing",
          detail:
            "the template has no identity; since API 2020-02-14 the service rejects it (\"Missing field 'identity'\").",
          fix:
            "Add \"identity\": {\"type\": \"UserAssigned\", \"userAssignedIdentities\": "
            + "{\"<identity resource ID>\": {}}} "
            + "with an identity that may read the source and write the image.")
      ]
    }
    if identity.isExpression { return [] }
    guard identity.members != nil else {
      return [
        finding(
          template, path, at: identity.start, problem: "not an object",
          detail: "identity is \(identity.typeDescription); it is an object with type and userAssignedIdentities.",
          fix: "Use {\"type\": \"UserAssigned\", \"userAssignedIdentities\": {\"<identity resource ID>\": {}}}.")
      ]
    }
    var findings: [Finding] = []
    let typePath = path.appending("type")
    if let type = identity["type"], !type.isExpression {
      if type.string?.lowercased() != "userassigned" {
        let shown = type.string.map { "'\($0)'" } ?? type.typeDescription
        findings.append(
          finding(
            template, typePath, at: type.start, problem: "not UserAssigned",
            detail: "identity.type is \(shown); Image Builder supports only a user-assigned identity.",
            fix: "Set \"type\": \"UserAssigned\"."))
      }
    } else if identity["type"] == nil {
      findings.append(
        finding(
          template, typePath, at: identity.start, problem: "missing",
          detail: "identity has no type.", fix: "Add \"type\": \"UserAssigned\"."))
    }
    let identitiesPath = path.appending("userAssignedIdentities")
    guard let identities = identity["userAssignedIdentities"] else {
      findings.append(
        finding(
          template, identitiesPath, at: identity.start, problem: "missing",
          detail: "identity has no userAssignedIdentities.",
          fix: "Add \"userAssignedIdentities\": {\"<identity resource ID>\": {}}."))
      return findings
    }
    if identities.isExpression { return findings }
    guard let members = identities.members else {
      findings.append(
        finding(
          template, identitiesPath, at: identities.start, problem: "not an object",
          detail: "userAssignedIdentities is \(identities.typeDescription); it maps one identity resource ID to {}.",
          fix: "Use \"userAssignedIdentities\": {\"<identity resource ID>\": {}}."))
      return findings
    }
    if members.isEmpty {
      findings.append(
        finding(
          template, identitiesPath, at: identities.start, problem: "empty",
          detail: "userAssignedIdentities names no identity.",
          fix: "Add the resource ID of one user-assigned identity: {\"<identity resource ID>\": {}}."))
    }
    // Findings point at the key but name the container: the key is a long resource ID.
    for (offset, member) in members.enumerated() {
      let memberPath = identitiesPath
      if offset == 1 {
        findings.append(
          finding(
            template, memberPath, at: member.keyStart, problem: "\(members.count) identities",
            detail: "the template names \(members.count) user-assigned identities; Image Builder supports only one.",
            fix: "Keep one identity and give it every role the build needs."))
      }
      let key = member.key
      if key.hasPrefix("[") && !key.hasPrefix("[[") { continue }
      if let problem = RuleSupport.resourceIDProblem(
        key, provider: ["Microsoft.ManagedIdentity", "userAssignedIdentities", "*"])
      {
        findings.append(
          finding(
            template, memberPath, at: member.keyStart, problem: "not an identity resource ID",
            detail: "the identity key is not a user-assigned identity resource ID: \(problem).",
            fix:
              "Use /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.ManagedIdentity/"
              + "userAssignedIdentities/<name>, or an expression such as [resourceId(...)]."))
      }
    }
    return findings
  }
}
