import Testing

@testable import AIBLogsInput

@Suite struct SHA256Tests {
  @Test func knownDigests() {
    #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(
      SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
        == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    #expect(
      SHA256.hex(String(repeating: "a", count: 1000))
        == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
  }

  @Test func chunkedUpdatesGiveTheSameDigest() {
    let text = Array(String(repeating: "customization.log line\n", count: 97).utf8)
    var digest = SHA256()
    var offset = 0
    for size in [1, 63, 64, 65, 7, 200, 1000] where offset < text.count {
      let end = min(text.count, offset + size)
      text[offset..<end].withUnsafeBytes { digest.update($0) }
      offset = end
    }
    text[offset...].withUnsafeBytes { digest.update($0) }
    #expect(digest.finalize() == SHA256.hex(String(decoding: text, as: UTF8.self)))
  }
}
