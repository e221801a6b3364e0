import AIBLogsAnalysis
import AIBLogsPatterns
import Testing

@testable import AIBLogsTemplate

/// A valid Windows template: every rule passes on it.
let windowsBase = """
  {
    "type": "Microsoft.VirtualMachineImages/imageTemplates",
    "apiVersion": "2022-07-01",
    "name": "tpl-test-windows",
    "location": "westeurope",
    "identity": {
      "type": "UserAssigned",
      "userAssignedIdentities": {
        "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-id/providers/\
  Microsoft.ManagedIdentity/userAssignedIdentities/id-aib": {}
      }
    },
    "properties": {
      "buildTimeoutInMinutes": 120,
      "vmProfile": { "vmSize": "Standard_D2s_v3", "osDiskSizeGB": 128 },
      "source": {
        "type": "PlatformImage",
        "publisher": "MicrosoftWindowsServer",
        "offer": "WindowsServer",
        "sku": "2022-datacenter-g2",
        "version": "latest"
      },
      "customize": [
        { "type": "PowerShell", "name": "setup", "runElevated": true, "inline": ["Write-Host 'setting up'"] },
        { "type": "WindowsRestart", "name": "restart", "restartTimeout": "15m" },
        {
          "type": "WindowsUpdate",
          "name": "updates",
          "searchCriteria": "IsInstalled=0",
          "filters": ["exclude:$_.Title -like '*Preview*'", "include:$true"],
          "updateLimit": 40
        },
        {
          "type": "File",
          "name": "config",
          "sourceUri": "https://stimages.blob.core.windows.net/config/app.config",
          "destination": "C:\\\\BuildArtifacts\\\\app.config"
        }
      ],
      "distribute": [
        {
          "type": "SharedImage",
          "galleryImageId": "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-img/\
  providers/Microsoft.Compute/galleries/gal/images/win2022",
          "runOutputName": "win2022-sig",
          "targetRegions": [{ "name": "westeurope", "replicaCount": 1 }]
        }
      ]
    }
  }
  """

/// A valid Linux template: every rule passes on it.
let linuxBase = """
  {
    "type": "Microsoft.VirtualMachineImages/imageTemplates",
    "apiVersion": "2024-02-01",
    "name": "tpl-test-linux",
    "location": "eastus",
    "identity": {
      "type": "UserAssigned",
      "userAssignedIdentities": { "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id-aib')]": {} }
    },
    "properties": {
      "vmProfile": { "vmSize": "Standard_D2s_v5" },
      "source": {
        "type": "PlatformImage",
        "publisher": "Canonical",
        "offer": "0001-com-ubuntu-server-jammy",
        "sku": "22_04-lts-gen2",
        "version": "latest"
      },
      "customize": [
        { "type": "Shell", "name": "packages", "inline": ["sudo apt-get update", "sudo apt-get install -y nginx"] },
        {
          "type": "File",
          "name": "config",
          "sourceUri": "https://stimages.blob.core.windows.net/config/nginx.conf",
          "destination": "/tmp/nginx.conf",
          "sha256Checksum": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        },
        { "type": "Shell", "name": "move", "scriptUri": "https://stimages.blob.core.windows.net/scripts/move.sh" }
      ],
      "distribute": [
        {
          "type": "ManagedImage",
          "imageId": "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-img/providers/\
  Microsoft.Compute/images/ubuntu",
          "location": "eastus",
          "runOutputName": "ubuntu-managed"
        }
      ]
    }
  }
  """

/// One rule with a template that passes and one that fails, each made from a base template
/// by a JSON Patch (or a text edit, for what a value tree cannot hold).
struct RuleCase: Sendable, CustomTestStringConvertible {
  var rule: String
  var base: String
  var pass: [JSONPatchOperation] = []
  var fail: [JSONPatchOperation] = []
  var failText: (@Sendable (String) -> String)?
  /// The path the failing template's finding names.
  var path: String

  var testDescription: String { rule }

  /// The base with `operations` applied, as multi-line JSON.
  func text(_ operations: [JSONPatchOperation]) throws -> String {
    let value = try JSONParser.parse(base).value
    return pretty(try JSONPatch.apply(operations, to: value))
  }
}

private let s = JSONValue.string

let ruleCases: [RuleCase] = [
  RuleCase(rule: "template-structure", base: windowsBase, fail: [.remove("/properties")], path: "properties"),
  RuleCase(
    rule: "template-resource-type", base: windowsBase, fail: [.replace("/type", s("Microsoft.Compute/images"))],
    path: "type"),
  RuleCase(
    rule: "template-api-version", base: windowsBase, pass: [.replace("/apiVersion", s("2024-02-01"))],
    fail: [.replace("/apiVersion", s("latest"))], path: "apiVersion"),
  RuleCase(
    rule: "template-api-version-outdated", base: windowsBase, fail: [.replace("/apiVersion", s("2019-05-01-preview"))],
    path: "apiVersion"),
  RuleCase(rule: "template-arm-resource-fields", base: windowsBase, fail: [.remove("/location")], path: "location"),
  RuleCase(rule: "template-identity", base: windowsBase, fail: [.remove("/identity")], path: "identity"),
  RuleCase(
    rule: "template-build-timeout-range", base: windowsBase,
    pass: [.replace("/properties/buildTimeoutInMinutes", .integer(0))],
    fail: [.replace("/properties/buildTimeoutInMinutes", .integer(3))], path: "properties.buildTimeoutInMinutes"),
  RuleCase(
    rule: "template-build-timeout-windows", base: windowsBase,
    pass: [.replace("/properties/buildTimeoutInMinutes", .integer(60))],
    fail: [.replace("/properties/buildTimeoutInMinutes", .integer(30))], path: "properties.buildTimeoutInMinutes"),
  RuleCase(
    rule: "template-vm-size", base: windowsBase,
    pass: [.replace("/properties/vmProfile/vmSize", s("Standard_E4-2s_v5"))],
    fail: [.replace("/properties/vmProfile/vmSize", s("D2s_v3"))], path: "properties.vmProfile.vmSize"),
  RuleCase(
    rule: "template-vm-size-small", base: windowsBase,
    fail: [.replace("/properties/vmProfile/vmSize", s("Standard_D1_v2"))], path: "properties.vmProfile.vmSize"),
  RuleCase(
    rule: "template-os-disk-size", base: windowsBase,
    pass: [.replace("/properties/vmProfile/osDiskSizeGB", .integer(0))],
    fail: [.replace("/properties/vmProfile/osDiskSizeGB", .integer(5000))], path: "properties.vmProfile.osDiskSizeGB"),
  RuleCase(
    rule: "template-vnet-config", base: windowsBase,
    pass: [
      .add(
        "/properties/vmProfile/vnetConfig",
        .object([
          JSONMemberValue(
            key: "subnetId",
            value: s(
              "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-net/providers/"
                + "Microsoft.Network/virtualNetworks/vnet/subnets/aib"))
        ]))
    ],
    fail: [
      .add(
        "/properties/vmProfile/vnetConfig",
        .object([JSONMemberValue(key: "subnetId", value: s("/subscriptions/<sub>/resourceGroups/rg/subnets/aib"))]))
    ], path: "properties.vmProfile.vnetConfig.subnetId"),
  RuleCase(
    rule: "template-error-handling", base: windowsBase,
    pass: [.add("/properties/errorHandling", .object([JSONMemberValue(key: "onCustomizerError", value: s("abort"))]))],
    fail: [.add("/properties/errorHandling", .object([JSONMemberValue(key: "onCustomizerError", value: s("keep"))]))],
    path: "properties.errorHandling.onCustomizerError"),
  RuleCase(
    rule: "template-source-type", base: linuxBase, fail: [.replace("/properties/source/type", s("ISO"))],
    path: "properties.source.type"),
  RuleCase(
    rule: "template-source-fields", base: linuxBase,
    pass: [
      .replace(
        "/properties/source",
        .object([
          JSONMemberValue(key: "type", value: s("SharedImageVersion")),
          JSONMemberValue(
            key: "imageVersionId",
            value: s(
              "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg/providers/Microsoft.Compute/"
                + "galleries/gal/images/ubuntu/versions/1.0.3")),
        ]))
    ],
    fail: [.remove("/properties/source/sku")], path: "properties.source.sku"),
  RuleCase(
    rule: "template-customizer-type", base: windowsBase, fail: [.replace("/properties/customize/0/type", s("Script"))],
    path: "properties.customize[0].type"),
  RuleCase(
    rule: "template-customizer-name-unique", base: windowsBase,
    fail: [.replace("/properties/customize/1/name", s("setup"))], path: "properties.customize[1].name"),
  RuleCase(
    rule: "template-customizer-fields", base: windowsBase, fail: [.remove("/properties/customize/0/inline")],
    path: "properties.customize[0].inline"),
  RuleCase(
    rule: "template-sha256-checksum", base: linuxBase,
    fail: [.replace("/properties/customize/1/sha256Checksum", s("e3b0c44298fc1c14"))],
    path: "properties.customize[1].sha256Checksum"),
  RuleCase(
    rule: "template-sha256-lowercase", base: linuxBase,
    fail: [
      .replace(
        "/properties/customize/1/sha256Checksum", s("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"))
    ], path: "properties.customize[1].sha256Checksum"),
  RuleCase(
    rule: "template-file-destination", base: linuxBase,
    fail: [.replace("/properties/customize/1/destination", s("/etc/nginx/nginx.conf"))],
    path: "properties.customize[1].destination"),
  RuleCase(
    rule: "template-powershell-options", base: windowsBase,
    pass: [.add("/properties/customize/0/validExitCodes", .array([.integer(0), .integer(3010)]))],
    fail: [.add("/properties/customize/0/validExitCodes", s("3010"))], path: "properties.customize[0].validExitCodes"),
  RuleCase(
    rule: "template-valid-exit-codes-zero", base: windowsBase,
    pass: [.add("/properties/customize/0/validExitCodes", .array([.integer(0), .integer(3010)]))],
    fail: [.add("/properties/customize/0/validExitCodes", .array([.integer(3010)]))],
    path: "properties.customize[0].validExitCodes"),
  RuleCase(
    rule: "template-restart-timeout", base: windowsBase,
    pass: [.replace("/properties/customize/1/restartTimeout", s("2h"))],
    fail: [.replace("/properties/customize/1/restartTimeout", s("15 minutes"))],
    path: "properties.customize[1].restartTimeout"),
  RuleCase(
    rule: "template-windows-update", base: windowsBase,
    fail: [.replace("/properties/customize/2/updateLimit", .integer(0))], path: "properties.customize[2].updateLimit"),
  RuleCase(
    rule: "template-windows-update-order", base: windowsBase, fail: [.remove("/properties/customize/1")],
    path: "properties.customize[1]"),
  RuleCase(
    rule: "template-inline-interactive", base: linuxBase,
    fail: [.replace("/properties/customize/0/inline/1", s("sudo apt-get install nginx"))],
    path: "properties.customize[0].inline[1]"),
  RuleCase(
    rule: "template-inline-reboot", base: linuxBase, fail: [.add("/properties/customize/0/inline/-", s("sudo reboot"))],
    path: "properties.customize[0].inline[2]"),
  RuleCase(
    rule: "template-distribute-type", base: windowsBase,
    fail: [.replace("/properties/distribute/0/type", s("Snapshot"))],
    path: "properties.distribute[0].type"),
  RuleCase(
    rule: "template-distribute-run-output-name", base: windowsBase,
    pass: [
      .add(
        "/properties/distribute/-",
        .object([JSONMemberValue(key: "type", value: s("VHD")), JSONMemberValue(key: "runOutputName", value: s("vhd"))])
      )
    ],
    fail: [
      .add(
        "/properties/distribute/-",
        .object([
          JSONMemberValue(key: "type", value: s("VHD")), JSONMemberValue(key: "runOutputName", value: s("win2022-sig")),
        ]))
    ], path: "properties.distribute[1].runOutputName"),
  RuleCase(
    rule: "template-distribute-fields", base: windowsBase, fail: [.remove("/properties/distribute/0/galleryImageId")],
    path: "properties.distribute[0].galleryImageId"),
  RuleCase(
    rule: "template-replication-regions", base: windowsBase,
    fail: [.add("/properties/distribute/0/replicationRegions", .array([s("westeurope")]))],
    path: "properties.distribute[0].targetRegions"),
  RuleCase(
    rule: "template-replication-regions-deprecated", base: windowsBase,
    fail: [
      .remove("/properties/distribute/0/targetRegions"),
      .add("/properties/distribute/0/replicationRegions", .array([s("westeurope")])),
    ], path: "properties.distribute[0].replicationRegions"),
  RuleCase(
    rule: "template-field-case", base: windowsBase, fail: [.replace("/properties/distribute/0/type", s("sharedImage"))],
    path: "properties.distribute[0].type"),
  RuleCase(
    rule: "template-duplicate-key", base: windowsBase,
    failText: {
      $0.replacing(
        "\"buildTimeoutInMinutes\": 120,", with: "\"buildTimeoutInMinutes\": 120, \"buildTimeoutInMinutes\": 90,")
    },
    path: "properties.buildTimeoutInMinutes"),
]

extension JSONPatchOperation {
  static func remove(_ path: String) -> JSONPatchOperation { JSONPatchOperation(op: "remove", path: path) }
}

@Suite struct RuleTests {
  @Test func theBaseTemplatesPassEveryRule() {
    #expect(summary(lintFindings(windowsBase)) == [])
    #expect(summary(lintFindings(linuxBase)) == [])
  }

  @Test func everyRuleHasAPassingAndAFailingTemplate() {
    let ids = TemplateLinter.allRules.map(\.id)
    #expect(Set(ids).count == ids.count, "rule ids are unique")
    #expect(Set(ruleCases.map(\.rule)) == Set(ids))
    #expect(ruleCases.count == ids.count)
    #expect(ids.allSatisfy { $0.hasPrefix("template-") })
  }

  @Test(arguments: ruleCases)
  func rulePassesAndFails(_ rule: RuleCase) throws {
    let passing = try rule.text(rule.pass)
    let passFindings = lintFindings(passing)
    #expect(!passFindings.contains { $0.id == rule.rule }, "\(summary(passFindings))")

    var failing = try rule.text(rule.fail)
    if let edit = rule.failText { failing = edit(failing) }
    let findings = lintFindings(failing).filter { $0.id == rule.rule }
    let finding = try #require(findings.first, "no \(rule.rule) finding in:\n\(failing)")
    #expect(finding.captures["path"] == rule.path)
    #expect(findings.count == 1, "\(summary(findings))")
    let declared = try #require(TemplateLinter.allRules.first { $0.id == rule.rule })
    #expect(finding.severity == declared.severity)
    #expect(finding.phase == .submission)
    #expect(finding.owner == .template)
    // The position is in the file, and the evidence is that line.
    let line = try #require(Int(finding.captures["line"] ?? ""))
    let column = try #require(Int(finding.captures["column"] ?? ""))
    #expect(finding.line == line)
    let lines = failing.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    #expect(finding.evidence == [EvidenceLine(line: line, text: lines[line - 1])])
    #expect(column >= 1 && column <= lines[line - 1].count + 1)
    #expect(finding.message.hasPrefix("\(rule.path) at \(line):\(column): "))
    #expect(finding.templatePaths == [rule.path])
    #expect(finding.fingerprint.count == 32)
  }
}
