import Foundation
import Testing

@testable import AIBLogsInput

func structure(_ line: String) -> (LogLineStructure, String) {
  var bytes = Array(line.utf8)
  return bytes.withUnsafeMutableBytes { raw in
    let parsed = LogLineStructure(parsing: UnsafeRawBufferPointer(raw))
    let message = String(
      decoding: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(raw)[parsed.message]), as: UTF8.self)
    return (parsed, message)
  }
}

@Suite struct LogLineStructureTests {
  @Test func operationIDBytesAreHexDashAndRedactionMarks() {
    let expected = Set("0123456789abcdefABCDEF-x*.".utf8)
    for value in 0...255 {
      #expect(LineCursor.isOperationIDByte(UInt8(value)) == expected.contains(UInt8(value)), "byte \(value)")
    }
  }

  @Test func builderNameBytesAreLettersDigitsDashUnderscoreAndDot() {
    let expected = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_.".utf8)
    for value in 0...255 {
      #expect(LineCursor.isNameByte(UInt8(value)) == expected.contains(UInt8(value)), "byte \(value)")
    }
  }

  @Test func eightHexDigitsAreTestedAtOnce() {
    let hex = Array("0123456789abcdefABCDEF".utf8)
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<2000 {
      var bytes = (0..<8).map { _ in hex.randomElement(using: &generator)! }
      #expect(LineCursor.allHexDigits(bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }))
      // One byte of any other value makes the word fail.
      let position = Int.random(in: 0..<8, using: &generator)
      bytes[position] = UInt8.random(in: 0...255, using: &generator)
      let word = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
      #expect(LineCursor.allHexDigits(word) == hex.contains(bytes[position]), "\(bytes)")
    }
  }

  /// Parsing with a memo of the lines before gives what parsing each line alone gives: every
  /// line of every sample log, in order, then the same lines with their operation ids and
  /// timestamps changed in one byte (the memo must not answer for a line that differs).
  @Test func parsingWithAMemoGivesTheSameStructures() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let logs = try FileManager.default.contentsOfDirectory(
      at: root.appendingPathComponent("SampleLogs"), includingPropertiesForKeys: nil
    ).filter { $0.pathExtension == "log" }
    #expect(logs.count >= 10)
    var memo = LogLineStructure.Memo()
    var lines = 0
    for url in logs {
      for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") {
        var bytes = Array(line.utf8)
        for variant in 0..<3 {
          // 0: as it is; 1: a digit of the id; 2: a digit of the first timestamp.
          if variant == 1, let at = bytes.firstIndex(of: UInt8(ascii: "-")), at > 0 {
            bytes[at - 1] = bytes[at - 1] == 0x30 ? 0x31 : 0x30
          }
          if variant == 2, let at = bytes.firstIndex(of: UInt8(ascii: ":")), at > 0 {
            bytes[at - 1] = bytes[at - 1] == 0x30 ? 0x31 : 0x30
          }
          bytes.withUnsafeBytes { raw in
            #expect(LogLineStructure(parsing: raw, memo: &memo) == LogLineStructure(parsing: raw), "\(line)")
          }
        }
        lines += 1
      }
    }
    #expect(lines > 1000)
  }

  /// The word-at-a-time search for a space or a colon finds the first one, wherever it is and
  /// whatever bytes come before it (bytes with the top bit set included).
  @Test func theFirstSpaceOrColonIsFoundEightBytesAtATime() {
    var generator = SystemRandomNumberGenerator()
    let fillers: [UInt8] = [0x00, 0x19, 0x1F, 0x21, 0x39, 0x3B, 0x41, 0x7F, 0x80, 0xA0, 0xBA, 0xFF, 0x61]
    for length in 0..<40 {
      for _ in 0..<50 {
        var line = (0..<length).map { _ in fillers.randomElement(using: &generator)! }
        if length > 0 && Bool.random(using: &generator) {
          line[Int.random(in: 0..<length, using: &generator)] = Bool.random(using: &generator) ? 0x20 : 0x3A
        }
        let start = length > 0 ? Int.random(in: 0..<length, using: &generator) : 0
        let expected = line[start...].firstIndex { $0 == 0x20 || $0 == 0x3A } ?? length
        let found = line.withUnsafeBytes { LineCursor($0).firstSpaceOrColon(from: start) }
        #expect(found == expected, "\(line) from \(start)")
      }
    }
  }

  /// The word-at-a-time search for the end of a builder's name finds the first byte that is
  /// not a name byte, for every byte value at every position of a name.
  @Test func theEndOfANameIsFoundEightBytesAtATime() {
    let name = Array("azure-arm.build_image-2".utf8)
    for length in 0...name.count {
      for position in 0..<max(length, 1) {
        for value in 0...255 {
          var line = Array(name.prefix(length))
          if position < length { line[position] = UInt8(value) }
          let start = length > 0 && value % 3 == 0 ? 1 : 0
          let expected = line[min(start, line.count)...].firstIndex { !LineCursor.isNameByte($0) } ?? line.count
          let found = line.withUnsafeBytes { LineCursor($0).firstNonNameByte(from: min(start, line.count)) }
          #expect(found == expected, "\(line) from \(start)")
        }
      }
    }
  }

  /// The word-at-a-time timestamp reader agrees with reading it digit by digit, for valid
  /// times and for each byte of one replaced by every value.
  @Test func slashTimestampsAreReadAsWords() {
    func byDigits(_ line: [UInt8]) -> LogTimestamp? {
      let text = String(decoding: line.prefix(19), as: UTF8.self)
      let pattern = Array("dddd/dd/dd dd:dd:dd".utf8)
      guard line.count >= 19,
        zip(line, pattern).allSatisfy({ byte, kind in
          kind == UInt8(ascii: "d") ? (0x30...0x39).contains(byte) : byte == kind
        })
      else { return nil }
      let numbers = text.split(whereSeparator: { "/ :".contains($0) }).map { Int($0)! }
      return LogTimestamp(
        year: numbers[0], month: numbers[1], day: numbers[2], hour: numbers[3], minute: numbers[4], second: numbers[5])
    }
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<300 {
      func padded(_ value: Int, _ width: Int) -> String {
        String(repeating: "0", count: width - String(value).count) + String(value)
      }
      let date = [
        padded(Int.random(in: 1970...2099, using: &generator), 4), padded(Int.random(in: 1...12, using: &generator), 2),
        padded(Int.random(in: 1...28, using: &generator), 2),
      ]
      let clock = (0..<3).map { padded(Int.random(in: 0...($0 == 0 ? 23 : 59), using: &generator), 2) }
      let time = date.joined(separator: "/") + " " + clock.joined(separator: ":")
      let line = Array((time + " ui: x").utf8)
      for position in 0..<19 {
        for value in [UInt8(0x2F), 0x30, 0x39, 0x3A, 0x20, 0x41, 0xB0, UInt8.random(in: 0...255, using: &generator)] {
          var changed = line
          changed[position] = value
          let (found, end) = changed.withUnsafeBytes { raw -> (LogTimestamp?, Int) in
            var cursor = LineCursor(raw)
            return (cursor.matchSlashTimestamp(), cursor.index)
          }
          #expect(found == byDigits(changed), "\(String(decoding: changed, as: UTF8.self))")
          #expect(end == (found == nil ? 0 : 20))
        }
      }
    }
    // Too short to hold one.
    let short = Array("2026/02/21 22:47:4".utf8).withUnsafeBytes { raw in
      var cursor = LineCursor(raw)
      return cursor.matchSlashTimestamp()
    }
    #expect(short == nil)
  }

  /// The bracketed-GUID shortcut of `matchOperationID` finds what the byte loop alone finds: a
  /// GUID with each of its bytes replaced by every byte value, each followed by three endings.
  @Test func operationIDShortcutAgreesWithTheByteLoop() {
    func byLoop(_ line: [UInt8]) -> (Range<Int>, Int)? {
      let start = line.first == UInt8(ascii: "[") ? 1 : 0
      var at = start
      while at < min(line.count, start + 41) && LineCursor.isOperationIDByte(line[at]) { at += 1 }
      guard at - start >= (start == 1 ? 8 : 32), at < line.count, line[at] == UInt8(ascii: "]") else { return nil }
      return (start..<at, at + 1 < line.count && line[at + 1] == UInt8(ascii: " ") ? at + 2 : at + 1)
    }
    let guid = Array("[1e3026b3-b765-4689-B4D1-66d6d9492c91]".utf8)
    for ending in [Array(" PACKER OUT x".utf8), Array("PACKER".utf8), []] {
      for position in guid.indices {
        for value in 0...255 {
          var line = guid + ending
          line[position] = UInt8(value)
          let found = line.withUnsafeBytes { LineCursor($0).matchOperationID() }
          let expected = byLoop(line)
          #expect(found?.id == expected?.0 && found?.end == expected?.1, "\(position) \(value)")
        }
      }
    }
  }

  @Test func newFormatUILine() {
    let (parsed, message) = structure(
      "[1e3026b3-b765-4689-b4d1-66d6d9492c91] PACKER 2026/02/21 22:47:48 ui error: ==> azure-arm: A system shutdown has already been scheduled.(1190)"
    )
    #expect(parsed.stream == .packer)
    #expect(parsed.operationID != nil)
    #expect(parsed.timestamp == LogTimestamp(year: 2026, month: 2, day: 21, hour: 22, minute: 47, second: 48))
    #expect(parsed.uiError == true)
    #expect(parsed.marker == .say)
    #expect(message == "A system shutdown has already been scheduled.(1190)")
  }

  @Test func newFormatPluginLineWithItsOwnTimestamp() {
    let (parsed, message) = structure(
      "[1e3026b3-b765-4689-b4d1-66d6d9492c91] PACKER 2026/02/21 22:47:48 packer-plugin-azure_v2.5.1_x5.0_linux_amd64 plugin: 2026/02/21 22:47:49 [INFO] command 'x' exited with code: 1"
    )
    #expect(parsed.plugin != nil)
    #expect(parsed.pluginTimestamp?.seconds == parsed.timestamp.map { $0.seconds + 1 })
    #expect(message == "[INFO] command 'x' exited with code: 1")
  }

  @Test func oldFormatOutputAndDebugLines() {
    let (out, outMessage) = structure(
      "[864c0337-b300-48ab-8e8e-7894bc695b7c] PACKER OUT     azure-arm: IMAGE_STATE_COMPLETE")
    #expect(out.stream == .packerOut)
    #expect(out.marker == .output)
    #expect(outMessage == "IMAGE_STATE_COMPLETE")
    let (err, errMessage) = structure(
      "PACKER ERR 2019/03/08 00:37:32 packer: 2019/03/08 00:37:32 [ERROR] Remote command exited with '1': chmod +x /tmp/s.sh"
    )
    #expect(err.stream == .packerErr)
    #expect(errMessage == "[ERROR] Remote command exited with '1': chmod +x /tmp/s.sh")
  }

  @Test func ciPrefixesAreStripped() {
    let (ado, adoMessage) = structure(
      "2025-02-13T17:20:26.8254142Z Build 'azure-arm.build_image' errored after 3 minutes: x")
    #expect(ado.ciPrefix != nil)
    #expect(adoMessage == "Build 'azure-arm.build_image' errored after 3 minutes: x")
    let (jenkins, jenkinsMessage) = structure("10:12:25  Build 'azure-arm' errored: Timeout waiting for WinRM.")
    #expect(jenkins.ciPrefix != nil)
    #expect(jenkinsMessage == "Build 'azure-arm' errored: Timeout waiting for WinRM.")
  }

  @Test func bareSayLineAndFinalLine() {
    let (say, sayMessage) = structure(
      "[c3513310-a8cc-4e81-9e07-a5a1557ba0b3] PACKER ==> Builds finished but no artifacts were created.")
    #expect(say.marker == .say)
    #expect(sayMessage == "Builds finished but no artifacts were created.")
    let (_, done) = structure(
      "[c3513310-a8cc-4e81-9e07-a5a1557ba0b3] PACKER Done exporting Packer logs to Azure Storage.")
    #expect(done == "Done exporting Packer logs to Azure Storage.")
  }

  @Test func textThatIsNotALogLineIsItsOwnMessage() {
    let text = "Deployment failed. Correlation ID: x. Failed while waiting for packerizer"
    let (parsed, message) = structure(text)
    #expect(parsed.stream == .other)
    #expect(message == text)
  }

  @Test func timestampsFormatBack() {
    #expect(
      LogTimestamp(year: 2026, month: 2, day: 21, hour: 22, minute: 47, second: 8).formatted == "2026-02-21 22:47:08")
    #expect(
      LogTimestamp(year: 2000, month: 3, day: 1, hour: 0, minute: 0, second: 0).formatted == "2000-03-01 00:00:00")
  }

  @Test func pasteDecorationsAreSkipped() {
    let (quoted, quotedMessage) = structure(
      "> [864c0337-b300-48ab-8e8e-7894bc695b7c] PACKER OUT --> azure-arm: Timeout waiting for machine to restart.")
    #expect(quoted.stream == .packerOut)
    #expect(quoted.marker == .error)
    #expect(quotedMessage == "Timeout waiting for machine to restart.")
    let (bold, boldMessage) = structure(
      "**PACKER OUT     azure-arm: /tmp/DeprovisioningScript.sh: 1: /usr/sbin/waagent: not found**")
    #expect(bold.stream == .packerOut)
    #expect(boldMessage == "/tmp/DeprovisioningScript.sh: 1: /usr/sbin/waagent: not found**")
  }

  @Test func packerOutputWithoutAnyLogPrefixHasItsMarkerParsed() {
    let (say, sayMessage) = structure("==> azure-arm: Waiting for WinRM to become available...")
    #expect(say.marker == .say)
    #expect(sayMessage == "Waiting for WinRM to become available...")
    let (output, outputMessage) = structure("    azure-arm.build_image: E: Unable to locate package foo")
    #expect(output.marker == .output)
    #expect(outputMessage == "E: Unable to locate package foo")
    let (jenkins, jenkinsMessage) = structure("10:12:25  ==> azure-arm: Connected to WinRM!")
    #expect(jenkins.ciPrefix != nil)
    #expect(jenkinsMessage == "Connected to WinRM!")
    let (yaml, yamlMessage) = structure("    provisioningState: Failed")
    #expect(yaml.marker == .none)
    #expect(yamlMessage == "    provisioningState: Failed")
  }

  /// The structure is stored compactly (it is copied into every matched line): it must stay
  /// within one 64-byte stride.
  @Test func theStructureFitsIn64Bytes() {
    #expect(MemoryLayout<LogLineStructure>.stride <= 64)
  }

  /// The properties read back what was set, `nil` and empty ranges included, and two structures
  /// are equal exactly when their properties are.
  @Test func propertiesReadBackWhatWasSet() {
    var parsed = structure("PACKER OUT x").0
    let original = parsed
    for range: Range<Int>? in [
      nil, 0..<0, 3..<3, 0..<1, 7..<42, 0..<Int(UInt32.max), Int(UInt32.max)..<Int(UInt32.max),
    ] {
      parsed.ciPrefix = range
      parsed.operationID = range
      parsed.plugin = range
      parsed.builder = range
      #expect(parsed.ciPrefix == range && parsed.operationID == range)
      #expect(parsed.plugin == range && parsed.builder == range)
      if let range {
        parsed.message = range
        #expect(parsed.message == range)
      }
    }
    for time: LogTimestamp? in [nil, LogTimestamp(seconds: 0), LogTimestamp(seconds: -1), LogTimestamp(seconds: .max)] {
      parsed.timestamp = time
      parsed.pluginTimestamp = time
      #expect(parsed.timestamp == time && parsed.pluginTimestamp == time)
    }
    // What a `nil` replaces is forgotten: the structures compare equal again.
    parsed.timestamp = nil
    parsed.pluginTimestamp = nil
    parsed.ciPrefix = nil
    parsed.operationID = nil
    parsed.plugin = nil
    parsed.builder = nil
    parsed.message = original.message
    #expect(parsed == original)
    parsed.timestamp = LogTimestamp(seconds: 0)
    #expect(parsed != original)
    parsed.timestamp = nil
    parsed.builder = 0..<0
    #expect(parsed != original)
  }
}
