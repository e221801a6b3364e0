// The byte-scanning kernel of the literal prefilter: finds the lines of a block that may contain
// one of many literals, ASCII case-insensitively, much faster than a byte-at-a-time automaton.
// It reports a superset of the lines that contain a literal; the caller confirms them with the
// exact automaton. Wrapped by AIBLogsMatching/LineFilter.swift; nothing else includes it.
#ifndef AIB_LITERAL_FILTER_H
#define AIB_LITERAL_FILTER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Bits in each window bitmap (indexed by a 16-bit hash).
#define AIB_FILTER_BITMAP_WORDS 2048
/// Words in the first-level table (indexed by a 12-bit hash of a sample's first four bytes).
#define AIB_FILTER_FIRST_WORDS 4096

/// The tables of a filter. Every literal is represented by one of:
/// - four folded 4-byte windows (one at each offset residue mod 4), or
/// - four folded 8-byte windows (one at each offset residue mod 4), or
/// - one folded 4-byte needle in the needle tables (`low`/`high` or `needle7`, 8 buckets, 4
///   positions).
/// Windows are tested at every fourth byte; a literal of length 7 (or 11) or more has one of its
/// four windows on that grid wherever it occurs. Needles are tested at every byte.
/// "Folded" means every byte ORed with 0x20, which maps each ASCII letter to its lower case.
/// A sample (the eight bytes at a grid position) passes in two levels. The first is one lookup:
/// the word of `first` picked by its first four bytes, tested at two pairs of fingerprint bits
/// (a pair from those four bytes, for 4-byte windows; a pair from the next four, for 8-byte
/// windows): it passes when both bits of a pair are set. One bit per window made a sample pass
/// whenever its first four bytes were a window's (`erro`) and its one bit hit any of the word's
/// bits: two thirds of the first level's passes were false. The second level runs only after
/// the first passes: both 4-byte bitmaps, or both 8-byte bitmaps.
typedef struct {
  uint32_t first[AIB_FILTER_FIRST_WORDS];
  uint32_t window4[AIB_FILTER_BITMAP_WORDS];
  uint32_t window8[AIB_FILTER_BITMAP_WORDS];
  uint32_t window4_second[AIB_FILTER_BITMAP_WORDS];
  uint32_t window8_second[AIB_FILTER_BITMAP_WORDS];
  /// For needle position k (0...3) and a byte's low nibble: the buckets that accept it.
  uint8_t low[4][16];
  /// For needle position k (0...3) and a byte's high nibble: the buckets that accept it.
  uint8_t high[4][16];
  /// For needle position k (0...3) and a byte's low seven bits: the buckets that accept it
  /// (the AVX-512 code's tables; more selective than the nibbles).
  uint8_t needle7[4][128];
} aib_filter_tables;

/// The multipliers of the first level's hashes (the SIMD code uses them too).
#define AIB_FILTER_FIRST_MULTIPLIER 0x2545F491u
#define AIB_FILTER_FINGERPRINT4_MULTIPLIER 0x6A09E667u
#define AIB_FILTER_FINGERPRINT8_MULTIPLIER 0xBB67AE85u

/// The word of `first` for a sample whose folded first four bytes are `low`.
static inline uint32_t aib_filter_first_index(uint32_t low) { return (low * AIB_FILTER_FIRST_MULTIPLIER) >> 20; }
/// The first-level bits of a 4-byte window `low`: two fingerprints from the top ten bits of
/// one product (a sample passes only when both bits are set).
static inline uint32_t aib_filter_fingerprint4(uint32_t low) { return (low * AIB_FILTER_FINGERPRINT4_MULTIPLIER) >> 27; }
static inline uint32_t aib_filter_fingerprint4_second(uint32_t low) {
  return ((low * AIB_FILTER_FINGERPRINT4_MULTIPLIER) >> 22) & 31;
}
/// The first-level bits of an 8-byte window whose folded last four bytes are `high`, as above.
static inline uint32_t aib_filter_fingerprint8(uint32_t high) { return (high * AIB_FILTER_FINGERPRINT8_MULTIPLIER) >> 27; }
static inline uint32_t aib_filter_fingerprint8_second(uint32_t high) {
  return ((high * AIB_FILTER_FINGERPRINT8_MULTIPLIER) >> 22) & 31;
}

/// The hash of a folded 4-byte window (bytes in memory order, read little-endian).
static inline uint32_t aib_filter_hash4(uint32_t word) { return (word * 0x9E3779B1u) >> 16; }

/// The hash of a folded 8-byte window given as its two little-endian halves.
static inline uint32_t aib_filter_hash8(uint32_t low, uint32_t high) {
  return (low * 0x9E3779B1u + high * 0x85EBCA77u) >> 16;
}

/// The second hash of a folded 4-byte window.
static inline uint32_t aib_filter_second_hash4(uint32_t word) { return (word * 0xC2B2AE3Du) >> 16; }

/// The second hash of a folded 8-byte window.
static inline uint32_t aib_filter_second_hash8(uint32_t low, uint32_t high) {
  return (low * 0x27D4EB2Fu + high * 0x165667B1u) >> 16;
}

/// A line that may contain a literal, as offsets into the scanned data.
typedef struct {
  /// Its first byte (just after an LF, or where the scan started).
  uint32_t start;
  /// The first position in it that passed the filter: every literal in the line has its
  /// window or needle at or after it.
  uint32_t hit;
  /// The LF that ends it, or the data's length.
  uint32_t end;
  /// The LF bytes between where the scan started and `start`.
  uint32_t newlines;
} aib_filter_line;

/// Scans `data[start..<length]` (`start` at a line start) and writes to `lines` the lines that
/// may contain a literal, in order, at most `capacity` of them. Returns the number written;
/// `*resume` is where to continue (a line start, or `length` when the whole range was scanned)
/// and `*newlines` the number of LF bytes in `data[start..<*resume]`. `simd` picks the code: 0
/// portable, 1 AVX2, 2 AVX-512 (up to what `aib_filter_simd_available()` returns). Each passes
/// every line that holds a literal; AVX-512's needle tables are finer, so it passes fewer others.
size_t aib_filter_scan(const aib_filter_tables *tables, const uint8_t *data, size_t start, size_t length,
                       aib_filter_line *lines, size_t capacity, size_t *resume, size_t *newlines, int simd);

/// The best code this machine can run: 2 (AVX-512BW and VBMI), 1 (AVX2) or 0 (portable only).
int aib_filter_simd_available(void);

#ifdef __cplusplus
}
#endif

#endif
