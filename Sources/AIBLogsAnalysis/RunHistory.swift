/// One earlier run of the build in an input that holds several (retries appended to one log).
public struct EarlierRun: Sendable, Codable, Equatable {
  /// The run's first line.
  public var startLine: Int
  /// The run's last line.
  public var endLine: Int
  /// How the run ended.
  public var outcome: Outcome
  /// The id of its root cause (or likely cause), when it has one.
  public var primary: String?
  /// The first line of that finding.
  public var primaryLine: Int?

  /// Describes a run from `startLine` to `endLine`.
  public init(startLine: Int, endLine: Int, outcome: Outcome, primary: String?, primaryLine: Int?) {
    self.startLine = startLine
    self.endLine = endLine
    self.outcome = outcome
    self.primary = primary
    self.primaryLine = primaryLine
  }
}

/// The runs of the build in an input that holds more than one. The input is diagnosed as its
/// last run; the earlier ones are listed in short, the first and the last few of them, and the
/// ones in between are counted by outcome, so that an input of any number of runs is read in
/// bounded memory.
public struct RunHistory: Sendable, Codable, Equatable {
  /// How many runs the input holds, the diagnosed (last) one included.
  public var count: Int
  /// The first line of the diagnosed run.
  public var diagnosedFrom: Int
  /// The earlier runs that are listed, in order: the first and the last few.
  public var earlier: [EarlierRun]
  /// The earlier runs in between that are not listed; nil when every earlier run is listed.
  public var earlierElided: RunsElided?

  /// Earlier runs that are not listed.
  public struct RunsElided: Sendable, Codable, Equatable {
    /// How many.
    public var count: Int
    /// The first line of the first of them.
    public var startLine: Int
    /// The last line of the last of them.
    public var endLine: Int
    /// How many of them ended with each outcome (`failed`: 12).
    public var outcomes: [String: Int]

    /// Describes `count` runs from `startLine` to `endLine`.
    public init(count: Int, startLine: Int, endLine: Int, outcomes: [String: Int]) {
      self.count = count
      self.startLine = startLine
      self.endLine = endLine
      self.outcomes = outcomes
    }
  }

  /// Describes the runs of an input.
  public init(count: Int, diagnosedFrom: Int, earlier: [EarlierRun], earlierElided: RunsElided?) {
    self.count = count
    self.diagnosedFrom = diagnosedFrom
    self.earlier = earlier
    self.earlierElided = earlierElided
  }

  /// The warning that says the input holds several runs and which one is diagnosed.
  public var summary: String {
    func describe(_ run: EarlierRun) -> String {
      var text = "lines \(run.startLine) to \(run.endLine) ended \(run.outcome.rawValue)"
      if let primary = run.primary, let line = run.primaryLine { text += " (\(primary), line \(line))" }
      return text
    }
    var parts = earlier.map(describe)
    if let elided = earlierElided {
      let outcomes = elided.outcomes.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        .map { "\($0.value) \($0.key)" }.joined(separator: ", ")
      let gap =
        "\(elided.count) more runs, lines \(elided.startLine) to \(elided.endLine), not listed (\(outcomes))"
      let before = earlier.filter { $0.endLine < elided.startLine }.count
      parts.insert(gap, at: before)
    }
    return "this input holds \(count) runs of the build (retries appended to the same log); "
      + "the diagnosis is of the last one, from line \(diagnosedFrom); before it, " + parts.joined(separator: "; ")
  }
}

/// Collects the earlier runs of an input while it is read: the first and the last
/// `RunHistoryBuilder.listed` are kept, the others are counted.
struct RunHistoryBuilder {
  /// How many of the first, and of the last, earlier runs are listed.
  static let listed = 5
  private var runs = BoundedList<EarlierRun>(headLimit: listed, tailLimit: listed)
  private var elided: RunHistory.RunsElided?

  /// Adds the run from `startLine` to `endLine`, diagnosed as `diagnosis`.
  mutating func add(startLine: Int, endLine: Int, diagnosis: InputDiagnosis) {
    let primaryLine = diagnosis.primary.flatMap { id in diagnosis.findings.first { $0.id == id }?.line }
    let run = EarlierRun(
      startLine: startLine, endLine: endLine, outcome: diagnosis.outcome, primary: diagnosis.primary,
      primaryLine: primaryLine)
    guard let leftOut = runs.append(run)?.element else { return }
    var gap = elided ?? .init(count: 0, startLine: leftOut.startLine, endLine: leftOut.endLine, outcomes: [:])
    gap.count += 1
    gap.endLine = leftOut.endLine
    gap.outcomes[leftOut.outcome.rawValue, default: 0] += 1
    elided = gap
  }

  /// The runs of the input whose last run starts at `diagnosedFrom`; nil when there was no
  /// earlier run.
  func history(diagnosedFrom: Int) -> RunHistory? {
    guard !runs.isEmpty else { return nil }
    return RunHistory(
      count: runs.count + 1, diagnosedFrom: diagnosedFrom, earlier: runs.kept, earlierElided: elided)
  }
}
