internal import CPCRE2

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Why a regex did not compile: PCRE2's message and the byte offset it points at.
public struct PCRE2CompileError: Error, Sendable, Equatable, CustomStringConvertible {
  /// PCRE2's message (`missing closing parenthesis`).
  public let message: String
  /// The byte offset in the regex where PCRE2 stopped.
  public let offset: Int
  /// The PCRE2 error number.
  public let code: Int32

  /// The message in one line.
  public var description: String { "\(message) (PCRE2 error \(code) at offset \(offset))" }
}

/// A failed match attempt that is not a plain "no match".
public enum PCRE2MatchError: Error, Sendable, Equatable {
  /// The match or depth limit was hit: the regex backtracked too much on this subject.
  /// The corresponding C constants are `PCRE2_ERROR_MATCHLIMIT` and `PCRE2_ERROR_DEPTHLIMIT`.
  case limitExceeded
  /// Any other PCRE2 error, with its number.
  case failed(Int32)
}

/// A regex compiled by PCRE2 in byte mode (no UTF), JIT-compiled when the platform allows.
///
/// Immutable after creation, so it may be shared between threads; matching state lives in a
/// `PCRE2MatchScratch`, one per thread.
public final class PCRE2Regex: @unchecked Sendable {
  fileprivate let code: OpaquePointer
  /// Whether JIT compilation succeeded (else the interpreter is used).
  public let isJITCompiled: Bool
  /// The named groups: name and group number.
  public let captureNames: [(name: String, group: Int)]
  /// The number of capturing groups.
  public let captureCount: Int
  /// A byte that every match needs in the subject, when PCRE2 found one (its last required
  /// code unit): a subject without it cannot match, in either case when it is a letter (the
  /// regex may be caseless).
  public let requiredByte: UInt8?

  /// Compiles `source`. The corresponding C functions are `pcre2_compile_8` and
  /// `pcre2_jit_compile_8`.
  public init(_ source: String) throws(PCRE2CompileError) {
    var errorCode: Int32 = 0
    var errorOffset = 0
    var text = source
    let compiled = text.withUTF8 { bytes in
      pcre2_compile_8(bytes.baseAddress, bytes.count, 0, &errorCode, &errorOffset, nil)
    }
    guard let compiled else {
      var buffer = [UInt8](repeating: 0, count: 256)
      let length = pcre2_get_error_message_8(errorCode, &buffer, buffer.count)
      let message = String(decoding: buffer.prefix(max(0, Int(length))), as: UTF8.self)
      throw PCRE2CompileError(message: message, offset: errorOffset, code: errorCode)
    }
    code = compiled
    isJITCompiled = pcre2_jit_compile_8(compiled, PCRE2_JIT_COMPLETE) == 0
    var count: UInt32 = 0
    pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_CAPTURECOUNT), &count)
    captureCount = Int(count)
    var lastType: UInt32 = 0
    var lastUnit: UInt32 = 0
    pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_LASTCODETYPE), &lastType)
    pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_LASTCODEUNIT), &lastUnit)
    requiredByte = lastType == 1 && lastUnit <= 0xFF ? UInt8(lastUnit) : nil
    var nameCount: UInt32 = 0
    var entrySize: UInt32 = 0
    var table: UnsafePointer<UInt8>?
    pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_NAMECOUNT), &nameCount)
    pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_NAMEENTRYSIZE), &entrySize)
    pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_NAMETABLE), &table)
    var names: [(String, Int)] = []
    if let table, nameCount > 0 {
      for entry in 0..<Int(nameCount) {
        let base = table + entry * Int(entrySize)
        let group = Int(base[0]) << 8 | Int(base[1])
        var length = 0
        while length < Int(entrySize) - 2 && base[2 + length] != 0 { length += 1 }
        let name = String(decoding: UnsafeBufferPointer(start: base + 2, count: length), as: UTF8.self)
        names.append((name, group))
      }
    }
    captureNames = names
  }

  deinit { pcre2_code_free_8(code) }

  /// Matches the regex against `subject`; returns the group ranges (nil for unset groups) or
  /// nil when there is no match. The corresponding C functions are `pcre2_jit_match_8` and
  /// `pcre2_match_8`.
  public func match(_ subject: UnsafeRawBufferPointer, scratch: PCRE2MatchScratch) throws(PCRE2MatchError)
    -> [Range<Int>?]?
  {
    guard try matches(subject, scratch: scratch) else { return nil }
    let pairs = min(captureCount + 1, Int(pcre2_get_ovector_count_8(scratch.matchData)))
    return (0..<pairs).map { groupRange($0, subjectCount: subject.count, scratch: scratch) }
  }

  /// The range of group `group` (0 is the whole match) in the subject of the last successful
  /// `matches` or `match` with `scratch`, or nil when it did not take part.
  public func groupRange(_ group: Int, subjectCount: Int, scratch: PCRE2MatchScratch) -> Range<Int>? {
    guard group <= captureCount, group < Int(pcre2_get_ovector_count_8(scratch.matchData)) else { return nil }
    let ovector = pcre2_get_ovector_pointer_8(scratch.matchData)!
    let start = ovector[2 * group]
    let end = ovector[2 * group + 1]
    // PCRE2_UNSET is ~0, which reads as -1 here.
    guard start >= 0 && end >= start && end <= subjectCount else { return nil }
    return start..<end
  }

  /// False when `text` lacks `requiredByte` (in either case, for a letter): then neither it nor
  /// any part of it can match. True otherwise (it may match).
  public func mayMatch(within text: UnsafeRawBufferPointer) -> Bool {
    guard let byte = requiredByte else { return true }
    guard let base = text.baseAddress, text.count > 0 else { return false }
    if memchr(base, Int32(byte), text.count) != nil { return true }
    let letter = byte | 0x20
    guard letter >= UInt8(ascii: "a") && letter <= UInt8(ascii: "z") else { return false }
    return memchr(base, Int32(byte ^ 0x20), text.count) != nil
  }

  /// Whether the regex matches anywhere in `subject`.
  public func matches(_ subject: UnsafeRawBufferPointer, scratch: PCRE2MatchScratch) throws(PCRE2MatchError) -> Bool {
    let pointer =
      subject.baseAddress?.assumingMemoryBound(to: UInt8.self)
      ?? UnsafePointer(scratch.emptySubject)
    let result =
      isJITCompiled
      ? pcre2_jit_match_8(code, pointer, subject.count, 0, 0, scratch.matchData, scratch.context)
      : pcre2_match_8(code, pointer, subject.count, 0, 0, scratch.matchData, scratch.context)
    if result >= 0 { return true }
    if result == PCRE2_ERROR_NOMATCH { return false }
    if result == PCRE2_ERROR_MATCHLIMIT || result == PCRE2_ERROR_DEPTHLIMIT
      || result == PCRE2_ERROR_HEAPLIMIT || result == PCRE2_ERROR_JIT_STACKLIMIT
    {
      throw .limitExceeded
    }
    throw .failed(result)
  }
}

/// Per-thread matching state: match data, a match context with limits, and a JIT stack.
public final class PCRE2MatchScratch {
  fileprivate let matchData: OpaquePointer
  fileprivate let context: OpaquePointer
  private let jitStack: OpaquePointer?
  fileprivate let emptySubject: UnsafeMutablePointer<UInt8>

  /// Creates scratch space for regexes with up to `maxCaptureCount` groups.
  ///
  /// `matchLimit` bounds backtracking steps and `depthLimit` the nesting of backtracking, so
  /// that no regex can hang on a hostile line.
  public init(maxCaptureCount: Int = 32, matchLimit: UInt32 = 1_000_000, depthLimit: UInt32 = 10_000) {
    matchData = pcre2_match_data_create_8(UInt32(maxCaptureCount + 1), nil)!
    context = pcre2_match_context_create_8(nil)!
    pcre2_set_match_limit_8(context, matchLimit)
    pcre2_set_depth_limit_8(context, depthLimit)
    pcre2_set_heap_limit_8(context, 20_000)  // KiB
    jitStack = pcre2_jit_stack_create_8(32 * 1024, 4 * 1024 * 1024, nil)
    if let jitStack { pcre2_jit_stack_assign_8(context, nil, UnsafeMutableRawPointer(jitStack)) }
    emptySubject = .allocate(capacity: 1)
    emptySubject.initialize(to: 0)
  }

  deinit {
    pcre2_match_data_free_8(matchData)
    pcre2_match_context_free_8(context)
    if let jitStack { pcre2_jit_stack_free_8(jitStack) }
    emptySubject.deallocate()
  }
}

extension PCRE2Regex {
  /// `text` with every match replaced by `replacement`, in which `$1`...`$9` stand for the
  /// numbered groups (an unset group is empty).
  public func replacingMatches(in text: String, with replacement: String, scratch: PCRE2MatchScratch) -> String {
    PCRE2Regex.applying([(self, replacement)], to: text, scratch: scratch)
  }

  /// `text` with the matches of each rule's regex replaced in turn (as `replacingMatches`
  /// does), working on its bytes once; `text` itself when no rule matched.
  public static func applying(
    _ rules: [(regex: PCRE2Regex, replacement: String)], to text: String, scratch: PCRE2MatchScratch
  ) -> String {
    var bytes = Array(text.utf8)
    var changed = false
    for (regex, replacement) in rules {
      if let replaced = regex.replacingMatches(in: bytes, with: replacement, scratch: scratch) {
        bytes = replaced
        changed = true
      }
    }
    return changed ? String(decoding: bytes, as: UTF8.self) : text
  }

  /// `bytes` with every match replaced, or nil when nothing matched (no copy is made then).
  private func replacingMatches(in bytes: [UInt8], with replacement: String, scratch: PCRE2MatchScratch) -> [UInt8]? {
    bytes.withUnsafeBytes { all -> [UInt8]? in
      guard let first = try? match(all, scratch: scratch), first[0] != nil else { return nil }
      let template = Array(replacement.utf8)
      var output: [UInt8] = []
      output.reserveCapacity(bytes.count)
      var offset = 0
      var groups: [Range<Int>?]? = first
      while let found = groups, let whole = found[0] {
        output += all[offset..<(offset + whole.lowerBound)]
        var index = 0
        while index < template.count {
          if template[index] == UInt8(ascii: "$"), index + 1 < template.count,
            (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(template[index + 1])
          {
            let digit = Int(template[index + 1] - UInt8(ascii: "0"))
            if digit < found.count, let group = found[digit] {
              output += all[(offset + group.lowerBound)..<(offset + group.upperBound)]
            }
            index += 2
            continue
          }
          output.append(template[index])
          index += 1
        }
        if whole.isEmpty {
          if offset + whole.upperBound < all.count { output.append(all[offset + whole.upperBound]) }
          offset += whole.upperBound + 1
        } else {
          offset += whole.upperBound
        }
        guard offset <= all.count else { break }
        groups = try? match(UnsafeRawBufferPointer(rebasing: all[offset...]), scratch: scratch)
      }
      if offset < all.count { output += all[offset...] }
      return output
    }
  }
}
