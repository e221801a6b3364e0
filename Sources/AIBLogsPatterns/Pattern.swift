/// How serious a finding is; the SARIF levels.
public enum Severity: String, Sendable, Codable, CaseIterable, Comparable {
  /// Informational.
  case note
  /// May cause a failure or degrade the image.
  case warning
  /// Causes a failed build.
  case error

  private var order: Int {
    switch self {
    case .note: 0
    case .warning: 1
    case .error: 2
    }
  }

  /// Orders by time (for timestamps) or by seriousness (for severities).
  public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.order < rhs.order }
}

/// The phase of an image build in which a failure class occurs.
public enum Phase: String, Sendable, Codable, CaseIterable {
  /// Template create or update, before any build.
  case submission
  /// Deploying the build VM and staging resources.
  case provisioning
  /// Connecting to the build VM over WinRM or SSH.
  case connect
  /// Running the template's customizers.
  case customize
  /// AIB's own last step: sysprep (Windows) or waagent deprovision (Linux).
  case deprovision
  /// In-VM validation after customization.
  case validate
  /// Capturing and distributing the image.
  case distribute
  /// Deleting the build VM and staging resources.
  case cleanup
  /// The CI task or pipeline around the build.
  case pipeline
  /// Using the image after a successful build.
  case postBuild = "post-build"
}

/// Who has to act to fix a failure class.
public enum Owner: String, Sendable, Codable, CaseIterable {
  /// The customizer's script or commands.
  case customerScript = "customer-script"
  /// A template field.
  case template
  /// Role assignments of the identity.
  case permissions
  /// An Azure Policy assignment.
  case policy
  /// A subscription quota.
  case quota
  /// A transient platform problem; a retry may help.
  case platformTransient = "platform-transient"
  /// The AIB service itself.
  case service
}

/// One regex of a pattern, with where it was written.
public struct PatternRegex: Sendable, Equatable {
  /// The PCRE2 source.
  public let source: String
  /// The 1-based line of the regex in its pattern file (0 when not from a file).
  public let line: Int
  /// The 1-based column where the regex text starts (0 when not from a file).
  public let column: Int

  /// Creates a regex entry.
  public init(source: String, line: Int = 0, column: Int = 0) {
    self.source = source
    self.line = line
    self.column = column
  }
}

/// A log line that must match a pattern, with the captures it must produce.
public struct MatchSample: Sendable, Equatable {
  /// The whole raw log line.
  public let line: String
  /// The named captures the match must produce, exactly.
  public let captures: [String: String]
  /// The 1-based line of the sample in its pattern file.
  public let fileLine: Int
  /// The name of the variant the match must select; nil when it must select none.
  public let variant: String?

  /// Creates a sample.
  public init(line: String, captures: [String: String] = [:], fileLine: Int = 0, variant: String? = nil) {
    self.line = line
    self.captures = captures
    self.fileLine = fileLine
    self.variant = variant
  }
}

/// A condition of a variant on one capture: the captured text must match a regex.
public struct CaptureCondition: Sendable, Equatable {
  /// The capture's name.
  public let capture: String
  /// The PCRE2 regex the captured text must match (unanchored); its named groups become
  /// placeholders of the variant's message and fixes.
  public let regex: PatternRegex

  /// Creates a capture condition.
  public init(capture: String, regex: PatternRegex) {
    self.capture = capture
    self.regex = regex
  }
}

/// A variant of a pattern: when its conditions hold on a match, its message replaces the
/// pattern's and its fixes come before the pattern's fixes it keeps.
public struct PatternVariant: Sendable, Equatable {
  /// The variant's name (kebab-case, unique in its pattern).
  public let name: String
  /// The 1-based index of the regex that must have matched; nil for any.
  public let regex: Int?
  /// Captures that must be present and match a regex, in file order.
  public let captures: [CaptureCondition]
  /// Captures that must be absent or empty.
  public let absent: [String]
  /// The message, with `{capture}` placeholders; nil keeps the pattern's message.
  public let message: String?
  /// The variant's own fixes, shown first, with `{capture}` placeholders.
  public let fixes: [String]
  /// The 1-based indices of the pattern's fixes kept after the variant's own, in that order.
  public let keptFixes: [Int]
  /// Template paths the variant's advice concerns, with `{capture}` placeholders: listed before
  /// the pattern's own (which follow, without repeats).
  public let templatePaths: [String]
  /// The 1-based line of the variant in its pattern file (0 when not from a file).
  public let line: Int

  /// Creates a variant.
  public init(
    name: String, regex: Int? = nil, captures: [CaptureCondition] = [], absent: [String] = [],
    message: String? = nil, fixes: [String] = [], keptFixes: [Int], templatePaths: [String] = [], line: Int = 0
  ) {
    self.name = name
    self.regex = regex
    self.captures = captures
    self.absent = absent
    self.message = message
    self.fixes = fixes
    self.keptFixes = keptFixes
    self.templatePaths = templatePaths
    self.line = line
  }

  /// The variant's message and fixes followed by the kept ones of `pattern`, unrendered.
  public func advice(of pattern: Pattern) -> (message: String, fixes: [String]) {
    let kept = keptFixes.compactMap { pattern.fixes.indices.contains($0 - 1) ? pattern.fixes[$0 - 1] : nil }
    return (message ?? pattern.message, fixes + kept)
  }

  /// The variant's template paths followed by those of `pattern` it does not list, unrendered.
  public func templatePaths(of pattern: Pattern) -> [String] {
    templatePaths + pattern.templatePaths.filter { !templatePaths.contains($0) }
  }

  /// The placeholder names used in `message`, `fixes` and `templatePaths`.
  public var placeholders: Set<String> {
    Pattern.placeholders(in: (message.map { [$0] } ?? []) + fixes + templatePaths)
  }
}

/// A near-miss log line that must not match a pattern.
public struct NoMatchSample: Sendable, Equatable {
  /// The whole raw log line.
  public let line: String
  /// The 1-based line of the sample in its pattern file.
  public let fileLine: Int

  /// Creates a sample.
  public init(line: String, fileLine: Int = 0) {
    self.line = line
    self.fileLine = fileLine
  }
}

/// One failure class of the catalog, as data: how to recognise it and what to tell the user.
public struct Pattern: Sendable, Equatable, Identifiable {
  /// The catalog id (kebab-case), equal to the file name without `.yaml`.
  public var id: String
  /// The catalog section (`D4`), or `none`.
  public var catalog: String
  /// A one-line title.
  public var title: String
  /// One sentence on what it means.
  public var summary: String
  /// How serious a match is.
  public var severity: Severity
  /// Where in the build it happens.
  public var phase: Phase
  /// Who has to act.
  public var owner: Owner
  /// Whether a plain retry can help.
  public var retryable: Bool
  /// 0-100: how specific a root cause this is; the highest rank wins.
  public var rank: Int
  /// Whether this is noise that must never be reported as a root cause.
  public var benign: Bool
  /// Why the line is harmless, shown to the user; empty unless `benign`.
  public var benignReason: String
  /// Ids of patterns this one wins over when both match one line.
  public var supersedes: [String]
  /// Text of which every matching line contains at least one (ASCII case-insensitive).
  public var literals: [String]
  /// The PCRE2 regexes, run on the line's message.
  public var regexes: [PatternRegex]
  /// The message, with `{capture}` placeholders.
  public var message: String
  /// What to do, with `{capture}` placeholders.
  public var fixes: [String]
  /// The template paths a fix touches.
  public var templatePaths: [String]
  /// Where to read more.
  public var references: [String]
  /// Lines that must match.
  public var matchSamples: [MatchSample]
  /// Lines that must not match.
  public var noMatchSamples: [NoMatchSample]
  /// Free text: where the samples come from.
  public var notes: String
  /// The file the pattern was loaded from (a display name).
  public var file: String
  /// Whether the pattern describes a line Packer prints itself (its build status, its
  /// cancellation), so that the same text in a customizer's output (`==> azure-arm: ...`,
  /// `    azure-arm: ...`, a nested Packer build) does not count.
  public var packerLinesOnly = false
  /// Variants of the message and fixes, the first whose conditions hold winning.
  public var variants: [PatternVariant] = []

  /// The variant called `name`, if any.
  public func variant(named name: String) -> PatternVariant? {
    variants.first { $0.name == name }
  }
}

extension Pattern {
  /// Replaces `{name}` placeholders in `template` with `captures[name]`; unknown names become
  /// an empty string.
  public static func render(_ template: String, captures: [String: String]) -> String {
    var result = ""
    var index = template.startIndex
    while index < template.endIndex {
      let character = template[index]
      if character == "{", let close = template[index...].firstIndex(of: "}") {
        let name = template[template.index(after: index)..<close]
        if !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
          result += captures[String(name)] ?? ""
          index = template.index(after: close)
          continue
        }
      }
      result.append(character)
      index = template.index(after: index)
    }
    return result
  }

  /// The placeholder names used in `message` and `fixes`.
  public var placeholders: Set<String> { Pattern.placeholders(in: [message] + fixes) }

  /// The placeholder names used in `texts`.
  public static func placeholders(in texts: [String]) -> Set<String> {
    var names = Set<String>()
    for text in texts {
      var rest = text[...]
      while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
        let name = rest[rest.index(after: open)..<close]
        if !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
          names.insert(String(name))
        }
        rest = rest[rest.index(after: close)...]
      }
    }
    return names
  }
}
