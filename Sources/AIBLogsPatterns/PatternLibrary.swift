import Dispatch
import Foundation

/// A set of patterns with unique ids, in id order.
public struct PatternLibrary: Sendable {
  /// The patterns, sorted by id.
  public private(set) var patterns: [Pattern]
  /// Where the library came from: `bundled`, a directory, or both.
  public private(set) var origins: [String]

  /// Creates a library from patterns; later patterns with the same id replace earlier ones.
  public init(patterns: [Pattern], origins: [String] = []) {
    var byID: [String: Pattern] = [:]
    for pattern in patterns { byID[pattern.id] = pattern }
    self.patterns = byID.values.sorted { $0.id < $1.id }
    self.origins = origins
  }

  /// The pattern with `id`, if any.
  public func pattern(id: String) -> Pattern? {
    patterns.first { $0.id == id }
  }

  /// A version string for the library: the number of patterns and a short hash of their files.
  public var version: String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for pattern in patterns {
      for byte in pattern.id.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
      for regex in pattern.regexes {
        for byte in regex.source.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
      }
      for byte in pattern.message.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    }
    let hex = String(hash, radix: 16)
    return "\(patterns.count)-" + String(repeating: "0", count: max(0, 16 - hex.count)) + hex
  }

  /// The library compiled into the binary from the repository's `Patterns/` directory.
  ///
  /// Throws the first diagnostic when a bundled file is broken (a build of a broken tree).
  public static func bundled() throws(PatternDiagnostic) -> PatternLibrary {
    // The files were parsed at build time (see `PatternNode(encoded:)`); reading them into
    // patterns runs on all cores, then they are taken in their order.
    let files = bundledPatternTrees
    // Each index is written by one iteration only, and read after all of them have finished.
    nonisolated(unsafe) let results = UnsafeMutableBufferPointer<Result<Pattern, PatternDiagnostic>?>.allocate(
      capacity: files.count)
    results.initialize(repeating: nil)
    defer { results.deallocate() }
    DispatchQueue.concurrentPerform(iterations: files.count) { index in
      let file = files[index]
      results[index] = Result { () throws(PatternDiagnostic) -> Pattern in
        guard let root = PatternNode(encoded: file.tree) else {
          throw PatternDiagnostic(
            file: "Patterns/" + file.name, line: 0, message: "the bundled form of this file does not read back")
        }
        return try PatternLoader.load(file: "Patterns/" + file.name, root: root)
      }
    }
    var patterns: [Pattern] = []
    for result in results {
      patterns.append(try result!.get())
    }
    return PatternLibrary(patterns: patterns, origins: ["bundled"])
  }

  /// Loads every `*.yaml` file of `directory`, collecting every diagnostic.
  public static func load(directory: String) -> (library: PatternLibrary, diagnostics: [PatternDiagnostic]) {
    var patterns: [Pattern] = []
    var diagnostics: [PatternDiagnostic] = []
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: directory)
        .filter { $0.hasSuffix(".yaml") }.sorted()
    } catch {
      let reason = (error as NSError).localizedFailureReason ?? "cannot list the directory"
      let exists = FileManager.default.fileExists(atPath: directory)
      diagnostics.append(
        PatternDiagnostic(
          file: directory, line: 0,
          message: exists ? "cannot read the pattern directory: \(reason.lowercased())" : "no such directory"))
      return (PatternLibrary(patterns: []), diagnostics)
    }
    for name in names {
      let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
      guard let data = FileManager.default.contents(atPath: path) else {
        diagnostics.append(PatternDiagnostic(file: path, line: 0, message: "cannot read the file"))
        continue
      }
      let contents = String(decoding: data, as: UTF8.self)
      do {
        patterns.append(try PatternLoader.load(file: path, contents: contents))
      } catch {
        diagnostics.append(error)
      }
    }
    if names.isEmpty {
      diagnostics.append(
        PatternDiagnostic(file: directory, line: 0, message: "no .yaml pattern files in the directory"))
    }
    return (PatternLibrary(patterns: patterns, origins: [directory]), diagnostics)
  }

  /// This library with `other`'s patterns added, replacing patterns with the same id.
  public func merging(_ other: PatternLibrary) -> PatternLibrary {
    PatternLibrary(patterns: patterns + other.patterns, origins: origins + other.origins)
  }
}
