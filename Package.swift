// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "aib-logs",
  products: [
    .executable(name: "aib-logs", targets: ["aib-logs"]),
    .library(name: "AIBLogsAnalysis", targets: ["AIBLogsAnalysis"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
  ],
  targets: [
    // C libraries from the system, found through pkg-config. Each is imported by one Swift file.
    .systemLibrary(
      name: "CPCRE2",
      pkgConfig: "libpcre2-8",
      providers: [.apt(["libpcre2-dev"]), .brew(["pcre2"])]
    ),
    .systemLibrary(
      name: "CZlib",
      pkgConfig: "zlib",
      providers: [.apt(["zlib1g-dev"])]
    ),

    // The SIMD kernel of the literal prefilter (our own C), wrapped by AIBLogsMatching/LineFilter.swift,
    // and a prefetch hint for the verifier (AIBLogsMatching/RuleSet.swift).
    .target(name: "CLiteralFilter"),

    // Layer 1: reading bytes and lines (plain, gzip, UTF-16), and the structure of one line.
    .target(name: "AIBLogsInput", dependencies: ["CZlib"]),
    // Layer 1: the pattern library as data (a pattern file parses to a value).
    .target(
      name: "AIBLogsPatterns",
      dependencies: [.product(name: "Yams", package: "Yams")],
      plugins: ["EmbedPatterns"]
    ),
    // Layer 2: compiling patterns (PCRE2 JIT, literal prefilter) and running them on lines.
    .target(name: "AIBLogsMatching", dependencies: ["AIBLogsInput", "AIBLogsPatterns", "CPCRE2", "CLiteralFilter"]),
    // Layer 3: the run model, stateful detectors and the diagnosis.
    .target(name: "AIBLogsAnalysis", dependencies: ["AIBLogsMatching"]),
    // Layer 3 (beside the analysis): image templates: lint rules and template-aware fixes.
    .target(name: "AIBLogsTemplate", dependencies: ["AIBLogsAnalysis"]),
    // Layer 4: printing a diagnosis for people and pipelines.
    .target(name: "AIBLogsReporting", dependencies: ["AIBLogsAnalysis", "AIBLogsTemplate"]),
    // Layer 5: the command line.
    .executableTarget(
      name: "aib-logs",
      dependencies: [
        "AIBLogsReporting",
        "AIBLogsTemplate",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),

    // Build-time embedding of Patterns/*.yaml into the binary, so an installed aib-logs
    // carries its library.
    .executableTarget(
      name: "EmbedPatternsTool",
      dependencies: [.product(name: "Yams", package: "Yams")],
      path: "Sources/EmbedPatternsTool"
    ),
    .plugin(
      name: "EmbedPatterns",
      capability: .buildTool(),
      dependencies: ["EmbedPatternsTool"]
    ),

    .testTarget(name: "AIBLogsInputTests", dependencies: ["AIBLogsInput"]),
    .testTarget(name: "AIBLogsMatchingTests", dependencies: ["AIBLogsMatching"]),
    .testTarget(name: "AIBLogsAnalysisTests", dependencies: ["AIBLogsAnalysis"]),
    .testTarget(name: "AIBLogsTemplateTests", dependencies: ["AIBLogsTemplate"]),
    .testTarget(name: "AIBLogsCLITests", dependencies: ["aib-logs"], exclude: ["Golden", "Fixtures"]),
  ]
)
