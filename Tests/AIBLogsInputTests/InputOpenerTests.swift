import Foundation
import Testing

@testable import AIBLogsInput

/// Compresses `text` with the system's gzip (as users' files are made).
func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
  let path = FileManager.default.temporaryDirectory.appendingPathComponent("aib-logs-test-\(UUID().uuidString)")
  try Data(bytes).write(to: path)
  defer { try? FileManager.default.removeItem(at: path) }
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments = ["gzip", "-c", "-n", path.path]
  let output = Pipe()
  process.standardOutput = output
  try process.run()
  let data = output.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return Array(data)
}

/// Opens `bytes` as an input and reads all its lines; returns the lines and the error, if any.
func readAll(_ bytes: [UInt8], chunk: Int = .max) -> (lines: [String], error: InputError?, opened: OpenedInput?) {
  var lines: [String] = []
  do {
    let opened = try InputOpener.open(source: MemorySource(bytes, chunkLimit: chunk), path: "test.log")
    let reader = LineReader(source: opened.source)
    do {
      try reader.forEachBlock { block in
        block.forEachLine { _, line in lines.append(String(decoding: line, as: UTF8.self)) }
      }
    } catch {
      return (lines, error, opened)
    }
    return (lines, nil, opened)
  } catch {
    return (lines, error, nil)
  }
}

@Suite struct InputOpenerTests {
  let text =
    (1...2000).map { "[opid] PACKER 2026/02/21 22:47:48 ui: ==> azure-arm: line \($0)" }.joined(separator: "\n") + "\n"

  @Test func plainTextPassesThrough() {
    let result = readAll(Array("a\nb\n".utf8))
    #expect(result.lines == ["a", "b"])
    #expect(result.opened?.isGzip == false)
  }

  @Test func gzipIsDetectedByContent() throws {
    let result = readAll(try gzip(Array(text.utf8)), chunk: 333)
    #expect(result.error == nil)
    #expect(result.opened?.isGzip == true)
    #expect(result.lines.count == 2000)
    #expect(result.lines.last == "[opid] PACKER 2026/02/21 22:47:48 ui: ==> azure-arm: line 2000")
  }

  @Test func everyMemberOfAMultiMemberGzipIsRead() throws {
    let bytes = try gzip(Array("first\n".utf8)) + gzip(Array("second\n".utf8)) + gzip(Array("third\n".utf8))
    let result = readAll(bytes, chunk: 7)
    #expect(result.error == nil)
    #expect(result.lines == ["first", "second", "third"])
  }

  @Test func truncatedGzipYieldsWhatWasDecodedThenAWarning() throws {
    let full = try gzip(Array(text.utf8))
    let result = readAll(Array(full.prefix(full.count / 2)))
    #expect(result.error == .truncatedGzip(path: "test.log"))
    #expect(result.error?.isPartial == true)
    #expect(result.lines.count > 100)
    #expect(result.lines.first == "[opid] PACKER 2026/02/21 22:47:48 ui: ==> azure-arm: line 1")
  }

  @Test func truncationInsideTheTrailerIsStillReported() throws {
    let full = try gzip(Array(text.utf8))
    let result = readAll(Array(full.dropLast(4)))
    #expect(result.error == .truncatedGzip(path: "test.log"))
    #expect(result.lines.count == 2000)
  }

  @Test func corruptGzipYieldsWhatWasDecodedThenAWarning() throws {
    var bytes = try gzip(Array(text.utf8))
    bytes[bytes.count - 6] ^= 0xFF  // the CRC32
    let result = readAll(bytes)
    guard case .corruptGzip(let path, let reason)? = result.error else {
      Issue.record("expected a corrupt-gzip error, got \(String(describing: result.error))")
      return
    }
    #expect(path == "test.log")
    #expect(reason.contains("incorrect data check"))
    #expect(result.lines.count == 2000)
  }

  @Test func gzipInsideGzipIsUnwrapped() throws {
    let result = readAll(try gzip(try gzip(Array("inner\nlines\n".utf8))))
    #expect(result.error == nil)
    #expect(result.lines == ["inner", "lines"])
  }

  @Test func gzipThatDecodesToNothingIsUnreadableWithTheReason() throws {
    let damaged: [UInt8] = [0x1f, 0x8b, 0x08] + Array("garbage".utf8)
    #expect(
      readAll(damaged).error == .unreadable(path: "test.log", reason: "damaged gzip data (unknown header flags set)"))
    let cut = Array(try gzip(Array(text.utf8)).prefix(6))
    #expect(
      readAll(cut).error == .unreadable(path: "test.log", reason: "truncated gzip data, nothing could be decoded"))
  }

  @Test func trailingGarbageAfterGzipIsIgnoredAndCounted() throws {
    let bytes = try gzip(Array("only\n".utf8)) + Array("garbage".utf8)
    let result = readAll(bytes)
    #expect(result.error == nil)
    #expect(result.lines == ["only"])
    #expect(result.opened?.gzip?.trailingGarbageBytes == 7)
  }

  @Test func utf16LittleEndianWithBOMIsTranscoded() {
    var bytes: [UInt8] = [0xFF, 0xFE]
    for unit in "héllo — ok\r\nnext 😀\n".utf16 { bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
    let result = readAll(bytes, chunk: 3)
    #expect(result.opened?.encoding == .utf16LittleEndian)
    #expect(result.lines == ["héllo — ok", "next 😀"])
  }

  @Test func utf16BigEndianWithBOMIsTranscoded() {
    var bytes: [UInt8] = [0xFE, 0xFF]
    for unit in "abc\ndef".utf16 { bytes += [UInt8(unit >> 8), UInt8(unit & 0xFF)] }
    let result = readAll(bytes)
    #expect(result.opened?.encoding == .utf16BigEndian)
    #expect(result.lines == ["abc", "def"])
  }

  @Test func utf8BOMIsRemoved() {
    let result = readAll([0xEF, 0xBB, 0xBF] + Array("x\n".utf8))
    #expect(result.opened?.encoding == .utf8BOM)
    #expect(result.lines == ["x"])
  }

  @Test func emptyInputIsAnError() {
    #expect(readAll([]).error == .empty(path: "test.log"))
  }

  @Test func missingFileNamesThePathAndTheReason() {
    #expect(throws: InputError.unreadable(path: "/nonexistent/x.log", reason: "no such file or directory")) {
      _ = try InputOpener.open(path: "/nonexistent/x.log")
    }
    let message = InputError.unreadable(path: "x.log", reason: "no such file or directory").description
    #expect(message == "cannot read 'x.log': no such file or directory")
  }

  @Test func directoryIsAnError() {
    #expect(throws: InputError.isDirectory(path: "/tmp")) { _ = try InputOpener.open(path: "/tmp") }
  }
}
