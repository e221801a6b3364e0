import AIBLogsMatching
import AIBLogsPatterns
import ArgumentParser

/// `aib-logs patterns ...`: list, check, explain and export the pattern library.
struct Patterns: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "patterns",
    abstract: "List, check, explain or export the failure patterns.",
    subcommands: [List.self, Check.self, Explain.self, Export.self],
    defaultSubcommand: List.self
  )

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list", abstract: "List the patterns: id, severity, phase and title.")
    @OptionGroup var patternOptions: PatternOptions

    func run() throws {
      let library = try patternOptions.loadLibrary()
      let out = OutputWriter.standardOutput()
      let width = library.patterns.map(\.id.count).max() ?? 10
      for pattern in library.patterns {
        let id = pattern.id.padding(toLength: width, withPad: " ", startingAt: 0)
        let severity = (pattern.benign ? "benign" : pattern.severity.rawValue).padding(
          toLength: 8, withPad: " ", startingAt: 0)
        let phase = pattern.phase.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)
        out.write("\(id)  \(severity)  \(phase)  \(pattern.title)\n")
      }
      out.close()
    }
  }

  struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "check",
      abstract: "Load and compile every pattern and run every sample; exit 1 on any problem.")
    @Argument(help: "A pattern directory to check instead of the bundled library.")
    var directory: String?

    func run() throws {
      let library: PatternLibrary
      var diagnostics: [PatternDiagnostic] = []
      if let directory {
        (library, diagnostics) = PatternLibrary.load(directory: directory)
      } else {
        do {
          library = try PatternLibrary.bundled()
        } catch {
          throw CLIError.input("the bundled pattern library is broken:\n\(error)")
        }
      }
      diagnostics += PatternChecker.check(library)
      let out = OutputWriter.standardOutput()
      for diagnostic in diagnostics { out.write(diagnostic.description + "\n") }
      let samples = library.patterns.reduce(0) { $0 + $1.matchSamples.count + $1.noMatchSamples.count }
      out.write(
        "checked \(library.patterns.count) patterns and \(samples) samples: "
          + (diagnostics.isEmpty ? "no problems\n" : "\(diagnostics.count) problem(s)\n"))
      out.close()
      if !diagnostics.isEmpty { throw ExitCode(1) }
    }
  }

  struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "explain", abstract: "Explain one pattern: meaning, cause, fixes, samples.")
    @OptionGroup var patternOptions: PatternOptions
    @Argument(help: "The pattern id.") var id: String

    func run() throws {
      let library = try patternOptions.loadLibrary()
      guard let pattern = library.pattern(id: id) else {
        throw ValidationError("no pattern '\(id)'; `aib-logs patterns list` shows them all")
      }
      var text = "\(pattern.id) (\(pattern.catalog == "none" ? "not in the catalog" : "catalog \(pattern.catalog)"))\n"
      text += "\(pattern.title)\n\n\(pattern.summary)\n\n"
      text += "severity: \(pattern.benign ? "benign (\(pattern.severity.rawValue))" : pattern.severity.rawValue)"
      text += "   phase: \(pattern.phase.rawValue)   owner: \(pattern.owner.rawValue)"
      text += "   retry helps: \(pattern.retryable ? "yes" : "no")\n"
      if pattern.benign { text += "\nWhy it is harmless: \(pattern.benignReason)\n" }
      if !pattern.fixes.isEmpty {
        text += "\nWhat to do:\n" + pattern.fixes.map { "  - \($0)\n" }.joined()
      }
      if !pattern.variants.isEmpty {
        text += "\nVariants (the first whose conditions hold replaces the message and fixes above):\n"
        for variant in pattern.variants { text += Explain.describe(variant, of: pattern) }
      }
      if !pattern.templatePaths.isEmpty {
        text += "\nTemplate paths:\n" + pattern.templatePaths.map { "  - \($0)\n" }.joined()
      }
      text +=
        "\nMatches lines like:\n"
        + pattern.matchSamples.map { "  \($0.line)\n" + ($0.variant.map { "    (variant \($0))\n" } ?? "") }.joined()
      text += "\nBut not:\n" + pattern.noMatchSamples.map { "  \($0.line)\n" }.joined()
      if !pattern.references.isEmpty {
        text += "\nReferences:\n" + pattern.references.map { "  \($0)\n" }.joined()
      }
      if !pattern.notes.isEmpty { text += "\nNotes: \(pattern.notes)\n" }
      let out = OutputWriter.standardOutput()
      out.write(text)
      out.close()
    }

    /// One variant of `pattern`: its name, when it applies, its message and its fixes.
    static func describe(_ variant: PatternVariant, of pattern: Pattern) -> String {
      var conditions: [String] = []
      if let regex = variant.regex { conditions.append("regex \(regex) matched") }
      for condition in variant.captures {
        conditions.append("{\(condition.capture)} matches '\(condition.regex.source)'")
      }
      if !variant.absent.isEmpty {
        conditions.append(variant.absent.map { "{\($0)}" }.joined(separator: ", ") + " not captured")
      }
      var text = "  \(variant.name): when \(conditions.joined(separator: " and "))\n"
      let (message, fixes) = variant.advice(of: pattern)
      text += "    message: \(message)\n"
      text += fixes.map { "    - \($0)\n" }.joined()
      let kept = variant.keptFixes.map(String.init).joined(separator: ", ")
      text += "    (its own fixes, then the pattern's fixes kept: " + (kept.isEmpty ? "none" : kept) + ")\n"
      if !variant.templatePaths.isEmpty {
        text += "    template: \(variant.templatePaths(of: pattern).joined(separator: ", "))\n"
      }
      return text
    }
  }

  struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "export",
      abstract: "Print every regex, one per line, each wrapped in (?:...), for rg -f or grep -P.",
      discussion: """
        Named groups become plain groups, so the joined list has no duplicate names. With
        --flavor rust (ripgrep's default engine), regexes with look-around, which that engine
        lacks, are left out and counted on standard error.
        """)
    @OptionGroup var patternOptions: PatternOptions
    @Option(help: "pcre2 (rg -P, grep -P) or rust (rg's default engine).") var flavor: ExportFlavor = .pcre2

    enum ExportFlavor: String, ExpressibleByArgument, CaseIterable {
      case pcre2, rust
    }

    /// `regex` with `(?<name>` turned into `(?:` (look-behind `(?<=`, `(?<!` kept).
    static func unnamed(_ regex: String) -> String {
      var out = ""
      var rest = Substring(regex)
      while let range = rest.range(of: "(?<") {
        out += rest[..<range.lowerBound]
        let after = rest[range.upperBound...]
        if let first = after.first, first.isLetter, let close = after.firstIndex(of: ">") {
          out += "(?:"
          rest = after[after.index(after: close)...]
        } else {
          out += "(?<"
          rest = after
        }
      }
      return out + rest
    }

    func run() throws {
      let library = try patternOptions.loadLibrary()
      let out = OutputWriter.standardOutput()
      var skipped = 0
      for pattern in library.patterns {
        for regex in pattern.regexes {
          let source = Export.unnamed(regex.source)
          let lookaround = ["(?=", "(?!", "(?<=", "(?<!"].contains { source.contains($0) }
          if flavor == .rust && lookaround {
            skipped += 1
            continue
          }
          out.write("(?:\(source))\n")
        }
      }
      out.close()
      if skipped > 0 { printError("left out \(skipped) regex(es) with look-around, which the rust flavor lacks") }
    }
  }
}
