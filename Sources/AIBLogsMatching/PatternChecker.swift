import AIBLogsInput
import AIBLogsPatterns

/// Checks a pattern library against its own samples: every regex compiles, every `match`
/// sample matches with its captures and contains a literal, no `noMatch` sample matches, every
/// placeholder is a capture, no sample is claimed by two patterns unless one supersedes the
/// other, every variant's condition regexes compile and name captures, and every `match`
/// sample selects the variant it names (or none when it names none).
public enum PatternChecker {
  /// Every problem found, in file order; empty when the library is sound.
  public static func check(_ library: PatternLibrary) -> [PatternDiagnostic] {
    var diagnostics: [PatternDiagnostic] = []
    let scratch = PCRE2MatchScratch(maxCaptureCount: 64)
    var compiled: [String: [PCRE2Regex]] = [:]
    var selectors: [String: VariantSelector] = [:]
    let ids = Set(library.patterns.map(\.id))
    for pattern in library.patterns {
      var regexes: [PCRE2Regex] = []
      for (index, regex) in pattern.regexes.enumerated() {
        do {
          regexes.append(try PCRE2Regex(regex.source))
        } catch {
          diagnostics.append(CompiledPatternLibrary.diagnostic(for: error, pattern: pattern, regexIndex: index))
        }
      }
      if regexes.count == pattern.regexes.count { compiled[pattern.id] = regexes }
      let names = Set(regexes.flatMap { $0.captureNames.map(\.name) })
      for name in pattern.placeholders.subtracting(names).sorted() {
        diagnostics.append(
          PatternDiagnostic(
            file: pattern.file, line: 0, message: "placeholder {\(name)} is not a named capture of any regex"))
      }
      do {
        let selector = try VariantSelector(pattern: pattern)
        selectors[pattern.id] = selector
        for variant in pattern.variants {
          let available = names.union(selector.conditionCaptureNames(of: variant))
          for name in variant.placeholders.subtracting(available).sorted() {
            diagnostics.append(
              PatternDiagnostic(
                file: pattern.file, line: variant.line,
                message:
                  "placeholder {\(name)} of variant '\(variant.name)' is not a named capture of any regex or condition")
            )
          }
          for name in variant.captures.map(\.capture) + variant.absent where !names.contains(name) {
            diagnostics.append(
              PatternDiagnostic(
                file: pattern.file, line: variant.line,
                message: "variant '\(variant.name)' has a condition on '\(name)', which no regex captures"))
          }
        }
      } catch {
        diagnostics.append(error)
      }
      for other in pattern.supersedes where !ids.contains(other) {
        diagnostics.append(
          PatternDiagnostic(file: pattern.file, line: 0, message: "supersedes unknown pattern '\(other)'"))
      }
    }
    for pattern in library.patterns {
      guard let regexes = compiled[pattern.id] else { continue }
      for sample in pattern.matchSamples {
        let result = firstMatchWithIndex(
          regexes, line: sample.line, scratch: scratch, packerLinesOnly: pattern.packerLinesOnly)
        guard let (regexIndex, captures) = result else {
          diagnostics.append(
            PatternDiagnostic(
              file: pattern.file, line: sample.fileLine, message: "match sample does not match any regex",
              snippet: sample.line))
          continue
        }
        for (name, expected) in sample.captures.sorted(by: { $0.key < $1.key }) where captures[name] != expected {
          let actual = captures[name].map { "'\($0)'" } ?? "nothing"
          diagnostics.append(
            PatternDiagnostic(
              file: pattern.file, line: sample.fileLine,
              message: "capture '\(name)' is \(actual), the sample expects '\(expected)'"))
        }
        if let selector = selectors[pattern.id] {
          let selected = selector.select(regexIndex: regexIndex, captures: captures, scratch: scratch)?.variant.name
          if selected != sample.variant {
            let expected = sample.variant.map { "variant '\($0)'" } ?? "no variant"
            let actual = selected.map { "variant '\($0)'" } ?? "no variant"
            diagnostics.append(
              PatternDiagnostic(
                file: pattern.file, line: sample.fileLine,
                message: "match sample selects \(actual), the sample expects \(expected)", snippet: sample.line))
          }
        }
        let lowered = asciiLowercased(sample.line)
        if !pattern.literals.contains(where: { lowered.contains(asciiLowercased($0)) }) {
          diagnostics.append(
            PatternDiagnostic(
              file: pattern.file, line: sample.fileLine,
              message: "match sample contains none of the literals \(pattern.literals); the prefilter would skip it",
              snippet: sample.line))
        }
        for other in library.patterns where other.id != pattern.id {
          guard let otherRegexes = compiled[other.id],
            firstMatch(otherRegexes, line: sample.line, scratch: scratch, packerLinesOnly: other.packerLinesOnly)
              != nil
          else { continue }
          if pattern.supersedes.contains(other.id) || other.supersedes.contains(pattern.id) { continue }
          diagnostics.append(
            PatternDiagnostic(
              file: pattern.file, line: sample.fileLine,
              message: "match sample is also matched by '\(other.id)'; say which wins with 'supersedes'",
              snippet: sample.line))
        }
      }
      for sample in pattern.noMatchSamples
      where firstMatch(regexes, line: sample.line, scratch: scratch, packerLinesOnly: pattern.packerLinesOnly) != nil {
        diagnostics.append(
          PatternDiagnostic(
            file: pattern.file, line: sample.fileLine, message: "noMatch sample matches", snippet: sample.line))
      }
    }
    return diagnostics
  }

  /// The captures of the first regex that matches the message of `line`, or nil; with
  /// `packerLinesOnly`, nil for a line that is a customizer's output (it names a builder).
  public static func firstMatch(
    _ regexes: [PCRE2Regex], line: String, scratch: PCRE2MatchScratch, packerLinesOnly: Bool = false
  ) -> [String: String]? {
    firstMatchWithIndex(regexes, line: line, scratch: scratch, packerLinesOnly: packerLinesOnly)?.captures
  }

  /// Like `firstMatch`, with the 0-based index of the regex that matched.
  public static func firstMatchWithIndex(
    _ regexes: [PCRE2Regex], line: String, scratch: PCRE2MatchScratch, packerLinesOnly: Bool = false
  ) -> (regexIndex: Int, captures: [String: String])? {
    var bytes = Array(line.utf8)
    if bytes.last == 0x0A { bytes.removeLast() }
    if bytes.last == 0x0D { bytes.removeLast() }
    return bytes.withUnsafeBytes { raw -> (regexIndex: Int, captures: [String: String])? in
      let structure = LogLineStructure(parsing: raw)
      if packerLinesOnly && structure.builder != nil { return nil }
      let message = UnsafeRawBufferPointer(rebasing: raw[structure.message])
      for (index, regex) in regexes.enumerated() {
        guard let groups = try? regex.match(message, scratch: scratch) else { continue }
        var captures: [String: String] = [:]
        for (name, group) in regex.captureNames where group < groups.count {
          if let range = groups[group] {
            captures[name] = String(decoding: UnsafeRawBufferPointer(rebasing: message[range]), as: UTF8.self)
          }
        }
        return (index, captures)
      }
      return nil
    }
  }

  static func asciiLowercased(_ text: String) -> String {
    String(decoding: text.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
  }
}
