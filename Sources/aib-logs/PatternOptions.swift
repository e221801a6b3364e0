import AIBLogsPatterns
import ArgumentParser

/// `--patterns DIR`: add to or override the bundled pattern library.
struct PatternOptions: ParsableArguments {
  @Option(
    name: .customLong("patterns"),
    help: ArgumentHelp("A directory of pattern files that adds to or overrides the bundled library.", valueName: "dir"))
  var directories: [String] = []

  /// The bundled library merged with every `--patterns` directory; any load problem is fatal.
  func loadLibrary() throws -> PatternLibrary {
    var library: PatternLibrary
    do {
      library = try PatternLibrary.bundled()
    } catch {
      throw CLIError.input("the bundled pattern library is broken: \(error)")
    }
    for directory in directories {
      let (extra, diagnostics) = PatternLibrary.load(directory: directory)
      if !diagnostics.isEmpty {
        throw CLIError.input(
          "cannot load patterns from '\(directory)':\n\(diagnostics.map(\.description).joined(separator: "\n"))")
      }
      library = library.merging(extra)
    }
    return library
  }
}
