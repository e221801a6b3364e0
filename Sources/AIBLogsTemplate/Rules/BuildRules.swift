import AIBLogsAnalysis
import AIBLogsPatterns

/// `buildTimeoutInMinutes`: 0 or absent means 240; 1 to 5 fails with the JWT error; the
/// maximum is 960.
public struct BuildTimeoutRangeRule: TemplateRule {
  /// Creates the rule.
  public init() {}
  /// The finding id.
  public let id = "template-build-timeout-range"
  /// The service or Packer rejects the value.
  public let severity = Severity.error
  /// What the rule checks.
  public let title = "buildTimeoutInMinutes is 0 or 6 to 960"
  /// Why it matters.
  public let summary =
    "Below 6 minutes Packer refuses to start (client_jwt will expire within 5 minutes); above 960 the service "
    + "rejects the template."

  static let path: TemplatePath = "properties.buildTimeoutInMinutes"

  /// The findings for `template`.
  public func check(_ template: ImageTemplate) -> [Finding] {
    guard let node = template.node(at: Self.path), !node.isExpression else { return [] }
    guard let minutes = node.integer else {
      return [
        finding(
          template, Self.path, at: node.start, problem: "not a whole number",
          detail: "buildTimeoutInMinutes is \(node.value.jsonText); it is a whole number of minutes.",
          fix: "Write a number without quotes, for example \"buildTimeoutInMinutes\": 240.")
      ]
    }
    if minutes < 0 {
      return [
        finding(
          template, Self.path, at: node.start, problem: "negative (\(minutes))",
          detail: "buildTimeoutInMinutes is \(minutes); it is 0 (the default, 240 minutes) or 6 to 960.",
          fix: "Use 0 for the default of 240 minutes, or a value from 6 to 960.")
      ]
    }
    if (1...5).contains(minutes) {
      return [
        finding(
          template, Self.path, at: node.start, problem: "\(minutes) is below the minimum of 6",
          detail:
            "buildTimeoutInMinutes is \(minutes): Packer refuses to start with \"client_jwt will expire within 5 "
            + "minutes\" (jwt-timeout-too-short).",
          fix: "Use 0 for the default of 240 minutes, or at least 6 (at least 60 for Windows).")
      ]
    }
    if minutes > 960 {
      return [
        finding(
          template, Self.path, at: node.start, problem: "\(minutes) is above the maximum of 960",
          detail: "buildTimeoutInMinutes is \(minutes); the maximum is 960 (16 hours).",
          fix: "Use at most 960; a longer build needs fewer or faster steps.")
      ]
    }
    return []
  }
}

/// Windows builds should allow at least 60 minutes.
public struct BuildTimeoutWindowsRule: TemplateRule {
  /// Creates the rule.
  public init() {}
  /// The finding id.
  public let id = "template-build-timeout-windows"
  /// It may be enough for a tiny image, rarely.
  public let severity = Severity.warning
  /// What the rule checks.
  public let title = "Windows builds allow at least 60 minutes"
  /// Why it matters.
  public let summary =
    "The reference advises not to go below 60 minutes for Windows: boot, updates and Sysprep take time."

  /// The findings for `template`.
  public func check(_ template: ImageTemplate) -> [Finding] {
    guard template.os == .windows, let node = template.node(at: BuildTimeoutRangeRule.path),
      let minutes = node.integer, (6..<60).contains(minutes)
    else { return [] }
    return [
      finding(
        template, BuildTimeoutRangeRule.path, at: node.start, problem: "\(minutes) minutes for a Windows build",
        detail:
          "buildTimeoutInMinutes is \(minutes) for a Windows build; the reference advises at least 60, since "
          + "provisioning, restarts and Sysprep alone can take most of it.",
        fix: "Use at least 60, or 0 for the default of 240 minutes.")
    ]
  }
}

/// `vmProfile` is an object and `vmSize` a VM size name.
public struct VMSizeRule: TemplateRule {
  /// Creates the rule.
  public init() {}
  /// The finding id.
  public let id = "template-vm-size"
  /// The build VM cannot be created.
  public let severity = Severity.error
  /// What the rule checks.
  public let title = "vmProfile.vmSize is a VM size name"
  /// Why it matters.
  public let summary = "The build VM is created with this size; a name that is not a size fails the deployment."

  /// The findings for `template`.
  public func check(_ template: ImageTemplate) -> [Finding] {
    let profilePath: TemplatePath = "properties.vmProfile"
    guard let profile = template.node(at: profilePath), !profile.isExpression else { return [] }
    guard profile.members != nil else {
      return [
        finding(
          template, profilePath, at: profile.start, problem: "not an object",
          detail: "vmProfile is \(profile.typeDescription); it is an object (vmSize, osDiskSizeGB, vnetConfig).",
          fix: "Use \"vmProfile\": {\"vmSize\": \"Standard_D2s_v3\"}.")
      ]
    }
    let path = profilePath.appending("vmSize")
    guard let node = profile["vmSize"], !node.isExpression else { return [] }
    guard let size = node.string else {
      return [
        finding(
          template, path, at: node.start, problem: "not a string",
          detail: "vmSize is \(node.typeDescription); it is a size name such as \"Standard_D2s_v3\".",
          fix: "Use a size name such as \"Standard_D2s_v3\".")
      ]
    }
    let parts = size.split(separator: "_", omittingEmptySubsequences: false)
    let wellFormed =
      parts.count >= 2 && ["standard", "basic"].contains(parts[0].lowercased())
      && parts.dropFirst().allSatisfy {
        !$0.isEmpty && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
      }
    if !wellFormed || RuleSupport.vCPUs(ofSize: size) == nil {
      return [
        finding(
          template, path, at: node.start, problem: "'\(size)' is not a VM size",
          detail: "vmSize '\(size)' is not an Azure VM size name (Standard_<family><vCPUs>..., e.g. Standard_D2s_v3).",
          fix: "Use a size name such as \"Standard_D2s_v3\" (see az vm list-sizes).")
      ]
    }
    return []
  }
}

/// One-vCPU build VMs are too small for Windows.
public struct SmallVMSizeRule: TemplateRule {
  /// Creates the rule.
  public init() {}
  /// The finding id.
  public let id = "template-vm-size-small"
  /// Small builds can pass; updates and installers exhaust it.
  public let severity = Severity.warning
  /// What the rule checks.
  public let title = "Windows builds use at least 2 vCPUs"
  /// Why it matters.
  public let summary =
    "On one vCPU (Standard_D1_v2, the old default) Windows builds exhaust CPU and memory, time out waiting for "
    + "WinRM, or start Sysprep before the guest agent is ready."

  /// The findings for `template`.
  public func check(_ template: ImageTemplate) -> [Finding] {
    let path: TemplatePath = "properties.vmProfile.vmSize"
    guard template.os == .windows, let node = template.node(at: path), let size = node.string,
      let cpus = RuleSupport.vCPUs(ofSize: size), cpus <= 1
    else { return [] }
    return [
      finding(
        template, path, at: node.start, problem: "\(size) has 1 vCPU",
        detail:
          "\(size) has 1 vCPU: Windows builds on it run out of resources (unexpected EOF), time out waiting for "
          + "WinRM, or run Sysprep before the guest agent is installed.",
        fix: "Use Standard_D2s_v3 or larger (Standard_D2_v2 at least).")
    ]
  }
}

/// `osDiskSizeGB` is 0 (the source's size) or a size up to 4095 GB.
public struct OSDiskSizeRule: TemplateRule {
  /// Creates the rule.
  public init() {}
  /// The finding id.
  public let id = "template-os-disk-size"
  /// The build VM cannot be created.
  public let severity = Severity.error
  /// What the rule checks.
  public let title = "vmProfile.osDiskSizeGB is 0 or a disk size"
  /// Why it matters.
  public let summary = "0 keeps the source image's size; any other value is the OS disk size in GB, at most 4095."

  /// The findings for `template`.
  public func check(_ template: ImageTemplate) -> [Finding] {
    let path: TemplatePath = "properties.vmProfile.osDiskSizeGB"
    guard let node = template.node(at: path), !node.isExpression else { return [] }
    guard let size = node.integer else {
      return [
        finding(
          template, path, at: node.start, problem: "not a whole number",
          detail: "osDiskSizeGB is \(node.value.jsonText); it is a whole number of GB.",
          fix: "Write a number without quotes, for example \"osDiskSizeGB\": 128, or 0 for the source's size.")
      ]
    }
    if size < 0 || size > 4095 {
      return [
        finding(
          template, path, at: node.start, problem: "\(size) is out of range",
          detail: "osDiskSizeGB is \(size); it is 0 (the source image's size) or 1 to 4095.",
          fix: "Use 0 to keep the source's size, or a larger size up to 4095 (the disk can only grow).")
      ]
    }
    return []
  }
}

/// `vmProfile.vnetConfig`: well-formed subnet IDs, and the combinations the service accepts.
public struct VNetConfigRule: TemplateRule {
  /// Creates the rule.
  public init() {}
  /// The finding id.
  public let id = "template-vnet-config"
  /// The service rejects the template or the build VM cannot join the subnet.
  public let severity = Severity.error
  /// What the rule checks.
  public let title = "vnetConfig names subnets the build can use"
  /// Why it matters.
  public let summary =
    "The build VM joins subnetId; the container-instance subnet must be a different subnet of the same network, "
    + "and replaces the proxy VM."

  /// The findings for `template`.
  public func check(_ template: ImageTemplate) -> [Finding] {
    let path: TemplatePath = "properties.vmProfile.vnetConfig"
    guard let config = template.node(at: path), !config.isExpression else { return [] }
    guard config.members != nil else {
      return [
        finding(
          template, path, at: config.start, problem: "not an object",
          detail: "vnetConfig is \(config.typeDescription); it is an object with subnetId.",
          fix: "Use \"vnetConfig\": {\"subnetId\": \"<subnet resource ID>\"}.")
      ]
    }
    var findings: [Finding] = []
    let subnetShape = ["Microsoft.Network", "virtualNetworks", "*", "subnets", "*"]
    for field in ["subnetId", "containerInstanceSubnetId"] {
      guard let node = config[field], !node.isExpression else { continue }
      let problem = node.string.map { RuleSupport.resourceIDProblem($0, provider: subnetShape) } ?? "not a string"
      if let problem {
        findings.append(
          finding(
            template, path.appending(field), at: node.start, problem: "not a subnet resource ID",
            detail: "\(field) is not a subnet resource ID: \(problem).",
            fix: "Use /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Network/virtualNetworks/"
              + "<network>/subnets/<subnet>."))
      }
    }
    if let aci = config["containerInstanceSubnetId"] {
      if config["subnetId"] == nil {
        findings.append(
          finding(
            template, path.appending("subnetId"), at: config.start, problem: "missing",
            detail: "containerInstanceSubnetId is set without subnetId; the build VM needs its own subnet.",
            fix: "Add subnetId: another subnet of the same virtual network."))
      } else if let subnet = config["subnetId"]?.string, let other = aci.string,
        subnet.lowercased() == other.lowercased(), !aci.isExpression
      {
        findings.append(
          finding(
            template, path.appending("containerInstanceSubnetId"), at: aci.start, problem: "same subnet as subnetId",
            detail: "containerInstanceSubnetId is the build VM's subnet; it must be a different subnet.",
            fix: "Use a separate subnet delegated to Microsoft.ContainerInstance/containerGroups."))
      }
      if let proxy = config["proxyVmSize"] {
        findings.append(
          finding(
            template, path.appending("proxyVmSize"), at: proxy.start, problem: "set with containerInstanceSubnetId",
            detail: "proxyVmSize cannot be set together with containerInstanceSubnetId (no proxy VM is used).",
            fix: "Remove proxyVmSize."))
      }
    }
    if RuleSupport.apiVersion(template, isAtLeast: "2024-02-01") {
      for field in ["name", "subnetName", "resourceGroupName"] {
        guard let member = config.member(field) else { continue }
        findings.append(
          finding(
            template, path.appending(field), at: member.keyStart, problem: "removed field",
            detail: "\(field) is a field of the 2019 preview; API \(template.apiVersion ?? "") rejects it.",
            fix: "Use subnetId, the subnet's resource ID."))
      }
    }
    return findings
  }
}

/// `errorHandling.onCustomizerError` and `onValidationError` are `cleanup` or `abort`.
public struct ErrorHandlingRule: TemplateRule {
  /// Creates the rule.
  public init() {}
  /// The finding id.
  public let id = "template-error-handling"
  /// The service rejects another value.
  public let severity = Severity.error
  /// What the rule checks.
  public let title = "errorHandling values are cleanup or abort"
  /// Why it matters.
  public let summary = "abort keeps the build VM for debugging; cleanup (the default) deletes it."

  /// The findings for `template`.
  public func check(_ template: ImageTemplate) -> [Finding] {
    let path: TemplatePath = "properties.errorHandling"
    guard let handling = template.node(at: path), handling.members != nil else { return [] }
    return ["onCustomizerError", "onValidationError"].compactMap { field in
      guard let node = handling[field], !node.isExpression else { return nil }
      if let text = node.string, ["cleanup", "abort"].contains(text.lowercased()) { return nil }
      return finding(
        template, path.appending(field), at: node.start, problem: "not cleanup or abort",
        detail: "\(field) is \(node.value.jsonText); it is \"cleanup\" (the default) or \"abort\".",
        fix: "Use \"abort\" to keep the build VM after a failure, or \"cleanup\".")
    }
  }
}
