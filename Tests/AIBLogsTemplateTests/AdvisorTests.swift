import AIBLogsAnalysis
import Foundation
import Testing

@testable import AIBLogsTemplate

/// Where a test's log comes from.
enum LogSource: Sendable {
  case sample(String)
  case corpus(String)
  case lines([String])
  case sampleEdited(String, String, String)

  func diagnosis() throws -> InputDiagnosis {
    switch self {
    case .sample(let name): return try diagnose(path: sampleLog(name))
    case .corpus(let name): return try diagnose(path: corpusLog(name))
    case .lines(let lines): return try diagnose(lines: lines)
    case .sampleEdited(let name, let from, let to):
      let text = try String(contentsOfFile: sampleLog(name), encoding: .utf8)
      return try diagnose(lines: text.replacing(from, with: to).split(separator: "\n").map(String.init))
    }
  }
}

/// Where a test's template comes from.
enum TemplateSource: Sendable {
  case sample(String)
  case log(String)
  case text(String)
  case sampleEdited(String, String, String)

  func template() throws -> ImageTemplate {
    switch self {
    case .sample(let name): return try ImageTemplate.load(path: sampleTemplate(name))
    case .sampleEdited(let name, let from, let to):
      let text = try String(contentsOfFile: sampleTemplate(name), encoding: .utf8)
      #expect(text.contains(from), "the edit does not apply to \(name)")
      return try ImageTemplate(text: text.replacing(from, with: to))
    case .log(let name): return try ImageTemplate.load(path: sampleLog(name))
    case .text(let text): return try ImageTemplate(text: text)
    }
  }
}

/// A failed log, its template, and the advice expected.
struct AdviceCase: Sendable, CustomTestStringConvertible {
  var name: String
  var log: LogSource
  var template: TemplateSource
  var finding: String
  var customizer: Int?
  /// The changes' one-line summaries.
  var changes: [String] = []
  /// The file pointers where the patched template differs from the original.
  var changed: [String] = []
  /// Text each of which some note contains.
  var notes: [String] = []

  var testDescription: String { name }
}

let opid = "[9bd218e8-11c5-4820-87a8-c5f667c41c7d] PACKER"
let timeoutLine =
  "Failed while waiting for packerizer: Timeout waiting for microservice to complete: 'context deadline exceeded'"
let jwtLines = [
  "PACKER OUT Error: Failed to prepare build: \"azure-arm\"",
  "PACKER ERR * client_jwt will expire within 5 minutes, please use a JWT that is valid for at least 5 minutes",
  "PACKER OUT 1 error(s) occurred:",
]
let winrmLines = ["\(opid) OUT Build 'azure-arm' errored: Timeout waiting for WinRM."]
let eofLines = ["\(opid) OUT Build 'azure-arm' errored: unexpected EOF"]
let guestAgentLines = [
  "\(opid) OUT ==> azure-arm: Get-Service : Cannot find any service with service name 'WindowsAzureGuestAgent'.",
  "\(opid) OUT ==> azure-arm: At C:\\DeprovisioningScript.ps1:6 char:9",
]
let exit3010Lines = [
  "\(opid) OUT Build 'azure-arm' errored: Script exited with non-zero exit status: 3010. Allowed exit codes are: [0]"
]

/// `windowsBase` with `buildTimeoutInMinutes` set to `minutes` (nil removes it).
func windowsWithTimeout(_ minutes: Int?) -> String {
  windowsBase.replacing(
    "\"buildTimeoutInMinutes\": 120,", with: minutes.map { "\"buildTimeoutInMinutes\": \($0)," } ?? "")
}

/// A template whose first customizer is a WindowsRestart, as in corpus 01.
let restartFirst = windowsBase.replacing(
  "{ \"type\": \"PowerShell\", \"name\": \"setup\", \"runElevated\": true, "
    + "\"inline\": [\"Write-Host 'setting up'\"] },",
  with: "")

let adviceCases: [AdviceCase] = [
  AdviceCase(
    name: "script exit 1: the entry, no change", log: .sample("win-new-script-exit.log"),
    template: .sample("windows-endpoint-agent.json"), finding: "script-nonzero-exit", customizer: 1,
    notes: ["No automatic change: exit code 1"]),
  AdviceCase(
    name: "script exit 7: the entry, no change", log: .sample("win-new-unknown-failure.log"),
    template: .sample("windows-endpoint-agent.json"), finding: "script-nonzero-exit", customizer: 1,
    notes: ["exit code 7 comes from the script"]),
  AdviceCase(
    name: "3010: validExitCodes created in a deployment template", log: .sample("win-old-reboot-3010.log"),
    template: .sample("windows-erp-client.json"), finding: "reboot-required-exit-3010", customizer: 1,
    changes: ["properties.customize[1].validExitCodes: (absent) -> [0, 3010]"],
    changed: ["/resources/0/properties/customize/1/validExitCodes"]),
  AdviceCase(
    name: "1641: validExitCodes created", log: .sampleEdited("win-old-reboot-3010.log", "3010", "1641"),
    template: .sample("windows-erp-client.json"), finding: "reboot-required-exit-3010", customizer: 1,
    changes: ["properties.customize[1].validExitCodes: (absent) -> [0, 1641]"],
    changed: ["/resources/0/properties/customize/1/validExitCodes"]),
  AdviceCase(
    name: "3010: appended to a multi-line validExitCodes", log: .sample("win-old-reboot-3010.log"),
    template: .sampleEdited(
      "windows-erp-client.json", "\"name\": \"install-erp-client\",",
      "\"name\": \"install-erp-client\",\n\"validExitCodes\": [\n  0\n],"),
    finding: "reboot-required-exit-3010", customizer: 1,
    changes: ["properties.customize[1].validExitCodes: [0] -> [0, 3010]"],
    changed: ["/resources/0/properties/customize/1/validExitCodes/1"]),
  AdviceCase(
    name: "3010 without a customizer: the only PowerShell step", log: .lines(exit3010Lines),
    template: .text(windowsBase), finding: "reboot-required-exit-3010", customizer: 0,
    changes: ["properties.customize[0].validExitCodes: (absent) -> [0, 3010]"],
    changed: ["/properties/customize/0/validExitCodes"], notes: ["the template's only PowerShell customizer"]),
  AdviceCase(
    name: "3010 without a customizer: two PowerShell steps", log: .lines(exit3010Lines),
    template: .sample("windows-erp-client.json"), finding: "reboot-required-exit-3010", customizer: nil,
    notes: ["has 2 PowerShell customizers"]),
  AdviceCase(
    name: "3010 with no restart after it", log: .sample("win-old-reboot-3010.log"),
    template: .text(
      windowsBase.replacing(
        "{ \"type\": \"WindowsRestart\", \"name\": \"restart\", \"restartTimeout\": \"15m\" },", with: ""
      ).replacing("\"name\": \"setup\"", with: "\"name\": \"download\"").replacing(
        "\"customize\": [",
        with: "\"customize\": [ { \"type\": \"PowerShell\", \"name\": \"first\", \"inline\": [\"Write-Host 1\"] },")),
    finding: "reboot-required-exit-3010", customizer: 1,
    changes: ["properties.customize[1].validExitCodes: (absent) -> [0, 3010]"],
    changed: ["/properties/customize/1/validExitCodes"], notes: ["add a {\"type\": \"WindowsRestart\"} customizer"]),
  AdviceCase(
    name: "restart timeout doubled", log: .sample("win-new-restart-timeout.log"),
    template: .sample("windows-cumulative-update.json"), finding: "windows-restart-timeout", customizer: 1,
    changes: ["properties.customize[1].restartTimeout: 10m -> 30m"],
    changed: ["/properties/customize/1/restartTimeout"]),
  AdviceCase(
    name: "restart timeout absent", log: .sample("win-new-restart-timeout.log"),
    template: .sampleEdited("windows-cumulative-update.json", ",\n        \"restartTimeout\": \"10m\"", ""),
    finding: "windows-restart-timeout", customizer: 1,
    changes: ["properties.customize[1].restartTimeout: (absent, default 5m) -> 30m"],
    changed: ["/properties/customize/1/restartTimeout"]),
  AdviceCase(
    name: "interactive prompt: the waiting lines", log: .sample("win-new-hang-cancelled.log"),
    template: .sample("windows-devbox-winget.json"), finding: "interactive-prompt", customizer: 1,
    notes: ["No automatic change", "properties.customize[1].inline[2] at 44:11", "properties.customize[1].inline[4]"]),
  AdviceCase(
    name: "WinRM timeout on 2 vCPUs: no change", log: .sample("win-new-winrm-timeout.log"),
    template: .sample("windows-server-winrm.json"), finding: "winrm-timeout", customizer: nil,
    notes: ["Standard_D2s_v3 has 2 vCPUs"]),
  AdviceCase(
    name: "WinRM timeout on Standard_D1_v2", log: .lines(winrmLines), template: .sample("windows-mistakes.json"),
    finding: "winrm-timeout", customizer: nil,
    changes: ["properties.vmProfile.vmSize: Standard_D1_v2 -> Standard_D2s_v3"],
    changed: ["/properties/vmProfile/vmSize"]),
  AdviceCase(
    name: "apt lock in a properties-only file", log: .sample("linux-new-apt-lock.log"),
    template: .sample("linux-webserver.json"), finding: "apt-lock", customizer: 0,
    notes: ["No automatic template change for apt-lock"]),
  AdviceCase(
    name: "file download: the File entry", log: .sample("linux-new-file-download-404.log"),
    template: .sample("linux-site-noble.json"), finding: "file-download-failed", customizer: 1),
  AdviceCase(
    name: "build timeout from az output", log: .sample("lastrunstatus-timeout.txt"),
    template: .log("lastrunstatus-timeout.txt"), finding: "build-timeout", customizer: nil,
    changes: ["properties.buildTimeoutInMinutes: 240 -> 480"], changed: ["/buildTimeoutInMinutes"]),
  AdviceCase(
    name: "build timeout 120", log: .lines([timeoutLine]), template: .sample("windows-endpoint-agent.json"),
    finding: "build-timeout", customizer: nil, changes: ["properties.buildTimeoutInMinutes: 120 -> 240"],
    changed: ["/properties/buildTimeoutInMinutes"]),
  AdviceCase(
    name: "build timeout in a properties-only file", log: .lines([timeoutLine]),
    template: .sample("linux-webserver.json"), finding: "build-timeout", customizer: nil,
    changes: ["properties.buildTimeoutInMinutes: 60 -> 120"], changed: ["/buildTimeoutInMinutes"]),
  AdviceCase(
    name: "build timeout absent", log: .lines([timeoutLine]), template: .text(windowsWithTimeout(nil)),
    finding: "build-timeout", customizer: nil,
    changes: ["properties.buildTimeoutInMinutes: (absent, default 240) -> 480"],
    changed: ["/properties/buildTimeoutInMinutes"]),
  AdviceCase(
    name: "build timeout 0", log: .lines([timeoutLine]), template: .text(windowsWithTimeout(0)),
    finding: "build-timeout", customizer: nil, changes: ["properties.buildTimeoutInMinutes: 0 (default 240) -> 480"],
    changed: ["/properties/buildTimeoutInMinutes"]),
  AdviceCase(
    name: "build timeout capped at 960", log: .lines([timeoutLine]), template: .text(windowsWithTimeout(600)),
    finding: "build-timeout", customizer: nil, changes: ["properties.buildTimeoutInMinutes: 600 -> 960"],
    changed: ["/properties/buildTimeoutInMinutes"]),
  AdviceCase(
    name: "build timeout already 960", log: .lines([timeoutLine]), template: .text(windowsWithTimeout(960)),
    finding: "build-timeout", customizer: nil, notes: ["already 960"]),
  AdviceCase(
    name: "JWT: at least 60 minutes", log: .lines(jwtLines), template: .sample("windows-mistakes.json"),
    finding: "jwt-timeout-too-short", customizer: nil, changes: ["properties.buildTimeoutInMinutes: 5 -> 60"],
    changed: ["/properties/buildTimeoutInMinutes"]),
  AdviceCase(
    name: "resource exhaustion: one size up", log: .lines(eofLines),
    template: .sample("windows-cumulative-update.json"),
    finding: "resource-exhaustion-small-vm", customizer: nil,
    changes: ["properties.vmProfile.vmSize: Standard_D2s_v5 -> Standard_D4s_v3"],
    changed: ["/properties/vmProfile/vmSize"]),
  AdviceCase(
    name: "resource exhaustion without vmProfile", log: .lines(eofLines),
    template: .text(linuxBase.replacing("\"vmProfile\": { \"vmSize\": \"Standard_D2s_v5\" },", with: "")),
    finding: "resource-exhaustion-small-vm", customizer: nil,
    changes: ["properties.vmProfile.vmSize: (absent, default Standard_D1_v2) -> Standard_D2s_v3"],
    changed: ["/properties/vmProfile"]),
  AdviceCase(
    name: "guest agent on a small VM: a larger VM", log: .lines(guestAgentLines),
    template: .sample("windows-mistakes.json"), finding: "sysprep-timing-guest-agent", customizer: nil,
    changes: ["properties.vmProfile.vmSize: Standard_D1_v2 -> Standard_D2s_v3"],
    changed: ["/properties/vmProfile/vmSize"]),
  AdviceCase(
    name: "guest agent on a large VM: a wait at the end", log: .lines(guestAgentLines),
    template: .sample("windows-erp-client.json"), finding: "sysprep-timing-guest-agent", customizer: nil,
    changes: [
      "properties.customize[3]: (new) -> {\"type\": \"PowerShell\", \"name\": \"wait-for-guest-agent\", "
        + "\"inline\": [\"Start-Sleep -Seconds 60\"]}"
    ],
    changed: ["/resources/0/properties/customize/3"]),
  AdviceCase(
    name: "AIB's own step", log: .sample("win-new-sysprep-loop-cancelled.log"),
    template: .sample("windows-endpoint-agent.json"), finding: "sysprep-state-loop", customizer: nil,
    notes: ["Image Builder's own"]),
  AdviceCase(
    name: "the likely cause of a log that stops: the change, said to be for a likely cause",
    log: .sample("win-new-wu-small-vm-incomplete.log"), template: .sample("windows-cumulative-update.json"),
    finding: "resource-exhaustion-small-vm", customizer: 1,
    changes: ["properties.vmProfile.vmSize: Standard_D2s_v5 -> Standard_D4s_v3"],
    changed: ["/properties/vmProfile/vmSize"], notes: ["likely cause, not a confirmed one"]),
]

/// The corpus logs beside the package, with the templates they need.
let corpusAdviceCases: [AdviceCase] = [
  AdviceCase(
    name: "corpus 05: JWT", log: .corpus("05-jwt-timeout-too-short.log"), template: .sample("windows-mistakes.json"),
    finding: "jwt-timeout-too-short", customizer: nil, changes: ["properties.buildTimeoutInMinutes: 5 -> 60"],
    changed: ["/properties/buildTimeoutInMinutes"]),
  AdviceCase(
    name: "corpus 12: WinRM on D1_v2", log: .corpus("12-winrm-timeout-ws2016-d1v2.log"),
    template: .sample("windows-mistakes.json"), finding: "winrm-timeout", customizer: nil,
    changes: ["properties.vmProfile.vmSize: Standard_D1_v2 -> Standard_D2s_v3"],
    changed: ["/properties/vmProfile/vmSize"]),
  AdviceCase(
    name: "corpus 01: restart 15m -> 30m", log: .corpus("01-win-restart-1190-timeout.log"),
    template: .text(restartFirst),
    finding: "windows-restart-timeout", customizer: 0,
    changes: ["properties.customize[0].restartTimeout: 15m -> 30m"],
    changed: ["/properties/customize/0/restartTimeout"]),
  AdviceCase(
    name: "corpus 01 against the wrong template", log: .corpus("01-win-restart-1190-timeout.log"),
    template: .sample("windows-cumulative-update.json"), finding: "windows-restart-timeout", customizer: 0,
    notes: ["is this the template that was built?", "not a WindowsRestart customizer"]),
  AdviceCase(
    name: "corpus 28: a hang, 120 -> 240", log: .corpus("28-FULL-win-winget-hang-build-cancelled-newformat.log"),
    template: .sample("windows-endpoint-agent.json"), finding: "build-timeout", customizer: 0,
    changes: ["properties.buildTimeoutInMinutes: 120 -> 240"], changed: ["/properties/buildTimeoutInMinutes"],
    notes: ["printed nothing for 1 h 54 min"]),
]

/// Runs a case: advises, applies the JSON Patch to the template, and checks that exactly the
/// named paths changed, to the named values.
func check(_ testCase: AdviceCase) throws -> TemplateAdvice {
  let diagnosis = try testCase.log.diagnosis()
  #expect(diagnosis.primary == testCase.finding)
  let template = try testCase.template.template()
  let advice = try #require(TemplateAdvisor().advise(template: template, diagnosis: diagnosis))
  #expect(advice.finding == testCase.finding)
  #expect(advice.customizer?.index == testCase.customizer)
  #expect(advice.changes.map(\.summary) == testCase.changes)
  for text in testCase.notes {
    #expect(advice.notes.contains { $0.contains(text) }, "no note with '\(text)' in \(advice.notes)")
  }
  if testCase.notes.isEmpty && !testCase.changes.isEmpty { #expect(advice.notes == []) }

  // The patch applies to the template as it is in the file, and changes exactly the paths named.
  let before = template.root.value
  let after = try JSONPatch.apply(advice.patch, to: before)
  #expect(differences(before, after) == testCase.changed)
  for change in advice.changes {
    let pointer = try #require(template.pointer(for: TemplatePath(parsing: change.path)))
    #expect(JSONPatch.value(at: pointer, in: after) == change.newValue)
    #expect(JSONPatch.value(at: pointer, in: before) == change.oldValue)
    #expect(change.operations.allSatisfy { $0.path.hasPrefix(template.pointer(for: "properties") ?? "") })
    #expect(!change.diff.isEmpty && change.diff[0].hasPrefix("@@ line \(change.line) @@"))
  }
  // The JSON form of the patch is the same patch.
  let decoded = try JSONDecoder().decode([JSONPatchOperation].self, from: try sortedJSON(advice.patch))
  #expect(try JSONPatch.apply(decoded, to: before) == after)
  return advice
}

@Suite struct AdvisorTests {
  @Test(arguments: adviceCases)
  func adviceForASampleFailure(_ testCase: AdviceCase) throws {
    _ = try check(testCase)
  }

  @Test(.enabled(if: corpusAvailable, "../shared/corpus/real is not beside the package"), arguments: corpusAdviceCases)
  func adviceForACorpusLog(_ testCase: AdviceCase) throws {
    _ = try check(testCase)
  }

  @Test func theCustomizerEntryNamesWhatItRuns() throws {
    let advice = try check(adviceCases[0])
    let entry = try #require(advice.customizer)
    #expect(entry.path == "properties.customize[1]")
    #expect(entry.pointer == "/properties/customize/1")
    #expect(entry.name == "endpoint-agent")
    #expect(entry.type == "PowerShell")
    #expect(entry.firstLine == "$ErrorActionPreference = 'Stop'")
    #expect(entry.scriptUri == nil)
    #expect(entry.line == 42)
    #expect(
      entry.summary == "PowerShell 'endpoint-agent' (properties.customize[1], line 42): $ErrorActionPreference = 'Stop'"
    )
    let file = try check(try #require(adviceCases.first { $0.name == "file download: the File entry" }))
    #expect(
      file.customizer?.scriptUri
        == "https://stwebcontent01.blob.core.windows.net/site-releases/contoso-site-2.3.1.tar.gz")
    #expect(file.customizer?.pointer == "/properties/customize/1")
    let apt = try check(try #require(adviceCases.first { $0.name == "apt lock in a properties-only file" }))
    #expect(apt.customizer?.pointer == "/customize/0")
    #expect(apt.customizer?.firstLine == "sudo apt-get update")
  }

  @Test func theDiffShowsTheFileLines() throws {
    let timeout = try check(try #require(adviceCases.first { $0.name == "restart timeout doubled" }))
    #expect(
      timeout.changes[0].diff == [
        "@@ line 43 @@", "-        \"restartTimeout\": \"10m\"", "+        \"restartTimeout\": \"30m\"",
      ])
    let created = try check(adviceCases[2])
    #expect(
      created.changes[0].diff == [
        "@@ line 41 @@",
        "+            \"validExitCodes\": [0, 3010],",
        "             \"type\": \"PowerShell\",",
      ])
    let appended = try check(adviceCases[4])
    #expect(appended.changes[0].diff == ["@@ line 44 @@", "-  0", "+  0,", "+  3010"])
    let wrapped = try check(try #require(adviceCases.first { $0.name == "resource exhaustion without vmProfile" }))
    #expect(wrapped.changes[0].operations == [.add("/properties/vmProfile", json(#"{"vmSize": "Standard_D2s_v3"}"#))])
    #expect(wrapped.changes[0].diff[1] == "+    \"vmProfile\": {\"vmSize\": \"Standard_D2s_v3\"},")
  }

  @Test func textAndMarkdown() throws {
    let advice = try check(adviceCases[2])
    #expect(
      advice.renderText() == """
        Template (\(sampleTemplate("windows-erp-client.json")))
          customizer: PowerShell 'install-erp-client' at properties.customize[1], line 40
            inline: Write-Host 'Installing ERP client 11.4.2 ...'
          change: properties.customize[1].validExitCodes: (absent) -> [0, 3010]
            why: 3010 means the installer succeeded and asks for a restart; the build treats it as a failure \
        unless listed
            @@ line 41 @@
            +            "validExitCodes": [0, 3010],
                         "type": "PowerShell",

        """)
    let markdown = advice.renderMarkdown()
    #expect(
      markdown.contains("Failing customizer: `properties.customize[1]` (line 40), PowerShell `install-erp-client`"))
    #expect(markdown.contains("- `properties.customize[1].validExitCodes: (absent) -> [0, 3010]`: 3010 means"))
    #expect(markdown.contains("```diff\n@@ line 41 @@\n+            \"validExitCodes\": [0, 3010],\n"))
  }

  @Test func theJSONFormHasThePatch() throws {
    let advice = try check(adviceCases[2])
    let object = try #require(try JSONSerialization.jsonObject(with: try sortedJSON(advice)) as? [String: Any])
    #expect(Set(object.keys) == ["template", "finding", "customizer", "changes", "patch", "notes"])
    let patch = try #require(object["patch"] as? [[String: Any]])
    #expect(patch.count == 1)
    #expect(patch[0]["op"] as? String == "add")
    #expect(patch[0]["path"] as? String == "/resources/0/properties/customize/1/validExitCodes")
    #expect(patch[0]["value"] as? [Int] == [0, 3010])
    let change = try #require((object["changes"] as? [[String: Any]])?.first)
    #expect(change["old"] is NSNull)
    #expect(change["new"] as? [Int] == [0, 3010])
  }

  @Test func noChangeToAFileThatIsNotATemplate() throws {
    let diagnosis = try diagnose(lines: [timeoutLine])
    let advice = try #require(TemplateAdvisor().advise(template: try ImageTemplate(text: "[1]"), diagnosis: diagnosis))
    #expect(advice.changes.isEmpty && advice.patch.isEmpty)
    #expect(advice.notes.first?.contains("holds no image template properties") == true)
  }

  @Test func noAdviceWithoutARootCause() throws {
    let diagnosis = try diagnose(path: sampleLog("win-new-success.log"))
    #expect(TemplateAdvisor().advise(template: try ImageTemplate(text: windowsBase), diagnosis: diagnosis) == nil)
  }

  @Test(
    arguments: [
      (nil, "Standard_D2s_v3"), ("Standard_D1_v2", "Standard_D2s_v3"), ("Standard_B1s", "Standard_D2s_v3"),
      ("Standard_D2s_v5", "Standard_D4s_v3"), ("Standard_D4s_v3", "Standard_D8s_v3"),
      ("Standard_F16s_v2", "Standard_D32s_v3"),
      ("Standard_D64s_v3", "Standard_D64s_v3"),
    ] as [(String?, String)])
  func largerVMSizes(from: String?, to: String) {
    #expect(TemplateAdvisor.largerSize(than: from) == to)
  }
}
