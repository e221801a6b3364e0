import AIBLogsAnalysis
import AIBLogsPatterns

/// `customize` is an array of objects whose `type` is a customizer type.
public struct CustomizerTypeRule: TemplateRule {
  /// Creates the rule.
  public init() {}
  /// The finding id.
  public let id = "template-customizer-type"
  /// The service rejects the template (BadCustomizerType).
  public let severity = Severity.error
  /// What the rule checks.
  public let title = "Every customizer has a known type"
  /// Why it matters.
  public let summary = "Customizers are Shell, PowerShell, File, WindowsRestart or WindowsUpdate steps, run in order."

  /// The findings for `template`.
  public func check(_ template: ImageTemplate) -> [Finding] {
    let path: TemplatePath = "properties.customize"
    guard let customize = template.node(at: path), !customize.isExpression else { return [] }
    guard let elements = customize.elements else {
      return [
        finding(
          template, path, at: customize.start, problem: "not an array",
          detail: "customize is \(customize.typeDescription); it is an array of customizers, run in order.",
          fix: "Use \"customize\": [{\"type\": \"Shell\", ...}, ...].")
      ]
    }
    return typedEntryFindings(
      template, elements, section: "customize", path: RuleSupport.customizePath,
      knownTypes: RuleSupport.customizerTypes,
      noun: "customizer", example: "{\"type\": \"Shell\", \"name\": ..., \"inline\": [...]}")
  }
}

/// Customizer names are unique.
public struct CustomizerNameUniqueRule: TemplateRule {
  /// Creates the rule.
  public init() {}
  /// The finding id.
  public let id = "template-customizer-name-unique"
  /// The reference requires unique names.
  public let severity = Severity.error
  /// What the rule checks.
  public let title = "Customizer names are unique"
  /// Why it matters.
  public let summary = "Customizers must have unique names; the name is how a step is found in the log."

  /// The findings for `template`.
  public func check(_ template: ImageTemplate) -> [Finding] {
    var seen: [String: Int] = [:]
    var findings: [Finding] = []
    for (index, entry) in template.customizers {
      guard let node = entry["name"], let name = node.string, !node.isExpression else { continue }
      if let first = seen[name] {
        findings.append(
          finding(
            template, RuleSupport.customizePath(index).appending("name"), at: node.start,
            problem: "'\(name)' is used twice",
            detail: "the name '\(name)' is already used by properties.customize[\(first)]; names must be unique.",
            fix: "Rename one of them, for example '\(name)-\(index)'."))
      } else {
        seen[name] = index
      }
    }
    return findings
  }
}

/// Each customizer type has its required fields: a script (`scriptUri` or `inline`) for Shell
/// and PowerShell, `sourceUri` and `destination` for File.
public struct CustomizerFieldsRule: TemplateRule {
  /// Creates the rule.
  public init() {}
  /// The finding id.
  public let id = "template-customizer-fields"
  /// The service rejects the template (NoCustomizerScript, Missing field).
  public let severity = Severity.error
  /// What the rule checks.
  public let title = "Customizers have the fields their type needs"
  /// Why it matters.
  public let summary =
    "Shell and PowerShell run a scriptUri or inline commands (one of them); File copies sourceUri to destination."

  /// The findings for `template`.
  public func check(_ template: ImageTemplate) -> [Finding] {
    var findings: [Finding] = []
    for (index, entry) in template.customizers {
      guard let raw = entry["type"]?.string, let type = RuleSupport.canonical(raw, in: RuleSupport.customizerTypes)
      else { continue }
      let path = RuleSupport.customizePath(index)
      if let name = entry["name"], name.string == nil {
        findings.append(
          finding(
            template, path.appending("name"), at: name.start, problem: "not a string",
            detail: "name is \(name.typeDescription); it is a string.", fix: "Give the customizer a name string."))
      }
      switch type {
      case "Shell", "PowerShell":
        findings += scriptProblems(template, entry, path, type)
      case "File":
        for field in ["sourceUri", "destination"] {
          guard let node = entry[field] else {
            findings.append(
              finding(
                template, path.appending(field), at: entry.start, problem: "missing",
                detail: "a File customizer needs \(field).",
                fix: field == "sourceUri"
                  ? "Add \"sourceUri\": the https URL of one file (under 20 MB)."
                  : "Add \"destination\": the full path and file name on the build VM."))
            continue
          }
          if node.isExpression { continue }
          guard let text = node.string, !text.isEmpty else {
            findings.append(
              finding(
                template, path.appending(field), at: node.start, problem: "not a non-empty string",
                detail: "\(field) is \(node.value.jsonText); it is a non-empty string.",
                fix: "Give \(field) as a string."))
            continue
          }
          if field == "sourceUri", !isURL(text) {
            findings.append(urlFinding(template, path.appending(field), node, text))
          }
        }
      default:
        break
      }
    }
    return findings
  }

  private func scriptProblems(_ template: ImageTemplate, _ entry: JSONNode, _ path: TemplatePath, _ type: String)
    -> [Finding]
  {
    let script = entry["scriptUri"]
    let inline = entry["inline"]
    switch (script, inline) {
    case (nil, nil):
      return [
        finding(
          template, path.appending("inline"), at: entry.start, problem: "no script",
          detail: "a \(type) customizer needs scriptUri or inline; it has neither.",
          fix: "Add \"inline\": [\"<command>\", ...] or \"scriptUri\": \"https://.../script\".")
      ]
    case (.some, .some(let inline)):
      return [
        finding(
          template, path.appending("inline"), at: inline.start, problem: "both scriptUri and inline",
          detail: "a \(type) customizer runs either scriptUri or inline; this one has both.",
          fix: "Keep one: split the step into two customizers if both are needed.")
      ]
    case (.some(let script), nil):
      if script.isExpression { return [] }
      guard let text = script.string else {
        return [
          finding(
            template, path.appending("scriptUri"), at: script.start, problem: "not a string",
            detail: "scriptUri is \(script.typeDescription); it is the script's URL.", fix: "Give the URL as a string.")
        ]
      }
      return isURL(text) ? [] : [urlFinding(template, path.appending("scriptUri"), script, text)]
    case (nil, .some(let inline)):
      if inline.isExpression { return [] }
      guard let elements = inline.elements, elements.allSatisfy({ $0.string != nil }) else {
        return [
          finding(
            template, path.appending("inline"), at: inline.start, problem: "not an array of strings",
            detail: "inline is \(inline.elements == nil ? inline.typeDescription : "an array with non-strings"); "
              + "it is an array of strings, one command per element.",
            fix: "Write \"inline\": [\"first command\", \"second command\"].")
        ]
      }
      if elements.isEmpty {
        return [
          finding(
            template, path.appending("inline"), at: inline.start, problem: "empty",
            detail: "inline has no commands.", fix: "Add the commands, or remove the customizer.")
        ]
      }
      return []
    }
  }

  private func isURL(_ text: String) -> Bool {
    let lower = text.lowercased()
    return (lower.hasPrefix("https://") || lower.hasPrefix("http://")) && lower.count > 8 && !lower.contains(" ")
  }

  private func urlFinding(_ template: ImageTemplate, _ path: TemplatePath, _ node: JSONNode, _ text: String) -> Finding
  {
    finding(
      template, path, at: node.start, problem: "not an http(s) URL",
      detail: "'\(text)' is not an https:// URL; Image Builder downloads the file from it.",
      fix: "Use a URL the service can reach (public, or in storage readable by the template's identity).")
  }
}

/// `sha256Checksum` is 64 hex digits.
public struct SHA256ChecksumRule: TemplateRule {
  /// Creates the rule.
  public init() {}
  /// The finding id.
  public let id = "template-sha256-checksum"
  /// The download can never match.
  public let severity = Severity.error
  /// What the rule checks.
  public let title = "sha256Checksum is 64 hex digits"
  /// Why it matters.
  public let summary =
    "Image Builder checks the downloaded file against the SHA-256 given; a malformed one never matches."

  /// The findings for `template`.
  public func check(_ template: ImageTemplate) -> [Finding] {
    template.customizers.compactMap { index, entry in
      guard let node = entry["sha256Checksum"], !node.isExpression else { return nil }
      let path = RuleSupport.customizePath(index).appending("sha256Checksum")
      let fix = "Generate it with sha256sum <file> (Linux, macOS) or (Get-FileHash <file>).Hash.ToLower() (PowerShell)."
      guard let text = node.string else {
        return finding(
          template, path, at: node.start, problem: "not a string",
          detail: "sha256Checksum is \(node.typeDescription); it is a string of 64 hex digits.", fix: fix)
      }
      if text.isEmpty || (text.count == 64 && text.allSatisfy { $0.isHexDigit && $0.isASCII }) { return nil }
      let what = text.allSatisfy(\.isHexDigit) ? "\(text.count) hex digits" : "not hexadecimal"
      return finding(
        template, path, at: node.start, problem: "not a SHA-256 checksum",
        detail: "sha256Checksum is \(what); a SHA-256 checksum is 64 hex digits.", fix: fix)
    }
  }
}

/// `sha256Checksum` is in lowercase.
public struct SHA256LowercaseRule: TemplateRule {
  /// Creates the rule.
  public init() {}
  /// The finding id.
  public let id = "template-sha256-lowercase"
  /// It may match, depending on the service version.
  public let severity = Severity.warning
  /// What the rule checks.
  public let title = "sha256Checksum is lowercase"
  /// Why it matters.
  public let summary = "The troubleshooting guide asks for the checksum in lowercase; Get-FileHash prints uppercase."

  /// The findings for `template`.
  public func check(_ template: ImageTemplate) -> [Finding] {
    template.customizers.compactMap { index, entry in
      guard let node = entry["sha256Checksum"], let text = node.string, text.count == 64,
        text.allSatisfy(\.isHexDigit), text != text.lowercased()
      else { return nil }
      return finding(
        template, RuleSupport.customizePath(index).appending("sha256Checksum"), at: node.start,
        problem: "uppercase checksum",
        detail: "sha256Checksum has uppercase digits; the checksum is compared in lowercase.",
        fix: "Write it in lowercase: \(text.lowercased()).")
    }
  }
}

/// A File customizer's `destination` is a full file path; on Linux it is under `/tmp`.
public struct FileDestinationRule: TemplateRule {
  /// Creates the rule.
  public init() {}
  /// The finding id.
  public let id = "template-file-destination"
  /// The upload fails (Permission denied, or a folder target).
  public let severity = Severity.error
  /// What the rule checks.
  public let title = "File destination is a writable file path"
  /// Why it matters.
  public let summary =
    "On Linux the File customizer can only write under /tmp; the destination is a full path including the file name."

  /// The findings for `template`.
  public func check(_ template: ImageTemplate) -> [Finding] {
    RuleSupport.customizers(template, ofType: "File").compactMap { _, entry, path in
      guard let node = entry["destination"], let text = node.string, !node.isExpression, !text.isEmpty else {
        return nil
      }
      let fieldPath = path.appending("destination")
      let windowsPath = ImageTemplate.isWindowsPath(text)
      if text.hasSuffix("/") || text.hasSuffix("\\") || text == "/tmp" {
        return finding(
          template, fieldPath, at: node.start, problem: "a folder, not a file path",
          detail: "destination '\(text)' is a folder; it must be the full path including the file name.",
          fix: "Add the file name, for example '\(text.hasSuffix("/") || text == "/tmp" ? "/tmp/" : text)<file>'."
            .replacing("//", with: "/"))
      }
      if template.os != .windows && !windowsPath && text.hasPrefix("/") && !text.hasPrefix("/tmp/") {
        return finding(
          template, fieldPath, at: node.start, problem: "outside /tmp on Linux",
          detail: "destination '\(text)' is outside /tmp: on Linux the File customizer can only write to /tmp.",
          fix: "Upload to /tmp/\(text.split(separator: "/").last.map(String.init) ?? "file") and move it with "
            + "sudo mv in a later Shell customizer.")
      }
      if template.os == .linux && windowsPath {
        return finding(
          template, fieldPath, at: node.start, problem: "a Windows path on a Linux build",
          detail: "destination '\(text)' is a Windows path, but the template builds Linux.",
          fix: "Use a path under /tmp.")
      }
      if template.os == .windows && !windowsPath {
        return finding(
          template, fieldPath, at: node.start, problem: "not an absolute Windows path",
          detail: "destination '\(text)' is not an absolute Windows path (C:\\...); the folder must already exist.",
          fix: "Use a full path such as C:\\buildArtifacts\\<file>, and create the folder in an earlier step.")
      }
      return nil
    }
  }
}

/// PowerShell options: `validExitCodes` is an array of integers, `runElevated` and
/// `runAsSystem` are Booleans, and `runAsSystem` needs `runElevated`; they are PowerShell-only.
public struct PowerShellOptionsRule: TemplateRule {
  /// Creates the rule.
  public init() {}
  /// The finding id.
  public let id = "template-powershell-options"
  /// The service rejects the template or ignores the setting.
  public let severity = Severity.error
  /// What the rule checks.
  public let title = "PowerShell options have the right types"
  /// Why it matters.
  public let summary =
    "validExitCodes lists the exit codes that count as success; runElevated and runAsSystem are true or false."

  /// The findings for `template`.
  public func check(_ template: ImageTemplate) -> [Finding] {
    var findings: [Finding] = []
    for (index, entry) in template.customizers {
      guard let type = entry["type"]?.string else { continue }
      let path = RuleSupport.customizePath(index)
      let isPowerShell = type.lowercased() == "powershell"
      if !isPowerShell {
        for field in ["validExitCodes", "runElevated", "runAsSystem"] {
          guard let member = entry.member(field) else { continue }
          findings.append(
            finding(
              template, path.appending(field), at: member.keyStart, problem: "PowerShell-only",
              detail: "\(field) applies to PowerShell customizers only; a \(type) customizer does not have it.",
              fix: type.lowercased() == "shell"
                ? "Remove it; make the script itself exit 0 (for example: command || true)."
                : "Remove it."))
        }
        continue
      }
      if let codes = entry["validExitCodes"], !codes.isExpression {
        let valid =
          codes.elements?.allSatisfy { code in
            code.isExpression || code.integer.map { Int32(exactly: $0) != nil } == true
          } ?? false
        if !valid {
          findings.append(
            finding(
              template, path.appending("validExitCodes"), at: codes.start, problem: "not an array of integers",
              detail: "validExitCodes is \(codes.value.jsonText); it is an array of integers such as [0, 3010].",
              fix: "Write \"validExitCodes\": [0, 3010] (numbers, without quotes)."))
        }
      }
      for field in ["runElevated", "runAsSystem"] {
        guard let node = entry[field], !node.isExpression, node.bool == nil else { continue }
        findings.append(
          finding(
            template, path.appending(field), at: node.start, problem: "not true or false",
            detail: "\(field) is \(node.value.jsonText); it is true or false, without quotes.",
            fix: "Write \"\(field)\": true."))
      }
      if let system = entry["runAsSystem"], system.bool == true, entry["runElevated"]?.bool != true {
        findings.append(
          finding(
            template, path.appending("runElevated"), at: system.start, problem: "needed by runAsSystem",
            detail: "runAsSystem is true but runElevated is not; runAsSystem only works with runElevated: true.",
            fix: "Add \"runElevated\": true."))
      }
    }
    return findings
  }
}

/// `validExitCodes` replaces the default `[0]`, so it should contain 0.
public struct ValidExitCodesZeroRule: TemplateRule {
  /// Creates the rule.
  public init() {}
  /// The finding id.
  public let id = "template-valid-exit-codes-zero"
  /// A script that always ends with one of the listed codes still works.
  public let severity = Severity.warning
  /// What the rule checks.
  public let title = "validExitCodes includes 0"
  /// Why it matters.
  public let summary = "validExitCodes replaces the default [0]: without 0, a script that succeeds fails the build."

  /// The findings for `template`.
  public func check(_ template: ImageTemplate) -> [Finding] {
    RuleSupport.customizers(template, ofType: "PowerShell").compactMap { _, entry, path in
      guard let codes = entry["validExitCodes"], let elements = codes.elements, !elements.isEmpty,
        elements.allSatisfy({ $0.integer != nil }), !elements.contains(where: { $0.integer == 0 })
      else { return nil }
      return finding(
        template, path.appending("validExitCodes"), at: codes.start, problem: "0 is not listed",
        detail:
          "validExitCodes is \(codes.value.jsonText) without 0: it replaces the default [0], so a script that "
          + "succeeds (exit 0) fails the build.",
        fix: "Add 0: \(JSONValue.array([.integer(0)] + elements.map(\.value)).jsonText).")
    }
  }
}

/// WindowsRestart: `restartTimeout` is a duration (`5m`, `2h`); the commands are strings.
public struct RestartTimeoutRule: TemplateRule {
  /// Creates the rule.
  public init() {}
  /// The finding id.
  public let id = "template-restart-timeout"
  /// The restart step cannot be run.
  public let severity = Severity.error
  /// What the rule checks.
  public let title = "restartTimeout is a duration"
  /// Why it matters.
  public let summary = "restartTimeout is a number and a unit (5m, 2h); the default is 5m."

  /// The findings for `template`.
  public func check(_ template: ImageTemplate) -> [Finding] {
    var findings: [Finding] = []
    for (_, entry, path) in RuleSupport.customizers(template, ofType: "WindowsRestart") {
      if let node = entry["restartTimeout"], !node.isExpression {
        let fieldPath = path.appending("restartTimeout")
        if let text = node.string, let seconds = RuleSupport.durationSeconds(text) {
          if seconds <= 0 {
            findings.append(
              finding(
                template, fieldPath, at: node.start, problem: "zero",
                detail: "restartTimeout '\(text)' gives the VM no time to restart.", fix: "Use at least \"5m\"."))
          }
        } else {
          let shown = node.string.map { "'\($0)'" } ?? node.value.jsonText
          findings.append(
            finding(
              template, fieldPath, at: node.start, problem: "\(shown) is not a duration",
              detail: "restartTimeout \(shown) is not a duration: it is a number and a unit, such as \"5m\" or \"2h\".",
              fix: "Write \"restartTimeout\": \"30m\"."))
        }
      }
      for field in ["restartCommand", "restartCheckCommand"] {
        guard let node = entry[field], node.string == nil, !node.isExpression else { continue }
        findings.append(
          finding(
            template, path.appending(field), at: node.start, problem: "not a string",
            detail: "\(field) is \(node.typeDescription); it is one command line.",
            fix: "Write it as a string, for example \"shutdown /r /f /t 0\"."))
      }
    }
    return findings
  }
}

/// WindowsUpdate: `searchCriteria` is a string, `filters` are `include:`/`exclude:` strings,
/// `updateLimit` is a positive integer.
public struct WindowsUpdateRule: TemplateRule {
  /// Creates the rule.
  public init() {}
  /// The finding id.
  public let id = "template-windows-update"
  /// The update step cannot be run.
  public let severity = Severity.error
  /// What the rule checks.
  public let title = "WindowsUpdate fields are well formed"
  /// Why it matters.
  public let summary =
    "searchCriteria is a query (default BrowseOnly=0 and IsInstalled=0), filters are include:/exclude: "
    + "expressions, updateLimit a count (default 1000)."

  /// The findings for `template`.
  public func check(_ template: ImageTemplate) -> [Finding] {
    var findings: [Finding] = []
    for (_, entry, path) in RuleSupport.customizers(template, ofType: "WindowsUpdate") {
      if let node = entry["searchCriteria"], node.string == nil, !node.isExpression {
        findings.append(
          finding(
            template, path.appending("searchCriteria"), at: node.start, problem: "not a string",
            detail: "searchCriteria is \(node.typeDescription); it is a query string such as \"IsInstalled=0\".",
            fix: "Write \"searchCriteria\": \"IsInstalled=0\"."))
      }
      if let node = entry["filters"], !node.isExpression {
        if let elements = node.elements {
          for (offset, element) in elements.enumerated() {
            let text = element.string?.lowercased() ?? ""
            if text.hasPrefix("include:") || text.hasPrefix("exclude:") { continue }
            findings.append(
              finding(
                template, path.appending("filters").appending(index: offset), at: element.start,
                problem: "not include: or exclude:",
                detail: "filter \(element.value.jsonText) does not start with include: or exclude:.",
                fix: "Write filters such as \"exclude:$_.Title -like '*Preview*'\" and \"include:$true\"."))
          }
        } else {
          findings.append(
            finding(
              template, path.appending("filters"), at: node.start, problem: "not an array",
              detail: "filters is \(node.typeDescription); it is an array of include:/exclude: strings.",
              fix: "Write \"filters\": [\"exclude:$_.Title -like '*Preview*'\", \"include:$true\"]."))
        }
      }
      if let node = entry["updateLimit"], !node.isExpression, (node.integer ?? 0) < 1 {
        findings.append(
          finding(
            template, path.appending("updateLimit"), at: node.start, problem: "not a positive integer",
            detail: "updateLimit is \(node.value.jsonText); it is the number of updates to install (default 1000).",
            fix: "Write a number such as \"updateLimit\": 1000, or remove it."))
      }
    }
    return findings
  }
}

/// A WindowsUpdate step should not run straight after installers without a restart.
public struct WindowsUpdateOrderRule: TemplateRule {
  /// Creates the rule.
  public init() {}
  /// The finding id.
  public let id = "template-windows-update-order"
  /// It works when nothing is pending.
  public let severity = Severity.warning
  /// What the rule checks.
  public let title = "WindowsUpdate follows a WindowsRestart"
  /// Why it matters.
  public let summary =
    "Windows Update fails (0x80240016) while installs or restarts are pending; the reference advises a "
    + "WindowsRestart before it."

  /// The findings for `template`.
  public func check(_ template: ImageTemplate) -> [Finding] {
    let types = template.customizers.map { $0.node["type"]?.string?.lowercased() ?? "" }
    return RuleSupport.customizers(template, ofType: "WindowsUpdate").compactMap { index, entry, path in
      var previous = index - 1
      while previous >= 0, types[previous] == "file" || types[previous] == "windowsupdate" { previous -= 1 }
      guard previous >= 0, types[previous] == "powershell" else { return nil }
      return finding(
        template, path, at: entry.start, problem: "no restart after the installers",
        detail:
          "the WindowsUpdate step runs right after properties.customize[\(previous)] (PowerShell) without a "
          + "WindowsRestart: pending installs or restarts make Windows Update fail (0x80240016).",
        fix: "Insert {\"type\": \"WindowsRestart\", \"restartTimeout\": \"30m\"} before it.")
    }
  }
}
