import Testing

@testable import AIBLogsInput

/// A source that yields some bytes and then fails, as a damaged gzip stream does.
final class FailingSource: ByteSource {
  private let inner: MemorySource
  private let error: InputError

  init(_ bytes: [UInt8], error: InputError) {
    inner = MemorySource(bytes, chunkLimit: 1000)
    self.error = error
  }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
    let count = try inner.read(into: buffer)
    if count == 0 { throw error }
    return count
  }
}

@Suite struct ReadAheadSourceTests {
  func drain(_ source: ByteSource, readSize: Int) -> (bytes: [UInt8], error: InputError?) {
    var bytes: [UInt8] = []
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: readSize, alignment: 1)
    defer { buffer.deallocate() }
    do {
      while true {
        let count = try source.read(into: buffer)
        if count == 0 { return (bytes, nil) }
        bytes += buffer[..<count]
      }
    } catch {
      return (bytes, error)
    }
  }

  @Test(arguments: [1, 7, 4096, 1 << 16])
  func deliversEveryByteInOrder(readSize: Int) {
    let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 7) }
    let source = ReadAheadSource(base: MemorySource(bytes, chunkLimit: 5000), slotCount: 3, slotSize: 4096)
    let result = drain(source, readSize: readSize)
    #expect(result.error == nil)
    #expect(result.bytes == bytes)
  }

  @Test func deliversTheBytesBeforeAnErrorThenTheError() {
    let bytes = Array(repeating: UInt8(ascii: "x"), count: 50_000)
    let source = ReadAheadSource(
      base: FailingSource(bytes, error: .truncatedGzip(path: "t.gz")), slotCount: 2, slotSize: 1024)
    let result = drain(source, readSize: 333)
    #expect(result.bytes == bytes)
    #expect(result.error == .truncatedGzip(path: "t.gz"))
  }

  @Test func droppingItEarlyStopsTheProducer() {
    for _ in 0..<50 {
      let source = ReadAheadSource(
        base: MemorySource(Array(repeating: 1, count: 1 << 20)), slotCount: 2, slotSize: 1024)
      let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 10, alignment: 1)
      _ = try? source.read(into: buffer)
      buffer.deallocate()
    }
  }

  @Test func anEmptySourceEndsAtOnce() {
    let result = drain(ReadAheadSource(base: MemorySource([])), readSize: 100)
    #expect(result.bytes.isEmpty && result.error == nil)
  }
}
