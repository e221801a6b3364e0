import ArgumentParser

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The `aib-logs` command.
@main
struct AIBLogsCommand: ParsableCommand {
  static let version = "0.1.0"

  static let configuration = CommandConfiguration(
    commandName: "aib-logs",
    abstract: "Explain why an Azure VM Image Builder build failed, from its customization.log.",
    discussion: """
      Exit codes:
        0   analysed; nothing at or above the --fail-on threshold
        1   a failure was found (or `patterns check` found a problem)
        2   an input or the pattern library could not be read
        64  usage error
      """,
    version: version,
    subcommands: [Analyze.self, Lint.self, Patterns.self, Inspect.self],
    defaultSubcommand: Analyze.self
  )

  static func main() {
    signal(SIGPIPE, SIG_IGN)
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch let error as CLIError {
      printError(error.description)
      Glibc.exit(2)
    } catch {
      exit(withError: error)
    }
  }
}
