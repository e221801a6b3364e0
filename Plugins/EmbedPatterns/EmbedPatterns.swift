import Foundation
import PackagePlugin

/// Embeds the package's `Patterns/*.yaml` files into the target as Swift source, parsed at build
/// time (no YAML parse at start-up), so that the pattern library travels inside the `aib-logs`
/// binary.
@main
struct EmbedPatterns: BuildToolPlugin {
  func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
    let directory = context.package.directoryURL.appending(path: "Patterns")
    let files = try FileManager.default.contentsOfDirectory(
      at: directory, includingPropertiesForKeys: nil
    )
    .filter { $0.pathExtension == "yaml" }
    .sorted { $0.lastPathComponent < $1.lastPathComponent }
    let output = context.pluginWorkDirectoryURL.appending(path: "BundledPatternFiles.swift")
    return [
      .buildCommand(
        displayName: "Embedding \(files.count) pattern files",
        executable: try context.tool(named: "EmbedPatternsTool").url,
        arguments: [output.path] + files.map(\.path),
        inputFiles: files,
        outputFiles: [output]
      )
    ]
  }
}
