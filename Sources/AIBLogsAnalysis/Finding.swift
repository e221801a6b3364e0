import AIBLogsPatterns

/// One line of evidence: its number in the input and its text.
public struct EvidenceLine: Sendable, Codable, Equatable, Hashable {
  /// The 1-based line number.
  public let line: Int
  /// The text of the line.
  public let text: String

  /// Creates an evidence line.
  public init(line: Int, text: String) {
    self.line = line
    self.text = text
  }
}

/// Where a customizer sits in the run and in the template.
public struct CustomizerReference: Sendable, Codable, Equatable {
  /// 1-based position among all provisioners Packer ran.
  public let number: Int
  /// The Packer provisioner type (`powershell`, `shell`, `file`, `windows-restart`, `windows-update`).
  public let type: String
  /// The index in `properties.customize`, when it is a user customizer.
  public let templateIndex: Int?
  /// Whether this is AIB's own step (deprovision-script upload or the deprovision run).
  public let isAIBStep: Bool
}

/// A diagnosed condition in a log: a pattern's class, with its evidence and advice.
public struct Finding: Sendable, Codable, Equatable {
  /// The pattern (catalog) id.
  public var id: String
  /// How serious it is.
  public var severity: Severity
  /// The one-line title.
  public var title: String
  /// One sentence on what it means.
  public var summary: String
  /// The build phase.
  public var phase: Phase
  /// Who has to act.
  public var owner: Owner
  /// Whether a plain retry can help.
  public var retryable: Bool
  /// The customizer that was running, when known.
  public var customizer: CustomizerReference?
  /// The first line where it was seen.
  public var line: Int
  /// How many lines matched.
  public var occurrences: Int
  /// The evidence lines, in line order.
  public var evidence: [EvidenceLine]
  /// Named values taken from the lines (exit code, HRESULT, quota family...).
  public var captures: [String: String]
  /// What happened, with the captures filled in.
  public var message: String
  /// What to do, with the captures filled in.
  public var fixes: [String]
  /// The template paths a fix touches.
  public var templatePaths: [String]
  /// Whether this is noise, never the root cause.
  public var benign: Bool
  /// Why the noise is harmless.
  public var benignReason: String?
  /// The pattern's rank (how specific a cause it is).
  public var rank: Int
  /// Where to read more.
  public var references: [String]
  /// A stable fingerprint: the same failure in two builds has the same value.
  public var fingerprint: String = ""
  /// The name of the pattern's variant whose message and fixes apply; nil when none does.
  public var variant: String?

  /// Creates a finding (the analysis makes them from patterns; the template linter directly).
  public init(
    id: String, severity: Severity, title: String, summary: String, phase: Phase, owner: Owner, retryable: Bool,
    customizer: CustomizerReference?, line: Int, occurrences: Int, evidence: [EvidenceLine],
    captures: [String: String], message: String, fixes: [String], templatePaths: [String], benign: Bool,
    benignReason: String?, rank: Int, references: [String], fingerprint: String = "", variant: String? = nil
  ) {
    self.id = id
    self.severity = severity
    self.title = title
    self.summary = summary
    self.phase = phase
    self.owner = owner
    self.retryable = retryable
    self.customizer = customizer
    self.line = line
    self.occurrences = occurrences
    self.evidence = evidence
    self.captures = captures
    self.message = message
    self.fixes = fixes
    self.templatePaths = templatePaths
    self.benign = benign
    self.benignReason = benignReason
    self.rank = rank
    self.references = references
    self.fingerprint = fingerprint
    self.variant = variant
  }
}

extension Finding {
  enum CodingKeys: String, CodingKey {
    case id, severity, title, summary, phase, owner, retryable, customizer, line, occurrences, evidence, captures
    case message, fixes, templatePaths, benign, benignReason, rank, references, fingerprint, variant
  }

  /// Encodes every key; `customizer` and `benignReason` are `null` when unknown or not benign;
  /// `variant` is there only when a variant applied.
  public func encode(to encoder: Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(id, forKey: .id)
    try container.encode(severity, forKey: .severity)
    try container.encode(title, forKey: .title)
    try container.encode(summary, forKey: .summary)
    try container.encode(phase, forKey: .phase)
    try container.encode(owner, forKey: .owner)
    try container.encode(retryable, forKey: .retryable)
    try container.encode(customizer, forKey: .customizer)
    try container.encode(line, forKey: .line)
    try container.encode(occurrences, forKey: .occurrences)
    try container.encode(evidence, forKey: .evidence)
    try container.encode(captures, forKey: .captures)
    try container.encode(message, forKey: .message)
    try container.encode(fixes, forKey: .fixes)
    try container.encode(templatePaths, forKey: .templatePaths)
    try container.encode(benign, forKey: .benign)
    try container.encode(benignReason, forKey: .benignReason)
    try container.encode(rank, forKey: .rank)
    try container.encode(references, forKey: .references)
    try container.encode(fingerprint, forKey: .fingerprint)
    try container.encodeIfPresent(variant, forKey: .variant)
  }
}
