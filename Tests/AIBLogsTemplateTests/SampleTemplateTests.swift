import AIBLogsAnalysis
import Foundation
import Testing

@testable import AIBLogsTemplate

/// What `aib-logs lint` reports for each sample template: `rule@path@line:column`, in report
/// order (errors first, then warnings, each in file order).
let sampleLintResults: [(file: String, outcome: Outcome, findings: [String])] = [
  (
    "linux-mistakes.json", .failed,
    [
      "template-identity@identity@2:1",
      "template-build-timeout-range@properties.buildTimeoutInMinutes@8:30",
      "template-os-disk-size@properties.vmProfile.osDiskSizeGB@11:23",
      "template-vnet-config@properties.vmProfile.vnetConfig.subnetName@13:9",
      "template-vnet-config@properties.vmProfile.vnetConfig.name@14:9",
      "template-vnet-config@properties.vmProfile.vnetConfig.resourceGroupName@15:9",
      "template-source-fields@properties.source.sku@18:15",
      "template-file-destination@properties.customize[1].destination@37:24",
      "template-customizer-type@properties.customize[3].type@49:17",
      "template-distribute-fields@properties.distribute[0].location@55:7",
      "template-distribute-fields@properties.distribute[0].imageId@57:20",
      "template-inline-interactive@properties.customize[0].inline[1]@30:11",
      "template-sha256-lowercase@properties.customize[1].sha256Checksum@38:27",
      "template-inline-reboot@properties.customize[2].inline[1]@45:11",
    ]
  ),
  ("linux-site-noble.json", .succeeded, []),
  ("linux-webserver.json", .succeeded, []),
  ("windows-cumulative-update.json", .succeeded, []),
  (
    "windows-devbox-winget.json", .succeeded,
    [
      "template-inline-interactive@properties.customize[1].inline[2]@44:11",
      "template-inline-interactive@properties.customize[1].inline[3]@45:11",
      "template-inline-interactive@properties.customize[1].inline[4]@46:11",
    ]
  ),
  ("windows-endpoint-agent.json", .succeeded, []),
  ("windows-erp-client.json", .succeeded, []),
  (
    "windows-mistakes.json", .failed,
    [
      "template-identity@identity.userAssignedIdentities@13:7",
      "template-build-timeout-range@properties.buildTimeoutInMinutes@17:30",
      "template-powershell-options@properties.customize[0].runElevated@30:24",
      "template-powershell-options@properties.customize[0].validExitCodes@31:27",
      "template-restart-timeout@properties.customize[1].restartTimeout@40:27",
      "template-customizer-name-unique@properties.customize[2].name@44:17",
      "template-sha256-checksum@properties.customize[2].sha256Checksum@46:27",
      "template-file-destination@properties.customize[3].destination@52:24",
      "template-windows-update@properties.customize[4].updateLimit@58:24",
      "template-distribute-run-output-name@properties.distribute[1].runOutputName@70:26",
      "template-vm-size-small@properties.vmProfile.vmSize@18:30",
      "template-inline-interactive@properties.customize[0].inline[1]@34:11",
      "template-windows-update-order@properties.customize[4]@54:7",
      "template-field-case@properties.distribute[0].type@63:17",
      "template-replication-regions-deprecated@properties.distribute[0].replicationRegions@66:9",
    ]
  ),
  ("windows-server-winrm.json", .succeeded, []),
]

@Suite struct SampleTemplateTests {
  @Test func everySampleTemplateHasAnExpectedResult() throws {
    let files = try FileManager.default.contentsOfDirectory(atPath: sampleTemplate("")).filter { $0.hasSuffix(".json") }
    #expect(Set(files) == Set(sampleLintResults.map(\.file)))
  }

  @Test(arguments: sampleLintResults.map(\.file))
  func lintPrintsWhatIsExpected(file: String) throws {
    let expected = try #require(sampleLintResults.first { $0.file == file })
    let diagnosis = try TemplateLinter().lint(path: sampleTemplate(file))
    let found = diagnosis.findings.map {
      "\($0.id)@\($0.captures["path"] ?? "")@\($0.line):\($0.captures["column"] ?? "")"
    }
    #expect(found == expected.findings)
    #expect(diagnosis.kind == .template)
    #expect(diagnosis.outcome == expected.outcome)
    #expect(diagnosis.primary == diagnosis.findings.first { $0.severity == .error }?.id)
    #expect(diagnosis.input.lines > 0)
    #expect(diagnosis.input.sha256?.count == 64)
    for finding in diagnosis.findings {
      #expect(finding.evidence.first?.line == finding.line)
      #expect(!(finding.evidence.first?.text.isEmpty ?? true))
    }
  }

  @Test func theStatusJSONOfAnAzCLIRunIsATemplateToo() throws {
    let template = try ImageTemplate.load(path: sampleLog("lastrunstatus-timeout.txt"))
    #expect(template.form == .cliOutput)
    #expect(template.os == .windows)
    #expect(template.pointer(for: "properties.buildTimeoutInMinutes") == "/buildTimeoutInMinutes")
    #expect(template.pointer(for: "identity") == "/identity")
    #expect(TemplateLinter().lint(template).findings.map(\.id) == [])
  }
}

@Suite struct TemplateFormTests {
  @Test func theResourceForm() throws {
    let template = try ImageTemplate(text: windowsBase)
    #expect(template.form == .resource)
    #expect(template.os == .windows)
    #expect(template.pointer(for: "properties.customize[1].restartTimeout") == "/properties/customize/1/restartTimeout")
    #expect(template.node(at: "properties.customize[1].restartTimeout")?.string == "15m")
  }

  @Test func thePropertiesObjectAlone() throws {
    let template = try ImageTemplate.load(path: sampleTemplate("linux-webserver.json"))
    #expect(template.form == .propertiesOnly)
    #expect(template.os == .linux)
    #expect(template.pointer(for: "properties.customize[0].inline") == "/customize/0/inline")
    #expect(template.pointer(for: "identity") == nil)
    // Messages still say properties.*.
    let text = #"{"buildTimeoutInMinutes": 3, "source": {"type": "PlatformImage"}}"#
    let findings = lintFindings(text)
    #expect(summary(findings).contains("template-build-timeout-range@properties.buildTimeoutInMinutes"))
    let timeout = try #require(findings.first { $0.id == "template-build-timeout-range" })
    #expect(timeout.captures["pointer"] == "/buildTimeoutInMinutes")
    #expect(!findings.contains { $0.id == "template-identity" })
  }

  @Test func anARMDeploymentTemplate() throws {
    let template = try ImageTemplate.load(path: sampleTemplate("windows-erp-client.json"))
    #expect(template.form == .deployment(resourceIndex: 0))
    #expect(template.pointer(for: "properties.customize[1]") == "/resources/0/properties/customize/1")
    #expect(template.node(at: "properties.customize[1].name")?.string == "install-erp-client")
    let empty = #"{"$schema": "x", "contentVersion": "1.0.0.0", "resources": [{"type": "Microsoft.Storage/x"}]}"#
    #expect(summary(lintFindings(empty)) == ["template-structure@resources"])
  }

  @Test func expressionsAreNotJudged() {
    let text = windowsBase.replacing(
      "\"buildTimeoutInMinutes\": 120", with: "\"buildTimeoutInMinutes\": \"[parameters('minutes')]\""
    )
    .replacing("\"Standard_D2s_v3\"", with: "\"[parameters('size')]\"")
    #expect(summary(lintFindings(text)) == [])
  }

  @Test func aFileThatIsNotAnObject() {
    #expect(summary(lintFindings("[1, 2]")) == ["template-structure@properties"])
    #expect(summary(lintFindings(#"{"name": "x"}"#)) == ["template-structure@properties"])
  }

  @Test(
    arguments: [
      (0, nil), (6, nil), (240, nil), (960, nil), (1, "template-build-timeout-range"),
      (5, "template-build-timeout-range"),
      (961, "template-build-timeout-range"), (-1, "template-build-timeout-range"),
    ] as [(Int, String?)])
  func buildTimeoutLimits(minutes: Int, finding: String?) {
    let text = linuxBase.replacing(
      "\"properties\": {", with: "\"properties\": { \"buildTimeoutInMinutes\": \(minutes),")
    #expect(lintFindings(text).map(\.id) == (finding.map { [$0] } ?? []))
  }

  @Test(arguments: [
    ("sudo apt-get install -y nginx", false), ("apt-get -qq install nginx", false), ("sudo apt install nginx", true),
    ("DEBIAN_FRONTEND=noninteractive sudo apt-get install nginx", true), ("yes | sudo apt-get install nginx", false),
    ("sudo apt-get -o Dpkg::Options::=--force-confold install -qy nginx", false), ("sudo yum install httpd", true),
    ("sudo dnf -y install httpd", false), ("sudo zypper install nginx", true), ("zypper -n install nginx", false),
    ("sudo apt-get update", false), ("echo apt-get install nginx", false),
  ])
  func interactiveShellCommands(command: String, flagged: Bool) {
    let text = linuxBase.replacing("\"sudo apt-get update\"", with: JSONValue.quote(command))
    #expect(lintFindings(text).contains { $0.id == "template-inline-interactive" } == flagged)
  }

  @Test(arguments: [
    ("msiexec /i C:\\\\t\\\\a.msi", true), ("msiexec.exe /i a.msi /qn /norestart", false),
    ("Start-Process msiexec.exe -ArgumentList '/i a.msi /quiet' -Wait", false),
    ("Start-Process msiexec.exe -ArgumentList '/i a.msi' -Wait", true), ("choco install git", true),
    ("choco install git -y", false), ("winget install Git.Git --accept-source-agreements", true),
    ("winget install Git.Git --accept-source-agreements --accept-package-agreements", false),
    ("Install-Module Az -Scope AllUsers", true), ("Install-Module Az -Force", false),
    ("$name = Read-Host 'Name'", true),
    ("Write-Host 'Read-Host is not called here'", false),
  ])
  func interactivePowerShellCommands(command: String, flagged: Bool) {
    let text = windowsBase.replacing("\"Write-Host 'setting up'\"", with: "\"\(command)\"")
    #expect(lintFindings(text).contains { $0.id == "template-inline-interactive" } == flagged)
  }

  @Test(arguments: [
    ("sudo reboot", true), ("sudo shutdown -r now", true), ("sudo systemctl reboot", true), ("echo reboot", false),
    ("sudo systemctl restart nginx", false),
  ])
  func rebootsInsideShellSteps(command: String, flagged: Bool) {
    let text = linuxBase.replacing("\"sudo apt-get update\"", with: JSONValue.quote(command))
    #expect(lintFindings(text).contains { $0.id == "template-inline-reboot" } == flagged)
  }

  @Test func twoIdentitiesAreOneTooMany() {
    let second =
      "\"/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-id/providers/"
      + "Microsoft.ManagedIdentity/userAssignedIdentities/id-two\": {}"
    let text = windowsBase.replacing("id-aib\": {}", with: "id-aib\": {}, " + second)
    #expect(summary(lintFindings(text)) == ["template-identity@identity.userAssignedIdentities"])
  }
}
