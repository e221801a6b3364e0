import Testing

@testable import AIBLogsInput

/// Reads `bytes` through the reader and returns every line as a string with its number.
func readLines(
  _ bytes: [UInt8], chunk: Int = .max, blockSize: Int = 1 << 20, maxLineLength: Int = 1 << 20
) throws -> (lines: [(Int, String)], reader: LineReader) {
  let reader = LineReader(
    source: MemorySource(bytes, chunkLimit: chunk), blockSize: blockSize,
    maxLineLength: maxLineLength)
  var lines: [(Int, String)] = []
  try reader.forEachBlock { block in
    block.forEachLine { number, line in
      lines.append((number, String(decoding: line, as: UTF8.self)))
    }
  }
  return (lines, reader)
}

@Suite struct LineReaderTests {
  @Test func splitsLinesAndKeepsALastLineWithoutNewline() throws {
    let (lines, reader) = try readLines(Array("one\ntwo\nthree".utf8))
    #expect(lines.map(\.1) == ["one", "two", "three"])
    #expect(lines.map(\.0) == [1, 2, 3])
    #expect(reader.lineCount == 3)
  }

  @Test func emptyLinesAreLines() throws {
    let (lines, _) = try readLines(Array("\n\nx\n".utf8))
    #expect(lines.map(\.1) == ["", "", "x"])
  }

  @Test(arguments: [1, 2, 3, 5, 7, 64])
  func anyChunkBoundaryGivesTheSameLines(chunk: Int) throws {
    let text = "alpha\r\nbeta\r\n\r\ngamma delta\nlast\r\n"
    let (lines, reader) = try readLines(Array(text.utf8), chunk: chunk, blockSize: 4)
    #expect(lines.map(\.1) == ["alpha", "beta", "", "gamma delta", "last"])
    #expect(lines.map(\.0) == [1, 2, 3, 4, 5])
    #expect(reader.cutLineCount == 0)
  }

  /// With several buffers the blocks are the same, and each stays intact while the next
  /// `blockLifetime` blocks are read (the scan pipeline holds blocks without copying them).
  @Test(arguments: [1, 3, 7])
  func blocksOutliveTheCallbackWithSeveralBuffers(chunk: Int) throws {
    let long = String(repeating: "y", count: 50)
    let text =
      (1...300).map { $0 % 37 == 0 ? long : "line \($0) " + String(repeating: "z", count: $0 % 11) }
      .joined(separator: "\n") + "\nlast without newline"
    var single: [[UInt8]] = []
    try LineReader(source: MemorySource(Array(text.utf8), chunkLimit: chunk), blockSize: 16, maxLineLength: 40)
      .forEachBlock { single.append(Array($0.bytes)) }
    let reader = LineReader(
      source: MemorySource(Array(text.utf8), chunkLimit: chunk), blockSize: 16, maxLineLength: 40, bufferCount: 4)
    #expect(reader.blockLifetime == 3)
    var held: [(bytes: UnsafeRawBufferPointer, copy: [UInt8])] = []
    try reader.forEachBlock { block in
      held.append((block.bytes, Array(block.bytes)))
      // Every block still held (this one and the three before it) has its bytes.
      for earlier in held.suffix(4) { #expect(Array(earlier.bytes) == earlier.copy) }
    }
    #expect(held.map(\.copy) == single)
    #expect(reader.cutLineCount == 8)
  }

  @Test func crlfSplitBetweenChunksIsStripped() throws {
    // The CR ends one read and the LF starts the next.
    let (lines, _) = try readLines(Array("abc\r\ndef\r\n".utf8), chunk: 4, blockSize: 4)
    #expect(lines.map(\.1) == ["abc", "def"])
  }

  @Test func overLongLineIsCutCountedAndSkipped() throws {
    let long = String(repeating: "x", count: 100)
    let text = "short\n\(long)\nafter\n\(long)"
    let (lines, reader) = try readLines(
      Array(text.utf8), chunk: 7, blockSize: 16, maxLineLength: 20)
    #expect(lines.map(\.1) == ["short", String(repeating: "x", count: 20), "after", String(repeating: "x", count: 20)])
    #expect(lines.map(\.0) == [1, 2, 3, 4])
    #expect(reader.cutLineCount == 2)
    #expect(reader.firstCutLineNumber == 2)
  }

  @Test func invalidUTF8AndNULBytesPassThroughAsBytes() throws {
    let bytes: [UInt8] = [0x61, 0xFF, 0xFE, 0x00, 0x62, 0x0A, 0xC3, 0x28, 0x0A]
    let reader = LineReader(source: MemorySource(bytes))
    var raw: [[UInt8]] = []
    try reader.forEachBlock { block in block.forEachLine { _, line in raw.append(Array(line)) } }
    #expect(raw == [[0x61, 0xFF, 0xFE, 0x00, 0x62], [0xC3, 0x28]])
  }

  @Test func aBlocksLineCountMatchesANaiveCount() {
    for text in ["", "a", "a\n", "\n\n\n", "0123456789\n0123456\n", String(repeating: "ab\ncd", count: 37)] {
      let bytes = Array(text.utf8)
      var naive = bytes.filter { $0 == 0x0A }.count
      if let last = bytes.last, last != 0x0A { naive += 1 }
      let counted = bytes.withUnsafeBytes {
        LineBlock(bytes: $0, firstLineNumber: 1).lineCount(newlines: LineReader.countNewlines($0))
      }
      #expect(counted == naive)
    }
  }

  /// Long inputs: the counter adds 64 bytes at a time in byte lanes and sums them before they
  /// wrap, so inputs of every LF (255 per lane) and lengths around the chunk sizes are checked.
  @Test func countNewlinesMatchesANaiveCountOnLongInputs() {
    var generator = SystemRandomNumberGenerator()
    for count in [63, 64, 65, 127, 16_319, 16_320, 16_321, 16_384, 40_000, 1 << 20] {
      let everyByte = [UInt8](repeating: 0x0A, count: count)
      #expect(everyByte.withUnsafeBytes { LineReader.countNewlines($0) } == count)
      let mixed: [UInt8] = (0..<count).map { _ in UInt8.random(in: 0...4, using: &generator) == 0 ? 0x0A : 0x61 }
      let naive = mixed.filter { $0 == 0x0A }.count
      for start in [0, 1, 7] where start < count {
        let expected = mixed[start...].filter { $0 == 0x0A }.count
        #expect(
          mixed.withUnsafeBytes { LineReader.countNewlines(UnsafeRawBufferPointer(rebasing: $0[start...])) } == expected
        )
      }
      #expect(mixed.withUnsafeBytes { LineReader.countNewlines($0) } == naive)
    }
  }

  @Test func contextLinesComeFromTheBlockAndThePreviousTail() throws {
    let text = (1...50).map { "line \($0)" }.joined(separator: "\n") + "\n"
    let reader = LineReader(source: MemorySource(Array(text.utf8)), blockSize: 64)
    var found: [(Int, String)] = []
    try reader.forEachBlock { block in
      block.forEachLine { number, line in
        guard number == 40 else { return }
        let start = line.baseAddress! - block.bytes.baseAddress!
        found = block.lines(before: start, lineNumber: number, limit: 5).map {
          ($0.0, String(decoding: $0.1, as: UTF8.self))
        }
      }
    }
    #expect(found.map(\.0) == [35, 36, 37, 38, 39])
    #expect(found.map(\.1) == ["line 35", "line 36", "line 37", "line 38", "line 39"])
  }

  @Test func lastNewlineIndexMatchesANaiveSearch() {
    // Every LF position in buffers up to 40 bytes, among bytes that trip a sloppy zero-byte
    // test (0x0B is LF + 1, 0x8A is LF with the high bit set).
    var generator = SystemRandomNumberGenerator()
    let fillers: [UInt8] = [0x0B, 0x8A, 0x09, 0x41, 0xFF, 0x00]
    for length in 0...40 {
      for _ in 0..<50 {
        let bytes = (0..<length).map { _ in
          Int.random(in: 0..<6, using: &generator) == 0 ? 0x0A : fillers.randomElement(using: &generator)!
        }
        bytes.withUnsafeBytes { raw in
          for end in 0...length {
            let naive = bytes[..<end].lastIndex(of: 0x0A)
            let base = raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
            #expect(LineBlock.lastNewlineIndex(in: base, before: end) == naive)
          }
        }
      }
    }
  }
}
