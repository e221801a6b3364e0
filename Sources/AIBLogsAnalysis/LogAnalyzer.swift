import AIBLogsInput
import AIBLogsMatching
import AIBLogsPatterns

/// The diagnosis of one input: how the build ended, the root cause and everything else found.
public struct InputDiagnosis: Sendable, Codable {
  /// The input's name (`-` is standard input).
  public var path: String
  /// What kind of text it is.
  public var kind: InputKind
  /// How the build ended.
  public var outcome: Outcome
  /// The id of the root-cause finding, or nil. When the input ends before the build did
  /// (`outcome` incomplete), the likely cause: see `primaryRole`.
  public var primary: String?
  /// The ids of the findings that follow from the root cause, in line order.
  public var chain: [String]
  /// Every finding: the primary first, then the rest by rank and line; benign ones last.
  public var findings: [Finding]
  /// Phases and customizers.
  public var timeline: Timeline
  /// Facts about the input itself.
  public var input: InputFacts
  /// Problems with the input that did not stop the analysis.
  public var warnings: [String]
  /// The runs of the build the input holds, when it holds more than one (retries appended to
  /// the same log); nil for an input with one run. The diagnosis is of the last.
  public var runs: RunHistory?

  /// Creates a diagnosis (the analysis makes them from logs; the template linter directly).
  public init(
    path: String, kind: InputKind, outcome: Outcome, primary: String?, chain: [String], findings: [Finding],
    timeline: Timeline, input: InputFacts, warnings: [String]
  ) {
    self.path = path
    self.kind = kind
    self.outcome = outcome
    self.primary = primary
    self.chain = chain
    self.findings = findings
    self.timeline = timeline
    self.input = input
    self.warnings = warnings
  }
}

/// What the `primary` finding of a diagnosis is.
public enum PrimaryRole: String, Sendable, Codable {
  /// The cause of the failure or cancellation the input shows.
  case rootCause = "root-cause"
  /// The input shows no failure: it ends before the build did and the finding is what the step
  /// still running at the end was held up by, or it is an excerpt (no customizer, no final
  /// status) and the finding is the most specific problem it shows. Named as the likely cause;
  /// the build may have failed for another reason in the part the input lacks.
  case likelyCause = "likely-cause"
}

extension InputDiagnosis {
  /// What `primary` is: the root cause of a failure the input shows, or, when the input shows no
  /// failure (outcome incomplete or unknown), its likely cause; nil when there is no primary.
  public var primaryRole: PrimaryRole? {
    guard primary != nil else { return nil }
    return outcome == .incomplete || outcome == .unknown ? .likelyCause : .rootCause
  }
}

/// Facts about how an input was read.
public struct InputFacts: Sendable, Codable {
  /// Lines read.
  public var lines: Int
  /// Bytes read after decompression.
  public var bytes: Int64
  /// Whether it was gzip.
  public var gzip: Bool
  /// The text encoding detected.
  public var encoding: String
  /// Lines cut at the length limit.
  public var cutLines: Int
  /// Lines the literal prefilter passed to the regexes.
  public var candidateLines: Int
  /// The SHA-256 of the raw input (before decompression), when it was computed.
  public var sha256: String?

  /// Creates the facts about an input.
  public init(
    lines: Int, bytes: Int64, gzip: Bool, encoding: String, cutLines: Int, candidateLines: Int, sha256: String?
  ) {
    self.lines = lines
    self.bytes = bytes
    self.gzip = gzip
    self.encoding = encoding
    self.cutLines = cutLines
    self.candidateLines = candidateLines
    self.sha256 = sha256
  }
}

/// Reads an input once, in constant memory, and diagnoses it.
public final class LogAnalyzer: Sendable {
  /// The compiled library plus the structural markers.
  public let compiled: CompiledPatternLibrary

  /// Compiles `library` with the analysis markers; throws a located diagnostic for a regex
  /// that does not compile.
  public init(library: PatternLibrary) throws(PatternDiagnostic) {
    compiled = try CompiledPatternLibrary(library: library, extraRules: Marker.allCases.map(\.rule))
  }

  /// Reads and diagnoses an opened input. A read error after some data (a truncated gzip)
  /// becomes a warning on the diagnosis; an error before any data is thrown.
  public func analyze(_ input: OpenedInput, maxLineLength: Int = 1 << 20) throws(InputError) -> InputDiagnosis {
    try analyzeCounting(input, maxLineLength: maxLineLength).diagnosis
  }

  /// `analyze`, with how many items the run model's input-length structures held at the end of
  /// the last run (the tests keep them bounded).
  func analyzeCounting(_ input: OpenedInput, maxLineLength: Int = 1 << 20) throws(InputError) -> (
    diagnosis: InputDiagnosis, retained: [String: Int]
  ) {
    let reader = LineReader(
      source: input.source, maxLineLength: maxLineLength, bufferCount: ScanPipeline.readerBufferCount)
    let scanner = RuleScanner(ruleSet: compiled.ruleSet)
    var builder = RunModelBuilder(compiled: compiled)
    var warnings: [String] = []
    // Earlier runs of the build in the same input (retries appended to one log): the first and
    // the last few, and a count of the others. The report is about the last run.
    var earlierRuns = RunHistoryBuilder()
    var runFirstLine = 1
    // The pipeline numbers the lines (the reader leaves it to it).
    let pipeline = ScanPipeline(scanner: scanner)
    do {
      // Read and prefilter on a second thread while this one verifies and analyses (gzip input
      // has a third, inflating ahead).
      try pipeline.run(
        reader: reader, onBlock: { builder.observeBlock($0) },
        onLine: { line in
          if builder.beginsNewRun(line) {
            let facts = InputFacts(
              lines: line.number - 1, bytes: 0, gzip: input.isGzip, encoding: input.encoding.rawValue, cutLines: 0,
              candidateLines: 0, sha256: nil)
            earlierRuns.add(
              startLine: runFirstLine, endLine: line.number - 1,
              diagnosis: builder.finish(path: input.path, facts: facts, warnings: []))
            runFirstLine = line.number
            builder = RunModelBuilder(nextRunAfter: builder)
          }
          builder.observe(line)
        })
    } catch {
      if pipeline.lineCount == 0 && !error.isPartial { throw error }
      warnings.append(error.description)
    }
    if reader.cutLineCount > 0 {
      warnings.append(
        "\(reader.cutLineCount) line(s) longer than \(maxLineLength) bytes were cut for matching (first: line \(pipeline.firstCutLineNumber ?? 0))"
      )
    }
    if let gzip = input.gzip, gzip.trailingGarbageBytes > 0 {
      warnings.append("\(gzip.trailingGarbageBytes) byte(s) after the end of the gzip data were ignored")
    }
    if let warning = Self.limitHitsWarning(scanner.limitHits.map { ($0.ruleID, $0.line) }) { warnings.append(warning) }
    let facts = InputFacts(
      lines: pipeline.lineCount, bytes: reader.byteCount, gzip: input.isGzip, encoding: input.encoding.rawValue,
      cutLines: reader.cutLineCount, candidateLines: scanner.candidateLineCount, sha256: input.digest?.hexDigest())
    let runs = earlierRuns.history(diagnosedFrom: runFirstLine)
    if let runs { warnings.append(runs.summary) }
    var diagnosis = builder.finish(path: input.path, facts: facts, warnings: warnings)
    diagnosis.runs = runs
    if diagnosis.outcome == .incomplete && !reader.endsWithLineBreak && pipeline.lineCount > 0 {
      diagnosis.warnings.append(
        "the log ends in the middle of line \(pipeline.lineCount) and before the build's final status: "
          + "it looks cut off, and the cause may be in the part that is missing")
    }
    if diagnosis.kind == .unknown && pipeline.lineCount > 0 {
      diagnosis.warnings.append(
        "nothing in this input looks like an Image Builder log (a customization.log, a Packer log, "
          + "a run status or a pipeline log): check that this is the right file")
    }
    return (diagnosis, builder.retainedCounts)
  }
}

extension LogAnalyzer {
  /// How many lines of one pattern a backtracking-limit warning names.
  static let limitHitLinesNamed = 5

  /// One warning for the regexes that hit their backtracking limit, by pattern, with the first
  /// lines of each; nil when none did (the scanner records only the first hits).
  static func limitHitsWarning(_ hits: [(ruleID: String, line: Int)]) -> String? {
    guard !hits.isEmpty else { return nil }
    var order: [String] = []
    var lines: [String: [Int]] = [:]
    for hit in hits {
      if lines[hit.ruleID] == nil { order.append(hit.ruleID) }
      lines[hit.ruleID, default: []].append(hit.line)
    }
    let parts = order.map { id -> String in
      let seen = lines[id] ?? []
      var text = "'\(id)' on line\(seen.count == 1 ? "" : "s") "
      text += seen.prefix(limitHitLinesNamed).map(String.init).joined(separator: ", ")
      if seen.count > limitHitLinesNamed { text += " and \(seen.count - limitHitLinesNamed) more recorded" }
      return text
    }
    return "a pattern's regex hit its backtracking limit and the line was skipped for that pattern: "
      + parts.joined(separator: "; ")
  }
}

extension InputDiagnosis {
  enum CodingKeys: String, CodingKey {
    case path, kind, outcome, primary, chain, findings, timeline, input, warnings, runs
  }

  /// Keys that are written but not read back (they are derived from the others).
  enum DerivedKeys: String, CodingKey {
    case primaryRole
  }

  /// Encodes every key, with `primary` and `primaryRole` as `null` when there is no root cause
  /// (the JSON contract always has the keys); `runs` only for an input with more than one run.
  public func encode(to encoder: Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(path, forKey: .path)
    try container.encode(kind, forKey: .kind)
    try container.encode(outcome, forKey: .outcome)
    try container.encode(primary, forKey: .primary)
    var derived = encoder.container(keyedBy: DerivedKeys.self)
    try derived.encode(primaryRole, forKey: .primaryRole)
    try container.encode(chain, forKey: .chain)
    try container.encode(findings, forKey: .findings)
    try container.encode(timeline, forKey: .timeline)
    try container.encode(input, forKey: .input)
    try container.encode(warnings, forKey: .warnings)
    try container.encodeIfPresent(runs, forKey: .runs)
  }
}
