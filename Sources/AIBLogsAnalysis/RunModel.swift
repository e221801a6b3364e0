import AIBLogsInput

/// What kind of text an input is, detected from its content.
public enum InputKind: String, Sendable, Codable {
  /// An AIB customization.log (`[opid] PACKER ...` lines).
  case customizationLog = "customization-log"
  /// A plain Packer log (`PACKER_LOG` output), possibly with CI timestamps.
  case packerLog = "packer-log"
  /// A template's `lastRunStatus` / `provisioningError`, as text or `az` JSON.
  case runStatus = "run-status"
  /// An Azure DevOps AzureImageBuilderTask log.
  case devopsTaskLog = "devops-task-log"
  /// An image template (`aib-logs lint`).
  case template
  /// Anything else.
  case unknown
}

/// How the build in an input ended.
public enum Outcome: String, Sendable, Codable {
  /// The build finished.
  case succeeded
  /// The build failed.
  case failed
  /// The build was cancelled (a timeout or a user cancel).
  case cancelled
  /// The log stops before the build ended.
  case incomplete
  /// The input does not say.
  case unknown
}

/// One provisioner run (a customizer, or one of AIB's own steps).
public struct CustomizerRun: Sendable, Codable, Equatable {
  /// 1-based position among all provisioners.
  public var number: Int
  /// The Packer provisioner type.
  public var type: String
  /// The index in `properties.customize` (nil for AIB's own steps).
  public var templateIndex: Int?
  /// Whether this is AIB's deprovision-script upload or the deprovision step.
  public var isAIBStep: Bool
  /// What AIB's step is (`deprovision-script-upload`, `deprovision`), when it is one.
  public var aibStep: String?
  /// The line where it started.
  public var startLine: Int
  /// The last line seen that belongs to it.
  public var endLine: Int
  /// Start time, when known.
  public var start: String?
  /// End time, when known.
  public var end: String?
  /// Duration in seconds, when known.
  public var durationSeconds: Int64?
  /// The exit code of its script, when one was logged.
  public var exitCode: Int?
  /// A detail that identifies it (script path, upload source => destination).
  public var detail: String?
  /// Whether it was running when the build failed or stopped.
  public var failed: Bool
  /// Its last lines of output (up to five), oldest first.
  public var lastOutput: [EvidenceLine] = []

  var startTime: LogTimestamp?
  var endTime: LogTimestamp?
  /// When the step after it started (its end, when nothing else ended it).
  var nextStartTime: LogTimestamp?
  /// The user (non-AIB) steps before it: its index in `properties.customize` when it is one.
  var userStepsBefore = 0

  enum CodingKeys: String, CodingKey {
    case number, type, templateIndex, isAIBStep, aibStep, startLine, endLine, start, end
    case durationSeconds, exitCode, detail, failed, lastOutput
  }
}

/// A phase of the build as seen in the log.
public struct PhaseSpan: Sendable, Codable, Equatable {
  /// The phase name (`startup`, `provisioning`, `connect`, `customize`, `deprovision`,
  /// `capture`, `cleanup`, `summary`).
  public var phase: String
  /// The line where it started.
  public var startLine: Int
  /// Start time, when known.
  public var start: String?
  var startTime: LogTimestamp?

  enum CodingKeys: String, CodingKey { case phase, startLine, start }
}

/// Items of a timeline list that are not listed, so that a log with any number of steps or
/// phases is analysed in bounded memory: the list keeps its first and its last items (and, for
/// customizers, those a finding or the failure points at), and counts the ones in between.
public struct Elision: Sendable, Codable, Equatable {
  /// How many items are not listed.
  public var count: Int
  /// The 1-based number of the first item in the left-out range (customizers only).
  public var firstNumber: Int?
  /// The 1-based number of the last item in the left-out range (customizers only).
  public var lastNumber: Int?
  /// The line where the first item of the left-out range started.
  public var firstLine: Int
  /// The line where the last item of the left-out range started.
  public var lastLine: Int

  /// Describes `count` items left out, from the one at `firstLine` to the one at `lastLine`.
  public init(count: Int, firstNumber: Int?, lastNumber: Int?, firstLine: Int, lastLine: Int) {
    self.count = count
    self.firstNumber = firstNumber
    self.lastNumber = lastNumber
    self.firstLine = firstLine
    self.lastLine = lastLine
  }
}

/// The run's phases and customizers in order.
public struct Timeline: Sendable, Codable, Equatable {
  /// The phases, in the order they started.
  public var phases: [PhaseSpan] = []
  /// The provisioners, in the order they ran.
  public var customizers: [CustomizerRun] = []
  /// The first timestamp in the input.
  public var start: String?
  /// The last timestamp in the input.
  public var end: String?
  /// The customizers not listed in `customizers`, when the run had more than are kept; nil
  /// when every one is listed.
  public var customizersElided: Elision?
  /// The phases not listed in `phases`, when the run had more than are kept; nil when every
  /// one is listed.
  public var phasesElided: Elision?

  /// Creates a timeline; empty by default.
  public init(
    phases: [PhaseSpan] = [], customizers: [CustomizerRun] = [], start: String? = nil, end: String? = nil,
    customizersElided: Elision? = nil, phasesElided: Elision? = nil
  ) {
    self.phases = phases
    self.customizers = customizers
    self.start = start
    self.end = end
    self.customizersElided = customizersElided
    self.phasesElided = phasesElided
  }
}
