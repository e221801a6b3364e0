/// The stream a customization.log line came from.
public enum LogStream: String, Sendable, Equatable {
  /// Old format `PACKER OUT`: Packer's UI output (no timestamp).
  case packerOut = "out"
  /// Old format `PACKER ERR`: Packer's debug log (not an error by itself).
  case packerErr = "err"
  /// New format `PACKER <timestamp>`, or `PACKER` alone.
  case packer
  /// A Packer debug line without any `PACKER` prefix (plain `PACKER_LOG` output).
  case packerLog = "packer-log"
  /// Anything else: status text, CI output, pasted excerpts.
  case other
}

/// The UI marker of a Packer line.
public enum UIMarker: String, Sendable, Equatable {
  /// No marker.
  case none
  /// `==> builder: ...`: a step or say line (and, in new logs, remote output).
  case say
  /// `    builder: ...`: remote output.
  case output
  /// `--> builder: ...`: the final error summary.
  case error
}

/// A calendar time with whole seconds and no zone, as Packer prints it.
public struct LogTimestamp: Sendable, Equatable, Comparable, Hashable {
  /// Seconds since 1970-01-01 00:00:00 in the log's own (unknown, probably UTC) zone.
  public let seconds: Int64

  /// Creates a timestamp from seconds since the epoch.
  @inlinable public init(seconds: Int64) { self.seconds = seconds }

  /// Creates a timestamp from calendar fields (proleptic Gregorian).
  public init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
    // Days from civil (Howard Hinnant's algorithm).
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = (month + 9) % 12
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    let days = era * 146097 + doe - 719468
    seconds = Int64(days) * 86400 + Int64(hour * 3600 + minute * 60 + second)
  }

  /// Orders by time (for timestamps) or by seriousness (for severities).
  public static func < (lhs: LogTimestamp, rhs: LogTimestamp) -> Bool { lhs.seconds < rhs.seconds }

  /// `YYYY-MM-DD HH:MM:SS`.
  public var formatted: String {
    let days = Int(seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400)
    let secondsOfDay = Int(seconds - Int64(days) * 86400)
    let z = days + 719468
    let era = (z >= 0 ? z : z - 146096) / 146097
    let doe = z - era * 146097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let day = doy - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
    return
      "\(year)-\(two(month))-\(two(day)) \(two(secondsOfDay / 3600)):\(two(secondsOfDay / 60 % 60)):\(two(secondsOfDay % 60))"
  }
}

/// The parts of one log line, found in one left-to-right pass without regexes.
///
/// Ranges are byte offsets into the line the structure was parsed from.
public struct LogLineStructure: Sendable, Equatable {
  // The parts are stored compactly and read through the properties below (computed, or
  // wrapped by `CompactRange`): offsets as `UInt32`, a missing range as `Offsets.none`, a
  // timestamp as its seconds and a flag. That
  // makes the structure 61 bytes instead of 144 with `Range<Int>?` and `LogTimestamp?` fields:
  // the analysis parses ~767,000 candidate lines per GB and copies each structure it keeps into
  // a `MatchedLine`, and at 144 bytes every copy was a `memcpy` call.
  // Offsets must fit in `UInt32`: `init(parsing:memo:)` checks the line's length once (the
  // reader's `--max-line-length` is at most 1 GiB), and the setters trap on a range that
  // does not fit, rather than storing a wrong one.

  /// A range of byte offsets, or none (`lower > upper`, which no range has).
  @usableFromInline
  struct Offsets: Sendable, Equatable {
    @usableFromInline var lower: UInt32
    @usableFromInline var upper: UInt32

    /// No range.
    @usableFromInline static let none = Offsets(lower: 1, upper: 0)

    @usableFromInline
    init(lower: UInt32, upper: UInt32) {
      self.lower = lower
      self.upper = upper
    }

    /// `range`'s offsets (they must fit in `UInt32`), or `none`.
    @inlinable
    init(_ range: Range<Int>?) {
      guard let range else {
        self = .none
        return
      }
      self.init(lower: UInt32(range.lowerBound), upper: UInt32(range.upperBound))
    }

    /// The range, or nil for `none`.
    @inlinable
    var range: Range<Int>? {
      lower <= upper ? Range(uncheckedBounds: (Int(lower), Int(upper))) : nil
    }
  }

  @usableFromInline var timestampSeconds: Int64 = 0
  @usableFromInline var pluginTimestampSeconds: Int64 = 0
  @usableFromInline var messageOffsets: Offsets
  /// Which Packer stream the line belongs to.
  public var stream: LogStream = .other
  /// Whether the line carries `ui:` (false) or `ui error:` (true); nil when neither.
  public var uiError: Bool?
  /// The UI marker.
  public var marker: UIMarker = .none
  /// Whether `timestampSeconds` holds a timestamp (its seconds are 0 when not, so that `==`
  /// compares what the properties show).
  @usableFromInline var hasTimestamp = false
  /// Whether `pluginTimestampSeconds` holds a timestamp (0 when not).
  @usableFromInline var hasPluginTimestamp = false

  /// An optional range kept as `Offsets`: the optional ranges below.
  @propertyWrapper
  public struct CompactRange: Sendable, Equatable {
    @usableFromInline var offsets: Offsets

    /// A range, or none.
    @inlinable public init(wrappedValue: Range<Int>?) { offsets = Offsets(wrappedValue) }

    /// The range, or nil.
    @inlinable public var wrappedValue: Range<Int>? {
      get { offsets.range }
      set { offsets = Offsets(newValue) }
    }
  }

  /// The CI timestamp prefix (Azure DevOps or Jenkins), if any.
  @CompactRange public var ciPrefix: Range<Int>? = nil
  /// The operation id inside `[...]`, if any.
  @CompactRange public var operationID: Range<Int>? = nil
  /// The timestamp after `PACKER` (or at the start of a plain Packer log line).
  @inlinable public var timestamp: LogTimestamp? {
    get { Self.timestamp(hasTimestamp, timestampSeconds) }
    set { (hasTimestamp, timestampSeconds) = Self.stored(newValue) }
  }
  /// The plugin name (`packer-plugin-azure_v2.5.1_x5.0_linux_amd64`, `packer`), if any.
  @CompactRange public var plugin: Range<Int>? = nil
  /// The plugin's own timestamp, if any.
  @inlinable public var pluginTimestamp: LogTimestamp? {
    get { Self.timestamp(hasPluginTimestamp, pluginTimestampSeconds) }
    set { (hasPluginTimestamp, pluginTimestampSeconds) = Self.stored(newValue) }
  }
  /// The builder name after the marker (`azure-arm`), if any.
  @CompactRange public var builder: Range<Int>? = nil
  /// The message: the line after every recognised prefix.
  @inlinable public var message: Range<Int> {
    get { Range(uncheckedBounds: (Int(messageOffsets.lower), Int(messageOffsets.upper))) }
    set { messageOffsets = Offsets(newValue) }
  }

  /// A stored timestamp (its flag and seconds) as the optional the properties show.
  @inlinable static func timestamp(_ isSet: Bool, _ seconds: Int64) -> LogTimestamp? {
    isSet ? LogTimestamp(seconds: seconds) : nil
  }

  /// How a timestamp is stored: its flag, and its seconds (0 when there is none, so that `==`
  /// compares what the properties show).
  @inlinable static func stored(_ timestamp: LogTimestamp?) -> (Bool, Int64) {
    (timestamp != nil, timestamp?.seconds ?? 0)
  }

  /// What the lines parsed before held, so that the parts a line repeats from them are compared
  /// instead of parsed again: the operation id of a run and its timestamps repeat from line to
  /// line. Keep one per sequence of lines (it is not shared between threads).
  public struct Memo {
    /// The last bracketed GUID that was read: its 36 bytes as four words and a half word.
    fileprivate var guid: (UInt64, UInt64, UInt64, UInt64, UInt32)?
    /// The last slash timestamp that was read: its three words (as `matchSlashTimestamp` loads
    /// them) and its value.
    fileprivate var timestamp: (date: UInt64, day: UInt64, time: UInt64, value: LogTimestamp)?

    /// Nothing remembered yet.
    public init() {}
  }

  /// Parses `line` (without its LF or trailing CR).
  public init(parsing line: UnsafeRawBufferPointer) {
    var memo = Memo()
    self.init(parsing: line, memo: &memo)
  }

  /// Parses `line` (without its LF or trailing CR), comparing its operation id and timestamps
  /// with those `memo` remembers from the lines before (the same result, with less work).
  public init(parsing line: UnsafeRawBufferPointer, memo: inout Memo) {
    // Every offset is at most the line's length: one check here, then unchecked conversions.
    // A longer line would need a `--max-line-length` of 4 GiB or more (and buffers that big).
    precondition(line.count <= UInt32.max, "a line longer than 4 GiB")
    func offsets(_ lower: Int, _ upper: Int) -> Offsets {
      Offsets(lower: UInt32(truncatingIfNeeded: lower), upper: UInt32(truncatingIfNeeded: upper))
    }
    var cursor = LineCursor(line)
    messageOffsets = offsets(0, line.count)
    cursor.skipPasteDecoration()
    if let end = cursor.matchCITimestamp() {
      _ciPrefix.offsets = offsets(cursor.index, end)
      cursor.index = end
    }
    if let id = cursor.matchOperationID(memo: &memo) {
      _operationID.offsets = offsets(id.id.lowerBound, id.id.upperBound)
      cursor.index = id.end
    }
    if cursor.consume("PACKER ") {
      if cursor.consume("OUT ") {
        stream = .packerOut
      } else if cursor.consume("ERR ") {
        stream = .packerErr
      } else {
        stream = .packer
      }
      if let time = cursor.matchSlashTimestamp(memo: &memo) { timestamp = time }
    } else if cursor.consumeExact("PACKER OUT") || cursor.consumeExact("PACKER ERR") {
      stream = line[cursor.index - 1] == UInt8(ascii: "T") ? .packerOut : .packerErr
    } else if cursor.consumeExact("PACKER") {
      stream = .packer
    } else if let time = cursor.matchSlashTimestamp(memo: &memo) {
      stream = .packerLog
      timestamp = time
    }
    if stream != .other {
      if let plugin = cursor.matchPlugin() {
        _plugin.offsets = offsets(plugin.lowerBound, plugin.upperBound)
        if let time = cursor.matchSlashTimestamp(memo: &memo) { pluginTimestamp = time }
      }
      if cursor.consume("ui error: ") {
        uiError = true
      } else if cursor.consume("ui: ") {
        uiError = false
      }
      let (marker, builder) = cursor.matchUIMarker()
      self.marker = marker
      if let builder { _builder.offsets = offsets(builder.lowerBound, builder.upperBound) }
    } else if cursor.startsWith("==> ") || cursor.startsWith("--> ") || cursor.startsWithBareBuilderOutput() {
      // Packer's UI output pasted without any log prefix (a terminal, a CI step).
      let (marker, builder) = cursor.matchUIMarker()
      self.marker = marker
      if let builder { _builder.offsets = offsets(builder.lowerBound, builder.upperBound) }
    }
    messageOffsets = offsets(cursor.index, line.count)
  }

  /// The message part of a line given as text.
  public static func message(of text: String) -> String {
    var bytes = Array(text.utf8)
    return bytes.withUnsafeMutableBytes { raw in
      let line = UnsafeRawBufferPointer(raw)
      let structure = LogLineStructure(parsing: line)
      return String(decoding: UnsafeRawBufferPointer(rebasing: line[structure.message]), as: UTF8.self)
    }
  }

  /// The best timestamp of the line: the Packer one, else the plugin one.
  public var bestTimestamp: LogTimestamp? { timestamp ?? pluginTimestamp }

  /// Whether the line is output shown to the user (a `ui` line, `PACKER OUT`, or a marker).
  public var isUserOutput: Bool {
    uiError != nil || stream == .packerOut || marker != .none
  }
}

/// A byte cursor over one line, with the small matchers the structure parser needs.
struct LineCursor {
  let bytes: UnsafeRawBufferPointer
  var index = 0

  init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

  @inline(__always)
  func byte(_ at: Int) -> UInt8? { at < bytes.count ? bytes[at] : nil }

  @inline(__always)
  func isDigit(_ at: Int) -> Bool {
    guard let value = byte(at) else { return false }
    return value >= 0x30 && value <= 0x39
  }

  @inline(__always)
  func digits(_ at: Int, _ count: Int) -> Int? {
    guard at >= 0, at + count <= bytes.count else { return nil }
    var value = 0
    for offset in 0..<count {
      let digit = bytes[at + offset] &- 0x30
      guard digit < 10 else { return nil }
      value = value &* 10 &+ Int(digit)
    }
    return value
  }

  /// Consumes `text` followed by anything.
  @inline(__always)
  mutating func consume(_ text: StaticString) -> Bool {
    let count = text.utf8CodeUnitCount
    guard index + count <= bytes.count else { return false }
    let pointer = text.utf8Start
    for offset in 0..<count where bytes[index + offset] != pointer[offset] { return false }
    index += count
    return true
  }

  /// Whether the rest of the line starts with `text`.
  @inline(__always)
  func startsWith(_ text: StaticString) -> Bool {
    let count = text.utf8CodeUnitCount
    guard index + count <= bytes.count else { return false }
    let pointer = text.utf8Start
    for offset in 0..<count where bytes[index + offset] != pointer[offset] { return false }
    return true
  }

  /// Skips what pasting a log into an issue or a chat adds in front of a line: Markdown quote
  /// markers (`> `, with the spaces after them) and the bold marker of a line wrapped in `**`.
  mutating func skipPasteDecoration() {
    while index < bytes.count {
      if bytes[index] == UInt8(ascii: ">") && (byte(index + 1) == UInt8(ascii: " ") || byte(index + 1) == nil) {
        index += 1
        while byte(index) == UInt8(ascii: " ") { index += 1 }
      } else if bytes[index] == UInt8(ascii: "*") && byte(index + 1) == UInt8(ascii: "*")
        && byte(index + 2) != UInt8(ascii: "*") && byte(index + 2) != UInt8(ascii: " ")
        && bytes.count >= index + 4 && bytes[bytes.count - 1] == UInt8(ascii: "*")
        && bytes[bytes.count - 2] == UInt8(ascii: "*")
      {
        // A line wrapped in bold: `**PACKER OUT ...**` (not dpkg's `*** file (Y/I/N/O/D/Z)`).
        index += 2
      } else {
        return
      }
    }
  }

  /// Whether the rest is Packer's remote-output form without a log prefix:
  /// four spaces, a builder name with `azure` in it, a colon.
  func startsWithBareBuilderOutput() -> Bool {
    guard startsWith("    ") else { return false }
    var at = index + 4
    let start = at
    while let value = byte(at), value != UInt8(ascii: ":"), value != UInt8(ascii: " "), at - start < 64 { at += 1 }
    guard byte(at) == UInt8(ascii: ":"), at > start else { return false }
    let name = UnsafeRawBufferPointer(rebasing: bytes[start..<at])
    return name.starts(with: "azure".utf8)
  }

  /// Consumes `text` when it is the whole rest of the line.
  @inline(__always)
  mutating func consumeExact(_ text: StaticString) -> Bool {
    guard bytes.count - index == text.utf8CodeUnitCount else { return false }
    return consume(text)
  }

  /// `2025-02-13T17:20:26.8254142Z ` (Azure DevOps) or `10:12:25  ` (Jenkins) at the start.
  func matchCITimestamp() -> Int? {
    let at = index
    if digits(at, 4) != nil, byte(at + 4) == UInt8(ascii: "-"), digits(at + 5, 2) != nil,
      byte(at + 7) == UInt8(ascii: "-"), digits(at + 8, 2) != nil, byte(at + 10) == UInt8(ascii: "T"),
      digits(at + 11, 2) != nil, byte(at + 13) == UInt8(ascii: ":"), digits(at + 14, 2) != nil,
      byte(at + 16) == UInt8(ascii: ":"), digits(at + 17, 2) != nil
    {
      var end = at + 19
      if byte(end) == UInt8(ascii: ".") {
        end += 1
        while isDigit(end) { end += 1 }
      }
      guard byte(end) == UInt8(ascii: "Z"), byte(end + 1) == UInt8(ascii: " ") else { return nil }
      return end + 2
    }
    if digits(at, 2) != nil, byte(at + 2) == UInt8(ascii: ":"), digits(at + 3, 2) != nil,
      byte(at + 5) == UInt8(ascii: ":"), digits(at + 6, 2) != nil, byte(at + 8) == UInt8(ascii: " "),
      byte(at + 9) == UInt8(ascii: " ")
    {
      return at + 10
    }
    return nil
  }

  /// `[<hex and dashes>] ` at the cursor; also the form whose `[` was lost in a paste.
  func matchOperationID() -> (id: Range<Int>, end: Int)? {
    var memo = LogLineStructure.Memo()
    return matchOperationID(memo: &memo)
  }

  /// `matchOperationID()`, comparing a bracketed GUID with the one `memo` remembers first.
  func matchOperationID(memo: inout LogLineStructure.Memo) -> (id: Range<Int>, end: Int)? {
    guard let base = bytes.baseAddress else { return nil }
    var at = index
    let bracket = byte(at) == UInt8(ascii: "[")
    if bracket { at += 1 }
    let start = at
    // The common case, a bracketed GUID (`[8-4-4-4-12]`): its fixed bytes, then its 32 hex
    // digits eight at a time (the loop below tests and branches on every byte). Anything else
    // (other id bytes, other lengths) is left to the loop.
    if bracket && start + 37 <= bytes.count && base.load(fromByteOffset: start + 36, as: UInt8.self) == 0x5D {
      func word(_ offset: Int) -> UInt64 { base.loadUnaligned(fromByteOffset: start + offset, as: UInt64.self) }
      func half(_ offset: Int) -> UInt64 { UInt64(base.loadUnaligned(fromByteOffset: start + offset, as: UInt32.self)) }
      let guid = (word(0), word(8), word(16), word(24), UInt32(truncatingIfNeeded: half(32)))
      let close = start + 36
      let found = (start..<close, byte(close + 1) == UInt8(ascii: " ") ? close + 2 : close + 1)
      // The remembered GUID has its dashes: compared first, they need no test of their own
      // (matchOperationID 5.9 -> 5.4 M instructions for 81,092 lines of p100.log).
      if let last = memo.guid, last == guid { return found }
      if base.load(fromByteOffset: start + 8, as: UInt8.self) == 0x2D
        && base.load(fromByteOffset: start + 13, as: UInt8.self) == 0x2D
        && base.load(fromByteOffset: start + 18, as: UInt8.self) == 0x2D
        && base.load(fromByteOffset: start + 23, as: UInt8.self) == 0x2D
        && LineCursor.allHexDigits(word(0)) && LineCursor.allHexDigits(half(9) | half(14) << 32)
        && LineCursor.allHexDigits(half(19) | half(24) << 32) && LineCursor.allHexDigits(word(28))
      {
        memo.guid = guid
        return found
      }
    }
    let limit = min(bytes.count, start + 41)
    while at < limit && LineCursor.isOperationIDByte(base.load(fromByteOffset: at, as: UInt8.self)) { at += 1 }
    let length = at - start
    guard length >= 8, byte(at) == UInt8(ascii: "]") else { return nil }
    if !bracket && length < 32 { return nil }
    let end = byte(at + 1) == UInt8(ascii: " ") ? at + 2 : at + 1
    return (start..<at, end)
  }

  /// Hex digits, `-`, and the `x`, `*` and `.` of redacted ids: one bit test per byte.
  /// Whether each of the eight bytes of `word` is a hex digit (`0-9`, `a-f`, `A-F`), without a
  /// branch per byte.
  @inline(__always)
  static func allHexDigits(_ word: UInt64) -> Bool {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let top = ones &* 0x80
    return word & top == 0 && within(word, 0x30, 0x39) | within(word | ones &* 0x20, 0x61, 0x66) == top
  }

  @inline(__always)
  static func isOperationIDByte(_ value: UInt8) -> Bool {
    // Bits 0x2A `*`, 0x2D `-`, 0x2E `.`, 0x30...0x39; then (value - 64) bits 0x41...0x46,
    // 0x61...0x66 and 0x78 `x`.
    // Without branches: digits and letters alternate at random in an id, so branches on the
    // byte's range mispredict.
    inBitmap(value, low: 0x03FF_6400_0000_0000, high: 0x0100_007E_0000_007E)
  }

  /// Whether bit `value` is set in the 128-bit set `high:low` (bytes 0x80 and above are not).
  @inline(__always)
  static func inBitmap(_ value: UInt8, low: UInt64, high: UInt64) -> Bool {
    let bits = value < 64 ? low : (value < 128 ? high : 0)
    return (bits >> UInt64(value & 63)) & 1 != 0
  }

  /// `YYYY/MM/DD HH:MM:SS` plus one space, at the cursor. Read as three words, checked and
  /// decoded without a branch per byte (most candidate lines hold one or two of these).
  mutating func matchSlashTimestamp() -> LogTimestamp? {
    var memo = LogLineStructure.Memo()
    return matchSlashTimestamp(memo: &memo)
  }

  /// `matchSlashTimestamp()`, comparing the timestamp with the one `memo` remembers first.
  /// Inlined into the parser (three calls per line, most returning at the memo or the template
  /// test): the parse 49.9 -> 47.7 M instructions for 81,092 lines of p100.log.
  @inline(__always)
  mutating func matchSlashTimestamp(memo: inout LogLineStructure.Memo) -> LogTimestamp? {
    let at = index
    guard at + 19 <= bytes.count, let base = bytes.baseAddress else { return nil }
    let date = base.loadUnaligned(fromByteOffset: at, as: UInt64.self)  // YYYY/MM/
    let day = UInt64(base.loadUnaligned(fromByteOffset: at + 8, as: UInt32.self))  // DD H (H: in `time`)
    let time = base.loadUnaligned(fromByteOffset: at + 11, as: UInt64.self)  // HH:MM:SS
    if let last = memo.timestamp, last.date == date, last.day == day, last.time == time {
      index = at + 19
      if byte(index) == UInt8(ascii: " ") { index += 1 }
      return last.value
    }
    guard
      LineCursor.matchesTemplate(
        date, digits: 0x0080_8000_8080_8080, separatorMask: 0xFF00_00FF_0000_0000, separators: 0x2F00_002F_0000_0000),
      LineCursor.matchesTemplate(day, digits: 0x0000_8080, separatorMask: 0x00FF_0000, separators: 0x0020_0000),
      LineCursor.matchesTemplate(
        time, digits: 0x8080_0080_8000_8080, separatorMask: 0x0000_FF00_00FF_0000, separators: 0x0000_3A00_003A_0000)
    else { return nil }
    func digit(_ word: UInt64, _ byte: Int) -> Int { Int((word >> UInt64(8 * byte)) & 0x0F) }
    index = at + 19
    if byte(index) == UInt8(ascii: " ") { index += 1 }
    let value = LogTimestamp(
      year: digit(date, 0) * 1000 + digit(date, 1) * 100 + digit(date, 2) * 10 + digit(date, 3),
      month: digit(date, 5) * 10 + digit(date, 6), day: digit(day, 0) * 10 + digit(day, 1),
      hour: digit(time, 0) * 10 + digit(time, 1), minute: digit(time, 3) * 10 + digit(time, 4),
      second: digit(time, 6) * 10 + digit(time, 7))
    memo.timestamp = (date, day, time, value)
    return value
  }

  /// Whether the eight bytes of `word` (little-endian: byte 0 lowest) are ASCII, the bytes
  /// whose top bit `digits` sets are `0-9`, and the bytes under `separatorMask` equal those of
  /// `separators`.
  @inline(__always)
  static func matchesTemplate(_ word: UInt64, digits: UInt64, separatorMask: UInt64, separators: UInt64) -> Bool {
    let top: UInt64 = 0x8080_8080_8080_8080
    return word & top == 0 && within(word, 0x30, 0x39) & digits == digits && word & separatorMask == separators
  }

  /// The top bit of each byte of `word` that lies in `low...high`; the bytes must be below 0x80.
  /// Adding `0x80 - low` sets a byte's top bit when it is at least `low`, and adding
  /// `0x7F - high` when it is above `high`, with no carry between bytes.
  @inline(__always)
  static func within(_ word: UInt64, _ low: UInt64, _ high: UInt64) -> UInt64 {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let top = ones &* 0x80
    return (word &+ ones &* (0x80 - low)) & ~(word &+ ones &* (0x7F - high)) & top
  }

  /// `packer: ` or `packer-<name> plugin: ` at the cursor. Inlined into the parser: the parse
  /// 47.7 -> 45.0 M instructions for 81,092 lines of p100.log.
  @inline(__always)
  mutating func matchPlugin() -> Range<Int>? {
    let start = index
    guard consume("packer") else { return nil }
    if consume(": ") { return start..<(start + 6) }
    let end = firstSpaceOrColon(from: index)
    index = end
    if consume(" plugin: ") { return start..<end }
    index = start
    return nil
  }

  /// The offset of the first space or colon at or after `start`, or the end of the line: eight
  /// bytes at a time while eight remain (a plugin's name is 30-50 bytes on every plugin line).
  func firstSpaceOrColon(from start: Int) -> Int {
    var at = start
    if let base = bytes.baseAddress {
      let ones: UInt64 = 0x0101_0101_0101_0101
      let low7 = ones &* 0x7F
      // The top bit of each zero byte of `word`, exactly (no false hits from carries).
      func zeroBytes(_ word: UInt64) -> UInt64 { ~(((word & low7) &+ low7) | word | low7) }
      while at + 8 <= bytes.count {
        let word = base.loadUnaligned(fromByteOffset: at, as: UInt64.self)
        let hits = zeroBytes(word ^ (ones &* 0x20)) | zeroBytes(word ^ (ones &* 0x3A))
        if hits != 0 { return at + hits.trailingZeroBitCount / 8 }
        at += 8
      }
    }
    while let value = byte(at), value != UInt8(ascii: " "), value != UInt8(ascii: ":") { at += 1 }
    return at
  }

  /// `==> name: `, `--> name: `, or four spaces plus `name: `; also a bare `==> ` say line.
  mutating func matchUIMarker() -> (UIMarker, Range<Int>?) {
    let start = index
    let marker: UIMarker
    if index + 4 <= bytes.count, let base = bytes.baseAddress {
      // The three four-byte markers as one word each (little-endian), instead of three byte-by-
      // byte compares: matchUIMarker 11.8 -> 9.9 M instructions for 81,092 lines of p100.log.
      switch UInt32(littleEndian: base.loadUnaligned(fromByteOffset: index, as: UInt32.self)) {
      case 0x203E_3D3D: marker = .say  // `==> `
      case 0x203E_2D2D: marker = .error  // `--> `
      case 0x2020_2020: marker = .output  // four spaces
      default: return (.none, nil)
      }
      index += 4
    } else if consumeExact("==>") {
      marker = .say
    } else {
      return (.none, nil)
    }
    let nameStart = index
    let at = firstNonNameByte(from: index)
    if at > nameStart, byte(at) == UInt8(ascii: ":"),
      byte(at + 1) == nil || byte(at + 1) == UInt8(ascii: " ")
    {
      index = min(bytes.count, at + 2)
      return (marker, nameStart..<at)
    }
    if marker == .output {
      index = start
      return (.none, nil)
    }
    return (marker, nil)
  }

  /// The offset of the first byte at or after `start` that is not a name byte (`isNameByte`), or
  /// the end of the line: eight bytes at a time while eight remain (a builder's name, `azure-arm`,
  /// is on every UI line with a marker).
  func firstNonNameByte(from start: Int) -> Int {
    var at = start
    if let base = bytes.baseAddress {
      let ones: UInt64 = 0x0101_0101_0101_0101
      let top = ones &* 0x80
      while at + 8 <= bytes.count {
        let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: at, as: UInt64.self))
        // `within` needs bytes below 0x80: test their low seven bits, then drop the others.
        let low = word & ~top
        let names =
          (LineCursor.within(low, 0x30, 0x39) | LineCursor.within(low | ones &* 0x20, 0x61, 0x7A)
            | LineCursor.within(low, 0x2D, 0x2E) | LineCursor.within(low, 0x5F, 0x5F)) & ~word
        let others = ~names & top
        if others != 0 { return at + others.trailingZeroBitCount / 8 }
        at += 8
      }
    }
    while at < bytes.count && LineCursor.isNameByte(bytes[at]) { at += 1 }
    return at
  }

  /// Whether `value` may be part of a builder's name: `0-9`, `a-z`, `A-Z`, `-`, `_`, `.` (a bit
  /// test, as for operation ids).
  @inline(__always)
  static func isNameByte(_ value: UInt8) -> Bool {
    inBitmap(value, low: 0x03FF_6000_0000_0000, high: 0x07FF_FFFE_87FF_FFFE)
  }

}
