import AIBLogsAnalysis
import Foundation

/// SARIF 2.1.0: one rule per pattern that has a result, results pointing at log lines, with
/// `partialFingerprints`.
public struct SARIFReporter: Reporter {
  /// Creates a SARIF reporter.
  public init() {}

  /// Renders `report` as a SARIF 2.1.0 log.
  public func render(_ report: AnalysisReport) -> String {
    var rules: [String: [String: Any]] = [:]
    var results: [[String: Any]] = []
    for input in report.inputs {
      for finding in input.findings where !finding.benign {
        if rules[finding.id] == nil {
          var help = finding.summary
          if !finding.fixes.isEmpty { help += "\n\n" + finding.fixes.map { "- \($0)" }.joined(separator: "\n") }
          var rule: [String: Any] = [
            "id": finding.id,
            "name": finding.id.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(),
            "shortDescription": ["text": finding.title],
            "fullDescription": ["text": finding.summary],
            "help": ["text": help, "markdown": help],
            "defaultConfiguration": ["level": SARIFReporter.level(finding.severity.rawValue)],
            "properties": ["phase": finding.phase.rawValue, "owner": finding.owner.rawValue, "rank": finding.rank],
          ]
          if let uri = finding.references.first { rule["helpUri"] = uri }
          rules[finding.id] = rule
        }
        var result: [String: Any] = [
          "ruleId": finding.id,
          "level": SARIFReporter.level(finding.severity.rawValue),
          "message": ["text": finding.message],
          "locations": [
            [
              "physicalLocation": [
                "artifactLocation": ["uri": SARIFReporter.artifactURI(input.path)],
                "region": ["startLine": max(1, finding.line)],
              ]
            ]
          ],
          "partialFingerprints": ["aibLogsFinding/v1": finding.fingerprint],
          "properties": ["primary": finding.id == input.primary, "occurrences": finding.occurrences],
        ]
        if finding.id == input.primary, let role = input.primaryRole {
          result["properties"] = [
            "primary": true, "primaryRole": role.rawValue, "occurrences": finding.occurrences,
          ]
        }
        if finding.evidence.count > 1 {
          result["relatedLocations"] = finding.evidence.enumerated().map { index, line in
            [
              "id": index,
              "physicalLocation": [
                "artifactLocation": ["uri": SARIFReporter.artifactURI(input.path)],
                "region": ["startLine": max(1, line.line)],
              ],
            ] as [String: Any]
          }
        }
        results.append(result)
      }
    }
    let sortedRules = rules.keys.sorted().compactMap { rules[$0] }
    let ruleIndex = Dictionary(uniqueKeysWithValues: rules.keys.sorted().enumerated().map { ($1, $0) })
    results = results.map { result in
      var result = result
      if let id = result["ruleId"] as? String, let index = ruleIndex[id] { result["ruleIndex"] = index }
      return result
    }
    let log: [String: Any] = [
      "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
      "version": "2.1.0",
      "runs": [
        [
          "tool": [
            "driver": [
              "name": "aib-logs",
              "version": report.tool.version,
              "informationUri": "https://learn.microsoft.com/azure/virtual-machines/linux/image-builder-troubleshoot",
              "rules": sortedRules,
              "properties": ["patternLibrary": report.patternLibrary],
            ]
          ],
          "results": results,
          "columnKind": "utf16CodeUnits",
        ]
      ],
    ]
    guard
      let data = try? JSONSerialization.data(
        withJSONObject: log, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    else { return "{}\n" }
    return String(decoding: data, as: UTF8.self) + "\n"
  }

  /// `path` as a URI reference for `artifactLocation.uri`: every byte other than an unreserved
  /// character or `/` percent-encoded (a space, a colon, a non-ASCII letter, a backslash).
  static func artifactURI(_ path: String) -> String {
    var uri = ""
    for byte in path.utf8 {
      switch byte {
      case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
        UInt8(ascii: "~"), UInt8(ascii: "/"):
        uri.unicodeScalars.append(Unicode.Scalar(byte))
      default:
        uri += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
      }
    }
    return uri
  }

  static func level(_ severity: String) -> String {
    switch severity {
    case "error": "error"
    case "warning": "warning"
    default: "note"
    }
  }
}
