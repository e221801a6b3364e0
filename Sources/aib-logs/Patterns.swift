import AIBLogsMatching
import AIBLogsPatterns
import ArgumentParser

/// `aib-logs patterns ...`: list, check, explain and export the pattern library.
struct Patterns: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "List, check, explain or export the failure patterns.",
    subcommands: [List.self, Check.self, Explain.self, Export.self],
    defaultSubcommand: List.self
  )

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the patterns: id, severity, phase and title.")
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
    static let configuration = CommandConfiguration(abstract: "Explain one pattern: meaning, cause, fixes, samples.")
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
      if !pattern.templatePaths.isEmpty {
        text += "\nTemplate paths:\n" + pattern.templatePaths.map { "  - \($0)\n" }.joined()
      }
      text += "\nMatches lines like:\n" + pattern.matchSamples.map { "  \($0.line)\n" }.joined()
      text += "\nBut not:\n" + pattern.noMatchSamples.map { "  \($0.line)\n" }.joined()
      if !pattern.references.isEmpty {
        text += "\nReferences:\n" + pattern.references.map { "  \($0)\n" }.joined()
      }
      if !pattern.notes.isEmpty { text += "\nNotes: \(pattern.notes)\n" }
      let out = OutputWriter.standardOutput()
      out.write(text)
      out.close()
    }
  }

  struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Print every regex, one per line, each wrapped in (?:...), for rg -f or grep -P.")
    @OptionGroup var patternOptions: PatternOptions

    func run() throws {
      let library = try patternOptions.loadLibrary()
      let out = OutputWriter.standardOutput()
      for pattern in library.patterns {
        for regex in pattern.regexes { out.write("(?:\(regex.source))\n") }
      }
      out.close()
    }
  }
}
