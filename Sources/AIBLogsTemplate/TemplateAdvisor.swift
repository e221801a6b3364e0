import AIBLogsAnalysis
import AIBLogsPatterns

/// The template entry of the customizer a log names.
public struct TemplateCustomizerEntry: Sendable, Equatable, Codable {
  /// The index in `properties.customize`.
  public var index: Int
  /// `properties.customize[1]`.
  public var path: String
  /// Its RFC 6901 pointer in the file.
  public var pointer: String?
  /// The line where the entry starts.
  public var line: Int
  /// Its `name`, when it has one.
  public var name: String?
  /// Its `type` as written.
  public var type: String?
  /// The first non-empty line of its `inline` commands.
  public var firstLine: String?
  /// Its `scriptUri` (or a File customizer's `sourceUri`).
  public var scriptUri: String?

  enum CodingKeys: String, CodingKey { case index, path, pointer, line, name, type, firstLine, scriptUri }

  /// Encodes every key; unknown values are `null`.
  public func encode(to encoder: Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(index, forKey: .index)
    try container.encode(path, forKey: .path)
    try container.encode(pointer, forKey: .pointer)
    try container.encode(line, forKey: .line)
    try container.encode(name, forKey: .name)
    try container.encode(type, forKey: .type)
    try container.encode(firstLine, forKey: .firstLine)
    try container.encode(scriptUri, forKey: .scriptUri)
  }

  /// `PowerShell 'Install agent' (properties.customize[1], line 41)`, then what it runs.
  public var summary: String {
    var text = type ?? "customizer"
    if let name { text += " '\(name)'" }
    text += " (\(path), line \(line))"
    if let firstLine { text += ": \(firstLine)" } else if let scriptUri { text += ": \(scriptUri)" }
    return text
  }
}

/// One concrete change to the template: a path, its old and new value, and the JSON Patch
/// operations that make it.
public struct TemplateChange: Sendable, Equatable, Codable {
  /// The logical path, `properties.buildTimeoutInMinutes`.
  public var path: String
  /// The RFC 6901 pointer in the file.
  public var pointer: String
  /// The value now, or nil when the field is absent.
  public var oldValue: JSONValue?
  /// The value after the change.
  public var newValue: JSONValue
  /// One line: `properties.buildTimeoutInMinutes: 120 -> 240`.
  public var summary: String
  /// Why.
  public var reason: String
  /// The line of the file the change is at.
  public var line: Int
  /// A readable diff of the file: `@@ line N @@`, then `-` and `+` lines.
  public var diff: [String]
  /// The RFC 6902 operations.
  public var operations: [JSONPatchOperation]

  enum CodingKeys: String, CodingKey {
    case path, pointer
    case oldValue = "old"
    case newValue = "new"
    case summary, reason, line, diff, operations
  }

  /// Encodes every key; an absent old value is `null`.
  public func encode(to encoder: Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(path, forKey: .path)
    try container.encode(pointer, forKey: .pointer)
    try container.encode(oldValue, forKey: .oldValue)
    try container.encode(newValue, forKey: .newValue)
    try container.encode(summary, forKey: .summary)
    try container.encode(reason, forKey: .reason)
    try container.encode(line, forKey: .line)
    try container.encode(diff, forKey: .diff)
    try container.encode(operations, forKey: .operations)
  }
}

/// What to change in a template for a diagnosed failure.
public struct TemplateAdvice: Sendable, Equatable, Codable {
  /// The template file.
  public var template: String
  /// The finding the advice is for (the diagnosis's primary).
  public var finding: String
  /// The template entry of the failing customizer, when the log and the template show it.
  public var customizer: TemplateCustomizerEntry?
  /// The concrete changes (none when the fix is in a script, not the template).
  public var changes: [TemplateChange]
  /// Every change's operations in order: an RFC 6902 JSON Patch against the template file.
  public var patch: [JSONPatchOperation]
  /// What else to know: why there is no automatic change, what to check.
  public var notes: [String]

  /// Creates advice; `patch` is the changes' operations in order.
  public init(
    template: String, finding: String, customizer: TemplateCustomizerEntry?, changes: [TemplateChange], notes: [String]
  ) {
    self.template = template
    self.finding = finding
    self.customizer = customizer
    self.changes = changes
    self.patch = changes.flatMap(\.operations)
    self.notes = notes
  }

  enum CodingKeys: String, CodingKey { case template, finding, customizer, changes, patch, notes }

  /// Encodes every key; `customizer` is `null` when unknown.
  public func encode(to encoder: Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(template, forKey: .template)
    try container.encode(finding, forKey: .finding)
    try container.encode(customizer, forKey: .customizer)
    try container.encode(changes, forKey: .changes)
    try container.encode(patch, forKey: .patch)
    try container.encode(notes, forKey: .notes)
  }

  /// The advice for a terminal: the customizer entry, each change with its diff, the notes.
  public func renderText() -> String {
    var out = "Template (\(template))\n"
    if let customizer {
      out +=
        "  customizer: \(customizer.type ?? "customizer")\(customizer.name.map { " '\($0)'" } ?? "") at "
        + "\(customizer.path), line \(customizer.line)\n"
      if let first = customizer.firstLine { out += "    inline: \(first)\n" }
      if let script = customizer.scriptUri { out += "    script: \(script)\n" }
    }
    for change in changes {
      out += "  change: \(change.summary)\n"
      out += "    why: \(change.reason)\n"
      for line in change.diff { out += "    \(line)\n" }
    }
    if changes.isEmpty { out += "  change: none automatic\n" }
    for note in notes { out += "  note: \(note)\n" }
    return out
  }

  /// The advice as Markdown: the entry, a `diff` block per change, the notes.
  public func renderMarkdown() -> String {
    var out = "### Template changes (\(code(template)))\n\n"
    if let customizer {
      out +=
        "Failing customizer: \(code(customizer.path)) (line \(customizer.line)), \(customizer.type ?? "customizer")"
      if let name = customizer.name { out += " \(code(name))" }
      if let first = customizer.firstLine { out += ", first line \(code(first))" }
      if let script = customizer.scriptUri { out += ", script \(code(script))" }
      out += "\n\n"
    }
    if changes.isEmpty { out += "No automatic change.\n\n" }
    for change in changes {
      out += "- \(code(change.summary)): \(change.reason).\n"
    }
    if !changes.isEmpty {
      out += "\n```diff\n"
      for change in changes { out += change.diff.joined(separator: "\n") + "\n" }
      out += "```\n"
    }
    for note in notes { out += "\n> \(note)\n" }
    return out
  }

  private func code(_ text: String) -> String {
    var longest = 0
    var run = 0
    for character in text {
      run = character == "`" ? run + 1 : 0
      longest = max(longest, run)
    }
    let fence = String(repeating: "`", count: longest + 1)
    let pad = text.hasPrefix("`") || text.hasSuffix("`") ? " " : ""
    return fence + pad + text + pad + fence
  }
}

/// Turns a diagnosis into concrete changes to the template that was built: maps the failing
/// customizer to its `properties.customize` entry and, for the failure classes a template
/// field can fix, computes the change and its JSON Patch.
public struct TemplateAdvisor: Sendable {
  /// The size suggested for a build VM that is too small, by the vCPUs it has now.
  static func largerSize(than size: String?) -> String {
    let cpus = size.flatMap { RuleSupport.vCPUs(ofSize: $0) } ?? 1
    if cpus <= 1 { return "Standard_D2s_v3" }
    if cpus <= 3 { return "Standard_D4s_v3" }
    let next = [8, 16, 32, 48, 64].first { $0 >= cpus * 2 } ?? 64
    return "Standard_D\(next)s_v3"
  }

  /// Creates an advisor.
  public init() {}

  /// The advice for the diagnosis's primary finding, or nil when it has none.
  public func advise(template: ImageTemplate, diagnosis: InputDiagnosis) -> TemplateAdvice? {
    guard let id = diagnosis.primary, let finding = diagnosis.findings.first(where: { $0.id == id }) else {
      return nil
    }
    var advice = advise(template: template, finding: finding)
    if diagnosis.primaryRole == .likelyCause {
      advice.notes.insert(
        "The log ends before the build did, so \(id) is its likely cause, not a confirmed one: these changes "
          + "address what the step still running was held up by.", at: 0)
    }
    return advice
  }

  /// The advice for one finding.
  public func advise(template: ImageTemplate, finding: Finding) -> TemplateAdvice {
    var context = Context(template: template, finding: finding)
    guard template.properties?.members != nil else {
      context.notes.append("\(template.path) holds no image template properties; `aib-logs lint` says why.")
      return TemplateAdvice(
        template: template.path, finding: finding.id, customizer: nil, changes: [], notes: context.notes)
    }
    context.resolveCustomizer()
    switch finding.id {
    case "build-timeout":
      context.raiseBuildTimeout()
      context.pointAtWaitingCommands()
    case "jwt-timeout-too-short":
      context.raiseBuildTimeout(atLeast: 60)
    case "resource-exhaustion-small-vm":
      context.enlargeVM(onlyWhenSmall: false)
    case "winrm-timeout":
      context.enlargeVM(onlyWhenSmall: true)
    case "sysprep-timing-guest-agent":
      if !context.enlargeVM(onlyWhenSmall: true, quiet: true) { context.appendGuestAgentWait() }
    case "reboot-required-exit-3010":
      context.allowExitCode(Int(finding.captures["code"] ?? "") ?? 3010)
    case "script-nonzero-exit":
      if let code = Int(finding.captures["code"] ?? ""), code == 3010 || code == 1641 {
        context.allowExitCode(code)
      } else {
        let code = finding.captures["code"].map { "exit code \($0)" } ?? "the exit code"
        context.notes.append(
          "No automatic change: \(code) comes from the script; fix the failing command (shown above the exit line in "
            + "the log). Listing it in validExitCodes would hide the failure.")
      }
    case "windows-restart-timeout":
      context.raiseRestartTimeout()
    case "interactive-prompt":
      context.notes.append(
        "No automatic change: make the command non-interactive (-y, /qn, --accept-...-agreements, -Force) in the "
          + "customizer's script.")
      context.pointAtWaitingCommands()
    default:
      let paths =
        finding.templatePaths.isEmpty ? "" : " The fix concerns \(finding.templatePaths.joined(separator: ", "))."
      context.notes.append("No automatic template change for \(finding.id).\(paths)")
    }
    return TemplateAdvice(
      template: template.path, finding: finding.id, customizer: context.entry, changes: context.changes,
      notes: context.notes)
  }
}

/// The work of one `advise` call.
private struct Context {
  let template: ImageTemplate
  let finding: Finding
  var entry: TemplateCustomizerEntry?
  var changes: [TemplateChange] = []
  var notes: [String] = []

  init(template: ImageTemplate, finding: Finding) {
    self.template = template
    self.finding = finding
  }

  private static let packerTypes = [
    "powershell": "PowerShell", "shell": "Shell", "file": "File", "windows-restart": "WindowsRestart",
    "windows-update": "WindowsUpdate",
  ]

  /// The customizer type a fix needs when the log does not say which customizer failed.
  private var expectedType: String? {
    switch finding.id {
    case "windows-restart-timeout": "WindowsRestart"
    case "reboot-required-exit-3010": "PowerShell"
    case "script-nonzero-exit":
      ["3010", "1641"].contains(finding.captures["code"] ?? "") ? "PowerShell" : nil
    default: nil
    }
  }

  mutating func resolveCustomizer() {
    let count = template.customizers.count
    if let reference = finding.customizer {
      if reference.isAIBStep {
        notes.append(
          "The failing step is Image Builder's own \(reference.type) step (deprovision), not a template customizer; "
            + "override it by writing c:\\DeprovisioningScript.ps1 or /tmp/DeprovisioningScript.sh in a customizer.")
        return
      }
      if let index = reference.templateIndex {
        guard index < count else {
          notes.append(
            "The log names properties.customize[\(index)], but the template has \(count) customizer(s): is this the "
              + "template that was built?")
          return
        }
        entry = makeEntry(index)
        if let expected = Context.packerTypes[reference.type.lowercased()], let written = entry?.type,
          written.lowercased() != expected.lowercased()
        {
          notes.append(
            "The log ran a \(reference.type) step as customizer #\(reference.number), but "
              + "properties.customize[\(index)] "
              + "is \(written): is this the template that was built?")
        }
        return
      }
    }
    guard let expected = expectedType else { return }
    let candidates = RuleSupport.customizers(template, ofType: expected)
    if candidates.count == 1, let only = candidates.first {
      entry = makeEntry(only.index)
      notes.append(
        "The log does not say which customizer failed; properties.customize[\(only.index)] is the template's only "
          + "\(expected) customizer.")
    } else if candidates.count > 1 {
      notes.append(
        "The log does not say which customizer failed, and the template has \(candidates.count) \(expected) "
          + "customizers; no change was made.")
    }
  }

  private func makeEntry(_ index: Int) -> TemplateCustomizerEntry {
    let path = RuleSupport.customizePath(index)
    let node = template.customizers[index].node
    let firstLine = node["inline"]?.elements?.compactMap(\.string)
      .map { $0.trimmed() }.first { !$0.isEmpty }
    return TemplateCustomizerEntry(
      index: index, path: path.description, pointer: template.pointer(for: path), line: node.start.line,
      name: node["name"]?.string, type: node["type"]?.string, firstLine: firstLine,
      scriptUri: node["scriptUri"]?.string ?? node["sourceUri"]?.string)
  }

  // MARK: - The fixes

  /// buildTimeoutInMinutes doubled (0 or absent counts as 240), at least `atLeast`, at most 960.
  mutating func raiseBuildTimeout(atLeast minimum: Int? = nil) {
    let path: TemplatePath = "properties.buildTimeoutInMinutes"
    let node = template.node(at: path)
    if let node, node.isExpression {
      notes.append("buildTimeoutInMinutes is the expression \(node.value.jsonText); raise the value it resolves to.")
      return
    }
    if let node, node.integer == nil {
      notes.append("buildTimeoutInMinutes is \(node.value.jsonText), not a number; set a number of minutes.")
      return
    }
    let current = node?.integer
    let effective = (current ?? 0) == 0 ? 240 : current ?? 240
    let target: Int
    let reason: String
    if let minimum {
      guard effective < minimum else {
        notes.append(
          "buildTimeoutInMinutes is \(effective) here, not below \(minimum): is this the template that was built?")
        return
      }
      target = minimum
      reason =
        "below 6 minutes Packer refuses to start (client_jwt will expire within 5 minutes); Windows builds need at "
        + "least 60 (0 means the default, 240)"
    } else {
      guard effective < 960 else {
        notes.append(
          "buildTimeoutInMinutes is already 960, the maximum: the build must get faster (find the step that hangs).")
        return
      }
      target = min(max(effective * 2, 60), 960)
      reason = "the build ran out of time; this doubles the time it gets (the maximum is 960)"
    }
    let old: String
    switch current {
    case nil: old = "(absent, default 240)"
    case 0: old = "0 (default 240)"
    case .some(let value): old = String(value)
    }
    set(path, to: .integer(target), oldText: old, reason: reason)
    if let silence = finding.captures["silence"] {
      notes.append(
        "The failing step printed nothing for \(silence) before the end: if it waits for input, more time will not "
          + "help; check the customizer first.")
    }
  }

  /// vmSize one step larger; with `onlyWhenSmall`, only when it has one vCPU (or is the
  /// default). Returns whether a change was made.
  @discardableResult
  mutating func enlargeVM(onlyWhenSmall: Bool, quiet: Bool = false) -> Bool {
    let path: TemplatePath = "properties.vmProfile.vmSize"
    let node = template.node(at: path)
    if let node, node.isExpression {
      notes.append("vmSize is the expression \(node.value.jsonText); give it a larger size.")
      return false
    }
    let current = node?.string
    let cpus = current.flatMap { RuleSupport.vCPUs(ofSize: $0) }
    if onlyWhenSmall, let current, let cpus, cpus > 1 {
      if !quiet {
        notes.append(
          "vmSize \(current) has \(cpus) vCPUs, so size is an unlikely cause; check the network path (NSG, proxy) "
            + "and anything that disables WinRM or SSH.")
      }
      return false
    }
    let target = TemplateAdvisor.largerSize(than: current)
    let reason: String
    switch finding.id {
    case "winrm-timeout": reason = "Windows on a 1-vCPU VM (the old default Standard_D1_v2) can fail to bring up WinRM"
    case "sysprep-timing-guest-agent":
      reason = "on a 1-vCPU VM Sysprep starts before the Azure guest agent is installed"
    default: reason = "the build VM ran out of CPU or memory"
    }
    set(path, to: .string(target), oldText: current ?? "(absent, default Standard_D1_v2)", reason: reason)
    return true
  }

  /// A 60-second wait appended as the last customizer, so Sysprep starts after the guest agent.
  mutating func appendGuestAgentWait() {
    let names = Set(template.customizers.compactMap { $0.node["name"]?.string })
    var name = "wait-for-guest-agent"
    var suffix = 2
    while names.contains(name) {
      name = "wait-for-guest-agent-\(suffix)"
      suffix += 1
    }
    let step = JSONValue.object([
      JSONMemberValue(key: "type", value: .string("PowerShell")),
      JSONMemberValue(key: "name", value: .string(name)),
      JSONMemberValue(key: "inline", value: .array([.string("Start-Sleep -Seconds 60")])),
    ])
    let reason =
      "Sysprep started before the Azure guest agent was installed; a 60-second wait at the end lets it finish"
    let customize: TemplatePath = "properties.customize"
    if let array = template.node(at: customize), array.elements != nil {
      let index = template.customizers.count
      change(
        customize.appending(index: index), old: nil, new: step,
        summary: "\(customize)[\(index)]: (new) -> \(step.jsonText)", reason: reason,
        operation: .add(filePointer(customize.appending(.end)), step), edit: .append(customize, step))
    } else if template.node(at: customize) == nil {
      set(customize, to: .array([step]), oldText: "(absent)", reason: reason)
    }
  }

  /// `code` added to the failing PowerShell customizer's validExitCodes (`[0, code]` when absent).
  mutating func allowExitCode(_ code: Int) {
    guard let entry else {
      // Without a note yet, nothing said why the customizer is unknown.
      if notes.isEmpty {
        notes.append(
          "The log does not say which customizer ended with \(code); add it to that customizer's validExitCodes.")
      }
      return
    }
    guard entry.type?.lowercased() == "powershell" else {
      notes.append(
        "\(entry.path) is \(entry.type ?? "not typed"), and validExitCodes is PowerShell-only: make its script treat "
          + "\(code) as success and exit 0.")
      return
    }
    let path = RuleSupport.customizePath(entry.index).appending("validExitCodes")
    let reason =
      "\(code) means the installer succeeded and asks for a restart; the build treats it as a failure unless listed"
    let node = template.node(at: path)
    if let node, let elements = node.elements, !node.isExpression {
      guard elements.allSatisfy({ $0.integer != nil }) else {
        notes.append("validExitCodes at \(path) is not a list of numbers; add \(code) to it.")
        return
      }
      if elements.contains(where: { $0.integer == code }) {
        notes.append("\(path) already lists \(code): is this the template that was built?")
        return
      }
      let old = node.value
      let new = JSONValue.array(elements.map(\.value) + [.integer(code)])
      change(
        path, old: old, new: new, summary: "\(path): \(old.jsonText) -> \(new.jsonText)", reason: reason,
        operation: .add(filePointer(path.appending(.end)), .integer(code)), edit: .append(path, .integer(code)))
    } else if node == nil {
      set(path, to: .array([.integer(0), .integer(code)]), oldText: "(absent)", reason: reason)
    } else {
      notes.append("validExitCodes at \(path) is \(node?.value.jsonText ?? ""); make it [0, \(code)].")
      return
    }
    let next = template.customizers.first { $0.index == entry.index + 1 }?.node["type"]?.string?.lowercased()
    if next != "windowsrestart" {
      notes.append(
        "Then add a {\"type\": \"WindowsRestart\"} customizer right after \(entry.path), so the restart the "
          + "installer asked for happens before the next step.")
    }
  }

  /// The failing WindowsRestart customizer's restartTimeout doubled, at least 30m.
  mutating func raiseRestartTimeout() {
    guard let entry else {
      if notes.isEmpty { notes.append("The log does not say which WindowsRestart customizer timed out.") }
      return
    }
    guard entry.type?.lowercased() == "windowsrestart" else {
      notes.append(
        "\(entry.path) is \(entry.type ?? "not typed"), not a WindowsRestart customizer; no change was made.")
      return
    }
    let path = RuleSupport.customizePath(entry.index).appending("restartTimeout")
    let node = template.node(at: path)
    if let node, node.isExpression || node.string.flatMap(RuleSupport.durationSeconds) == nil {
      notes.append("restartTimeout at \(path) is \(node.value.jsonText); set it to \"30m\".")
      return
    }
    let current = node?.string
    let seconds = Int(current.flatMap(RuleSupport.durationSeconds) ?? 300)
    let target = RuleSupport.formatDuration(seconds: max(seconds * 2, 1800))
    set(
      path, to: .string(target), oldText: current ?? "(absent, default 5m)",
      reason: "the restart took longer than restartTimeout (installing updates at shutdown can take long)")
  }

  /// Notes that point at inline commands of the failing customizer that wait for input.
  mutating func pointAtWaitingCommands() {
    guard let entry else { return }
    let prefix = entry.path + ".inline["
    for finding in InteractiveCommandRule().check(template) where finding.captures["path"]?.hasPrefix(prefix) == true {
      notes.append(finding.message)
    }
  }

  // MARK: - Building changes

  /// A value as a one-line diff shows it: strings bare (`30m`), anything else as JSON.
  static func display(_ value: JSONValue) -> String {
    if case .string(let text) = value { return text }
    return value.jsonText
  }

  /// The pointer of a logical path in the file (every path a fix touches is under `properties`).
  private func filePointer(_ path: TemplatePath) -> String { template.pointer(for: path) ?? path.pointer }

  /// A change that sets `path` to `value`: `replace` when it exists, else `add` (of the
  /// nearest missing ancestor, holding the value).
  private mutating func set(_ path: TemplatePath, to value: JSONValue, oldText: String, reason: String) {
    let node = template.node(at: path)
    let summary = "\(path): \(oldText) -> \(Context.display(value))"
    if let node {
      change(
        path, old: node.value, new: value, summary: summary, reason: reason,
        operation: .replace(filePointer(path), value))
      return
    }
    // Wrap the value in objects for every missing ancestor (vmProfile absent: add
    // {"vmSize": ...} at /properties/vmProfile).
    var target = path
    var wrapped = value
    while target.components.count > 1, template.node(at: target.parent) == nil {
      guard case .key(let key) = target.last else { break }
      wrapped = .object([JSONMemberValue(key: key, value: wrapped)])
      target = target.parent
    }
    change(
      path, old: nil, new: value, summary: summary, reason: reason,
      operation: .add(filePointer(target), wrapped), edit: .add(target, wrapped))
  }

  private mutating func change(
    _ path: TemplatePath, old: JSONValue?, new: JSONValue, summary: String, reason: String,
    operation: JSONPatchOperation, edit: DiffRenderer.Edit = .replace
  ) {
    let diff = DiffRenderer(template: template).render(edit, at: path, value: new)
    changes.append(
      TemplateChange(
        path: path.description, pointer: operation.path, oldValue: old, newValue: new, summary: summary,
        reason: reason, line: diff.line, diff: diff.lines, operations: [operation]))
  }
}

extension String {
  /// `self` without leading and trailing characters from `set`.
  func trimmed(_ set: String = " \t\r\n") -> String {
    var text = Substring(self)
    while let first = text.first, set.contains(first) { text = text.dropFirst() }
    while let last = text.last, set.contains(last) { text = text.dropLast() }
    return String(text)
  }
}
