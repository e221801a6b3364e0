import AIBLogsAnalysis
import AIBLogsPatterns

/// `distribute` is a non-empty array of targets whose `type` is ManagedImage, SharedImage or VHD.
public struct DistributeTypeRule: TemplateRule {
  /// Creates the rule.
  public init() {}
  /// The finding id.
  public let id = "template-distribute-type"
  /// The service rejects the template (BadDistributeType).
  public let severity = Severity.error
  /// What the rule checks.
  public let title = "Every distribution target has a known type"
  /// Why it matters.
  public let summary = "The image goes to a managed image, a gallery image version or a VHD; at least one is needed."

  /// The findings for `template`.
  public func check(_ template: ImageTemplate) -> [Finding] {
    guard let properties = template.properties, properties.members != nil else { return [] }
    let path: TemplatePath = "properties.distribute"
    let types = RuleSupport.distributeTypes.joined(separator: ", ")
    guard let distribute = properties["distribute"] else {
      return [
        finding(
          template, path, problem: "missing",
          detail: "the template has no distribute: the build would have nowhere to put the image.",
          fix: "Add \"distribute\": [{\"type\": \"SharedImage\", \"galleryImageId\": ..., \"runOutputName\": ...}].")
      ]
    }
    if distribute.isExpression { return [] }
    guard let elements = distribute.elements else {
      return [
        finding(
          template, path, at: distribute.start, problem: "not an array",
          detail: "distribute is \(distribute.typeDescription); it is an array of targets (\(types)).",
          fix: "Use \"distribute\": [{\"type\": ..., \"runOutputName\": ...}].")
      ]
    }
    if elements.isEmpty {
      return [
        finding(
          template, path, at: distribute.start, problem: "empty",
          detail: "distribute has no target: the build would have nowhere to put the image.",
          fix: "Add at least one target (\(types)).")
      ]
    }
    return typedEntryFindings(
      template, elements, section: "distribute", path: RuleSupport.distributePath,
      knownTypes: RuleSupport.distributeTypes, noun: "distribution", example: "{\"type\": \"SharedImage\", ...}")
  }
}

/// Every target has a unique, well-formed `runOutputName`.
public struct RunOutputNameRule: TemplateRule {
  /// Creates the rule.
  public init() {}
  /// The finding id.
  public let id = "template-distribute-run-output-name"
  /// The service rejects the template.
  public let severity = Severity.error
  /// What the rule checks.
  public let title = "runOutputName is present and unique"
  /// Why it matters.
  public let summary = "Each target's result is queried by its runOutputName, so every target needs its own."

  /// The findings for `template`.
  public func check(_ template: ImageTemplate) -> [Finding] {
    var seen: [String: Int] = [:]
    var findings: [Finding] = []
    for (index, entry) in template.distributions where entry.members != nil {
      let path = RuleSupport.distributePath(index).appending("runOutputName")
      guard let node = entry["runOutputName"] else {
        findings.append(
          finding(
            template, path, at: entry.start, problem: "missing",
            detail: "distribute[\(index)] has no runOutputName; every target needs a unique one.",
            fix: "Add \"runOutputName\": a unique name such as \"win2022-sig\"."))
        continue
      }
      if node.isExpression { continue }
      guard let name = node.string else {
        findings.append(
          finding(
            template, path, at: node.start, problem: "not a string",
            detail: "runOutputName is \(node.typeDescription); it is a name.", fix: "Give a name string."))
        continue
      }
      let allowed = name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
      if name.isEmpty || name.count > 64 || !allowed {
        findings.append(
          finding(
            template, path, at: node.start, problem: "'\(name)' is not a valid name",
            detail: "runOutputName '\(name)' must be 1 to 64 letters, digits, '-', '_' or '.'.",
            fix: "Use a name such as \"win2022-sig\"."))
      }
      if let first = seen[name.lowercased()] {
        findings.append(
          finding(
            template, path, at: node.start, problem: "'\(name)' is used twice",
            detail: "runOutputName '\(name)' is already used by properties.distribute[\(first)]; it must be unique.",
            fix: "Give each target its own runOutputName."))
      } else {
        seen[name.lowercased()] = index
      }
    }
    return findings
  }
}

/// Each target type has its required fields, with well-formed resource IDs.
public struct DistributeFieldsRule: TemplateRule {
  /// Creates the rule.
  public init() {}
  /// The finding id.
  public let id = "template-distribute-fields"
  /// The service rejects the template ("Missing field", "has a bad value").
  public let severity = Severity.error
  /// What the rule checks.
  public let title = "Distribution targets have the fields their type needs"
  /// Why it matters.
  public let summary = "ManagedImage needs imageId and location; SharedImage needs galleryImageId."

  /// The findings for `template`.
  public func check(_ template: ImageTemplate) -> [Finding] {
    var findings: [Finding] = []
    for (index, entry) in template.distributions {
      guard let raw = entry["type"]?.string, let type = RuleSupport.canonical(raw, in: RuleSupport.distributeTypes)
      else { continue }
      let path = RuleSupport.distributePath(index)
      let required: [String]
      switch type {
      case "ManagedImage": required = ["imageId", "location"]
      case "SharedImage": required = ["galleryImageId"]
      default: required = []
      }
      for field in required {
        guard let node = entry[field] else {
          findings.append(
            finding(
              template, path.appending(field), at: entry.start, problem: "missing",
              detail: "a \(type) target needs \(field).", fix: fixText(field)))
          continue
        }
        if node.isExpression { continue }
        guard let text = node.string, !text.isEmpty else {
          findings.append(
            finding(
              template, path.appending(field), at: node.start, problem: "not a non-empty string",
              detail: "\(field) is \(node.value.jsonText); it is a non-empty string.", fix: fixText(field)))
          continue
        }
        let problem: String?
        switch field {
        case "imageId": problem = RuleSupport.resourceIDProblem(text, provider: ["Microsoft.Compute", "images", "*"])
        case "galleryImageId":
          problem = RuleSupport.resourceIDProblem(
            text, provider: ["Microsoft.Compute", "galleries", "*", "images", "*"], optionalTail: ["versions", "*"])
        default: problem = nil
        }
        if let problem {
          findings.append(
            finding(
              template, path.appending(field), at: node.start, problem: "bad value",
              detail: "\(field) '\(text)' is not valid: \(problem).", fix: fixText(field)))
        }
      }
    }
    return findings
  }

  private func fixText(_ field: String) -> String {
    switch field {
    case "imageId":
      "Give the managed image to create: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Compute/"
        + "images/<name> (the resource group must exist)."
    case "galleryImageId":
      "Give the image definition: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Compute/galleries/"
        + "<gallery>/images/<definition> (the gallery and definition must exist)."
    default:
      "Add \"location\": the region of the managed image."
    }
  }
}

/// `replicationRegions` / `targetRegions` of a SharedImage target.
public struct ReplicationRegionsRule: TemplateRule {
  /// Creates the rule.
  public init() {}
  /// The finding id.
  public let id = "template-replication-regions"
  /// The service rejects the template.
  public let severity = Severity.error
  /// What the rule checks.
  public let title = "Gallery targets list their regions once"
  /// Why it matters.
  public let summary =
    "A SharedImage target lists regions in replicationRegions (older APIs, required there) or targetRegions, "
    + "not both."

  /// The findings for `template`.
  public func check(_ template: ImageTemplate) -> [Finding] {
    var findings: [Finding] = []
    for (index, entry) in template.distributions {
      guard let type = entry["type"]?.string?.lowercased() else { continue }
      let path = RuleSupport.distributePath(index)
      let replication = entry["replicationRegions"]
      let target = entry["targetRegions"]
      if type != "sharedimage" {
        if let node = replication ?? target {
          let field = replication != nil ? "replicationRegions" : "targetRegions"
          findings.append(
            finding(
              template, path.appending(field), at: node.start, problem: "only for SharedImage",
              detail: "\(field) applies to SharedImage targets only.", fix: "Remove it from this target."))
        }
        continue
      }
      if replication != nil, let target {
        findings.append(
          finding(
            template, path.appending("targetRegions"), at: target.start, problem: "set with replicationRegions",
            detail: "targetRegions and replicationRegions are both set; replicationRegions is only allowed without "
              + "targetRegions.",
            fix: "Keep targetRegions and remove replicationRegions."))
        continue
      }
      if let replication, !replication.isExpression {
        if !(RuleSupport.isStringArray(replication) && !(replication.elements ?? []).isEmpty) {
          findings.append(
            finding(
              template, path.appending("replicationRegions"), at: replication.start,
              problem: "not a list of regions",
              detail: "replicationRegions is \(replication.value.jsonText); it is a non-empty array of region names, "
                + "one of them the gallery's region.",
              fix: "Write \"replicationRegions\": [\"westeurope\"]."))
        }
      }
      if let target, !target.isExpression {
        let valid =
          target.elements.map { elements in
            !elements.isEmpty && elements.allSatisfy { $0.isExpression || $0["name"]?.string != nil }
          } ?? false
        if !valid {
          findings.append(
            finding(
              template, path.appending("targetRegions"), at: target.start, problem: "not a list of regions",
              detail: "targetRegions is \(target.value.jsonText); it is a non-empty array of {\"name\": region}.",
              fix: "Write \"targetRegions\": [{\"name\": \"westeurope\", \"replicaCount\": 1}]."))
        }
      }
      if replication == nil, target == nil, let version = template.apiVersion, let date = RuleSupport.apiDate(version),
        date < "2022-07-01"
      {
        findings.append(
          finding(
            template, path.appending("replicationRegions"), at: entry.start, problem: "missing",
            detail: "API \(version) requires replicationRegions on a SharedImage target.",
            fix: "Add \"replicationRegions\": [\"<the gallery's region>\"]."))
      }
    }
    return findings
  }
}

/// `replicationRegions` is deprecated from API 2022-07-01.
public struct ReplicationRegionsDeprecatedRule: TemplateRule {
  /// Creates the rule.
  public init() {}
  /// The finding id.
  public let id = "template-replication-regions-deprecated"
  /// It still works.
  public let severity = Severity.warning
  /// What the rule checks.
  public let title = "targetRegions instead of replicationRegions"
  /// Why it matters.
  public let summary = "replicationRegions is deprecated from API 2022-07-01; targetRegions replaces it."

  /// The findings for `template`.
  public func check(_ template: ImageTemplate) -> [Finding] {
    guard RuleSupport.apiVersion(template, isAtLeast: "2022-07-01") else { return [] }
    return template.distributions.compactMap { index, entry in
      guard entry["type"]?.string?.lowercased() == "sharedimage", let member = entry.member("replicationRegions"),
        entry["targetRegions"] == nil
      else { return nil }
      let regions = (member.value.elements ?? []).compactMap(\.string)
      let suggestion = JSONValue.array(
        regions.map { .object([JSONMemberValue(key: "name", value: .string($0))]) }
      ).jsonText
      return finding(
        template, RuleSupport.distributePath(index).appending("replicationRegions"), at: member.keyStart,
        problem: "deprecated",
        detail:
          "replicationRegions is deprecated from API 2022-07-01 (this template uses \(template.apiVersion ?? "")).",
        fix: "Use \"targetRegions\": \(suggestion).")
    }
  }
}
