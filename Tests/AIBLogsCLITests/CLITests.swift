import Foundation
import Testing

/// The package's root directory.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()

/// The built `aib-logs` binary, next to the test bundle.
let binary: URL = {
  let candidates = [
    URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("aib-logs"),
    Bundle.main.bundleURL.appendingPathComponent("aib-logs"),
    packageRoot.appendingPathComponent(".build/debug/aib-logs"),
  ]
  return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[2]
}()

struct RunResult {
  var status: Int32
  var stdout: String
  var stderr: String
}

/// Runs `aib-logs` with `arguments` (and `stdin` piped in) and captures everything.
func run(_ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:]) throws -> RunResult {
  let process = Process()
  process.executableURL = binary
  process.arguments = arguments
  process.currentDirectoryURL = packageRoot
  var env = ProcessInfo.processInfo.environment
  for (key, value) in environment { env[key] = value }
  process.environment = env
  let out = Pipe()
  let err = Pipe()
  process.standardOutput = out
  process.standardError = err
  let input = Pipe()
  process.standardInput = stdin == nil ? FileHandle.nullDevice : input
  try process.run()
  if let stdin {
    input.fileHandleForWriting.write(stdin)
    try input.fileHandleForWriting.close()
  }
  let outData = out.fileHandleForReading.readDataToEndOfFile()
  let errData = err.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return RunResult(
    status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
    stderr: String(decoding: errData, as: UTF8.self))
}

/// The directory for the files the tests write: one per test process, removed when it exits,
/// so that test runs leave nothing in the system's temporary directory.
let testScratchDirectory: URL = {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("aib-logs-tests-\(getpid())")
  try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  atexit {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("aib-logs-tests-\(getpid())")
    try? FileManager.default.removeItem(at: url)
  }
  return url
}()

func temporaryFile(_ contents: String, suffix: String = ".log") throws -> URL {
  let url = testScratchDirectory.appendingPathComponent("aib-logs-cli-\(UUID().uuidString)\(suffix)")
  try Data(contents.utf8).write(to: url)
  return url
}

let failedLog = """
  [1e3026b3-b765-4689-b4d1-66d6d9492c91] PACKER 2026/02/21 22:47:43 ui: ==> azure-arm: Provisioning with Powershell...
  [1e3026b3-b765-4689-b4d1-66d6d9492c91] PACKER 2026/02/21 22:48:53 ui error: Build 'azure-arm' errored after 3 minutes 42 seconds: Script exited with non-zero exit status: 1. Allowed exit codes are: [0]
  [1e3026b3-b765-4689-b4d1-66d6d9492c91] PACKER Done exporting Packer logs to Azure Storage.

  """

let succeededLog = """
  [1e3026b3-b765-4689-b4d1-66d6d9492c91] PACKER 2026/02/21 22:47:43 ui: ==> azure-arm: Provisioning with Powershell...
  [1e3026b3-b765-4689-b4d1-66d6d9492c91] PACKER 2026/02/21 22:48:53 ui: Build 'azure-arm' finished after 3 minutes 13 seconds.
  [1e3026b3-b765-4689-b4d1-66d6d9492c91] PACKER 2026/02/21 22:48:53 ui: ==> Builds finished but no artifacts were created.
  [1e3026b3-b765-4689-b4d1-66d6d9492c91] PACKER Done exporting Packer logs to Azure Storage.

  """

/// End-to-end: one test per exit code, and the user-facing error lines.
@Suite(.serialized) struct CLITests {
  @Test func exitCode0ForASuccessfulBuild() throws {
    let file = try temporaryFile(succeededLog)
    let result = try run(["analyze", file.path])
    #expect(result.status == 0)
    #expect(result.stdout.hasPrefix("SUCCEEDED"))
    #expect(result.stdout.contains("benign-no-artifacts-warning"))
  }

  @Test func exitCode1ForAFailedBuildWithTheVerdictFirst() throws {
    let file = try temporaryFile(failedLog)
    let result = try run(["analyze", "--color", "never", file.path])
    #expect(result.status == 1)
    let head = result.stdout.split(separator: "\n").prefix(5).joined(separator: "\n")
    #expect(head.hasPrefix("FAILED: A customizer script exited with a non-zero exit code"))
    #expect(head.contains("fix:"))
  }

  @Test func aLogThatStopsWhileAStepIsHeldUpNamesTheLikelyCauseAndExitsZero() throws {
    let op = "[1e3026b3-b765-4689-b4d1-66d6d9492c91] PACKER"
    let log = """
      \(op) 2026/02/21 22:47:43 ui: ==> azure-arm: Provisioning with Powershell...
      \(op) 2026/02/21 22:47:50 ui error: ==> azure-arm: Do you agree to all the source agreements terms?

      """
    let file = try temporaryFile(log)
    let text = try run(["analyze", "--color", "never", file.path])
    #expect(text.status == 0)
    #expect(text.stdout.hasPrefix("INCOMPLETE: likely cause: A script asked for user input"))
    let json = try run(["analyze", "--format", "json", file.path])
    let input = try #require(
      ((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["inputs"]
        as? [[String: Any]])?.first)
    #expect(input["outcome"] as? String == "incomplete")
    #expect(input["primary"] as? String == "interactive-prompt")
    #expect(input["primaryRole"] as? String == "likely-cause")
    let markdown = try run(["analyze", "--format", "markdown", file.path])
    #expect(markdown.stdout.contains("### Likely cause: A script asked for user input"))
    #expect(!markdown.stdout.contains("Root cause"))
  }

  @Test func failOnNeverExitsZero() throws {
    let file = try temporaryFile(failedLog)
    #expect(try run(["analyze", "--fail-on", "never", file.path]).status == 0)
  }

  @Test func exitCode2AndOneLineForAMissingFile() throws {
    let result = try run(["analyze", "/nonexistent/x.log"])
    #expect(result.status == 2)
    #expect(result.stderr == "aib-logs: cannot read '/nonexistent/x.log': no such file or directory\n")
  }

  @Test func exitCode2ForADirectoryAndAnEmptyFile() throws {
    let directory = try run(["analyze", "/tmp"])
    #expect(directory.status == 2)
    #expect(directory.stderr == "aib-logs: cannot read '/tmp': is a directory\n")
    let empty = try temporaryFile("")
    let result = try run(["analyze", empty.path])
    #expect(result.status == 2)
    #expect(result.stderr == "aib-logs: cannot analyse '\(empty.path)': the file is empty\n")
  }

  @Test func oneBadInputDoesNotStopTheOthers() throws {
    let file = try temporaryFile(failedLog)
    let result = try run(["analyze", "--format", "json", "/nonexistent/x.log", file.path])
    #expect(result.status == 2)
    let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    let inputs = json?["inputs"] as? [[String: Any]]
    #expect(inputs?.count == 1)
    #expect(inputs?.first?["primary"] as? String == "script-nonzero-exit")
  }

  @Test func exitCode64ForAUsageError() throws {
    let result = try run(["analyze", "--format", "yaml", "x.log"])
    #expect(result.status == 64)
    #expect(result.stderr.contains("--format"))
  }

  /// A line's parts are kept as 32-bit offsets: the limit is bounded, with a usage error.
  @Test(arguments: ["analyze", "inspect"], ["100", "1073741825"])
  func maxLineLengthOutsideItsRangeIsAUsageError(command: String, value: String) throws {
    let result = try run([command, "--max-line-length", value, "x.log"])
    #expect(result.status == 64)
    #expect(result.stderr.contains("--max-line-length must be between 1024 and 1073741824"))
  }

  @Test func standardInputIsReadForDashAndForNoFile() throws {
    let dash = try run(["analyze", "--format", "json", "-"], stdin: Data(failedLog.utf8))
    #expect(dash.status == 1)
    #expect(dash.stdout.contains("\"primary\" : \"script-nonzero-exit\""))
    let none = try run(["analyze", "--format", "json"], stdin: Data(failedLog.utf8))
    #expect(none.status == 1)
    #expect(none.stdout.contains("\"path\" : \"-\""))
  }

  @Test func jsonHasTheSchemaVersionAndTheContractFields() throws {
    let file = try temporaryFile(failedLog)
    let result = try run(["analyze", "--format", "json", file.path])
    let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(json["schemaVersion"] as? Int == 1)
    #expect((json["tool"] as? [String: Any])?["name"] as? String == "aib-logs")
    #expect(json["patternLibrary"] is String)
    let input = try #require((json["inputs"] as? [[String: Any]])?.first)
    for key in ["path", "kind", "outcome", "primary", "primaryRole", "findings", "timeline"] {
      #expect(input[key] != nil, "\(key)")
    }
    let finding = try #require((input["findings"] as? [[String: Any]])?.first)
    for key in ["id", "severity", "title", "phase", "line", "evidence", "captures", "message", "fixes", "benign"] {
      #expect(finding[key] != nil, "\(key)")
    }
  }

  @Test func aTruncatedGzipIsAnalysedWithAWarning() throws {
    let plain = try temporaryFile(failedLog + String(repeating: succeededLog, count: 200))
    let gzip = Process()
    gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    gzip.arguments = ["gzip", "-f", plain.path]
    try gzip.run()
    gzip.waitUntilExit()
    let compressed = try Data(contentsOf: URL(fileURLWithPath: plain.path + ".gz"))
    let cut = try temporaryFile("", suffix: ".bin")
    try compressed.prefix(compressed.count - 20).write(to: cut)
    let result = try run(["analyze", "--format", "json", cut.path])
    #expect(result.status == 1)
    #expect(result.stderr.contains("warning: '\(cut.path)' is a truncated gzip file"))
    #expect(result.stdout.contains("\"gzip\" : true"))
  }

  @Test func patternsCheckPassesAndListShowsThePatterns() throws {
    let check = try run(["patterns", "check"])
    #expect(check.status == 0)
    #expect(check.stdout.contains("no problems"))
    let list = try run(["patterns", "list"])
    #expect(list.stdout.split(separator: "\n").count >= 60)
    let explain = try run(["patterns", "explain", "build-timeout"])
    #expect(explain.stdout.contains("buildTimeoutInMinutes"))
  }

  @Test func patternsExplainListsTheVariantsAndCheckVerifiesTheirSamples() throws {
    let explain = try run(["patterns", "explain", "ssh-timeout"])
    #expect(explain.stdout.contains("Variants (the first whose conditions hold"))
    #expect(explain.stdout.contains("  login-refused: when {error} matches '"))
    #expect(explain.stdout.contains("    (variant login-refused)"))
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let text = try String(contentsOf: root.appendingPathComponent("Patterns/ssh-timeout.yaml"), encoding: .utf8)
    #expect(text.contains("      variant: login-refused\n"))
    let directory = testScratchDirectory.appendingPathComponent("aib-logs-variant-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    // A sample that says no variant although the login-refused variant applies to it.
    try Data(text.replacingOccurrences(of: "      variant: login-refused\n", with: "").utf8).write(
      to: directory.appendingPathComponent("ssh-timeout.yaml"))
    var result = try run(["patterns", "check", directory.path])
    #expect(result.status == 1)
    #expect(result.stdout.contains("error: variant 'login-refused' has no match sample"))
    // The same sample saying another variant's name.
    try Data(
      text.replacingOccurrences(
        of: "      variant: login-refused\n",
        with:
          "      variant: login-refused\n    - line: '==> azure-arm: Timeout waiting for SSH.'\n      variant: login-refused\n"
      ).utf8
    ).write(to: directory.appendingPathComponent("ssh-timeout.yaml"))
    result = try run(["patterns", "check", directory.path])
    #expect(result.status == 1)
    #expect(result.stdout.contains("match sample selects no variant, the sample expects variant 'login-refused'"))
  }

  @Test func patternsCheckReportsABrokenDirectory() throws {
    let directory = testScratchDirectory.appendingPathComponent("aib-logs-bad-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try Data("id: broken\ntitle: [\n".utf8).write(to: directory.appendingPathComponent("broken.yaml"))
    let result = try run(["patterns", "check", directory.path])
    #expect(result.status == 1)
    #expect(result.stdout.contains("broken.yaml:3: error: invalid YAML"))
  }

  @Test func aClosedPipeEndsQuietly() throws {
    let file = try temporaryFile(String(repeating: failedLog, count: 50))
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = [
      "-c",
      "'\(binary.path)' analyze --format json '\(file.path)' '\(file.path)' '\(file.path)' | head -c 10 >/dev/null; echo ${PIPESTATUS:-done}",
    ]
    let err = Pipe()
    process.standardError = err
    try process.run()
    process.waitUntilExit()
    let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(stderr.isEmpty)
  }
}

@Suite(.serialized) struct PatternDirectoryTests {
  func directory(_ files: [String: String]) throws -> URL {
    let url = testScratchDirectory.appendingPathComponent("aib-logs-patterns-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    for (name, text) in files { try Data(text.utf8).write(to: url.appendingPathComponent(name)) }
    return url
  }

  let licensePattern = """
    id: license-server-unreachable
    catalog: none
    title: The license server could not be reached
    summary: A script could not reach its license server, so the product it installs did not activate.
    severity: error
    phase: customize
    owner: customer-script
    retryable: true
    rank: 75
    literals: ['license server']
    regexes:
      - 'Cannot connect to license server (?<server>\\S+)'
    message: 'The license server {server} could not be reached.'
    fixes: ['Open the build subnet to the license server.']
    templatePaths: ['properties.vmProfile.vnetConfig.subnetId']
    references: ['https://example.com/license']
    samples:
      match:
        - line: 'PACKER OUT     azure-arm: Cannot connect to license server lic01.contoso.local'
          captures: {server: 'lic01.contoso.local'}
      noMatch:
        - 'PACKER OUT     azure-arm: Connected to license server lic01.contoso.local'

    """

  @Test func aPatternDirectoryAddsToTheBundledLibrary() throws {
    let patterns = try directory(["license-server-unreachable.yaml": licensePattern])
    let log = try temporaryFile(
      """
      PACKER OUT ==> azure-arm: Provisioning with shell script: /tmp/packer-shell1
      PACKER OUT     azure-arm: Cannot connect to license server lic01.contoso.local
      PACKER OUT Build 'azure-arm' errored: Script exited with non-zero exit status: 7. Allowed exit codes are: [0]

      """)
    let result = try run(["analyze", "--format", "json", "--patterns", patterns.path, log.path])
    #expect(result.status == 1)
    #expect(result.stdout.contains("\"primary\" : \"license-server-unreachable\""))
    let check = try run(["patterns", "check", patterns.path])
    #expect(check.status == 0)
    #expect(check.stdout.contains("checked 1 patterns and 2 samples: no problems"))
  }

  @Test func aBrokenPatternDirectoryIsExit2WithTheLocatedProblem() throws {
    let broken = licensePattern.replacingOccurrences(of: "(?<server>\\S+)", with: "(?<server>\\S+")
    let patterns = try directory(["license-server-unreachable.yaml": broken])
    let log = try temporaryFile("PACKER OUT     azure-arm: hello\n")
    let result = try run(["analyze", "--patterns", patterns.path, log.path])
    #expect(result.status == 2)
    #expect(
      result.stderr.contains(
        "license-server-unreachable.yaml:12: error: regex 1 of 'license-server-unreachable' does not compile: missing closing parenthesis"
      ))
    let missing = try run(["analyze", "--patterns", "/nonexistent-dir", log.path])
    #expect(missing.status == 2)
    #expect(missing.stderr.contains("cannot load patterns from '/nonexistent-dir'"))
  }
}
