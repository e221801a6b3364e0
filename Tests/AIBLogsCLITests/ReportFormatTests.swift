import Foundation
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// A failed log with secrets planted where real logs leak them: SAS URLs, storage keys, bearer
/// and JWT tokens, passwords in commands and URLs, connection strings.
let plantedSecrets: [String] = [
  "sv=2021-06-08&se=2026-03-01&sr=b&sp=r&sig=PLANTEDsasSIGNATURE1234567890abcdefXYZ%3D",
  "PLANTEDaccountKEY0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ012345678==",
  "PLANTEDbearerTOKENabcdef0123456789",
  "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJQTEFOVEVEIn0.PLANTEDjwtSIGNATUREabc",
  "PLANTEDpassw0rd!",
  "PLANTEDcliSECRETvalue",
  "PLANTEDurlPASSWORD",
  "PLANTEDconnKEYvalue",
]

let secretsLog = """
  [1e3026b3-b765-4689-b4d1-66d6d9492c91] PACKER 2026/02/21 22:47:40 ui: ==> azure-arm: Provisioning with Powershell...
  [1e3026b3-b765-4689-b4d1-66d6d9492c91] PACKER 2026/02/21 22:47:41 ui: ==> azure-arm: Downloading https://acct.blob.core.windows.net/c/setup.exe?\(plantedSecrets[0])
  [1e3026b3-b765-4689-b4d1-66d6d9492c91] PACKER 2026/02/21 22:47:41 ui: ==> azure-arm: DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=\(plantedSecrets[1]);EndpointSuffix=core.windows.net
  [1e3026b3-b765-4689-b4d1-66d6d9492c91] PACKER 2026/02/21 22:47:42 ui: ==> azure-arm: curl -H "Authorization: Bearer \(plantedSecrets[2])" https://example.com
  [1e3026b3-b765-4689-b4d1-66d6d9492c91] PACKER 2026/02/21 22:47:42 ui: ==> azure-arm: token \(plantedSecrets[3]) failed
  [1e3026b3-b765-4689-b4d1-66d6d9492c91] PACKER 2026/02/21 22:47:43 ui: ==> azure-arm: net user builder /add; Set-LocalUser -Name builder -Password \(plantedSecrets[4]) failed with error 5
  [1e3026b3-b765-4689-b4d1-66d6d9492c91] PACKER 2026/02/21 22:47:43 ui: ==> azure-arm: az login --service-principal client_secret=\(plantedSecrets[5]) error
  [1e3026b3-b765-4689-b4d1-66d6d9492c91] PACKER 2026/02/21 22:47:44 ui: ==> azure-arm: git clone https://builder:\(plantedSecrets[6])@dev.azure.com/org/repo failed
  [1e3026b3-b765-4689-b4d1-66d6d9492c91] PACKER 2026/02/21 22:47:44 ui: ==> azure-arm: Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=\(plantedSecrets[7]) error
  [1e3026b3-b765-4689-b4d1-66d6d9492c91] PACKER 2026/02/21 22:47:45 packer-provisioner-powershell plugin: c:/Windows/Temp/script-699a3576-1143-f714-692a-a6b21ae1c896.ps1 returned with exit code 1
  [1e3026b3-b765-4689-b4d1-66d6d9492c91] PACKER 2026/02/21 22:48:53 ui error: Build 'azure-arm' errored after 3 minutes 42 seconds: Script exited with non-zero exit status: 1. Allowed exit codes are: [0]
  [1e3026b3-b765-4689-b4d1-66d6d9492c91] PACKER Done exporting Packer logs to Azure Storage.

  """

let formats = ["text", "json", "markdown", "sarif", "junit", "github", "azure-devops"]

@Suite(.serialized) struct ReportFormatTests {
  @Test(arguments: formats)
  func noPlantedSecretReachesTheOutput(format: String) throws {
    let file = try temporaryFile(secretsLog)
    let summary = testScratchDirectory.appendingPathComponent("summary-\(UUID().uuidString).md")
    let result = try run(
      ["analyze", "--format", format, "--color", "always", file.path],
      environment: [
        "GITHUB_STEP_SUMMARY": summary.path, "AGENT_TEMPDIRECTORY": testScratchDirectory.path,
      ])
    #expect(result.status == 1)
    #expect(result.stdout.contains("script-nonzero-exit"), "\(format) output names the cause")
    var texts = [result.stdout]
    if let written = try? String(contentsOf: summary, encoding: .utf8) { texts.append(written) }
    if format == "azure-devops",
      let line = result.stdout.split(separator: "\n").last(where: { $0.contains("uploadsummary") })
    {
      let path = String(line.split(separator: "]", maxSplits: 1)[1])
      texts.append(try String(contentsOfFile: path, encoding: .utf8))
    }
    for text in texts {
      for secret in plantedSecrets {
        #expect(!text.contains(secret), "\(format) leaks \(secret)")
      }
    }
  }

  @Test func noRedactKeepsTheTextAndRedactIdsMasksSubscriptions() throws {
    let file = try temporaryFile(secretsLog)
    let raw = try run(["analyze", "--format", "json", "--no-redact", file.path])
    #expect(raw.stdout.contains(plantedSecrets[4]))
    let log = """
      [1e3026b3-b765-4689-b4d1-66d6d9492c91] PACKER 2026/02/21 22:47:45 ui error: ==> azure-arm: ERROR: -> QuotaExceeded : Operation could not be completed as it results in exceeding approved standardDSv3Family Cores quota. /subscriptions/7a713a84-2144-4ea1-8e85-9c63111bd995/resourceGroups/x

      """
    let ids = try run(["analyze", "--format", "json", "--redact-ids", try temporaryFile(log).path])
    #expect(!ids.stdout.contains("7a713a84-2144-4ea1-8e85-9c63111bd995"))
    #expect(ids.stdout.contains("/subscriptions/<subscription-id>"))
  }

  @Test func junitParsesAsXMLWithTheCauseAsAFailure() throws {
    let file = try temporaryFile(secretsLog)
    let result = try run(["analyze", "--format", "junit", file.path])
    let document = try XMLDocument(data: Data(result.stdout.utf8))
    let failures = try document.nodes(forXPath: "//testcase/failure")
    #expect(failures.count >= 1)
    let type = (failures.first as? XMLElement)?.attribute(forName: "type")?.stringValue
    #expect(type == "script-nonzero-exit")
    let suites = try document.nodes(forXPath: "/testsuites/testsuite")
    #expect(suites.count == 1)
  }

  @Test func sarifHasTheRequiredStructure() throws {
    let file = try temporaryFile(secretsLog)
    let result = try run(["analyze", "--format", "sarif", file.path])
    let log = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(log["version"] as? String == "2.1.0")
    let run = try #require((log["runs"] as? [[String: Any]])?.first)
    let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
    #expect(driver["name"] as? String == "aib-logs")
    let rules = try #require(driver["rules"] as? [[String: Any]])
    let results = try #require(run["results"] as? [[String: Any]])
    #expect(!results.isEmpty)
    for result in results {
      let ruleID = try #require(result["ruleId"] as? String)
      let index = try #require(result["ruleIndex"] as? Int)
      #expect(rules[index]["id"] as? String == ruleID)
      #expect(((result["message"] as? [String: Any])?["text"] as? String)?.isEmpty == false)
      let location = (result["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any]
      #expect(((location?["region"] as? [String: Any])?["startLine"] as? Int ?? 0) >= 1)
      #expect(((result["partialFingerprints"] as? [String: Any])?["aibLogsFinding/v1"] as? String)?.count == 32)
      #expect(["error", "warning", "note"].contains(result["level"] as? String ?? ""))
    }
  }

  @Test func githubAndAzureDevOpsCommandsAreWellFormed() throws {
    let file = try temporaryFile(secretsLog)
    let github = try run(["analyze", "--format", "github", file.path], environment: ["GITHUB_STEP_SUMMARY": ""])
    let first = try #require(github.stdout.split(separator: "\n").first)
    #expect(first.hasPrefix("::error file=\(file.path),line=10,title=root cause%3A A customizer script exited"))
    #expect(!first.dropFirst(2).contains("\n"))
    let ado = try run(
      ["analyze", "--format", "azure-devops", file.path],
      environment: ["AGENT_TEMPDIRECTORY": testScratchDirectory.path])
    let issue = try #require(ado.stdout.split(separator: "\n").first)
    #expect(
      issue.hasPrefix("##vso[task.logissue type=error;sourcepath=\(file.path);linenumber=10;code=script-nonzero-exit]"))
    #expect(ado.stdout.contains("##vso[task.uploadsummary]"))
  }

  @Test func markdownFencesCannotBeBrokenByTheLogsBackticks() throws {
    let log = secretsLog.replacingOccurrences(of: "token ", with: "token ```` ")
    let result = try run(["analyze", "--format", "markdown", try temporaryFile(log).path])
    #expect(result.stdout.contains("`````text"))
    #expect(result.stdout.contains("| SHA-256 | `"))
    #expect(result.stdout.contains("```mermaid") || !result.stdout.contains("### Customizers"))
  }

  @Test func textNeutralisesEscapeSequencesFromTheLog() throws {
    let log = secretsLog.replacingOccurrences(of: "token ", with: "token \u{1B}]0;pwned\u{07}\u{1B}[2J ")
    let result = try run(["analyze", "--color", "never", try temporaryFile(log).path])
    #expect(!result.stdout.contains("\u{1B}"))
    #expect(!result.stdout.contains("\u{07}"))
  }
}

@Suite struct TemplateRedactionTests {
  @Test(arguments: ["text", "json", "markdown"])
  func aSecretInTheTemplateDoesNotReachTheAdvice(format: String) throws {
    let template = try temporaryFile(
      """
      {"type": "Microsoft.VirtualMachineImages/imageTemplates", "apiVersion": "2024-02-01", "location": "westeurope",
       "properties": {"buildTimeoutInMinutes": 120, "vmProfile": {"vmSize": "Standard_D2s_v3"},
        "source": {"type": "PlatformImage", "publisher": "p", "offer": "o", "sku": "s", "version": "latest"},
        "customize": [{"type": "PowerShell", "name": "agent", "runElevated": true,
          "scriptUri": "https://acct.blob.core.windows.net/s/install.ps1?sv=2021&\(plantedSecrets[0])"}],
        "distribute": [{"type": "ManagedImage", "imageId": "/x", "location": "westeurope", "runOutputName": "out"}]}}
      """, suffix: ".json")
    let log = try temporaryFile(
      """
      [1e3026b3-b765-4689-b4d1-66d6d9492c91] PACKER 2026/02/21 22:47:40 ui: ==> azure-arm: Provisioning with Powershell...
      [1e3026b3-b765-4689-b4d1-66d6d9492c91] PACKER 2026/02/21 22:47:45 packer-provisioner-powershell plugin: c:/Windows/Temp/script-699a3576-1143-f714-692a-a6b21ae1c896.ps1 returned with exit code 1

      """)
    let result = try run(["analyze", "--format", format, "--template", template.path, log.path])
    #expect(result.status == 1)
    #expect(result.stdout.contains("properties.customize[0]"), "the advice maps the customizer")
    #expect(!result.stdout.contains("PLANTEDsasSIGNATURE"))
  }
}

/// A run of `count` shell steps (one start line each) that fails in the last.
func manyStepsLog(_ count: Int) -> String {
  let prefix = "[1e3026b3-b765-4689-b4d1-66d6d9492c91] PACKER 2026/02/21 22:47:40"
  var text = ""
  for step in 1...count { text += "\(prefix) ui: ==> azure-arm: Provisioning with shell script: /tmp/s\(step).sh\n" }
  text += "\(prefix) ui error: Build 'azure-arm' errored after 3 minutes 42 seconds: "
  text += "Script exited with non-zero exit status: 1. Allowed exit codes are: [0]\n"
  return text
}

@Suite(.serialized) struct ElidedTimelineReportTests {
  @Test func jsonSaysWhichCustomizersAreNotListed() throws {
    let result = try run(["analyze", "--format", "json", try temporaryFile(manyStepsLog(500)).path])
    let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    let input = try #require((report?["inputs"] as? [[String: Any]])?.first)
    let timeline = try #require(input["timeline"] as? [String: Any])
    #expect((timeline["customizers"] as? [Any])?.count == 200)
    let elided = try #require(timeline["customizersElided"] as? [String: Int])
    #expect(elided == ["count": 300, "firstNumber": 101, "lastNumber": 400, "firstLine": 101, "lastLine": 400])
    #expect(timeline["phasesElided"] == nil)
    #expect(result.stderr.components(separatedBy: "not listed").count == 2)
  }

  @Test func jsonOfAnOrdinaryLogHasNoElisionKeys() throws {
    let result = try run(["analyze", "--format", "json", try temporaryFile(manyStepsLog(20)).path])
    #expect(!result.stdout.contains("Elided"))
    #expect(!result.stdout.contains("\"runs\""))
  }

  @Test(arguments: ["text", "markdown"])
  func humanFormatsMarkWhereCustomizersAreNotListed(format: String) throws {
    let result = try run(["analyze", "--format", format, try temporaryFile(manyStepsLog(500)).path])
    #expect(result.stdout.contains("⋮"))
    #expect(result.stdout.contains("#101 to #400 not listed"))
    #expect(result.stdout.contains("500 customizers: the timeline lists the first 100 and the last 100"))
  }
}
