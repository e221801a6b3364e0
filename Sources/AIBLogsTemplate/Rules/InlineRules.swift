import AIBLogsAnalysis
import AIBLogsPatterns

/// The simple commands of an inline line: split at `;`, `|`, `&`, brackets and line breaks,
/// each a list of words without quotes, with `sudo`, `env`, `VAR=value` and the path of the
/// program removed (`sudo /usr/bin/apt-get install x` → `apt-get install x`).
enum InlineCommands {
  /// The commands of `line`; a `#` comment ends the line, and a PowerShell assignment
  /// (`$p = ...`) counts as the command it assigns from.
  static func commands(in line: String) -> [[String]] {
    var result: [[String]] = []
    var current = ""
    var segments: [String] = []
    for character in line {
      if ";|&(){}\n".contains(character) {
        segments.append(current)
        current = ""
      } else {
        current.append(character)
      }
    }
    segments.append(current)
    for segment in segments {
      var words = segment.split(whereSeparator: { $0 == " " || $0 == "\t" }).map {
        String($0).trimmingQuotes()
      }
      if let comment = words.firstIndex(where: { $0.hasPrefix("#") }) { words.removeSubrange(comment...) }
      while let first = words.first {
        let lower = first.lowercased()
        if ["sudo", "env", "nohup", "time", "exec", "command", "&", "."].contains(lower) {
          words.removeFirst()
          while let option = words.first, option.hasPrefix("-") {
            words.removeFirst()
            if ["-u", "-g"].contains(option), !words.isEmpty { words.removeFirst() }
          }
        } else if first.contains("="), !first.hasPrefix("-"), !first.hasPrefix("$") {
          words.removeFirst()
        } else if first.hasPrefix("$"), words.count > 1, ["=", "+="].contains(words[1]) {
          // A PowerShell assignment: `$p = Start-Process ...` runs Start-Process.
          words.removeFirst(2)
        } else {
          break
        }
      }
      guard let program = words.first else { continue }
      var name = program.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? program
      if name.lowercased().hasSuffix(".exe") { name = String(name.dropLast(4)) }
      words[0] = name.lowercased()
      result.append(words)
    }
    return result
  }

  /// The first word after the program that is not an option (and not an option's value).
  static func subcommand(_ words: [String]) -> String? {
    var index = 1
    while index < words.count {
      let word = words[index]
      if word == "-o" || word == "-c" || word == "--option" {
        index += 2
        continue
      }
      if !word.hasPrefix("-") { return word.lowercased() }
      index += 1
    }
    return nil
  }

  /// Whether a word is a short-option cluster containing `letter` (`-qy`, `-y`).
  static func hasShortFlag(_ words: [String], _ letter: Character) -> Bool {
    words.dropFirst().contains { word in
      word.hasPrefix("-") && !word.hasPrefix("--") && word.count <= 6 && word.dropFirst().contains(letter)
        && word.dropFirst().allSatisfy(\.isLetter)
    }
  }

  /// Whether any word equals one of `flags`, ignoring case (`-Force`, `-Force:$true` too).
  static func hasFlag(_ words: [String], _ flags: [String]) -> Bool {
    words.dropFirst().contains { word in
      let lower = word.lowercased()
      return flags.contains { lower == $0 || lower.hasPrefix($0 + ":") || lower.hasPrefix($0 + "=") }
    }
  }
}

extension String {
  fileprivate func trimmingQuotes() -> String {
    var text = Substring(self)
    while let first = text.first, "\"'`,".contains(first) { text = text.dropFirst() }
    while let last = text.last, "\"'`,".contains(last) { text = text.dropLast() }
    return String(text)
  }
}

/// Inline commands that wait for input: package managers without their yes flag, installers
/// without their silent switch, prompts.
public struct InteractiveCommandRule: TemplateRule {
  /// Creates the rule.
  public init() {}
  /// The finding id.
  public let id = "template-inline-interactive"
  /// The command may get its answer elsewhere (a config file, an environment variable).
  public let severity = Severity.warning
  /// What the rule checks.
  public let title = "Inline commands do not wait for input"
  /// Why it matters.
  public let summary =
    "Nobody answers a prompt during a build: the step waits until buildTimeoutInMinutes and the build is cancelled."

  /// The findings for `template`.
  public func check(_ template: ImageTemplate) -> [Finding] {
    var findings: [Finding] = []
    for line in template.inlineScriptLines where !line.text.trimmingPrefixWhitespace.hasPrefix("#") {
      let problem = line.isShell ? shellProblem(line.text) : powerShellProblem(line.text)
      guard let (command, detail, fix) = problem else { continue }
      findings.append(
        finding(
          template, line.path, at: line.node.start, problem: "\(command) may wait for input", detail: detail,
          fix: fix))
    }
    return findings
  }

  private func shellProblem(_ line: String) -> (String, String, String)? {
    let piped = line.contains("yes |") || line.contains("yes|")
    for words in InlineCommands.commands(in: line) {
      let program = words[0]
      let sub = InlineCommands.subcommand(words) ?? ""
      switch program {
      case "apt-get", "apt", "aptitude":
        let prompting = ["install", "upgrade", "dist-upgrade", "full-upgrade", "remove", "purge", "autoremove"]
        guard prompting.contains(sub), !piped else { continue }
        let yes =
          InlineCommands.hasFlag(words, ["--yes", "--assume-yes", "-qq", "-q=2", "--force-yes"])
          || InlineCommands.hasShortFlag(words, "y") || words.contains { $0.lowercased().contains("assume-yes") }
        if yes { continue }
        return (
          "\(program) \(sub)",
          "`\(program) \(sub)` without -y asks \"Do you want to continue? [Y/n]\"; nobody answers, so the step "
            + "waits until the build times out.",
          "Add -y (and DEBIAN_FRONTEND=noninteractive): sudo \(program) \(sub) -y ..."
        )
      case "yum", "dnf", "tdnf", "microdnf":
        let prompting = ["install", "update", "upgrade", "remove", "erase", "groupinstall", "reinstall", "downgrade"]
        guard prompting.contains(sub), !piped else { continue }
        if InlineCommands.hasFlag(words, ["--assumeyes"]) || InlineCommands.hasShortFlag(words, "y") { continue }
        return (
          "\(program) \(sub)",
          "`\(program) \(sub)` without -y asks \"Is this ok [y/N]\"; nobody answers, so the step waits until the "
            + "build times out.",
          "Add -y: sudo \(program) \(sub) -y ..."
        )
      case "zypper":
        let prompting = ["in", "install", "up", "update", "dup", "dist-upgrade", "rm", "remove", "patch"]
        guard prompting.contains(sub), !piped else { continue }
        if InlineCommands.hasFlag(words, ["--non-interactive", "--no-confirm", "-n", "-y"]) { continue }
        return (
          "zypper \(sub)",
          "`zypper \(sub)` without --non-interactive asks for confirmation; the step waits until the build times out.",
          "Use zypper --non-interactive \(sub) ..."
        )
      default:
        continue
      }
    }
    return nil
  }

  private func powerShellProblem(_ line: String) -> (String, String, String)? {
    for words in InlineCommands.commands(in: line) {
      let program = words[0]
      let lower = words.map { $0.lowercased() }
      let sub = InlineCommands.subcommand(words) ?? ""
      if program == "msiexec" || (program == "start-process" && lower.contains { $0.contains("msiexec") }) {
        let silent = lower.dropFirst().contains { word in
          word.hasPrefix("/q") || word.hasPrefix("-q") || word == "/passive" || word == "-passive"
        }
        if silent { continue }
        return (
          "msiexec",
          "msiexec without /qn (or /quiet, /passive) shows the installer's dialogs; nobody clicks them, so the step "
            + "waits until the build times out.",
          "Add /qn /norestart, and allow exit code 3010 in validExitCodes if the installer asks for a restart."
        )
      }
      switch program {
      case "choco":
        guard ["install", "upgrade", "uninstall"].contains(sub) else { continue }
        if InlineCommands.hasFlag(words, ["--yes", "--confirm", "-y"]) || InlineCommands.hasShortFlag(words, "y") {
          continue
        }
        return (
          "choco \(sub)",
          "`choco \(sub)` without -y asks to confirm each script; the step waits until the build times out.",
          "Add -y (and --no-progress): choco \(sub) <package> -y --no-progress"
        )
      case "winget":
        guard ["install", "upgrade", "add"].contains(sub) else { continue }
        let source = InlineCommands.hasFlag(words, ["--accept-source-agreements"])
        let package = InlineCommands.hasFlag(words, ["--accept-package-agreements"])
        if source && package { continue }
        return (
          "winget \(sub)",
          "`winget \(sub)` without --accept-source-agreements and --accept-package-agreements asks to accept them; "
            + "the step waits until the build times out.",
          "Add --accept-source-agreements --accept-package-agreements --silent --disable-interactivity."
        )
      case "install-module", "install-packageprovider", "install-script", "update-module":
        if InlineCommands.hasFlag(words, ["-force"]) { continue }
        return (
          words[0],
          "\(words[0]) without -Force asks to install the NuGet provider or to trust the repository; the step "
            + "waits until the build times out.",
          "Add -Force (and -Scope AllUsers for modules the image's users need)."
        )
      case "read-host", "pause":
        return (
          words[0],
          "\(words[0]) waits for someone to type at the console; nobody does, so the step waits until the build "
            + "times out.",
          "Remove it; pass values as script parameters or variables."
        )
      default:
        continue
      }
    }
    return nil
  }
}

/// A reboot inside a Shell or PowerShell step cuts the connection the step runs over.
public struct InlineRebootRule: TemplateRule {
  /// Creates the rule.
  public init() {}
  /// The finding id.
  public let id = "template-inline-reboot"
  /// A reboot sent in the background after the script exits can survive.
  public let severity = Severity.warning
  /// What the rule checks.
  public let title = "No reboot inside a script step"
  /// Why it matters.
  public let summary =
    "Rebooting inside a step cuts its SSH or WinRM session: the step fails (\"Script disconnected unexpectedly\") "
    + "or the build loses the VM."

  /// The findings for `template`.
  public func check(_ template: ImageTemplate) -> [Finding] {
    var findings: [Finding] = []
    for line in template.inlineScriptLines {
      guard let command = rebootCommand(line.text, powerShell: !line.isShell) else { continue }
      if line.isShell {
        findings.append(
          finding(
            template, line.path, at: line.node.start, problem: "\(command) inside a Shell step",
            detail:
              "`\(command)` reboots the VM while the Shell step is running over SSH: the step fails with "
              + "\"Script disconnected unexpectedly\". Image Builder has no Linux restart customizer.",
            fix:
              "Avoid the reboot, or end the step first and reboot in the background (nohup sh -c 'sleep 5; "
              + "reboot' &); the next step waits for SSH (up to 20 minutes)."))
      } else {
        findings.append(
          finding(
            template, line.path, at: line.node.start, problem: "\(command) inside a PowerShell step",
            detail:
              "`\(command)` restarts Windows while the PowerShell step is running over WinRM: the step fails or "
              + "the next one starts before Windows is back.",
            fix: "Remove it and add a {\"type\": \"WindowsRestart\", \"restartTimeout\": \"30m\"} customizer after "
              + "this step."))
      }
    }
    return findings
  }

  private func rebootCommand(_ line: String, powerShell: Bool) -> String? {
    for words in InlineCommands.commands(in: line) {
      let lower = words.map { $0.lowercased() }
      let program = lower[0]
      if powerShell {
        if program == "restart-computer" { return words[0] }
        if program == "shutdown", lower.contains("/r") || lower.contains("-r") { return "shutdown /r" }
      } else {
        if program == "reboot" { return "reboot" }
        if program == "shutdown", lower.contains("-r") || lower.contains("--reboot") { return "shutdown -r" }
        if program == "systemctl", InlineCommands.subcommand(words) == "reboot" { return "systemctl reboot" }
        if program == "init" || program == "telinit", lower.count == 2, lower[1] == "6" { return "\(program) 6" }
      }
    }
    return nil
  }
}

extension String {
  fileprivate var trimmingPrefixWhitespace: Substring { drop { $0 == " " || $0 == "\t" } }
}
