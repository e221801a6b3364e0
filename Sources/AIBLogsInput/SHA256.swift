/// SHA-256 (FIPS 180-4), streaming, in plain Swift: for the input digest in reports and for
/// finding fingerprints.
public struct SHA256 {
  private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (
    0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19
  )
  private var pending: [UInt8] = []
  private var length: UInt64 = 0

  private static let k: [UInt32] = [
    0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
    0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
    0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
    0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
    0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
    0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
    0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
    0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
  ]

  /// A new digest.
  public init() { pending.reserveCapacity(64) }

  /// Adds bytes.
  public mutating func update(_ bytes: UnsafeRawBufferPointer) {
    length &+= UInt64(bytes.count)
    var index = 0
    if !pending.isEmpty {
      while index < bytes.count && pending.count < 64 {
        pending.append(bytes[index])
        index += 1
      }
      if pending.count == 64 {
        let block = pending
        block.withUnsafeBytes { compress($0) }
        pending.removeAll(keepingCapacity: true)
      }
    }
    while index + 64 <= bytes.count {
      compress(UnsafeRawBufferPointer(rebasing: bytes[index..<(index + 64)]))
      index += 64
    }
    while index < bytes.count {
      pending.append(bytes[index])
      index += 1
    }
  }

  /// Adds the UTF-8 bytes of `text`.
  public mutating func update(_ text: String) {
    var text = text
    text.withUTF8 { update(UnsafeRawBufferPointer($0)) }
  }

  /// The digest as 64 lowercase hex digits.
  public mutating func finalize() -> String {
    let bitLength = length &* 8
    var padding: [UInt8] = [0x80]
    let used = Int(length % 64)
    let zeros = (used < 56 ? 55 - used : 119 - used)
    padding += [UInt8](repeating: 0, count: zeros)
    for shift in stride(from: 56, through: 0, by: -8) {
      padding.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
    }
    let savedLength = length
    padding.withUnsafeBytes { update($0) }
    length = savedLength
    let words = [state.0, state.1, state.2, state.3, state.4, state.5, state.6, state.7]
    return words.map { word in
      let hex = String(word, radix: 16)
      return String(repeating: "0", count: 8 - hex.count) + hex
    }.joined()
  }

  /// The digest of `text`.
  public static func hex(_ text: String) -> String {
    var digest = SHA256()
    digest.update(text)
    return digest.finalize()
  }

  private mutating func compress(_ block: UnsafeRawBufferPointer) {
    let current = state
    state = withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
      for i in 0..<16 {
        w[i] =
          UInt32(block[i * 4]) << 24 | UInt32(block[i * 4 + 1]) << 16 | UInt32(block[i * 4 + 2]) << 8
          | UInt32(block[i * 4 + 3])
      }
      for i in 16..<64 {
        let s0 = w[i - 15].rotateRight(7) ^ w[i - 15].rotateRight(18) ^ (w[i - 15] >> 3)
        let s1 = w[i - 2].rotateRight(17) ^ w[i - 2].rotateRight(19) ^ (w[i - 2] >> 10)
        w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
      }
      var (a, b, c, d, e, f, g, h) = current
      SHA256.k.withUnsafeBufferPointer { k in
        for i in 0..<64 {
          let s1 = e.rotateRight(6) ^ e.rotateRight(11) ^ e.rotateRight(25)
          let choice = (e & f) ^ (~e & g)
          let temp1 = h &+ s1 &+ choice &+ k[i] &+ w[i]
          let s0 = a.rotateRight(2) ^ a.rotateRight(13) ^ a.rotateRight(22)
          let majority = (a & b) ^ (a & c) ^ (b & c)
          let temp2 = s0 &+ majority
          h = g
          g = f
          f = e
          e = d &+ temp1
          d = c
          c = b
          b = a
          a = temp1 &+ temp2
        }
      }
      return (
        current.0 &+ a, current.1 &+ b, current.2 &+ c, current.3 &+ d, current.4 &+ e, current.5 &+ f,
        current.6 &+ g, current.7 &+ h
      )
    }
  }
}

extension UInt32 {
  fileprivate func rotateRight(_ count: UInt32) -> UInt32 { (self >> count) | (self << (32 - count)) }
}

/// A source that passes bytes through and hashes them, for the digest of the raw input file.
public final class HashingSource: ByteSource {
  private let base: ByteSource
  private var digest = SHA256()

  /// Wraps `base`.
  public init(base: ByteSource) { self.base = base }

  /// Reads from the base source and hashes what was read.
  public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
    let count = try base.read(into: buffer)
    if count > 0 { digest.update(UnsafeRawBufferPointer(rebasing: buffer[..<count])) }
    return count
  }

  /// The SHA-256 of everything read so far.
  public func hexDigest() -> String {
    var copy = digest
    return copy.finalize()
  }
}
