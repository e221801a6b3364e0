import AIBLogsInput
import AIBLogsMatching

/// Stable fingerprints for findings: the same failure in two builds gets the same value.
///
/// The fingerprint is the SHA-256 of the pattern id and the text of the finding's first
/// evidence line with what changes from build to build masked: the log prefix, GUIDs,
/// timestamps, temporary file names, Packer's generated resource names and long numbers.
public enum Fingerprint {
  private static let masks: [(PCRE2Regex, String)] = {
    let rules: [(String, String)] = [
      (#"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"#, "<guid>"),
      (#"\d{4}[/-]\d\d[/-]\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?Z?"#, "<time>"),
      (#"\b(pkr(?:vm|ni|os|kv|dp|ip|vn|sn|sg))[a-z0-9]{6,}"#, "$1<name>"),
      (#"\bkvpkrdp[a-z0-9]+"#, "kvpkrdp<name>"),
      (
        #"(?i)(script|packer-shell|powershell-provisioner|packer-elevated-shell|packer-ps-env-vars|packer-cleanup|script_)[-_]?[0-9a-f-]{4,}"#,
        "$1<tmp>"
      ),
      (#"\b\d{5,}\b"#, "<n>"),
    ]
    return rules.compactMap { source, replacement in (try? PCRE2Regex(source)).map { ($0, replacement) } }
  }()

  /// `text` with the parts that differ between builds masked.
  public static func normalize(_ text: String) -> String {
    PCRE2Regex.applying(masks, to: text, scratch: PCRE2MatchScratch())
  }

  /// The fingerprint of a finding with `id` whose first evidence line is `message`.
  public static func of(id: String, message: String) -> String {
    String(SHA256.hex(id + "\n" + normalize(message)).prefix(32))
  }
}
