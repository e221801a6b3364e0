import AIBLogsInput
import AIBLogsMatching
import AIBLogsPatterns

/// Builds the run model and the findings while the lines stream past, then decides the
/// outcome and the root cause. Holds only bounded state: counts, the current customizer and a
/// few evidence lines per finding.
final class RunModelBuilder {
  private let compiled: CompiledPatternLibrary
  private let markers: [Marker]
  /// Rule indices below this are the library's patterns; the markers follow.
  private let patternCount: Int
  /// What `observePattern` needs of each pattern on every line it matches, by rule index: a
  /// `Pattern` taken from the library is a copy of all its texts.
  private let patternFacts: [PatternFacts]
  private static let evidenceLimit = 6
  private static let notableLimit = 12
  /// Patterns whose single-line matches feed a detector instead of becoming findings.
  private static let detectorOwned: Set<String> = ["sysprep-state-loop"]

  private var sawPackerPrefix = false
  private var sawPlainPackerLog = false
  private var sawCIPrefix = false
  private var sawPackerUIOutput = false
  private var sawRunStatus = false
  private var sawDevopsTask = false
  private var firstTime: LogTimestamp?
  private var lastTime: LogTimestamp?

  /// The run's phases: the first and the last `phaseWindow` (phases alternate with each restart
  /// or deprovision step, so a long log can have any number).
  private var phases = BoundedList<PhaseSpan>(headLimit: phaseWindow, tailLimit: phaseWindow)
  /// The lines where the first and the last phase left out of `phases` started.
  private var phasesLeftOut: (first: Int, last: Int)?
  /// The run's customizers: the first and the last `stepWindow`, those a finding, the
  /// cancellation or a failure points at, and a count of the rest.
  private var customizers = BoundedList<CustomizerRun>(headLimit: stepWindow, tailLimit: stepWindow)
  /// The lines where the first and the last customizer left out of `customizers` started.
  private var stepsLeftOut: (first: Int, last: Int)?
  /// The user (non-AIB) steps before the newest one: its index in `properties.customize`.
  private var userStepsBeforeNewest = 0
  static let stepWindow = 100
  static let phaseWindow = 100
  private var currentConfirmed = true  // a telemetry-started customizer awaits its own start line
  private var notable: [Int: [EvidenceLine]] = [:]

  private var finishedLine: Int?
  private var erroredLine: Int?
  private var someBuildsFailed = false
  private var exportDone = false
  private var finalReasons: [EvidenceLine] = []
  private var runState: String?
  /// `lastRunStatus.runSubState`: where a run stopped (Building, Customizing, Distributing...).
  private var runSubState: String?
  /// The line that gave `runSubState`.
  private var runSubStateLine: EvidenceLine?
  /// Whether the template itself failed (`provisioningState` Failed): a submission failure.
  private var provisioningFailed = false
  /// The build VM's size, from the builder's configuration dump.
  private var vmSize: String?
  /// Where the input says the run's customization.log is (a failed run's status names it).
  private var logLocation: String?
  private var cancelLine: EvidenceLine?
  private var cancelTime: LogTimestamp?
  private var cancelCustomizer: Int?
  private var silence: (seconds: Int64, after: EvidenceLine)?
  /// The last output line before the cancellation, when it came after the last timestamped
  /// line (old-format `PACKER OUT` output has no timestamp).
  private var untimedOutputBeforeCancel: EvidenceLine?
  /// The last `starting remote command` line: its number (-1: none yet), its bytes (in one
  /// buffer, reused) and its step. Made into evidence only when the diagnosis asks for it: an
  /// evidence line (a String) for each of them took about 500 instructions, on some 67,000
  /// lines per GB of the benchmark log.
  private var lastRemoteCommandNumber = -1
  private var lastRemoteCommandBytes: [UInt8] = []
  private var lastRemoteCommandStep: Int?
  private var lastRemoteCommand: (line: EvidenceLine, customizer: Int?)? {
    guard lastRemoteCommandNumber >= 0 else { return nil }
    let line = lastRemoteCommandBytes.withUnsafeBytes { EvidenceLine(line: lastRemoteCommandNumber, bytes: $0) }
    return (line, lastRemoteCommandStep)
  }
  /// What the builder waited for to connect (`SSH` or `WinRM`).
  private var connectKind: String?

  /// How many times each `IMAGE_STATE_*` value was printed (at most `imageStateLimit` values,
  /// those printed last).
  private var imageStates: [String: Int] = [:]
  private static let imageStateLimit = 16
  /// The first and last line (and time) each `IMAGE_STATE_*` value was printed, by state.
  private var imageStateSpans:
    [String: (first: EvidenceLine, last: EvidenceLine, firstTime: LogTimestamp?, lastTime: LogTimestamp?)] = [:]
  /// The state the deprovision script printed last.
  private var lastImageState: String?
  private var reachedReseal = false
  private var restartPending: EvidenceLine?
  /// When the pending restart's wait began.
  private var restartPendingTime: LogTimestamp?
  /// The timeout the last WindowsRestart step said it waits for (`5m0s`).
  private var restartTimeoutSaid: String?
  private var lastFileProgress: (line: EvidenceLine, captures: Captures, customizer: Int?)?
  private var firstFileProgress: (bytes: Int64?, time: LogTimestamp?, customizer: Int?)?
  private var maxMemory: (percent: Int, line: EvidenceLine)?

  private var cancellationSentence = ""
  /// `cancellationSentence` without its guess at why a script step was silent, for a cause that
  /// explains the silence itself (a prompt, a lost connection, a lock).
  private var cancellationFact = ""
  /// The last script-echo decision of each provisioner plugin seen lately (at most
  /// `echoPluginLimit`; the one seen longest ago makes room).
  private var echoDecisions: [(plugin: [UInt8], line: Int, isEcho: Bool)] = []
  private static let echoPluginLimit = 16
  private var findings: [String: Finding] = [:]
  /// The findings of the library's patterns while the lines stream past, by rule index (nil:
  /// not matched yet); `finish` moves them into `findings` and the tables keyed by id. A line
  /// a pattern matches then finds its state without hashing the id (on a 100 MB log,
  /// `observePattern` took 54.6 M instructions for 4,100 calls through the five tables keyed by
  /// String, 35.1 M with this list).
  private var patternFindings: [PatternFinding?]
  private var findingOrder: [String] = []
  private var findingCustomizer: [String: Int] = [:]
  /// The 0-based index of the regex whose match gave a finding its captures (for its variants).
  private var findingRegex: [String: Int] = [:]
  /// The last line that matched each finding.
  private var findingLastEvidence: [String: EvidenceLine] = [:]
  /// How many lines matched each finding in the step it is attributed to (`findingCustomizer`).
  private var findingStepOccurrences: [String: Int] = [:]
  /// Findings that describe the state the running step was in (memory pressure, a polling loop)
  /// rather than a line it printed: the step going on does not make them less likely a cause.
  private var ongoingConditions: Set<String> = []
  /// The step still running where the input ends, with no final status, cancellation or end of
  /// its own (set when the run is finished).
  private var runningAtEnd: Int?
  /// The output lines the input ends with that belong to `runningAtEnd`, oldest first.
  private var unfinishedStepOutput: [EvidenceLine] = []

  /// The last whole lines of the input read so far (up to `tailByteLimit` bytes), copied from
  /// each block in turn: at the end they are the lines the log ends with.
  private var tailBytes: [UInt8] = []
  /// Whether `tailBytes` starts at the start of a line.
  private var tailStartsAtLine = true
  private static let tailByteLimit = 32 * 1024

  init(compiled: CompiledPatternLibrary) {
    self.compiled = compiled
    markers = Marker.allCases
    patternCount = compiled.patternCount
    patternFacts = (0..<compiled.patternCount).map { PatternFacts(compiled.pattern(ruleIndex: $0)!) }
    patternFindings = Array(repeating: nil, count: compiled.patternCount)
  }

  /// A builder for the next run in the same input (a retried build appended to the log), which
  /// keeps what the earlier lines said about the kind of input.
  init(nextRunAfter previous: RunModelBuilder) {
    compiled = previous.compiled
    markers = previous.markers
    patternCount = previous.patternCount
    patternFacts = previous.patternFacts
    patternFindings = Array(repeating: nil, count: previous.patternCount)
    sawPackerPrefix = previous.sawPackerPrefix
    sawPlainPackerLog = previous.sawPlainPackerLog
    sawCIPrefix = previous.sawCIPrefix
    sawPackerUIOutput = previous.sawPackerUIOutput
    tailBytes = previous.tailBytes
    tailStartsAtLine = previous.tailStartsAtLine
  }

  /// Whether `line` starts another run of the build: Packer's start-up line after this run
  /// ended (its final status, its cancellation, or the export of its logs).
  func beginsNewRun(_ line: MatchedLine) -> Bool {
    guard exportDone || finishedLine != nil || erroredLine != nil || cancelLine != nil,
      line.structure.plugin == nil
    else { return false }
    return line.matches.contains { match in
      match.ruleIndex >= patternCount && markers[match.ruleIndex - patternCount] == .packerVersion
    }
  }

  /// How many items each structure that could follow the input's length holds now: for tests
  /// that keep them bounded.
  var retainedCounts: [String: Int] {
    [
      "customizers": customizers.keptIndices.count, "pinnedCustomizers": customizers.pinnedIndices.count,
      "phases": phases.kept.count, "notableSteps": notable.count,
      "notableLines": notable.values.reduce(0) { $0 + $1.count }, "echoPlugins": echoDecisions.count,
      "imageStates": imageStates.count, "findings": findings.count,
      "evidenceLines": findings.values.reduce(0) { $0 + $1.evidence.count },
      "evidenceBytes": findings.values.reduce(0) { $0 + $1.evidence.reduce(0) { $0 + $1.text.utf8.count } },
    ]
  }

  // MARK: - Streaming

  func observeBlock(_ block: LineBlock) {
    keepTail(of: block)
    if firstTime == nil {
      var inspected = 0
      block.forEachLine { _, line in
        guard inspected < 64 else { return }
        inspected += 1
        let structure = LogLineStructure(parsing: line)
        noteKind(structure)
        if firstTime == nil, let time = structure.bestTimestamp { firstTime = time }
      }
    }
    // The last timestamp of the block: look back over its last few lines.
    var looked = 0
    block.walkBackward(from: block.bytes.count, lineNumber: Int.max) { _, line in
      looked += 1
      if let time = LogLineStructure(parsing: line).bestTimestamp {
        if lastTime.map({ time > $0 }) ?? true { lastTime = time }
        return false
      }
      return looked < 8
    }
  }

  /// Keeps the last `tailByteLimit` bytes of the input read so far: the end of `block`, after
  /// the end of the blocks before it when `block` is shorter.
  private func keepTail(of block: LineBlock) {
    let bytes = block.bytes
    let limit = Self.tailByteLimit
    if bytes.count >= limit {
      let cut = bytes.count - limit
      tailBytes.removeAll(keepingCapacity: true)
      tailBytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[cut...]))
      tailStartsAtLine = cut == 0 || bytes[cut - 1] == 0x0A
      return
    }
    let kept = min(tailBytes.count, limit - bytes.count)
    if kept < tailBytes.count {
      let cut = tailBytes.count - kept
      tailStartsAtLine = tailBytes[cut - 1] == 0x0A
      tailBytes.removeFirst(cut)
    }
    tailBytes.append(contentsOf: bytes)
  }

  /// The user-visible output lines the input ends with (at most `limit`, oldest first), numbered
  /// back from `lastLine`, the number of the input's last line.
  private func trailingOutput(lastLine: Int, limit: Int) -> [EvidenceLine] {
    var bytes = tailBytes
    if !tailStartsAtLine, let newline = bytes.firstIndex(of: 0x0A) { bytes.removeFirst(newline + 1) }
    guard !bytes.isEmpty else { return [] }
    if bytes.last != 0x0A { bytes.append(0x0A) }
    var kept: [EvidenceLine] = []
    bytes.withUnsafeBytes { raw in
      LineBlock(bytes: raw, firstLineNumber: 1).walkBackward(from: raw.count, lineNumber: lastLine + 1) {
        number, line in
        let structure = LogLineStructure(parsing: line)
        if structure.isUserOutput,
          UnsafeRawBufferPointer(rebasing: line[structure.message]).contains(where: { $0 != 0x20 && $0 != 0x09 })
        {
          kept.append(EvidenceLine(line: number, bytes: line))
        }
        return kept.count < limit
      }
    }
    return kept.reversed()
  }

  private func noteKind(_ structure: LogLineStructure) {
    switch structure.stream {
    case .packerOut, .packerErr, .packer: sawPackerPrefix = true
    case .packerLog: sawPlainPackerLog = true
    case .other:
      // Packer's terminal output without any log prefix (`==> azure-arm: ...`).
      if structure.marker != .none && structure.builder != nil { sawPackerUIOutput = true }
    }
    if structure.ciPrefix != nil { sawCIPrefix = true }
  }

  func observe(_ line: MatchedLine) {
    let time = line.structure.bestTimestamp
    if let time {
      if firstTime.map({ time < $0 }) ?? true { firstTime = time }
      if lastTime.map({ time > $0 }) ?? true { lastTime = time }
    }
    let echo = isScriptEcho(line)
    // The markers first, then the patterns (two passes: no list of the line's pattern matches).
    for match in line.matches where match.ruleIndex >= patternCount {
      let marker = markers[match.ruleIndex - patternCount]
      if echo && marker != .deprovision { continue }
      observeMarker(marker, match, line, time)
    }
    if echo { return }
    for match in line.matches where match.ruleIndex < patternCount {
      observePattern(match, line, line.evidence)
    }
  }

  /// Whether `bytes` contains `needle` (a byte search, without Foundation).
  static func contains(_ bytes: UnsafeRawBufferPointer, _ needle: StaticString) -> Bool {
    let count = needle.utf8CodeUnitCount
    guard count > 0, bytes.count >= count else { return count == 0 }
    let first = needle.utf8Start[0]
    var index = 0
    let last = bytes.count - count
    while index <= last {
      if bytes[index] == first {
        var offset = 1
        while offset < count && bytes[index + offset] == needle.utf8Start[offset] { offset += 1 }
        if offset == count { return true }
      }
      index += 1
    }
    return false
  }

  /// Messages a provisioner plugin logs itself, which end (or are not part of) a script echo.
  static func endsScriptEcho(_ message: UnsafeRawBufferPointer) -> Bool {
    message.first == UInt8(ascii: "[") || hasPrefix(message, "Uploading ") || hasPrefix(message, "Building elevated")
      || hasPrefix(message, "Executing ") || hasPrefix(message, "Opening ") || hasPrefix(message, "closing")
      || hasPrefix(message, "Retryable error")
  }

  /// Whether `bytes` starts with `prefix` (a byte comparison; `starts(with:)` over a UTF-8 view
  /// is generic and slow in the per-line path).
  static func hasPrefix(_ bytes: UnsafeRawBufferPointer, _ prefix: StaticString) -> Bool {
    let count = prefix.utf8CodeUnitCount
    guard bytes.count >= count, let base = bytes.baseAddress else { return count == 0 }
    let text = prefix.utf8Start
    for offset in 0..<count where base.load(fromByteOffset: offset, as: UInt8.self) != text[offset] { return false }
    return true
  }

  /// Whether `line` is part of the echo of a script's source (`Found command:` and the lines
  /// that follow it from the same provisioner plugin), which is not output and must not count.
  ///
  /// Walks back over this plugin's earlier lines (other sources interleave) to the echo's
  /// `Found command:` or to a line the plugin logs itself. The last decision per plugin is
  /// remembered, so the walk covers each line about once.
  private func isScriptEcho(_ line: MatchedLine) -> Bool {
    guard let pluginRange = line.structure.plugin else { return false }
    let plugin = UnsafeRawBufferPointer(rebasing: line.bytes[pluginRange])
    guard
      RunModelBuilder.hasPrefix(plugin, "packer-provisioner-powershell")
        || RunModelBuilder.hasPrefix(plugin, "packer-provisioner-shell")
    else { return false }
    let message = UnsafeRawBufferPointer(rebasing: line.bytes[line.structure.message])
    var verdict: Bool?
    if RunModelBuilder.hasPrefix(message, "Found command:") {
      verdict = true
    } else if RunModelBuilder.endsScriptEcho(message) || RunModelBuilder.contains(message, " returned with exit code ")
    {
      verdict = false
    }
    // A few plugins at most: a short list compared by bytes, without a String per line. It is
    // bounded: a plugin not in it only walks back further.
    let known = echoDecisions.firstIndex { $0.plugin.elementsEqual(plugin) }
    if verdict == nil {
      let previous = known.map { echoDecisions[$0] }
      var walked = 0
      line.block.walkBackward(from: line.offsetInBlock, lineNumber: line.number) { number, bytes in
        if let previous, number <= previous.line {
          verdict = previous.isEcho
          return false
        }
        walked += 1
        if walked > 5000 { return false }
        let structure = LogLineStructure(parsing: bytes)
        guard let range = structure.plugin, UnsafeRawBufferPointer(rebasing: bytes[range]).elementsEqual(plugin) else {
          return true  // another source interleaved with the echo
        }
        let earlier = UnsafeRawBufferPointer(rebasing: bytes[structure.message])
        if RunModelBuilder.hasPrefix(earlier, "Found command:") {
          verdict = true
          return false
        }
        if RunModelBuilder.endsScriptEcho(earlier) {
          verdict = false
          return false
        }
        return true
      }
    }
    let result = verdict ?? false
    if let known {
      echoDecisions[known].line = line.number
      echoDecisions[known].isEcho = result
    } else {
      if echoDecisions.count >= Self.echoPluginLimit,
        let oldest = echoDecisions.indices.min(by: { echoDecisions[$0].line < echoDecisions[$1].line })
      {
        echoDecisions.remove(at: oldest)
      }
      echoDecisions.append((Array(plugin), line.number, result))
    }
    return result
  }

  private var current: Int? { customizers.isEmpty || capturing ? nil : customizers.count - 1 }
  /// The newest customizer, whether or not the builder has moved on to capturing.
  private var newest: Int? { customizers.isEmpty ? nil : customizers.count - 1 }
  /// Whether the builder has started capturing the image: every customizer has ended.
  private var capturing = false
  /// The last line touched in the running customizer and not yet settled into it (0: none).
  private var lastTouchedLine = 0

  private func startPhase(_ name: String, _ lineNumber: Int, _ time: LogTimestamp?) {
    if phases.last?.phase == name { return }
    if let leftOut = phases.append(
      PhaseSpan(phase: name, startLine: lineNumber, start: time?.formatted, startTime: time))
    {
      phasesLeftOut = (phasesLeftOut?.first ?? leftOut.element.startLine, leftOut.element.startLine)
    }
  }

  private func startCustomizer(type: String, detail: String?, _ lineNumber: Int, _ time: LogTimestamp?) {
    endCurrentCustomizer(at: lineNumber, time)
    capturing = false
    var run = CustomizerRun(
      number: customizers.count + 1, type: type, templateIndex: nil, isAIBStep: false, aibStep: nil,
      startLine: lineNumber, endLine: lineNumber, start: time?.formatted, end: nil, durationSeconds: nil,
      exitCode: nil, detail: detail, failed: false, startTime: time, endTime: nil)
    if type == "file", let detail, Self.isDeprovisionScriptUpload(detail) {
      run.isAIBStep = true
      run.aibStep = "deprovision-script-upload"
    }
    // The step before is settled now (only the newest step changes): its successor's start
    // ends it when nothing else did, and whether it was AIB's own step is known.
    if let previous = newest {
      customizers[previous].nextStartTime = time
      if !customizers[previous].isAIBStep { userStepsBeforeNewest += 1 }
    }
    run.userStepsBefore = userStepsBeforeNewest
    if let leftOut = customizers.append(run) { leaveOut(leftOut.index, leftOut.element) }
    startPhase("customize", lineNumber, time)
  }

  /// A customizer that left the kept window: pinned while a finding, the cancellation or a
  /// failure points at it, otherwise only counted (with its notable lines dropped). Pins that
  /// nothing points at any more are dropped too, so the pinned steps stay as few as the findings.
  private func leaveOut(_ index: Int, _ run: CustomizerRun) {
    stepsLeftOut = (stepsLeftOut?.first ?? run.startLine, run.startLine)
    // While the lines stream past, the findings are the patterns' (`findingCustomizer` is
    // filled by `finish`).
    let pointedAt = Set(patternFindings.compactMap { $0?.customizer }).union([cancelCustomizer ?? -1])
    func needed(_ index: Int, failed: Bool) -> Bool { failed || pointedAt.contains(index) }
    let stale = Set(customizers.pinnedIndices.filter { !needed($0, failed: customizers[$0].failed) })
    customizers.unpin { stale.contains($0) }
    for index in stale { notable[index] = nil }
    if needed(index, failed: run.failed) {
      customizers.pin(index, run)
    } else {
      notable[index] = nil
    }
  }

  /// Whether a File step's `source => destination` is AIB's own upload of the deprovision script
  /// (`/aib/packerInput/DeprovisioningScript.txt => c:\DeprovisioningScript.ps1`): its source is a
  /// file of the build container. A File customizer of the template that writes its own override
  /// (`https://.../DeprovisioningScript.ps1 => c:\DeprovisioningScript.ps1`) downloads it from a
  /// URL, and is the template's step (catalog rule 4: only AIB's steps are left out of the index).
  static func isDeprovisionScriptUpload(_ detail: String) -> Bool {
    let source = detail.range(of: " => ").map { detail[..<$0.lowerBound] } ?? detail[...]
    return source.contains("DeprovisioningScript") && !source.contains("://")
  }

  private func endCurrentCustomizer(at line: Int, _ time: LogTimestamp?) {
    settleTouches()
    guard let index = current, customizers[index].end == nil else { return }
    if let time {
      customizers[index].endTime = time
      customizers[index].end = time.formatted
    }
  }

  /// Notes that `line` belongs to the running customizer: its last line so far. Kept apart and
  /// settled into the step by `settleTouches` (most matched lines touch the step, and a change
  /// through `customizers` costs hundreds of instructions).
  private func touchCurrent(_ line: Int) {
    if current != nil { lastTouchedLine = max(lastTouchedLine, line) }
  }

  /// Moves the last touched line into the newest customizer unless it has ended: called before
  /// a step ends, another starts, and the run is finished.
  private func settleTouches() {
    defer { lastTouchedLine = 0 }
    guard lastTouchedLine > 0, let index = newest, customizers[index].end == nil else { return }
    customizers[index].endLine = max(customizers[index].endLine, lastTouchedLine)
  }

  private static let provisionerTypes = ["powershell", "shell", "file", "windows-restart", "windows-update"]

  /// Keeps the last output lines of the running customizer, read back from `line`, the first
  /// line that shows the step has ended (the next step, its exit code, cleanup, cancellation).
  private func recordLastOutput(before line: MatchedLine) {
    guard let index = current, customizers[index].lastOutput.isEmpty else { return }
    var kept: [EvidenceLine] = []
    line.block.walkBackward(from: line.offsetInBlock, lineNumber: line.number) { number, bytes in
      if number <= customizers[index].startLine { return false }
      let structure = LogLineStructure(parsing: bytes)
      if structure.isUserOutput && !structure.message.isEmpty {
        let message = UnsafeRawBufferPointer(rebasing: bytes[structure.message])
        if message.contains(where: { $0 != 0x20 }) {
          kept.append(EvidenceLine(line: number, bytes: bytes))
        }
      }
      return kept.count < 5 && number > line.number - 400
    }
    customizers[index].lastOutput = kept.reversed()
  }

  private func observeMarker(
    _ marker: Marker, _ match: RuleMatch, _ line: MatchedLine, _ time: LogTimestamp?
  ) {
    let structure = line.structure
    let captures = match.captures
    switch marker {
    case .buildFinished, .buildErrored, .someBuildsFailed, .cancellation:
      // Packer prints these without a builder name; behind `==> azure-arm: ` they are a
      // customizer's output (a nested Packer build, a script's own timeout).
      guard structure.builder == nil else { return }
    default:
      break
    }
    switch marker {
    case .customizerStart where structure.isUserOutput || structure.stream == .packerLog:
      recordLastOutput(before: line)
    case .telemetryStart, .telemetryEnd, .capture, .cancellation:
      recordLastOutput(before: line)
    case .cleanup where structure.isUserOutput:
      recordLastOutput(before: line)
    case .exitCode where match.regexIndex == 1:
      recordLastOutput(before: line)
    default:
      break
    }
    switch marker {
    case .packerVersion:
      if structure.plugin == nil && phases.isEmpty { startPhase("startup", line.number, time) }
    case .telemetryStart:
      startCustomizer(type: captures["type"] ?? "unknown", detail: nil, line.number, time)
      currentConfirmed = false
    case .telemetryEnd:
      touchCurrent(line.number)
      endCurrentCustomizer(at: line.number, time)
    case .customizerStart:
      guard structure.isUserOutput || structure.stream == .packerLog else { return }
      let type = RunModelBuilder.provisionerTypes[min(match.regexIndex, 4)]
      if let index = current, !currentConfirmed, customizers[index].type == type {
        currentConfirmed = true
        customizers[index].detail = captures["detail"]
        if type == "file", let detail = captures["detail"], Self.isDeprovisionScriptUpload(detail) {
          customizers[index].isAIBStep = true
          customizers[index].aibStep = "deprovision-script-upload"
        }
        return
      }
      if type == "windows-update", let index = current, customizers[index].type == "windows-update",
        customizers[index].end == nil
      {
        return
      }
      startCustomizer(type: type, detail: captures["detail"], line.number, time)
      currentConfirmed = true
    case .connectWait:
      startPhase("connect", line.number, time)
      if connectKind == nil { connectKind = captures["kind"] }
    case .connected:
      break
    case .deploying:
      if phases.last?.phase != "provisioning" && customizers.isEmpty { startPhase("provisioning", line.number, time) }
    case .deprovision:
      guard let index = current, customizers[index].type == "powershell" || customizers[index].type == "shell" else {
        return
      }
      if customizers[index].aibStep == nil {
        customizers[index].isAIBStep = true
        customizers[index].aibStep = "deprovision"
        startPhase("deprovision", line.number, time)
      }
    case .remoteCommand:
      touchCurrent(line.number)
      lastRemoteCommandNumber = line.number
      lastRemoteCommandBytes.removeAll(keepingCapacity: true)
      lastRemoteCommandBytes.append(contentsOf: line.bytes)
      lastRemoteCommandStep = current
    case .exitCode:
      touchCurrent(line.number)
      guard let index = current, let code = captures["code"].flatMap({ Int($0) }) else { return }
      if match.regexIndex == 1 {
        customizers[index].exitCode = code
      } else if customizers[index].exitCode == nil, let command = captures["command"],
        !command.hasPrefix("shutdown"), !command.contains("-EncodedCommand")
      {
        customizers[index].exitCode = code
      }
    case .capture, .captureStep:
      if marker == .captureStep && !structure.isUserOutput { return }
      endCurrentCustomizer(at: line.number, time)
      // Capture starts only after every customizer succeeded: what fails from here on (a
      // snapshot the platform refuses) is not the last customizer's failure.
      capturing = true
      startPhase("capture", line.number, time)
    case .cleanup:
      guard structure.isUserOutput else { return }
      endCurrentCustomizer(at: line.number, time)
      startPhase("cleanup", line.number, time)
    case .buildFinished:
      finishedLine = line.number
      startPhase("summary", line.number, time)
    case .buildErrored:
      if erroredLine == nil { markFailingCustomizer() }
      erroredLine = line.number
      addReason(line.evidence)
      startPhase("summary", line.number, time)
    case .someBuildsFailed:
      someBuildsFailed = true
    case .errorSummary:
      if structure.marker == .error { addReason(line.evidence) }
    case .machineReadableError:
      addReason(line.evidence)
    case .exportDone:
      exportDone = true
    case .cancellation:
      guard cancelLine == nil else { return }
      cancelLine = line.evidence
      cancelTime = time
      cancelCustomizer = current
      markFailingCustomizer()
      if let time {
        var seen = 0
        line.block.walkBackward(from: line.offsetInBlock, lineNumber: line.number) { number, bytes in
          seen += 1
          let structure = LogLineStructure(parsing: bytes)
          if let before = structure.bestTimestamp {
            silence = (
              time.seconds - before.seconds, EvidenceLine(line: number, bytes: bytes)
            )
            return false
          }
          // A line with no log prefix continues the output before it (the File customizer's
          // progress lines follow a bare `PACKER OUT`).
          if untimedOutputBeforeCancel == nil && (structure.isUserOutput || structure.stream == .other)
            && UnsafeRawBufferPointer(rebasing: bytes[structure.message]).contains(where: { $0 != 0x20 })
          {
            untimedOutputBeforeCancel = EvidenceLine(line: number, bytes: bytes)
          }
          return seen < 64
        }
      }
    case .imageState:
      let state = captures["state"] ?? ""
      // Sysprep has a handful of states: a log printing more distinct ones keeps the latest.
      if imageStates[state] == nil, imageStates.count >= Self.imageStateLimit,
        let stalest = imageStateSpans.min(by: { $0.value.last.line < $1.value.last.line })?.key
      {
        imageStates[stalest] = nil
        imageStateSpans[stalest] = nil
      }
      imageStates[state, default: 0] += 1
      if state == "IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE" { reachedReseal = true }
      if let previous = imageStateSpans[state] {
        imageStateSpans[state] = (previous.first, line.evidence, previous.firstTime, time ?? previous.lastTime)
      } else {
        let evidence = line.evidence
        imageStateSpans[state] = (evidence, evidence, time, time)
      }
      lastImageState = state
      touchCurrent(line.number)
    case .systemPerformance:
      if let memory = captures["memory"].flatMap({ Int($0) }), memory > (maxMemory?.percent ?? -1) {
        maxMemory = (memory, line.evidence)
      }
    case .fileProgress:
      guard let index = current, customizers[index].type == "file" else { return }
      if firstFileProgress?.customizer != current {
        firstFileProgress = (Self.byteCount(captures["done"]), time, current)
      }
      var captures = captures
      if let first = firstFileProgress, let start = first.time, let time, time > start,
        let done = Self.byteCount(captures["done"]), let before = first.bytes, done > before
      {
        let rate = Double(done - before) / Double(time.seconds - start.seconds)
        captures["throughput"] = Self.formatBytes(rate) + "/s"
      }
      lastFileProgress = (line.evidence, captures, current)
    case .restartWaiting:
      // The wait began at its first line with a time (old-format `PACKER OUT` lines have none).
      if restartPending == nil || restartPendingTime == nil { restartPendingTime = time }
      restartPending = line.evidence
      // `Waiting for machine to reboot with timeout: 5m0s`: the step's restartTimeout.
      if let range = line.message.range(of: "with timeout: ") {
        restartTimeoutSaid = String(line.message[range.upperBound...].prefix { !$0.isWhitespace })
      }
    case .restartDone:
      restartPending = nil
      restartPendingTime = nil
    case .runStatus:
      sawRunStatus = true
      switch captures["key"].map({ $0.prefix(1).lowercased() + $0.dropFirst() }) {
      case "runSubState":
        runSubState = captures["state"]
        runSubStateLine = line.evidence
      case "provisioningState":
        if captures["state"]?.lowercased() == "failed" { provisioningFailed = true }
        if runState == nil { runState = captures["state"] }
      default: runState = captures["state"]
      }
    case .errorWord, .exceptionWord, .failureWord, .troubleWord, .toolError, .requirementWord, .killedJob:
      guard structure.isUserOutput || structure.stream == .other else { return }
      let index = current ?? -1
      let message = line.message
      if message.hasPrefix("Build '") || message.hasPrefix("Provisioning step had errors") || structure.marker == .error
      {
        return
      }
      addNotable(CollectionOfOne(line.evidence), customizer: index)
    case .devopsTask:
      sawDevopsTask = true
    case .vmSize:
      if vmSize == nil { vmSize = captures["size"] }
    case .logLocation:
      if logLocation == nil { logLocation = captures["location"] }
    }
  }

  private func addReason(_ evidence: EvidenceLine) {
    if finalReasons.count < 4 { finalReasons.append(evidence) }
  }

  private func markFailingCustomizer() {
    if let index = current, customizers[index].end == nil || cancelLine == nil {
      customizers[index].failed = true
    }
  }

  /// Adds `lines` (at least one) to the notable lines of `customizer`, of which the last
  /// `notableLimit` are kept.
  private func addNotable(_ lines: some Sequence<EvidenceLine>, customizer: Int) {
    // In place and in one lookup for all the lines (a copy of the list taken out of the
    // dictionary would be copied again on append): a PowerShell record's lines one at a time,
    // with three lookups each, cost about 2,100 instructions a line.
    func add(to kept: inout [EvidenceLine]) {
      for line in lines where !kept.contains(line) {
        if kept.count == RunModelBuilder.notableLimit { kept.removeFirst() }
        kept.append(line)
      }
    }
    add(to: &notable[customizer, default: []])
  }

  /// The lines of the PowerShell error record that ends at `line` (header, `At`, `+` lines),
  /// then `evidence`, the line itself. Walks the raw lines before it and makes text only of
  /// those it keeps.
  private func powerShellRecord(endingAt line: MatchedLine, _ evidence: EvidenceLine) -> [EvidenceLine] {
    var record: [EvidenceLine] = []
    // Room for the longest record: growing the list line by line cost about 380 instructions
    // a line.
    record.reserveCapacity(16)
    var foundAt = false
    // The line before `At ...` has no ` : `: it may end a header the console wrapped.
    var wrapped = false
    var seen = 0
    line.block.walkBackward(from: line.offsetInBlock, lineNumber: line.number) { number, bytes in
      seen += 1
      if seen > 24 { return false }
      let structure = LogLineStructure(parsing: bytes)
      guard structure.isUserOutput else { return true }  // interleaved debug lines
      let message = UnsafeRawBufferPointer(rebasing: bytes[structure.message])
      let trimmed = UnsafeRawBufferPointer(rebasing: message[(message.firstIndex { $0 != 0x20 } ?? message.count)...])
      if wrapped {
        // `Install-Module : No match was found ... module name 'X'. Try` / `Get-PSRepository to
        // see ...`: the first part names the command and is as long as the console is wide.
        if RunModelBuilder.startsWrappedRecordHeader(trimmed) {
          record.append(EvidenceLine(line: number, bytes: bytes))
        }
        return false
      }
      if trimmed.isEmpty && record.count > 1 { return false }
      // Packer's own announcement of the step (`Provisioning with powershell script: ...`) comes
      // before anything the script wrote: a record whose header has no ` : ` ends there.
      if RunModelBuilder.hasPrefix(trimmed, "Provisioning with ") { return false }
      record.append(EvidenceLine(line: number, bytes: bytes))
      if foundAt {  // the header line before `At ...`
        wrapped = !RunModelBuilder.contains(trimmed, " : ")
        return wrapped
      }
      if RunModelBuilder.hasPrefix(trimmed, "At ") && RunModelBuilder.contains(trimmed, " char:") { foundAt = true }
      // The header of a record without a position: `<command or script> : <message>`.
      if trimmed.first != UInt8(ascii: "+") && !foundAt && RunModelBuilder.contains(trimmed, " : ") { return false }
      return !RunModelBuilder.hasPrefix(trimmed, "ParserError:") && record.count < 14
    }
    record.reverse()
    record.append(evidence)
    return record
  }

  /// Whether `text` (a line's message without leading blanks) can be the first part of a
  /// PowerShell record header that the console wrapped: `<command or script> : <message>`, at
  /// least 50 bytes long (a wrapped line is as wide as the console).
  static func startsWrappedRecordHeader(_ text: UnsafeRawBufferPointer) -> Bool {
    guard text.count >= 50, let first = text.first, (0x61...0x7A).contains(first | 0x20) else { return false }
    guard
      let colon = (0..<(text.count - 2)).first(where: {
        text[$0] == 0x20 && text[$0 + 1] == 0x3A && text[$0 + 2] == 0x20
      })
    else { return false }
    return !text[..<colon].contains(0x20)
  }

  /// What `observePattern` reads of a pattern on every line it matches.
  private struct PatternFacts {
    let id: String
    /// Its single-line matches feed a detector (`detectorOwned`).
    let feedsDetector: Bool
    let packerLinesOnly: Bool
    /// A PowerShell error record's pattern: its whole record is the evidence.
    let isPowerShellRecord: Bool

    init(_ pattern: Pattern) {
      id = pattern.id
      feedsDetector = RunModelBuilder.detectorOwned.contains(pattern.id)
      packerLinesOnly = pattern.packerLinesOnly
      isPowerShellRecord = pattern.id.hasPrefix("powershell-")
    }
  }

  /// A pattern's finding while the lines stream past, with what `finish` puts in the tables
  /// keyed by id.
  private struct PatternFinding {
    var finding: Finding
    /// The step it is attributed to (-1: none): `findingCustomizer`.
    var customizer: Int
    /// `findingRegex`.
    var regexIndex: Int
    /// `findingLastEvidence`.
    var lastEvidence: EvidenceLine
    /// `findingStepOccurrences`.
    var stepOccurrences: Int

    /// Counts another line that matched, with `lines` its evidence, seen in `step`.
    mutating func add(_ match: RuleMatch, evidence: EvidenceLine, lines: [EvidenceLine], step: Int?) {
      lastEvidence = evidence
      finding.occurrences += 1
      stepOccurrences += 1
      if let step, customizer >= 0, step > customizer {
        // Seen again in a later step: the later step is the one closer to the failure.
        customizer = step
        stepOccurrences = 1
        finding.line = evidence.line
        finding.captures = match.captures.dictionary
        finding.evidence = Array(lines.prefix(RunModelBuilder.evidenceLimit))
        regexIndex = match.regexIndex
        return
      }
      for (key, value) in match.captures where finding.captures[key] == nil { finding.captures[key] = value }
      for item in lines where finding.evidence.count < RunModelBuilder.evidenceLimit && !finding.evidence.contains(item)
      {
        finding.evidence.append(item)
      }
    }
  }

  private func observePattern(_ match: RuleMatch, _ line: MatchedLine, _ evidence: EvidenceLine) {
    guard match.ruleIndex < patternCount else { return }
    let facts = patternFacts[match.ruleIndex]
    if facts.feedsDetector { return }
    if facts.packerLinesOnly && line.structure.builder != nil { return }
    touchCurrent(evidence.line)
    var lines = [evidence]
    if facts.isPowerShellRecord
      || RunModelBuilder.contains(
        UnsafeRawBufferPointer(rebasing: line.bytes[line.structure.message]), "FullyQualifiedErrorId")
    {
      lines = powerShellRecord(endingAt: line, evidence)
      addNotable(lines, customizer: current ?? -1)
    }
    let step = current
    if patternFindings[match.ruleIndex] != nil {
      // Changed in place: a copy taken out of the list would copy the finding's lists.
      patternFindings[match.ruleIndex]!.add(match, evidence: evidence, lines: lines, step: step)
      return
    }
    patternFindings[match.ruleIndex] = PatternFinding(
      finding: makeFinding(
        compiled.pattern(ruleIndex: match.ruleIndex)!, line: evidence.line,
        evidence: Array(lines.prefix(RunModelBuilder.evidenceLimit)), captures: match.captures.dictionary),
      customizer: step ?? -1, regexIndex: match.regexIndex, lastEvidence: evidence, stepOccurrences: 1)
    findingOrder.append(facts.id)
  }

  /// Moves the patterns' findings into `findings` and the tables keyed by id, which the
  /// detectors and the diagnosis work on.
  private func publishPatternFindings() {
    for case let state? in patternFindings {
      let id = state.finding.id
      findings[id] = state.finding
      findingCustomizer[id] = state.customizer
      findingRegex[id] = state.regexIndex
      findingLastEvidence[id] = state.lastEvidence
      findingStepOccurrences[id] = state.stepOccurrences
    }
    patternFindings.removeAll()
  }

  private func makeFinding(_ pattern: Pattern, line: Int, evidence: [EvidenceLine], captures: [String: String])
    -> Finding
  {
    Finding(
      id: pattern.id, severity: pattern.severity, title: pattern.title, summary: pattern.summary, phase: pattern.phase,
      owner: pattern.owner, retryable: pattern.retryable, customizer: nil, line: line, occurrences: 1,
      evidence: evidence, captures: captures, message: pattern.message, fixes: pattern.fixes,
      templatePaths: pattern.templatePaths, benign: pattern.benign,
      benignReason: pattern.benign ? pattern.benignReason : nil, rank: pattern.rank, references: pattern.references)
  }

  /// Adds a finding for `id` from the library when none exists yet; returns whether it exists.
  @discardableResult
  private func ensureFinding(_ id: String, line: Int, evidence: [EvidenceLine], customizer: Int?) -> Bool {
    if findings[id] != nil { return true }
    guard let pattern = compiled.library.pattern(id: id) else { return false }
    findings[id] = makeFinding(pattern, line: line, evidence: evidence, captures: [:])
    findingOrder.append(id)
    if let customizer { findingCustomizer[id] = customizer }
    return true
  }

  // MARK: - Finishing

  func finish(path: String, facts: InputFacts, warnings: [String]) -> InputDiagnosis {
    publishPatternFindings()
    settleTouches()
    runningAtEnd = stepRunningAtEnd()
    if let index = runningAtEnd {
      // Its last output was never read back (no later line ended it): the input's last lines are.
      unfinishedStepOutput = trailingOutput(lastLine: facts.lines, limit: 16).filter {
        $0.line > customizers[index].startLine
      }
      customizers[index].lastOutput = Array(unfinishedStepOutput.suffix(5))
    }
    if let index = current, customizers[index].end == nil, let time = cancelTime ?? lastTime {
      customizers[index].endTime = time
      customizers[index].end = time.formatted
    }
    numberCustomizers()
    runDetectors()
    demoteAcceptedExitCodes()
    demoteServiceChecks()
    let kind = detectKind()
    let outcome = decideOutcome(kind: kind)
    // Made when a finding's pattern has variants: most runs have none.
    var variantScratch: PCRE2MatchScratch?
    for id in findingOrder {
      guard var finding = findings[id] else { continue }
      // The pattern's variant for what was captured (its file says when each applies).
      var captures = finding.captures
      if compiled.variantSelectors[id] != nil, let pattern = compiled.library.pattern(id: id) {
        let scratch = variantScratch ?? PCRE2MatchScratch(maxCaptureCount: max(1, compiled.variantCaptureCount))
        variantScratch = scratch
        if let selection = compiled.selectVariant(
          patternID: id, regexIndex: findingRegex[id], captures: finding.captures, scratch: scratch)
        {
          (finding.message, finding.fixes) = selection.variant.advice(of: pattern)
          finding.variant = selection.variant.name
          captures = selection.captures
          if !selection.variant.templatePaths.isEmpty {
            var seen = Set<String>()
            finding.templatePaths = selection.variant.templatePaths(of: pattern).map {
              Pattern.render($0, captures: captures)
            }.filter { seen.insert($0).inserted }
          }
        }
      }
      finding.message = Pattern.render(finding.message, captures: captures)
      finding.fixes = finding.fixes.map { Pattern.render($0, captures: captures) }
      if let index = findingCustomizer[id] {
        finding.customizer = reference(index)
        // A class that can also fail at submission (a download) happened in a customizer here.
        if finding.customizer != nil && finding.phase == .submission { finding.phase = .customize }
        // A script's failure inside AIB's own deprovision step belongs to that phase.
        if finding.customizer?.isAIBStep == true, customizers[index].aibStep == "deprovision",
          finding.phase == .customize
        {
          finding.phase = .deprovision
        }
      }
      // A class that can also fail at distribution (a security type the target refuses) failed
      // while the build VM was deployed here.
      if finding.phase == .distribute, phaseName(atLine: finding.line) == "provisioning" {
        finding.phase = .provisioning
      }
      // A class that can fail at submission or while the VM is deployed (an identity not
      // authorized), quoted inside a distribution error (`[Distribute 0] ...`), failed while
      // distributing: the run got that far, whatever else the input says.
      if finding.phase == .submission || finding.phase == .provisioning, finding.customizer == nil,
        let first = finding.evidence.first, LogLineStructure.message(of: first.text).contains("[Distribute ")
      {
        finding.phase = .distribute
      }
      // A File customizer's failure concerns its sourceUri and destination, not a script's fields.
      if finding.customizer?.type == "file" {
        let fileFields = finding.templatePaths.filter {
          $0.hasPrefix("properties.customize[]") && ($0.hasSuffix(".sourceUri") || $0.hasSuffix(".destination"))
        }
        finding.templatePaths = fileFields + finding.templatePaths.filter { !fileFields.contains($0) }
      }
      // A class that fails at submission or during a run (an identity not authorized) came in a
      // run status whose runSubState says where the run stopped: the run got that far.
      if finding.phase == .submission, kind == .runStatus, finding.customizer == nil,
        let stopped = runSubStatePhase()
      {
        finding.phase = stopped
      }
      // A restart that timed out: say how long this step waited, not a generic example.
      if id == "windows-restart-timeout", let waited = restartTimeoutSaid,
        finding.captures["reason"]?.hasPrefix("Timeout waiting for machine to restart") == true,
        let index = finding.fixes.firstIndex(where: { $0.hasPrefix("Increase restartTimeout") })
      {
        finding.fixes[index] =
          "Increase restartTimeout on the WindowsRestart customizer: this restart waited \(waited) "
          + "(\u{201C}Waiting for machine to reboot with timeout: \(waited)\u{201D}); restarts that install updates can "
          + "take long, so raise it well above \(waited) (30m is a common value)."
      }
      // A policy denial names the resource and the policy: say them, and what the resource is
      // when it is one Packer creates (`pkrkv...` is the key vault for the WinRM certificate).
      if id == "policy-violation", let resource = finding.captures["resource"] {
        var said = " The denied resource is \(resource)"
        if let kind = Self.packerResourceKind(resource) { said += ", \(kind)" }
        if let assignment = finding.captures["assignment"] {
          said += "; policy assignment \u{201C}\(assignment)\u{201D}"
          if let policy = finding.captures["policy"] { said += " (definition \u{201C}\(policy)\u{201D})" }
        }
        finding.message += said + "."
        if resource.hasPrefix("pkrkv"),
          let index = finding.fixes.firstIndex(where: { $0.contains("Key Vault Packer creates") }), index > 0
        {
          finding.fixes.insert(finding.fixes.remove(at: index), at: 0)
        }
      }
      // Windows Update's fixes are one per error: the one for this error comes first.
      if id == "windows-update-failed" {
        let hresult = finding.captures["hresult"]?.uppercased()
        let index =
          hresult.flatMap { code in
            finding.fixes.firstIndex { $0.prefix { $0 != ":" }.uppercased().contains(code) }
              ?? finding.fixes.firstIndex { $0.hasPrefix("Any other 0x8024") }
          } ?? finding.fixes.firstIndex { $0.hasPrefix("Exit status") }
        if let index, index > 0 { finding.fixes.insert(finding.fixes.remove(at: index), at: 0) }
      }
      // A checksum check in a Shell or PowerShell step's output is the script's own: the hash to
      // change is in the script (the template's sha256Checksum checks only the script file).
      if id == "checksum-mismatch", let step = finding.customizer, !step.isAIBStep,
        step.type == "shell" || step.type == "powershell"
      {
        finding.fixes.insert(
          "The check that failed is in the script of customizer #\(step.number) (its output says so): update the "
            + "expected hash there to the SHA-256 of the file it downloads now, or pin the download to a version whose "
            + "hash you know; properties.customize[].sha256Checksum checks only the script file itself.", at: 0)
      }
      // Advice about the small default VM, when the log says which size this build used: the
      // larger-size fix comes first only on Standard_D1_v2 (catalog rule 6); on another size it
      // follows the class's other fixes, with the size it ran on.
      if let size = vmSize, size.lowercased() != "standard_d1_v2",
        let index = finding.fixes.firstIndex(where: { $0.contains("D1_v2") })
      {
        let larger = finding.fixes.remove(at: index)
        finding.fixes += [
          larger,
          "This build ran on \(size) (the log's configuration dump), not the small default Standard_D1_v2: "
            + "a larger size helps only if the work outgrew \(size).",
        ]
      }
      finding.fingerprint = Fingerprint.of(
        id: id, message: LogLineStructure.message(of: finding.evidence.first?.text ?? ""))
      findings[id] = finding
    }
    var primary = choosePrimary(outcome: outcome)
    // The log ends before the build did and shows no failure: what the step still running was
    // held up by is its likely cause (the outcome stays incomplete).
    var likely = primary == nil && outcome == .incomplete ? runningAtEnd.flatMap { likelyCause(inStep: $0) } : nil
    // An input without a single customizer and without a final status (an excerpt pasted from a
    // log or an issue, a log cut before the customizers) that still shows a specific problem:
    // that problem is its likely cause.
    if primary == nil, likely == nil, outcome == .incomplete || outcome == .unknown, customizers.isEmpty {
      likely = likelyCause(inStep: nil)
    }
    if let likely { primary = likely }
    // A run status that only says the run was cancelled (runState Canceled, an empty message)
    // names no failure: a user or a pipeline cancelled it, which is not an unknown failure.
    let cancelledByRequest =
      outcome == .cancelled && kind == .runStatus && cancelLine == nil
      && ["canceled", "cancelled", "canceling"].contains(runState?.lowercased() ?? "")
    if primary == nil && (outcome == .failed || outcome == .cancelled) && !cancelledByRequest {
      primary = addFallbackFinding(outcome: outcome)
    }
    if let id = primary { enrichPrimaryEvidence(id) }
    if let likely { describeLikelyCause(likely) }
    var ordered = findingOrder.compactMap { findings[$0] }
    ordered.sort { a, b in
      if a.id == primary { return b.id != primary }
      if b.id == primary { return false }
      if a.benign != b.benign { return !a.benign }
      if a.severity != b.severity { return a.severity > b.severity }
      if a.rank != b.rank { return a.rank > b.rank }
      return a.line < b.line
    }
    // The chain is what led to the failure: not what a step printed before it ended well.
    let failing = failingCustomizer(outcome: outcome)
    let chain = ordered.filter { finding in
      finding.id != primary && !finding.benign && finding.severity == .error
        && !printedBySucceededStep(finding.id, failing: failing)
        && !(outcome == .incomplete && wentOnFrom(finding.id))
    }.sorted { $0.line < $1.line }.map(\.id)
    var timeline = Timeline(
      phases: phases.kept, customizers: customizers.kept, start: firstTime?.formatted, end: lastTime?.formatted)
    if let range = customizers.leftOutRange, let lines = stepsLeftOut {
      timeline.customizersElided = Elision(
        count: customizers.elidedCount, firstNumber: range.lowerBound + 1, lastNumber: range.upperBound + 1,
        firstLine: lines.first, lastLine: lines.last)
    }
    if phases.elidedCount > 0, let lines = phasesLeftOut {
      timeline.phasesElided = Elision(
        count: phases.elidedCount, firstNumber: nil, lastNumber: nil, firstLine: lines.first, lastLine: lines.last)
    }
    var warnings = warnings
    if let said = Self.elisionWarning(timeline, pinned: customizers.pinnedIndices.count) { warnings.append(said) }
    return InputDiagnosis(
      path: path, kind: kind, outcome: outcome, primary: primary, chain: chain, findings: ordered,
      timeline: timeline, input: facts, warnings: warnings)
  }

  /// Whether the input holds lines of a Packer log (a customization.log's, or a plain one's), not
  /// only a run status or other pasted text.
  private var sawLogLines: Bool { sawPackerPrefix || sawPlainPackerLog || sawPackerUIOutput }

  /// Whether the input ends before the build did: no final status, no cancellation, no export line.
  private var endsUnfinished: Bool {
    cancelLine == nil && erroredLine == nil && !someBuildsFailed && finishedLine == nil && !exportDone
  }

  /// Whether the step that printed finding `id` went on after it: the step ended well (exit 0,
  /// or a later step began), or it is the step still running at the end of the input, its exit
  /// code is not shown, and it printed more than the rest of the error after the finding's last
  /// line. A state the step was in (a polling loop, memory pressure) is not something it went on
  /// from.
  private func wentOnFrom(_ id: String) -> Bool {
    guard let index = findingCustomizer[id], index >= 0 else { return false }
    if stepSucceeded(index, failing: nil) { return true }
    guard index == runningAtEnd, customizers[index].exitCode == nil, !ongoingConditions.contains(id) else {
      return false
    }
    let last = findingLastEvidence[id]?.line ?? findings[id]?.line ?? 0
    return unfinishedStepOutput.contains { $0.line > last && !Self.continuesErrorRecord($0.text) }
  }

  /// One warning for the customizers and phases the timeline does not list; nil when it lists
  /// them all.
  static func elisionWarning(_ timeline: Timeline, pinned: Int) -> String? {
    var parts: [String] = []
    if let steps = timeline.customizersElided {
      let total = timeline.customizers.count + steps.count
      var kept = "the first \(stepWindow) and the last \(stepWindow)"
      if pinned > 0 { kept += ", and \(pinned) that a finding or the failure points at" }
      parts.append(
        "\(total) customizers: the timeline lists \(kept); \(steps.count) of those from #\(steps.firstNumber ?? 0) "
          + "to #\(steps.lastNumber ?? 0) (lines \(steps.firstLine) to \(steps.lastLine)) are not listed")
    }
    if let spans = timeline.phasesElided {
      parts.append(
        "\(timeline.phases.count + spans.count) phases: the timeline lists the first \(phaseWindow) and the last "
          + "\(phaseWindow); \(spans.count) (lines \(spans.firstLine) to \(spans.lastLine)) are not listed")
    }
    guard !parts.isEmpty else { return nil }
    return "the diagnosed run has " + parts.joined(separator: ", and ")
      + " (memory stays bounded; every line is still matched and counted in the findings)"
  }

  /// The step still running where the input ends: the log has no final status, no cancellation
  /// and no export line, the last step has not ended (no later step, no capture or cleanup) and
  /// its script has not returned 0.
  private func stepRunningAtEnd() -> Int? {
    guard endsUnfinished, let index = current, customizers[index].end == nil, customizers[index].exitCode != 0,
      let phase = phases.last?.phase, phase == "customize" || phase == "deprovision"
    else { return nil }
    return index
  }

  /// The finding named as the likely cause of an input that shows no failure, or nil. With
  /// `step` (the step still running where a log ends): what that step was held up by; a
  /// candidate belongs to it and is the last thing it shows (no output after its last line other
  /// than the rest of its error record; states the step was in, such as memory pressure or a
  /// polling loop, need no such check). Without (an excerpt with no customizer and no final
  /// status): any finding of the input. Either way a candidate is not benign, is a warning at
  /// least, and is a specific class (rank 50 or more) or was printed at least three times (in the
  /// step, or in the input). The most specific candidate wins, then the most repeated, then the
  /// latest.
  private func likelyCause(inStep step: Int?) -> String? {
    var best: (id: String, rank: Int, repeats: Int, line: Int)?
    for id in findingOrder {
      guard let finding = findings[id], !finding.benign, finding.severity >= .warning,
        step == nil || findingCustomizer[id] == step
      else { continue }
      let repeats = step == nil ? finding.occurrences : findingStepOccurrences[id] ?? finding.occurrences
      guard finding.rank >= 50 || repeats >= 3 else { continue }
      if step != nil && wentOnFrom(id) { continue }
      let line = findingLastEvidence[id]?.line ?? finding.line
      if let current = best, (current.rank, current.repeats, current.line) >= (finding.rank, repeats, line) {
        continue
      }
      best = (id, finding.rank, repeats, line)
    }
    return best?.id
  }

  /// Whether an output line only continues the error record before it (PowerShell's position,
  /// code and category lines), so that a step printing it has not gone on.
  static func continuesErrorRecord(_ text: String) -> Bool {
    let said = LogLineStructure.message(of: text).trimmingWhitespace()
    return said.isEmpty || said.hasPrefix("+") || said.hasPrefix("~")
      || (said.hasPrefix("At ") && said.contains(" char:"))
  }

  /// Says in the likely cause's own message that the log ends before the build did; its
  /// evidence is where it began and how the step last printed it (a line the step repeated is
  /// kept once, at its last occurrence, besides the finding's first line).
  private func describeLikelyCause(_ id: String) {
    guard var finding = findings[id] else { return }
    guard let step = runningAtEnd else {
      finding.message +=
        (finding.message.hasSuffix("\u{201D}") ? "." : "")
        + " The input shows no customizer and no final status (an excerpt, or a log that ends before the "
        + "customizers): this is the likely cause of a failure, not a confirmed one."
      findings[id] = finding
      return
    }
    let name = Self.stepName(customizers[step])
    var sentence = " The log ends while \(name) is still running"
    if ongoingConditions.contains(id) {
      sentence += ", in this state"
    } else {
      let repeats = findingStepOccurrences[id] ?? finding.occurrences
      sentence += ", and this is the last thing it shows" + (repeats > 1 ? " (on \(repeats) lines)" : "")
    }
    sentence +=
      ": the log does not show the build failing, so this is the likely cause of a build that did not finish, "
      + "not a confirmed one."
    finding.message += (finding.message.hasSuffix("\u{201D}") ? "." : "") + sentence
    if let last = findingLastEvidence[id], !finding.evidence.contains(last) { finding.evidence.append(last) }
    var seen = Set<String>()
    var kept: [EvidenceLine] = []
    for line in finding.evidence.sorted(by: { $0.line > $1.line }) {
      let said = LogLineStructure.message(of: line.text)
      if seen.insert(said).inserted || line.line == finding.line { kept.append(line) }
    }
    finding.evidence = kept.reversed()
    findings[id] = finding
  }

  private func numberCustomizers() {
    for index in customizers.keptIndices {
      if let start = customizers[index].startTime,
        let end = customizers[index].endTime ?? customizers[index].nextStartTime
      {
        customizers[index].durationSeconds = max(0, end.seconds - start.seconds)
        if customizers[index].end == nil { customizers[index].end = end.formatted }
      }
      if customizers[index].isAIBStep { continue }
      customizers[index].templateIndex = customizers[index].userStepsBefore
    }
  }

  private func reference(_ index: Int) -> CustomizerReference? {
    guard customizers.contains(index) else { return nil }
    let run = customizers[index]
    return CustomizerReference(
      number: run.number, type: run.type, templateIndex: run.templateIndex, isAIBStep: run.isAIBStep)
  }

  private func runDetectors() {
    // Sysprep state loop: the deprovision script's polling printed the same state again and again
    // with no progress to the final state (catalog E1). IMAGE_STATE_UNDEPLOYABLE is the usual one
    // (generalize failed); any other state the loop ends on (IMAGE_STATE_COMPLETE: Sysprep never
    // started generalizing; a *_RESEAL_* state other than the generalized one: the image was sealed
    // without /generalize) is the same loop, once the build has stopped on it: a normal run prints
    // such states a few times before it moves on.
    let stopped = cancelLine != nil || erroredLine != nil || someBuildsFailed
    // A log that ends while the deprovision step still polls shows a loop only once the state
    // has lasted longer than generalizing takes: 15 minutes, or 180 of the script's 5-second
    // polls when its lines carry no time. Then the loop is the likely cause, not a failure.
    let stillPolling = runningAtEnd.map { customizers[$0].aibStep == "deprovision" } ?? false
    // A build cancelled while the state was IMAGE_STATE_UNDEPLOYABLE needs two such lines (an
    // excerpt that elides the rest of the loop, as the catalog's); otherwise three.
    let loopMinimum = cancelLine != nil && lastImageState == "IMAGE_STATE_UNDEPLOYABLE" ? 2 : 3
    if !reachedReseal, let state = lastImageState, let loop = imageStateSpans[state],
      let count = imageStates[state], count >= loopMinimum,
      state == "IMAGE_STATE_UNDEPLOYABLE" || stopped,
      !stillPolling || Self.lastsLongerThanSysprep(count: count, from: loop.firstTime, to: loop.lastTime)
    {
      let evidence = loop.first == loop.last ? [loop.first] : [loop.first, loop.last]
      if ensureFinding(
        "sysprep-state-loop", line: loop.first.line, evidence: evidence, customizer: cancelCustomizer ?? current)
      {
        var span = ""
        if let first = loop.firstTime, let last = loop.lastTime, last > first {
          span = " over \(Self.duration(last.seconds - first.seconds))"
        }
        if stillPolling {
          findings["sysprep-state-loop"]?.severity = .warning
          findings["sysprep-state-loop"]?.message =
            "Sysprep has reported \(state) for longer than generalizing takes: the image most likely never reaches "
            + "the generalized state, and the deprovision script polls until the build timeout."
          ongoingConditions.insert("sysprep-state-loop")
        }
        findings["sysprep-state-loop"]?.captures["state"] = state
        findings["sysprep-state-loop"]?.captures["count"] = String(count)
        findings["sysprep-state-loop"]?.occurrences = count
        if state != "IMAGE_STATE_UNDEPLOYABLE" {
          findings["sysprep-state-loop"]?.title = "Sysprep never reaches the generalized state (\(state) loop)"
          findings["sysprep-state-loop"]?.summary =
            "The hidden deprovision step ran Sysprep, but the image state stayed \(state), so the polling loop waited until the build stopped."
          findings["sysprep-state-loop"]?.message =
            "Sysprep reported \(state): the image never reached the generalized state and the deprovision script kept polling until the build stopped."
        }
        findings["sysprep-state-loop"]?.message +=
          " Sysprep reported \(state) \(count) times\(span) and never reached IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE."
        if let meaning = Self.imageStateMeaning(state) {
          findings["sysprep-state-loop"]?.message += " " + meaning
        }
      }
    }
    // A run that failed while validating (lastRunStatus.runSubState): the validation stage failed,
    // whatever the wrapper message says about customization (catalog 0.5: Validating -> H6).
    if runState?.lowercased() == "failed", runSubState?.lowercased() == "validating", let line = runSubStateLine {
      ensureFinding("validation-failed", line: line.line, evidence: [line], customizer: nil)
      if var wrapper = findings["packer-build-failed"] {
        wrapper.severity = .note
        wrapper.benign = true
        wrapper.benignReason =
          "The run status says the run stopped while validating (runSubState Validating): this wrapper text "
          + "comes from the validation stage, not from a customizer."
        findings["packer-build-failed"] = wrapper
      }
    }
    // The PublicAccessNotPermitted XML in an input without customization.log lines, beside the
    // run status that names the log's URL: what opening that link in a browser returns (catalog
    // H3), not an artifact the build could not read (D10, which a line alone cannot tell apart).
    if !sawLogLines, let blocked = findings["storage-public-access-blocked"],
      let url = logLocation,
      ensureFinding(
        "log-link-public-access-not-permitted", line: blocked.line, evidence: blocked.evidence, customizer: nil)
    {
      findings["log-link-public-access-not-permitted"]?.captures["url"] = url
      findings["storage-public-access-blocked"] = nil
    }
    // A cancelled build: which step was running and how long the log was silent before the end.
    if let cancel = cancelLine {
      let running = cancelCustomizer.flatMap { customizers.contains($0) ? customizers[$0] : nil }
      var evidence: [EvidenceLine] = []
      if let command = lastRemoteCommand, command.customizer == cancelCustomizer { evidence.append(command.line) }
      if let silence, !evidence.contains(silence.after) { evidence.append(silence.after) }
      if let output = untimedOutputBeforeCancel, !evidence.contains(output) { evidence.append(output) }
      evidence.append(cancel)
      if ensureFinding("build-timeout", line: cancel.line, evidence: evidence, customizer: cancelCustomizer) {
        for item in evidence where !(findings["build-timeout"]?.evidence.contains(item) ?? true) {
          findings["build-timeout"]?.evidence.append(item)
        }
        findings["build-timeout"]?.evidence.sort { $0.line < $1.line }
        var sentence = ""
        if let silence, silence.seconds >= 60 {
          let step = running.map { " in \(Self.stepName($0))" } ?? ""
          if let output = untimedOutputBeforeCancel {
            // Output without a timestamp came after the last timestamped line: how long the
            // step was silent is unknown, only that nothing timestamped came for this long.
            sentence = " Nothing with a timestamp was logged for \(Self.duration(silence.seconds))\(step)"
            sentence += " before the build was cancelled; the last output was \u{201C}"
            sentence += LogLineStructure.message(of: output.text).trimmingCharacters() + "\u{201D}"
          } else {
            sentence = " There was no output for \(Self.duration(silence.seconds))"
            if let command = lastRemoteCommand, command.customizer == cancelCustomizer,
              command.line.line == silence.after.line
            {
              sentence += " after `starting remote command`"
            }
            sentence += step + " before the build was cancelled"
          }
          if let running, running.isAIBStep, running.aibStep == "deprovision" {
            sentence +=
              ": AIB's deprovision script reads no input; it waits, without a limit, for the guest agent services and for Sysprep's image state."
          } else if let running, running.type == "powershell" || running.type == "shell" {
            cancellationFact = sentence + "."
            sentence += ": the script may be waiting for input or for a process that never ends."
          } else {
            sentence += "."
          }
          findings["build-timeout"]?.captures["silence"] = Self.duration(silence.seconds)
        } else if let running {
          sentence =
            " The build was cancelled while \(Self.stepName(running)) was running."
        }
        // No customizer had started: the build was stopped while the build VM was being deployed,
        // reached or captured. The template's scripts are not the cause, and advice about the
        // running customizer does not apply.
        if running == nil, let stage = phaseSpan(atLine: cancel.line),
          let outside = Self.stageOutsideCustomizers(stage.phase, connectKind: connectKind)
        {
          var waited = ""
          if let start = stage.startTime, let end = cancelTime, end > start {
            waited = " for \(Self.duration(end.seconds - start.seconds))"
          }
          sentence = " No customizer had started: \(outside.doing)\(waited) when the build was cancelled."
          findings["build-timeout"]?.phase = outside.phase
          findings["build-timeout"]?.fixes = outside.fixes
          findings["build-timeout"]?.templatePaths = outside.templatePaths
        }
        // How long the run lasted, only when the log holds Packer's start: an excerpt's first
        // line says nothing about when the run began.
        let packerStart = phases.kept.first { $0.phase == "startup" }?.startTime
        findings["build-timeout"]?.message += sentence + Self.runLengthSentence(from: packerStart, to: cancelTime)
        // A run stopped well before the default timeout was most likely cancelled: the headline
        // should not claim it ran out of time.
        if let start = packerStart, let end = cancelTime, end > start,
          end.seconds - start.seconds < Self.defaultTimeoutRunLength.lowerBound
        {
          findings["build-timeout"]?.title =
            "The build was stopped after \(Self.duration(end.seconds - start.seconds)): cancelled, "
            + "or a buildTimeoutInMinutes that short"
        }
        cancellationSentence = sentence
        if cancellationFact.isEmpty { cancellationFact = sentence }
      }
      // A script step whose last words before a long silence ask a question or name a field to
      // fill in (`Geographic area:`, `Enter password:`, `Continue? [y/N]`) was waiting for an
      // answer nobody can give (catalog D3): the prompt explains the timeout.
      if let running, running.type == "powershell" || running.type == "shell", !running.isAIBStep,
        let silence, silence.seconds >= 600, let last = running.lastOutput.last,
        case let said = LogLineStructure.message(of: last.text).trimmingWhitespace(),
        Self.looksLikePrompt(said)
      {
        let existed = findings["interactive-prompt"] != nil
        if ensureFinding("interactive-prompt", line: last.line, evidence: [last], customizer: cancelCustomizer),
          !existed
        {
          findings["interactive-prompt"]?.captures["prompt"] = said
          findings["interactive-prompt"]?.message =
            "The last output of \(Self.stepName(running)) before the build was cancelled was \u{201C}\(said)\u{201D}, "
            + "which asks for an answer nobody can give in an image build: the command waited for input until the timeout."
        }
      }
      // A Shell step cancelled while its package manager still waited for a lock another process
      // held (apt's `Waiting for cache lock: ...`, yum's `Another app is currently holding the yum
      // lock; waiting for it to exit...`, dnf's `Waiting for process with pid N to finish.`): the
      // first-boot package activity (cloud-init, unattended-upgrades, an extension) kept it until
      // the timeout (catalog D8).
      if let running, running.type == "shell", !running.isAIBStep, findings["apt-lock"] == nil,
        let waiting = running.lastOutput.last(where: { Self.isLockWait(LogLineStructure.message(of: $0.text)) }),
        ensureFinding("apt-lock", line: waiting.line, evidence: [waiting], customizer: cancelCustomizer)
      {
        let said = LogLineStructure.message(of: waiting.text).trimmingWhitespace()
        let step = Self.stepName(running)
        findings["apt-lock"]?.title = "The package manager waited for a lock another process held"
        if !said.hasPrefix("Waiting for cache lock") {
          findings["apt-lock"]?.fixes.insert(
            "Wait for the first-boot package work before this step (cloud-init status --wait) and stop what held "
              + "the lock (the process the message names; on RHEL often dnf-makecache or PackageKit) for the build.",
            at: 0)
        }
        findings["apt-lock"]?.message =
          "\(step.prefix(1).uppercased())\(step.dropFirst()) was still waiting for a package manager lock when the build was cancelled "
          + "(\u{201C}\(said)\u{201D}): another package operation on the build VM held it until the timeout."
      }
      // AIB's deprovision script waits without a limit for each guest-agent service to run
      // (`>>> Waiting for GA Service (WindowsAzureGuestAgent) to start ...`): when that is its last
      // output before a long silence and the cancellation, the service never started, so Sysprep
      // never ran (catalog E2: the agent was not ready).
      if let running, running.isAIBStep, running.aibStep == "deprovision", let silence, silence.seconds >= 600,
        let last = running.lastOutput.last,
        let service = Self.guestAgentServiceAwaited(LogLineStructure.message(of: last.text)),
        findings["sysprep-timing-guest-agent"] == nil,
        ensureFinding("sysprep-timing-guest-agent", line: last.line, evidence: [last], customizer: cancelCustomizer)
      {
        findings["sysprep-timing-guest-agent"]?.captures["service"] = service
        findings["sysprep-timing-guest-agent"]?.message =
          "AIB's deprovision script was waiting for the guest agent service \(service) to start when it last wrote "
          + "anything, and the build was cancelled: the service never started, so Sysprep never ran."
        findings["sysprep-timing-guest-agent"]?.fixes.insert(
          "Make sure the Azure VM agent runs on the build VM: no customizer may stop, disable or remove RdAgent or "
            + "WindowsAzureGuestAgent, and a custom or imported source image must have the agent installed.", at: 0)
      }
      // A PowerShell step that ran its script without Packer's elevated wrapper and then went
      // silent until the cancellation, with no other cause seen in it: installers that need
      // administrator or SYSTEM rights hang this way, without an error (catalog D7).
      if let running, running.type == "powershell", !running.isAIBStep,
        let command = lastRemoteCommand, command.customizer == cancelCustomizer,
        !command.line.text.contains("elevated"),
        !findingOrder.contains(where: { id in
          id != "build-timeout" && findingCustomizer[id] == cancelCustomizer && findings[id]?.benign == false
        })
      {
        var evidence = [command.line]
        if let output = untimedOutputBeforeCancel { evidence.append(output) }
        if ensureFinding(
          "powershell-elevation-hang", line: command.line.line, evidence: evidence, customizer: cancelCustomizer)
        {
          findings["powershell-elevation-hang"]?.message =
            "\(Self.stepName(running).prefix(1).uppercased())\(Self.stepName(running).dropFirst()) ran its script "
            + "without Packer's elevated wrapper and then logged nothing more until the build was cancelled: "
            + "installers and scripts that need administrator or SYSTEM rights hang this way, without an error."
        }
      }
      if let progress = lastFileProgress, progress.customizer == cancelCustomizer, running?.type == "file" {
        ensureFinding(
          "file-customizer-large-download", line: progress.line.line, evidence: [progress.line],
          customizer: cancelCustomizer)
        // Where the transfer was when the build stopped, next to where it began: not only the
        // first progress lines, which fill the evidence of a long transfer.
        if var finding = findings["file-customizer-large-download"], !finding.evidence.contains(progress.line) {
          finding.evidence = Array(finding.evidence.prefix(1)) + [progress.line]
          findings["file-customizer-large-download"] = finding
        }
        for (key, value) in progress.captures {
          // Sizes read as `8240000000 B` are shown as `8.2 GB`.
          let size = key == "done" || key == "total" ? Self.byteCount(value).map { Self.formatBytes(Double($0)) } : nil
          findings["file-customizer-large-download"]?.captures[key] = size ?? value
        }
        if let done = findings["file-customizer-large-download"]?.captures["done"],
          let total = findings["file-customizer-large-download"]?.captures["total"]
        {
          var sentence = " The File customizer had downloaded \(done) of \(total)"
          if let percent = progress.captures["percent"] { sentence += " (\(percent)%)" }
          if let rate = progress.captures["throughput"] { sentence += " at about \(rate)" }
          findings["file-customizer-large-download"]?.message += sentence + " when the build was stopped."
        }
      }
    }
    // AIB's Linux deprovision step runs only `waagent -force -deprovision+user` (or the user's own
    // /tmp/DeprovisioningScript.sh): when it fails and nothing more specific is known about it,
    // the agent could not deprovision this distribution (catalog E5), whatever it printed.
    if erroredLine != nil || someBuildsFailed,
      let index = customizers.lastIndex(where: { $0.aibStep == "deprovision" && $0.type == "shell" }),
      customizers[index].failed,
      !findingOrder.contains(where: { id in
        findingCustomizer[id] == index && id != "script-nonzero-exit" && findings[id]?.benign == false
      })
    {
      let said = notable[index] ?? []
      var evidence = Array(said.suffix(4))
      if evidence.isEmpty { evidence = customizers[index].lastOutput }
      if let first = evidence.first ?? finalReasons.first,
        ensureFinding("waagent-deprovision-failed", line: first.line, evidence: evidence, customizer: index)
      {
        if let quote = Self.mostInformative(said) {
          findings["waagent-deprovision-failed"]?.message += " It printed \u{201C}\(quote)\u{201D}."
        }
      }
    }
    // A restart that never came back.
    if let pending = restartPending, cancelLine != nil || erroredLine != nil {
      let existed = findings["windows-restart-timeout"] != nil
      // Cancelled while the step still waited: its own timeout had not run out, the build's had.
      if ensureFinding("windows-restart-timeout", line: pending.line, evidence: [pending], customizer: current),
        !existed, cancelLine != nil, var finding = findings["windows-restart-timeout"]
      {
        var waited = ""
        if let start = restartPendingTime, let end = cancelTime, end > start {
          waited = " for \(Self.duration(end.seconds - start.seconds))"
        }
        let limit = restartTimeoutSaid.map { "; this step's restartTimeout is \($0)" } ?? ""
        finding.message =
          "The build was cancelled while the WindowsRestart step was still waiting\(waited) for the VM to come back "
          + "from its restart\(limit): the VM did not answer over WinRM again."
        finding.fixes =
          [
            "Find out why the VM does not come back: a restart that never ends usually means Windows did not boot or "
              + "WinRM is not reachable after the reboot (a customizer that changed the firewall, WinRM or network "
              + "settings, or a role that needs several restarts); set properties.errorHandling.onCustomizerError to "
              + "abort to keep the VM and look at its boot diagnostics.",
            "Keep restartTimeout\(restartTimeoutSaid.map { " (\($0))" } ?? "") well below the time the build has left, "
              + "so that a restart that does not come back fails the step with \u{201C}Timeout waiting for machine to "
              + "restart\u{201D} instead of using up properties.buildTimeoutInMinutes.",
          ] + finding.fixes.filter { !$0.hasPrefix("Increase restartTimeout") }
        findings["windows-restart-timeout"] = finding
      }
    }
    // Memory pressure during a Windows Update step still running where the log ends, with no
    // failure shown: the likely cause of a build that did not finish (catalog D15).
    if let memory = maxMemory, memory.percent >= 90, let step = runningAtEnd,
      customizers[step].type == "windows-update",
      memory.line.line > customizers[step].startLine, findings["resource-exhaustion-small-vm"] == nil,
      ensureFinding("resource-exhaustion-small-vm", line: memory.line.line, evidence: [memory.line], customizer: step)
    {
      var finding = findings["resource-exhaustion-small-vm"]!
      finding.severity = .warning
      finding.captures["memory"] = String(memory.percent)
      let size =
        vmSize.map { $0.lowercased() == "standard_d1_v2" ? " on \($0), the small default size," : " on \($0)" } ?? ""
      finding.message =
        "Windows Update reported \(memory.percent)% of the VM's memory in use (line \(memory.line.line))\(size) and "
        + "was still working when the log ends: the build VM is most likely too small for this work."
      // What the step printed last under that pressure (waiting for the Windows Modules Installer,
      // a restart that cannot start) shows where it stands.
      for line in unfinishedStepOutput.suffix(3) where !finding.evidence.contains(line) {
        finding.evidence.append(line)
      }
      finding.evidence.sort { $0.line < $1.line }
      findings["resource-exhaustion-small-vm"] = finding
      ongoingConditions.insert("resource-exhaustion-small-vm")
    }
    // Memory pressure during Windows Update: the small-VM cause when the build then failed.
    if let memory = maxMemory, memory.percent >= 90, cancelLine != nil || erroredLine != nil || someBuildsFailed {
      let existed = findings["resource-exhaustion-small-vm"] != nil
      if ensureFinding(
        "resource-exhaustion-small-vm", line: memory.line.line, evidence: [memory.line], customizer: current)
      {
        let sentence = "Windows Update reported \(memory.percent)% of the VM's memory in use (line \(memory.line.line))"
        findings["resource-exhaustion-small-vm"]?.captures["memory"] = String(memory.percent)
        if existed {
          findings["resource-exhaustion-small-vm"]?.evidence.append(memory.line)
          findings["resource-exhaustion-small-vm"]?.message += " \(sentence)."
        } else {
          // Found from the memory readings alone: the pattern's own sentence (about the
          // connection breaking with "unexpected EOF") would not be true here.
          let ending = cancelLine != nil ? "was cancelled" : "failed"
          findings["resource-exhaustion-small-vm"]?.message =
            "\(sentence) before the build \(ending): the build VM is most likely too small for this work."
          // A cancelled build ran out of time: that much is certain, while a small VM is only
          // the likely cause on the 1-vCPU default size. On any other (or an unknown) size the
          // memory readings are context for the timeout, not its root cause.
          if cancelLine != nil, vmSize?.lowercased() != "standard_d1_v2",
            var finding = findings["resource-exhaustion-small-vm"]
          {
            finding.severity = .warning
            finding.title = "Windows Update ran with the VM's memory nearly full"
            finding.rank = min(finding.rank, (findings["build-timeout"]?.rank ?? 50) - 5)
            var context =
              "\(sentence) while it ran until the build was cancelled: memory pressure may have slowed it down"
            if let size = vmSize { context += " on \(size)" }
            finding.message =
              context
              + "; a larger size helps only if the work outgrew it, a longer buildTimeoutInMinutes if it is just long."
            findings["resource-exhaustion-small-vm"] = finding
          }
        }
      }
    }
  }

  /// Whether a sysprep state printed `count` times between `first` and `last` has lasted longer
  /// than generalizing takes: 15 minutes by the lines' times, or 180 polls of the deprovision
  /// script's 5-second loop when they have none (old-format `PACKER OUT` lines).
  static func lastsLongerThanSysprep(count: Int, from first: LogTimestamp?, to last: LogTimestamp?) -> Bool {
    if let first, let last { return last.seconds - first.seconds >= 15 * 60 }
    return count >= 180
  }

  /// How long, in seconds from Packer's start, a run stopped by the default timeout lasts: 240
  /// minutes, less the few that Image Builder spends before Packer starts.
  static let defaultTimeoutRunLength: ClosedRange<Int64> = 220 * 60...245 * 60

  /// How long the run had lasted when it was stopped, and what that says: about the default
  /// timeout (240 min, of which Image Builder spends a few minutes before Packer starts), or a
  /// length that is a cancellation unless the template set a timeout that short.
  static func runLengthSentence(from start: LogTimestamp?, to end: LogTimestamp?) -> String {
    guard let start, let end, end > start else { return "" }
    let seconds = end.seconds - start.seconds
    if defaultTimeoutRunLength.contains(seconds) {
      return " The run had lasted \(duration(seconds)), about the default buildTimeoutInMinutes of 240."
    }
    return " The run had lasted \(duration(seconds)) when it was stopped: unless properties.buildTimeoutInMinutes is "
      + "about that long, the run was cancelled (az image builder cancel, or a pipeline that gave up) rather than timed out."
  }

  /// Whether a step's last output line reads as a prompt waiting for input: a short line that
  /// ends in a question mark, or in a colon after a field name (`Geographic area:`, `Password:`),
  /// or in a choice list (`[y/N]`, `(yes/no)`). Not a progress line (`...`), a PowerShell record
  /// line or a list header that announces more output (`will be installed:`).
  static func looksLikePrompt(_ message: String) -> Bool {
    guard (2...100).contains(message.count), !message.hasSuffix("..."), !message.hasPrefix("+"),
      !message.hasPrefix("At ")
    else { return false }
    let lowered = message.lowercased()
    if lowered.hasSuffix("[y/n]") || lowered.hasSuffix("(y/n)") || lowered.hasSuffix("(yes/no)")
      || lowered.hasSuffix("[yes/no]")
    {
      return true
    }
    if message.hasSuffix("?") { return true }
    guard message.hasSuffix(":") else { return false }
    // A field label is a few words; a list header says what follows.
    let words = message.dropLast().split(separator: " ")
    let announces = ["following", "installed", "upgraded", "removed", "packages", "include", "includes"]
    return words.count <= 6 && !words.contains { announces.contains($0.lowercased()) }
  }

  /// For a build stopped in a stage outside the customizers: what was going on, the report's
  /// phase, and the advice (the customizer-oriented advice of a timeout does not apply).
  static func stageOutsideCustomizers(_ stage: String, connectKind: String?)
    -> (doing: String, phase: Phase, fixes: [String], templatePaths: [String])?
  {
    let notScripts =
      "No customizer had run, so the template's scripts are not the cause: if a user or a pipeline cancelled the run "
      + "(az image builder cancel, a pipeline that gave up), run it again."
    let timeout =
      "If Image Builder stopped the run at its timeout, properties.buildTimeoutInMinutes is too short for the whole "
      + "build (default 240, at least 60 for Windows)."
    switch stage {
    case "startup", "provisioning":
      return (
        "the build VM and its resources had been deploying", .provisioning,
        [
          notScripts,
          "If the deployment itself is what took this long, open the deployment named in the log (pkrdp...) in the "
            + "staging resource group and look for the resource that did not finish; a stuck deployment is usually "
            + "transient, so retry.",
          timeout,
        ], ["properties.buildTimeoutInMinutes"]
      )
    case "connect":
      let kind = connectKind ?? "SSH or WinRM"
      let port = connectKind == "SSH" ? "port 22" : connectKind == "WinRM" ? "port 5986" : "ports 22/5986"
      return (
        "Packer had been waiting for the build VM to answer over \(kind)", .connect,
        [
          notScripts,
          "If the build VM does not answer over \(kind) (\(port)), look for what blocks it: an NSG or route on a "
            + "BYO subnet (properties.vmProfile.vnetConfig), the proxy VM's rules, or a hardened source image that "
            + "turns the service off; these are the causes of a connection timeout.",
          timeout,
        ], ["properties.vmProfile.vnetConfig.subnetId", "properties.source", "properties.buildTimeoutInMinutes"]
      )
    case "capture":
      return (
        "Packer had been capturing the image (powering off the build VM, snapshotting its disk)", .distribute,
        [notScripts, timeout], ["properties.buildTimeoutInMinutes"]
      )
    default:
      return nil
    }
  }

  /// What a resource Packer names with its own prefix is (log-format notes: `pkrvm`, `pkrni`,
  /// `pkros`, `pkrkv`, `pkrdp`).
  static func packerResourceKind(_ name: String) -> String? {
    let kinds = [
      ("pkrkv", "the key vault Packer creates for the build VM's WinRM certificate"), ("pkrvm", "the build VM"),
      ("pkrni", "the build VM's network interface"), ("pkros", "the build VM's OS disk"),
      ("pkrdp", "Packer's deployment of the build VM"),
    ]
    return kinds.first { name.hasPrefix($0.0) }?.1
  }

  /// What a sysprep image state that the deprovision loop never left says about the cause.
  static func imageStateMeaning(_ state: String) -> String? {
    switch state {
    case "IMAGE_STATE_COMPLETE":
      return "IMAGE_STATE_COMPLETE is the state before Sysprep runs: Sysprep.exe never started generalizing "
        + "(it failed at once or was blocked); setuperr.log in C:\\Windows\\System32\\Sysprep\\Panther says why."
    case "IMAGE_STATE_UNDEPLOYABLE":
      return nil
    default:
      guard state.contains("RESEAL") || state.contains("SPECIALIZE") else { return nil }
      return "\(state) is a state Sysprep leaves without /generalize: something other than AIB's deprovision step "
        + "(a customizer, or a vendor script it ran) sealed the image itself; let only the deprovision step run Sysprep."
    }
  }

  /// Bytes in a progress size such as `826 B`, `12.5 MB` or `1.2 GiB`.
  static func byteCount(_ text: String?) -> Int64? {
    guard let parts = text?.split(separator: " "), parts.count == 2, let value = Double(parts[0]) else { return nil }
    let units: [String: Double] = [
      "B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12, "KiB": 1024, "MiB": 1_048_576, "GiB": 1_073_741_824,
      "TiB": 1_099_511_627_776,
    ]
    guard let unit = units[String(parts[1])] else { return nil }
    return Int64(value * unit)
  }

  /// `3.2 MB`, `850 KB`, `12 B`.
  static func formatBytes(_ value: Double) -> String {
    for (unit, size) in [("GB", 1e9), ("MB", 1e6), ("KB", 1e3)] where value >= size {
      return String(Int((value / size * 10).rounded()) / 10) + "." + String(Int((value / size * 10).rounded()) % 10)
        + " \(unit)"
    }
    return "\(Int(value)) B"
  }

  /// A script exit code the build went on after (to the next customizer, or, for the last one,
  /// to a build that finished without an error) was allowed by `validExitCodes`: it is not a
  /// failure, so the finding is set aside with that reason.
  private func demoteAcceptedExitCodes() {
    guard var finding = findings["script-nonzero-exit"], let index = findingCustomizer["script-nonzero-exit"],
      index >= 0, !customizers[index].failed
    else { return }
    let finishedWell = finishedLine != nil && erroredLine == nil && cancelLine == nil && !someBuildsFailed
    guard index + 1 < customizers.count || finishedWell else { return }
    finding.severity = .note
    finding.benign = true
    finding.benignReason =
      index + 1 < customizers.count
      ? "The build went on to the next customizer after this exit code, so the customizer's validExitCodes allowed it."
      : "The build finished without an error after this exit code, so the customizer's validExitCodes allowed it."
    findings["script-nonzero-exit"] = finding
  }

  /// The default deprovision script checks whether the guest agent's services exist
  /// (WindowsAzureTelemetryService, WindowsAzureGuestAgent) and goes on without them (catalog
  /// rule 5): when sysprep went on to the reseal state, or Packer finished without an error, those
  /// records did not hold the build up and are set aside, with the PowerShell error record that
  /// printed them.
  private func demoteServiceChecks() {
    guard reachedReseal || (finishedLine != nil && erroredLine == nil && cancelLine == nil) else { return }
    var checkLines = Set<Int>()
    for id in ["sysprep-telemetry-service-missing", "sysprep-timing-guest-agent"] {
      guard var finding = findings[id] else { continue }
      finding.severity = .note
      finding.benign = true
      finding.benignReason =
        "The default deprovision script checks whether this service exists and goes on without it; "
        + "here sysprep went on past the check, so it did not hold the build up."
      findings[id] = finding
      checkLines.formUnion(finding.evidence.map(\.line))
    }
    if var record = findings["powershell-error-record"], record.occurrences == 1,
      record.evidence.contains(where: { checkLines.contains($0.line) })
    {
      record.severity = .note
      record.benign = true
      record.benignReason =
        "This is the error record of the deprovision script's service check, which is harmless here."
      findings["powershell-error-record"] = record
    }
  }

  /// The run-model phase that was under way at `line`.
  private func phaseName(atLine line: Int) -> String? {
    phaseSpan(atLine: line)?.phase
  }

  /// The phase that was under way at `line`; nil before the first phase, and for a line among
  /// the phases that were left out (which one it was is not kept).
  private func phaseSpan(atLine line: Int) -> PhaseSpan? {
    guard let span = phases.last(where: { $0.startLine <= line }) else { return nil }
    if let leftOut = phasesLeftOut, line >= leftOut.first, span.startLine < leftOut.first { return nil }
    return span
  }

  private func detectKind() -> InputKind {
    if sawPackerPrefix { return .customizationLog }
    if sawPlainPackerLog || sawPackerUIOutput || (sawCIPrefix && (erroredLine != nil || finishedLine != nil)) {
      return .packerLog
    }
    if sawDevopsTask { return .devopsTaskLog }
    if sawRunStatus || findings.values.contains(where: { $0.phase == .submission }) { return .runStatus }
    if erroredLine != nil || finishedLine != nil { return .packerLog }
    if !findings.isEmpty { return .runStatus }
    return .unknown
  }

  private func decideOutcome(kind: InputKind) -> Outcome {
    if let state = runState?.lowercased() {
      switch state {
      case "failed": return .failed
      case "canceled", "cancelled", "canceling": return .cancelled
      case "succeeded": if erroredLine == nil { return .succeeded }
      case "running": return .incomplete
      default: break
      }
    }
    if cancelLine != nil { return .cancelled }
    if erroredLine != nil || someBuildsFailed { return .failed }
    // In a log that stops before the build ended, an error a step printed and then went on from
    // (more output after it, or a good exit) does not show that the build failed. Nor does one a
    // template's customizer printed in a build Packer finished (catalog rule 2: the failure is
    // Packer's final error, and there is none): every customizer ran to its end.
    let hasError = findings.values.contains { finding in
      !finding.benign && finding.severity == .error
        && !(kind == .customizationLog && endsUnfinished && wentOnFrom(finding.id))
        && !(finishedLine != nil && printedByFinishedStep(finding.id))
    }
    if hasError { return .failed }
    if finishedLine != nil { return .succeeded }
    if kind == .customizationLog && !exportDone { return .incomplete }
    return .unknown
  }

  private func choosePrimary(outcome: Outcome) -> String? {
    guard outcome != .succeeded else { return nil }
    let candidates = findings.values.filter {
      !$0.benign && $0.severity >= .warning && !(outcome == .incomplete && wentOnFrom($0.id))
    }
    let errors = candidates.filter { $0.severity == .error }
    guard !errors.isEmpty || outcome == .cancelled || outcome == .failed else { return nil }
    // What a step printed before it ended well did not fail the build (a retried apt lock, an
    // ignored permission error): such findings yield to those of the failing step or of no step.
    let failing = failingCustomizer(outcome: outcome)
    // The class of Packer's final error (`Build ... errored: <err>`, `--> azure-arm: <err>`, the
    // machine-readable error) is the failure itself (catalog rule 2). Only the generic script exit
    // (D4) is refined by what the failing step printed (D5, D6, D8): a specific final error (rank
    // 50 or more: "Script disconnected unexpectedly", "unexpected EOF") wins over the step's
    // other findings (a `Permission denied` its script went on from before it rebooted, a Windows
    // Update error printed before the connection broke).
    let finalLines = Set(finalReasons.map(\.line))
    func isFinalError(_ id: String) -> Bool { findingLastEvidence[id].map { finalLines.contains($0.line) } ?? false }
    func inFailing(_ id: String) -> Bool { failing != nil && findingCustomizer[id] == failing }
    return candidates.max { a, b in
      let aSucceeded = printedBySucceededStep(a.id, failing: failing)
      let bSucceeded = printedBySucceededStep(b.id, failing: failing)
      if aSucceeded != bSucceeded { return aSucceeded }
      let aFinal = isFinalError(a.id)
      let bFinal = isFinalError(b.id)
      let aYields = !aFinal && bFinal && b.rank >= 50 && inFailing(a.id)
      let bYields = !bFinal && aFinal && a.rank >= 50 && inFailing(b.id)
      if aYields != bYields { return aYields }
      if a.rank != b.rank { return a.rank < b.rank }
      let aInFailing = inFailing(a.id)
      let bInFailing = inFailing(b.id)
      if aInFailing != bInFailing { return bInFailing }
      return a.line > b.line
    }?.id
  }

  /// Whether the finding `id` was printed by a customizer of the template that is kept and did not
  /// fail: in a build Packer finished, one that ran to its end. AIB's own steps are not counted:
  /// what the deprovision step printed (its script missing) concerns the image's generalization,
  /// which Packer does not check.
  private func printedByFinishedStep(_ id: String) -> Bool {
    guard let index = findingCustomizer[id], index >= 0, customizers.contains(index) else { return false }
    return !customizers[index].failed && !customizers[index].isAIBStep
  }

  /// The customizer that failed the build, or the one running when it was cancelled.
  private func failingCustomizer(outcome: Outcome) -> Int? {
    customizers.lastIndex(where: \.failed) ?? (outcome == .cancelled ? cancelCustomizer : nil)
  }

  /// Whether the finding `id` was last seen in a customizer that ran to a good end.
  private func printedBySucceededStep(_ id: String, failing: Int?) -> Bool {
    guard let index = findingCustomizer[id] else { return false }
    return stepSucceeded(index, failing: failing)
  }

  /// Whether the customizer at `index` ran to a good end: it is not the failing or cancelled
  /// step, was not marked failed, and either exited 0 or was followed by another step.
  private func stepSucceeded(_ index: Int, failing: Int?) -> Bool {
    guard customizers.contains(index), index != failing, index != cancelCustomizer else { return false }
    let run = customizers[index]
    return !run.failed && (run.exitCode == 0 || index + 1 < customizers.count)
  }

  private func addFallbackFinding(outcome: Outcome) -> String {
    let failing = failingCustomizer(outcome: outcome)
    var evidence = failing.flatMap { notable[$0] } ?? []
    evidence += finalReasons.prefix(2)
    if evidence.isEmpty, let cancel = cancelLine { evidence.append(cancel) }
    var reason = ""
    if let first = finalReasons.first {
      reason = LogLineStructure.message(of: first.text)
      if let range = reason.range(of: "errored after ") ?? reason.range(of: "errored: ") {
        reason = String(reason[range.upperBound...].drop { $0 != ":" }.dropFirst().drop { $0 == " " })
        if reason.isEmpty, let colon = first.text.lastIndex(of: ":") {
          reason = String(first.text[first.text.index(after: colon)...])
        }
      }
    }
    var message = outcome == .cancelled ? "The build was cancelled" : "The build failed"
    if let failing {
      let run = customizers[failing]
      message += " in customizer #\(run.number) (\(Self.typeName(run.type)))"
      if let code = run.exitCode, code != 0 { message += ", which exited with code \(code)" }
    }
    message +=
      reason.isEmpty
      ? "; no known pattern explains it." : ": \(reason.trimmingCharacters()). No known pattern explains it."
    // Failed while the build VM was deployed, reached or captured, with no customizer running.
    let phase = failing != nil ? Phase.customize : fallbackPhase()
    let outsideCustomizers = failing == nil && [.provisioning, .connect, .distribute].contains(phase)
    var finding = Finding(
      id: "unrecognised-failure", severity: .error, title: "The build failed for a reason no pattern recognises",
      summary:
        "No pattern in the library matches the cause; the evidence is the most informative output of the failing step.",
      phase: phase,
      owner: outsideCustomizers ? .platformTransient : .customerScript, retryable: outsideCustomizers,
      customizer: failing.flatMap { reference($0) },
      line: evidence.first?.line ?? cancelLine?.line ?? 0, occurrences: 1,
      evidence: evidence.sorted { $0.line < $1.line },
      captures: reason.isEmpty ? [:] : ["reason": reason.trimmingCharacters()], message: message,
      fixes: outsideCustomizers
        ? [
          "Read the evidence lines: they are the errors the builder and Azure returned; the error code in them "
            + "(ERROR: -> <Code>, Code=\"...\") names the cause.",
          "No customizer was running, so the template's scripts are not the cause: retry once (platform errors "
            + "can be transient) and open a support case with this log if it happens again.",
        ]
        : [
          "Read the evidence lines: they are the error-shaped output of the failing step.",
          "Set properties.errorHandling.onCustomizerError to abort to keep the build VM for debugging.",
          "Run the customizer's script on a standalone VM built from the same source image.",
        ],
      templatePaths: outsideCustomizers ? [] : ["properties.errorHandling.onCustomizerError"], benign: false,
      benignReason: nil, rank: 0,
      references: ["https://learn.microsoft.com/azure/virtual-machines/linux/image-builder-troubleshoot"])
    finding.fingerprint = Fingerprint.of(id: finding.id, message: reason.isEmpty ? message : reason)
    findings[finding.id] = finding
    findingOrder.append(finding.id)
    return finding.id
  }

  /// Where a failure no pattern explains happened, when no customizer failed: the last phase
  /// the log shows, else the run status's sub-state, else submission for a template that failed
  /// to be created.
  private func fallbackPhase() -> Phase {
    // The cleanup and the summary follow every failure: the phase that failed is the one before
    // them (capture is part of the distribute phase).
    for span in phases.kept.reversed() where span.phase != "cleanup" && span.phase != "summary" {
      if span.phase == "capture" { return .distribute }
      if let phase = Phase(rawValue: span.phase) { return phase }
    }
    if let phase = phases.last.flatMap({ Phase(rawValue: $0.phase) }) { return phase }
    if let phase = runSubStatePhase() { return phase }
    if runSubState?.lowercased() == "queued" { return .submission }
    return provisioningFailed && (runState == nil || runState?.lowercased() == "failed") ? .submission : .customize
  }

  /// The phase a run stopped in, from the run status's `runSubState` (nil when it names none past
  /// the queue).
  private func runSubStatePhase() -> Phase? {
    switch runSubState?.lowercased() {
    case "building": .provisioning
    case "customizing": .customize
    case "validating": .validate
    case "distributing", "optimizing": .distribute
    default: nil
    }
  }

  /// Adds the failing step's informative output lines and the final error lines to the root
  /// cause's evidence, so that the cause and its effect are read together.
  private func enrichPrimaryEvidence(_ id: String) {
    guard var finding = findings[id] else { return }
    var extra: [EvidenceLine] = []
    var stepOutput: [EvidenceLine] = []
    // Outside any step, only a log's lines are output (not the text around a pasted status).
    if finding.phase == .customize || finding.phase == .deprovision, (findingCustomizer[id] ?? -1) >= 0 || sawLogLines {
      stepOutput = notable[findingCustomizer[id] ?? -1] ?? []
      extra += stepOutput
    }
    // 137 is 128 + 9: the shell reports a child killed by SIGKILL, on a build VM most often the
    // kernel's out-of-memory killer, whatever the script printed before.
    if id == "script-nonzero-exit", finding.captures["code"] == "137" {
      finding.message +=
        " Code 137 is 128 + 9: the process was killed with SIGKILL, which on a build VM is most often the"
        + " kernel's out-of-memory killer."
      finding.fixes.insert(
        "Give the build VM more memory (a larger properties.vmProfile.vmSize), or make the step use less"
          + " (fewer parallel jobs, e.g. make -j2; a smaller heap).", at: 0)
      finding.templatePaths.insert("properties.vmProfile.vmSize", at: 0)
    }
    // Windows Installer's own exit codes, passed on by a script that runs msiexec.
    if id == "script-nonzero-exit", let code = finding.captures["code"].flatMap({ Int($0) }),
      let index = findingCustomizer[id], customizers.contains(index), customizers[index].type == "powershell",
      let meaning = Self.windowsInstallerCode(code)
    {
      finding.message += " Code \(code) is Windows Installer's \(meaning)."
    }
    // A generic script failure (or a PowerShell record, which names only its error id) says what
    // the script printed last that looks like its error.
    if ["script-nonzero-exit", "unrecognised-failure", "powershell-error-record"].contains(id),
      let said = Self.mostInformative(stepOutput)
    {
      finding.message += " The step's error output: \u{201C}\(said)\u{201D}"
    }
    // An earlier step that printed an error and still ended well (exit 0, or a code it allowed)
    // may have left this one without what it needs: a download that failed, a repository that
    // was not added. The nearest such step is named, with its error.
    if id == "script-nonzero-exit" || id == "unrecognised-failure",
      let failing = id == "script-nonzero-exit"
        ? findingCustomizer[id] : finding.customizer.map({ $0.number - 1 }),
      failing > 0, customizers.contains(failing)
    {
      // The nearest kept steps (a run with more steps than are kept has no others to look at).
      for index in customizers.keptIndices.reversed() where index < failing && !customizers[index].isAIBStep {
        guard stepSucceeded(index, failing: failing), let earlier = Self.mostInformativeLine(notable[index] ?? [])
        else { continue }
        finding.message +=
          (finding.message.hasSuffix("\u{201D}") ? "." : "")
          + " Before it, \(Self.stepName(customizers[index])) printed \u{201C}\(earlier.text)\u{201D} and the build went on:"
          + " if this step needs what that one should have done, that error is the cause."
        extra.append(earlier.line)
        break
      }
    }
    if id != "unrecognised-failure" { extra += finalReasons.prefix(1) }
    // A cause found inside the step that was running when the build was cancelled (a prompt,
    // a sysprep loop) also gets the silence and the cancellation, without the timeout's guess at
    // what the script waited for: the cause says it.
    if id != "build-timeout", let timeout = findings["build-timeout"], !cancellationFact.isEmpty,
      findingCustomizer[id] == cancelCustomizer
    {
      extra += timeout.evidence
      finding.message += cancellationFact
    }
    for line in extra where !finding.evidence.contains(line) { finding.evidence.append(line) }
    finding.evidence.sort { $0.line < $1.line }
    findings[id] = finding
  }

  /// The message of the first line of `lines` that states an error in words: not a
  /// PowerShell record's position or code lines, not an exit-code line; at most 240 characters.
  static func mostInformative(_ lines: [EvidenceLine]) -> String? {
    mostInformativeLine(lines)?.text
  }

  /// The line `mostInformative` quotes, with the quote.
  static func mostInformativeLine(_ lines: [EvidenceLine]) -> (line: EvidenceLine, text: String)? {
    var header: (line: EvidenceLine, text: String)?
    var last: (line: EvidenceLine, text: String)?
    // A PowerShell error record among the lines: its header names the command that failed.
    let holdsRecord = lines.contains { line in
      let message = LogLineStructure.message(of: line.text).trimmingWhitespace()
      return message.hasPrefix("+ CategoryInfo") || message.hasPrefix("+ FullyQualifiedErrorId")
    }
    // Inside a command's record, after its header: the lines before its position (`At ...`) and
    // `+` lines continue the header's message.
    var inRecord = false
    // In log order: a PowerShell record's lines are added when its last line is read.
    for line in lines.sorted(by: { $0.line < $1.line }) {
      let message = LogLineStructure.message(of: line.text).trimmingCharacters()
      if message.hasPrefix("+") || message.hasPrefix("At ") { inRecord = false }
      // Packer's exit lines (`... exited with code: 1`, `Remote command exited with '1'`) only
      // repeat the code; a tool's own words (`the control process exited with error code`) do not.
      if message.isEmpty || message.hasPrefix("+") || message.hasPrefix("At ") || message.contains("exit code")
        || message.contains("exited with code") || message.contains("exited with '")
        || message.contains("exited without exit status") || message.hasPrefix("[INFO]") || message.hasPrefix("[DEBUG]")
      {
        continue
      }
      // A PowerShell record header names the script or command first: `C:\...\x.ps1 : message`.
      if let range = message.range(of: ".ps1 : ") {
        header = (line, String(message[range.upperBound...]))
        continue
      }
      // A command's record (`Invoke-WebRequest : <message>`, `choco : The term 'choco' is not
      // recognized ...`) says what failed in its header; its message may go on over more lines,
      // which say less. Output after the record can still say more.
      if holdsRecord, let range = message.range(of: " : "), range.lowerBound > message.startIndex,
        !message[..<range.lowerBound].contains(" "), message.first?.isLetter == true
      {
        last = (line, message)
        inRecord = true
        continue
      }
      if inRecord {
        // A header the console wrapped in the middle of a sentence goes on here.
        if let header = last, let end = header.text.last, !".!?:".contains(end) {
          last = (header.line, header.text + " " + message)
        }
        continue
      }
      // Stack frames (`at f (file:1:2)`, `npm error     at ...`) say where, not what.
      let words = message.split(separator: " ").prefix(3).map { $0.lowercased() }
      if words.contains("at") { continue }
      // Lines that point at another line (`Please see the above error message for a hint`) or
      // only announce one (a Python traceback's header) do not say what went wrong.
      let lowered = message.lowercased()
      // Closing lines that only say the tool gave up (`tar: Error is not recoverable: exiting now`,
      // `tar: Child returned status 2`) or where its own log is (`npm ERR! A complete log of this
      // run can be found in: ...`) follow the line that says what went wrong.
      if lowered.contains("see the above") || lowered.contains("see above") || lowered.contains("the above error")
        || message.hasPrefix("Traceback (most recent call last)") || lowered.contains("not recoverable")
        || lowered.contains("child returned status") || lowered.contains("complete log of this run")
        || isBuildToolClosing(message)
      {
        continue
      }
      last = (line, message)
    }
    guard let chosen = header ?? last else { return nil }
    guard chosen.text.count > 240 else { return chosen }
    // Cut between words, so that a token (a key, a token, a password) is quoted whole, where
    // the report's redaction recognises it, or not at all.
    let head = chosen.text.prefix(239)
    let cut = head.lastIndex(of: " ").map { head[..<$0] } ?? head
    return (chosen.line, String(cut) + "\u{2026}")
  }

  /// Whether `message` is a build tool's closing words after a failed command, which only say
  /// that a target failed: make's `make: *** [Makefile:12: build/x.o] Error 1` (also
  /// `make[2]: ...` and the older `Makefile:12: recipe for target 'x' failed`), ninja's `ninja: build
  /// stopped: subcommand failed.`, gcc's `compilation terminated.`. The compiler's or the
  /// command's own error comes before them. make's errors about the makefile itself
  /// (`make: *** No rule to make target ...`) are not closing words.
  static func isBuildToolClosing(_ message: String) -> Bool {
    if message.hasPrefix("make"), let stars = message.range(of: ": *** [") {
      let rest = message[stars.upperBound...]
      if let close = rest.firstIndex(of: "]"), rest[close...].hasPrefix("] Error ") { return true }
    }
    return (message.contains(": recipe for target '") && message.hasSuffix("' failed"))
      || message.hasPrefix("ninja: build stopped: ") || message == "compilation terminated."
  }

  /// The name and meaning of a Windows Installer (msiexec) exit code, for the codes a build sees.
  static func windowsInstallerCode(_ code: Int) -> String? {
    switch code {
    case 1602: "ERROR_INSTALL_USEREXIT: the installation was cancelled (an installer run without /qn waited for a user)"
    case 1603:
      "ERROR_INSTALL_FAILURE: a fatal error during the installation; msiexec's verbose log (/l*v) names the action that failed"
    case 1618:
      "ERROR_INSTALL_ALREADY_RUNNING: another installation was in progress (Windows Update or an earlier installer still running)"
    case 1619:
      "ERROR_INSTALL_PACKAGE_OPEN_FAILED: the package could not be opened: the file is missing, incomplete or at another path (check the download before it)"
    case 1620:
      "ERROR_INSTALL_PACKAGE_INVALID: the file is not a valid Windows Installer package (an error page or a partial download saved as .msi)"
    case 1625: "ERROR_INSTALL_PACKAGE_REJECTED: a system policy forbids this installation"
    case 1638: "ERROR_PRODUCT_VERSION: another version of this product is already installed"
    default: nil
    }
  }

  /// Whether `message` is a package manager saying it waits for a lock another process holds.
  static func isLockWait(_ message: String) -> Bool {
    let said = message.trimmingWhitespace()
    return said.hasPrefix("Waiting for cache lock: ") || said.contains("currently holding the yum lock")
      || (said.hasPrefix("Waiting for process with pid ") && said.hasSuffix(" to finish."))
  }

  /// The service named by the default deprovision script's wait line
  /// (`>>> Waiting for GA Service (RdAgent) to start ...`), or nil for any other line.
  static func guestAgentServiceAwaited(_ message: String) -> String? {
    let said = message.trimmingWhitespace()
    let prefix = ">>> Waiting for GA Service ("
    guard said.hasPrefix(prefix), let close = said.firstIndex(of: ")"), said.hasSuffix("to start ...") else {
      return nil
    }
    let name = said[said.index(said.startIndex, offsetBy: prefix.count)..<close]
    return name.isEmpty || name.contains(" ") ? nil : String(name)
  }

  static func duration(_ seconds: Int64) -> String {
    if seconds < 60 { return "\(seconds) s" }
    let hours = seconds / 3600
    let minutes = (seconds % 3600) / 60
    if hours == 0 { return "\(minutes) min" }
    return minutes == 0 ? "\(hours) h" : "\(hours) h \(minutes) min"
  }

  /// `customizer #3 (PowerShell)` or `AIB's deprovision step (#5)`.
  static func stepName(_ run: CustomizerRun) -> String {
    if run.isAIBStep, let step = run.aibStep {
      return step == "deprovision" ? "AIB's deprovision step (#\(run.number))" : "AIB's \(step) (#\(run.number))"
    }
    return "customizer #\(run.number) (\(typeName(run.type)))"
  }

  static func typeName(_ type: String) -> String {
    switch type {
    case "powershell": "PowerShell"
    case "shell": "Shell"
    case "file": "File"
    case "windows-restart": "WindowsRestart"
    case "windows-update": "WindowsUpdate"
    default: type
    }
  }
}

extension Array {
  subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

extension String {
  /// The string without spaces and tabs at either end.
  func trimmingWhitespace() -> String {
    String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed())
  }

  func trimmingCharacters() -> String {
    String(drop { $0 == " " }.reversed().drop { $0 == " " || $0 == "." }.reversed())
  }
}

extension MatchedLine {
  /// The line as evidence (its number and text); made only when a line is kept.
  var evidence: EvidenceLine { EvidenceLine(line: number, bytes: bytes) }
}

extension EvidenceLine {
  /// The most bytes of a line's text an evidence line keeps: the lines a diagnosis keeps (a few
  /// per finding and per step) then take bounded memory whatever `--max-line-length` allows.
  static let textLimit = 8192

  /// An evidence line of a log line's bytes. A line longer than `textLimit` is cut at the last
  /// space before the limit (so that a token is quoted whole, where redaction recognises it,
  /// or not at all), or at the limit when it has none, and says how much was cut.
  init(line: Int, bytes: UnsafeRawBufferPointer) {
    guard bytes.count > Self.textLimit else {
      self.init(line: line, text: String(decoding: bytes, as: UTF8.self))
      return
    }
    var cut = Self.textLimit
    if let space = bytes[..<cut].lastIndex(of: 0x20), space > 0 {
      cut = space
    } else {
      // Not inside a UTF-8 sequence: back off its continuation bytes.
      while cut > 0 && bytes[cut] & 0xC0 == 0x80 { cut -= 1 }
    }
    let kept = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[..<cut]), as: UTF8.self)
    self.init(line: line, text: kept + " \u{2026} [\(bytes.count - cut) more bytes not kept]")
  }
}
