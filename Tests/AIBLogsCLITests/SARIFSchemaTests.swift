import Foundation
import Testing

/// The official OASIS SARIF 2.1.0 JSON schema, unmodified (see Fixtures/README.md).
private let sarifSchema = packageRoot.appendingPathComponent("Tests/AIBLogsCLITests/Fixtures/sarif-schema-2.1.0.json")

private let installHint = "install it with `pip install jsonschema` or `apt-get install python3-jsonschema`"

/// Validates every document in a directory against the schema with Python's `jsonschema`, using the
/// validator of the draft the schema declares and format checking. Prints one line per violation,
/// `file: json-path: message`, then `# validated N documents (validator)`; exits 3 without `jsonschema`.
private let validatorScript = #"""
  import json, os, re, sys
  try:
      from jsonschema import FormatChecker, validators
  except ImportError as error:
      print("cannot import jsonschema: %s" % error)
      sys.exit(3)
  schema_path, directory = sys.argv[1], sys.argv[2]
  with open(schema_path, encoding="utf-8") as file:
      schema = json.load(file)
  validator_class = validators.validator_for(schema)
  validator_class.check_schema(schema)
  checker = FormatChecker()
  # jsonschema checks "uri" and "uri-reference" only when rfc3987 or rfc3986-validator is installed;
  # without them an RFC 3986 check of the characters (and of the scheme, for "uri") stands in.
  uri_characters = re.compile(r"^(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$")
  uri_scheme = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
  if "uri-reference" not in checker.checkers:
      checker.checks("uri-reference")(lambda s: not isinstance(s, str) or bool(uri_characters.match(s)))
  if "uri" not in checker.checkers:
      checker.checks("uri")(
          lambda s: not isinstance(s, str) or bool(uri_scheme.match(s) and uri_characters.match(s)))
  validator = validator_class(schema, format_checker=checker)

  def json_path(error):
      return "$" + "".join("[%d]" % p if isinstance(p, int) else ".%s" % p for p in error.absolute_path)

  count = 0
  for name in sorted(os.listdir(directory)):
      try:
          with open(os.path.join(directory, name), encoding="utf-8") as file:
              document = json.load(file)
      except ValueError as error:
          print("%s: $: not a JSON document: %s" % (name, error))
          continue
      count += 1
      for error in sorted(validator.iter_errors(document), key=json_path):
          print("%s: %s: %s" % (name, json_path(error), error.message.replace("\n", " ")))
  print("# validated %d documents (%s)" % (count, validator_class.__name__))
  """#

private struct SchemaValidationFailure: Error, CustomStringConvertible {
  var description: String
}

/// What the validator found in a directory of documents.
private struct SchemaValidation {
  /// One line per violation: `file: json-path: message`.
  var violations: [String]
  /// How many documents were read as JSON and validated.
  var validated: Int
}

/// Runs the validator once over every document in `directory`. Throws, with how to install it,
/// when python3 or its `jsonschema` module is missing: a missing validator fails, never skips.
private func validateAgainstSARIFSchema(_ directory: URL) throws -> SchemaValidation {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments = ["python3", "-c", validatorScript, sarifSchema.path, directory.path]
  process.standardInput = FileHandle.nullDevice
  let out = Pipe()
  let err = Pipe()
  process.standardOutput = out
  process.standardError = err
  try process.run()
  let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
  let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
  process.waitUntilExit()
  switch process.terminationStatus {
  case 0: break
  case 3:
    throw SchemaValidationFailure(
      description: "SARIF schema validation needs Python's jsonschema module (\(stdout.trimmed)): \(installHint)")
  case 127:
    throw SchemaValidationFailure(
      description: "SARIF schema validation needs python3 with the jsonschema module (\(stderr.trimmed)): "
        + "install python3 and jsonschema (`apt-get install python3 python3-jsonschema`)")
  default:
    throw SchemaValidationFailure(
      description: "the SARIF schema validator failed (exit \(process.terminationStatus)):\n\(stderr)\(stdout)")
  }
  var lines = stdout.split(separator: "\n").map(String.init)
  guard let summary = lines.popLast(), summary.hasPrefix("# validated "),
    let count = Int(summary.split(separator: " ")[2])
  else {
    throw SchemaValidationFailure(description: "unexpected output from the SARIF schema validator:\n\(stdout)")
  }
  return SchemaValidation(violations: lines, validated: count)
}

extension String {
  fileprivate var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}

private func temporaryDirectory() throws -> URL {
  let url = testScratchDirectory.appendingPathComponent("aib-logs-sarif-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

/// The files in a directory of the package, as paths relative to the package root, sorted.
private func sampleFiles(_ directory: String, where include: (String) -> Bool) throws -> [String] {
  try FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent(directory).path)
    .filter(include).sorted().map { "\(directory)/\($0)" }
}

/// `analyze --format sarif` and `lint --format sarif` print SARIF that the official OASIS SARIF
/// 2.1.0 schema accepts (issue #5).
@Suite(.serialized) struct SARIFSchemaTests {
  @Test func analyzeAndLintSARIFValidateAgainstTheOASISSchema() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    // Every sample input: plain logs, gzip, lastRunStatus and provisioningError texts.
    let logs = try sampleFiles("SampleLogs") { $0 != "README.md" && !$0.hasSuffix(".expected.json") }
    let templates = try sampleFiles("SampleTemplates") { $0.hasSuffix(".json") }
    try #require(logs.count >= 10 && templates.count >= 5, "the samples are found")

    var invocations: [(name: String, arguments: [String], stdin: Data?)] = []
    for log in logs {
      invocations.append(("analyze-\(URL(fileURLWithPath: log).lastPathComponent)", ["analyze", log], nil))
    }
    for template in templates {
      invocations.append(("lint-\(URL(fileURLWithPath: template).lastPathComponent)", ["lint", template], nil))
    }
    // One run over every sample log, and a log read from standard input.
    invocations.append(("analyze-all-samples", ["analyze"] + logs, nil))
    let stdin = try Data(contentsOf: packageRoot.appendingPathComponent(goldenLog))
    invocations.append(("analyze-stdin", ["analyze", "-"], stdin))

    for invocation in invocations {
      let result = try run(
        invocation.arguments + ["--format", "sarif"], stdin: invocation.stdin, environment: ["GITHUB_STEP_SUMMARY": ""])
      #expect(
        result.status == 0 || result.status == 1,
        "\(invocation.arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
      try Data(result.stdout.utf8).write(to: directory.appendingPathComponent("\(invocation.name).sarif"))
    }

    let validation = try validateAgainstSARIFSchema(directory)
    #expect(validation.validated == invocations.count, "every output is a JSON document")
    #expect(
      validation.violations.isEmpty,
      "SARIF output violates the OASIS SARIF 2.1.0 schema:\n\(validation.violations.joined(separator: "\n"))")
  }

  /// The check itself: a valid document passes and a deliberately invalid one is reported at each
  /// fault, formats (uri, uri-reference) included.
  @Test func theSchemaCheckReportsAnInvalidDocument() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let valid = """
      {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "aib-logs", "informationUri": "https://example.com/x"}},
       "results": [{"ruleId": "build-timeout", "level": "error", "message": {"text": "The build timed out."},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": "logs/customization.log"},
         "region": {"startLine": 12}}}]}]}]}
      """
    let invalid =
      valid
      .replacingOccurrences(of: #""version": "2.1.0""#, with: #""version": "2.0""#)
      .replacingOccurrences(of: #""level": "error""#, with: #""level": "fatal""#)
      .replacingOccurrences(of: #""startLine": 12"#, with: #""startLine": 0"#)
      .replacingOccurrences(of: "https://example.com/x", with: "not a uri")
      .replacingOccurrences(of: "logs/customization.log", with: #"C:\\build logs\\customization.log"#)
    try Data(valid.utf8).write(to: directory.appendingPathComponent("valid.sarif"))
    try Data(invalid.utf8).write(to: directory.appendingPathComponent("invalid.sarif"))

    let validation = try validateAgainstSARIFSchema(directory)
    #expect(validation.validated == 2)
    let report = validation.violations.joined(separator: "\n")
    #expect(validation.violations.allSatisfy { $0.hasPrefix("invalid.sarif: ") }, "valid.sarif passes:\n\(report)")
    for path in [
      "$.version", "$.runs[0].results[0].level", "$.runs[0].results[0].locations[0].physicalLocation.region.startLine",
      "$.runs[0].tool.driver.informationUri",
      "$.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri",
    ] {
      let reported = validation.violations.contains { $0.hasPrefix("invalid.sarif: \(path): ") }
      #expect(reported, "reports \(path):\n\(report)")
    }
    #expect(validation.violations.count == 5, "\(report)")
  }

  /// A path that is not a URI reference as it stands (a space, a non-ASCII letter) must reach
  /// `artifactLocation.uri` encoded.
  @Test func aPathThatIsNotAURIReferenceIsEncoded() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let inputs = directory.appendingPathComponent("build logs/café")
    let documents = directory.appendingPathComponent("sarif")
    for url in [inputs, documents] {
      try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    let log = inputs.appendingPathComponent("customization.log")
    let template = inputs.appendingPathComponent("template.json")
    try FileManager.default.copyItem(at: packageRoot.appendingPathComponent(goldenLog), to: log)
    try FileManager.default.copyItem(
      at: packageRoot.appendingPathComponent("SampleTemplates/windows-mistakes.json"), to: template)
    for (name, arguments) in [("analyze", ["analyze", log.path]), ("lint", ["lint", template.path])] {
      let result = try run(arguments + ["--format", "sarif"], environment: ["GITHUB_STEP_SUMMARY": ""])
      try Data(result.stdout.utf8).write(to: documents.appendingPathComponent("\(name).sarif"))
    }
    let validation = try validateAgainstSARIFSchema(documents)
    #expect(validation.validated == 2)
    let first = validation.violations.prefix(3).joined(separator: "\n")
    #expect(validation.violations.isEmpty, "\(validation.violations.count) violations, first:\n\(first)")
  }
}
