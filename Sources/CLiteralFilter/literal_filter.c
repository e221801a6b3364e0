// See include/literal_filter.h. Three implementations of the same per-chunk test, chosen at
// run time: AVX-512 (x86-64 machines with AVX-512BW and VBMI), AVX2 (x86-64 machines that have
// it) and portable C (everything else, and tests).
//
// A chunk is 32 positions (64 for AVX-512) starting at `p`. Its needle mask has bit i set when
// the four bytes at p+i pass the needle tables of some bucket; its sample mask has bit j set
// when the eight folded bytes at p+4j pass both levels (see the header). A chunk reads four
// bytes past its end.
#define _GNU_SOURCE
#include "literal_filter.h"

#include <string.h>

#if defined(__x86_64__) || defined(_M_X64)
#define AIB_X86 1
#include <immintrin.h>
#endif

#define CHUNK 32
#define CHUNK_READ 36
#define WIDE_CHUNK 64
#define WIDE_CHUNK_READ 68

int aib_filter_simd_available(void) {
#if AIB_X86
  if (__builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vbmi")) return 2;
  return __builtin_cpu_supports("avx2") ? 1 : 0;
#else
  return 0;
#endif
}

static inline uint64_t load_le64(const uint8_t *p) {
  uint64_t word;
  memcpy(&word, p, sizeof word);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  word = __builtin_bswap64(word);
#endif
  return word;
}

static inline uint32_t bit_set(const uint32_t *bitmap, uint32_t hash) { return (bitmap[hash >> 5] >> (hash & 31)) & 1; }

// Whether a sample passes the first level: the word its first four bytes pick, at both bits of
// the 4-byte windows' pair or both bits of the 8-byte windows' pair.
static inline int sample_first(const aib_filter_tables *t, uint32_t low, uint32_t high) {
  uint32_t word = t->first[aib_filter_first_index(low)];
  return (((word >> aib_filter_fingerprint4(low)) & (word >> aib_filter_fingerprint4_second(low))) |
          ((word >> aib_filter_fingerprint8(high)) & (word >> aib_filter_fingerprint8_second(high)))) &
         1;
}

// Whether a sample that passed the first level passes the second: both bitmaps of 4-byte
// windows, or both bitmaps of 8-byte windows.
static inline int sample_confirmed(const aib_filter_tables *t, const uint8_t *p) {
  uint64_t word = load_le64(p) | 0x2020202020202020ull;
  uint32_t low = (uint32_t)word;
  uint32_t high = (uint32_t)(word >> 32);
  return (bit_set(t->window4, aib_filter_hash4(low)) && bit_set(t->window4_second, aib_filter_second_hash4(low))) ||
         (bit_set(t->window8, aib_filter_hash8(low, high)) &&
          bit_set(t->window8_second, aib_filter_second_hash8(low, high)));
}

// The first position of a SIMD chunk that passed: its first needle position (bit i of
// `needles`) or its first sample (bit j of `candidates`, at 4j) that passes the second level;
// -1 when there is none.
static inline int first_passing(const aib_filter_tables *t, const uint8_t *p, uint64_t needles, uint32_t candidates) {
  int first = needles ? (int)__builtin_ctzll(needles) : -1;
  while (candidates) {
    int j = __builtin_ctz(candidates);
    candidates &= candidates - 1;
    if (first >= 0 && 4 * j > first) break;
    if (sample_confirmed(t, p + 4 * j)) return 4 * j;  // no needle before it (see the break)
  }
  return first;
}

// The first position of a chunk that may hold a literal, or -1.
static inline int chunk_first_portable(const aib_filter_tables *t, const uint8_t *p) {
  int first = -1;
  for (int j = 0; j < CHUNK / 4; j++) {
    uint64_t word = load_le64(p + 4 * j) | 0x2020202020202020ull;
    if (sample_first(t, (uint32_t)word, (uint32_t)(word >> 32)) && sample_confirmed(t, p + 4 * j)) {
      first = 4 * j;
      break;
    }
  }
  int limit = first < 0 ? CHUNK : first;
  for (int i = 0; i < limit; i++) {
    uint8_t m = 0xFF;
    for (int k = 0; k < 4 && m; k++) {
      uint8_t b = p[i + k];
      m &= t->low[k][b & 15] & t->high[k][b >> 4];
    }
    if (m) return i;
  }
  return first;
}

#if AIB_X86
typedef struct {
  __m256i low[4], high[4];
} nibble_tables;

__attribute__((target("avx2"), always_inline)) static inline nibble_tables load_nibbles(const aib_filter_tables *t) {
  nibble_tables n;
  for (int k = 0; k < 4; k++) {
    n.low[k] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)t->low[k]));
    n.high[k] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)t->high[k]));
  }
  return n;
}

__attribute__((target("avx2,bmi"))) __attribute__((always_inline)) static inline int chunk_first_avx2(const aib_filter_tables *t,
                                                                         const nibble_tables *n, const uint8_t *p) {
  const __m256i nibble = _mm256_set1_epi8(0x0F);
  __m256i acc = _mm256_set1_epi8(-1);
  for (int k = 0; k < 4; k++) {
    __m256i v = _mm256_loadu_si256((const __m256i *)(p + k));
    __m256i lo = _mm256_and_si256(v, nibble);
    __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), nibble);
    acc = _mm256_and_si256(acc, _mm256_and_si256(_mm256_shuffle_epi8(n->low[k], lo), _mm256_shuffle_epi8(n->high[k], hi)));
  }
  uint32_t needles = ~(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(acc, _mm256_setzero_si256()));

  // The first level for the eight samples at once: one gather of the words their first four
  // bytes pick, each shifted by both fingerprints.
  const __m256i fold = _mm256_set1_epi8(0x20);
  __m256i low = _mm256_or_si256(_mm256_loadu_si256((const __m256i *)p), fold);
  __m256i high = _mm256_or_si256(_mm256_loadu_si256((const __m256i *)(p + 4)), fold);
  __m256i index = _mm256_srli_epi32(_mm256_mullo_epi32(low, _mm256_set1_epi32((int)AIB_FILTER_FIRST_MULTIPLIER)), 20);
  const __m256i five = _mm256_set1_epi32(31);
  __m256i product4 = _mm256_mullo_epi32(low, _mm256_set1_epi32((int)AIB_FILTER_FINGERPRINT4_MULTIPLIER));
  __m256i product8 = _mm256_mullo_epi32(high, _mm256_set1_epi32((int)AIB_FILTER_FINGERPRINT8_MULTIPLIER));
  __m256i words = _mm256_i32gather_epi32((const int *)t->first, index, 4);
  __m256i bits4 = _mm256_and_si256(_mm256_srlv_epi32(words, _mm256_srli_epi32(product4, 27)),
                                   _mm256_srlv_epi32(words, _mm256_and_si256(_mm256_srli_epi32(product4, 22), five)));
  __m256i bits8 = _mm256_and_si256(_mm256_srlv_epi32(words, _mm256_srli_epi32(product8, 27)),
                                   _mm256_srlv_epi32(words, _mm256_and_si256(_mm256_srli_epi32(product8, 22), five)));
  __m256i bits = _mm256_or_si256(bits4, bits8);
  uint32_t candidates = (uint32_t)_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_slli_epi32(bits, 31)));
  return first_passing(t, p, needles, candidates);
}

typedef struct {
  __m512i low[4], high[4];
} byte_tables;

__attribute__((target("avx512f,avx512bw,avx512vbmi"), always_inline)) static inline byte_tables load_byte_tables(
    const aib_filter_tables *t) {
  byte_tables b;
  for (int k = 0; k < 4; k++) {
    b.low[k] = _mm512_loadu_si512((const void *)t->needle7[k]);
    b.high[k] = _mm512_loadu_si512((const void *)(t->needle7[k] + 64));
  }
  return b;
}

// The same test on 64 positions: needles by one 128-entry byte table per position (the low
// seven bits of each byte pick the entry), samples by one 16-lane gather.
__attribute__((target("avx512f,avx512bw,avx512vbmi,bmi"), always_inline)) static inline int chunk_first_avx512(
    const aib_filter_tables *t, const byte_tables *b, const uint8_t *p) {
  __m512i acc = _mm512_set1_epi8(-1);
  for (int k = 0; k < 4; k++) {
    __m512i v = _mm512_loadu_si512((const void *)(p + k));
    acc = _mm512_and_si512(acc, _mm512_permutex2var_epi8(b->low[k], v, b->high[k]));
  }
  uint64_t needles = _mm512_test_epi8_mask(acc, acc);

  const __m512i fold = _mm512_set1_epi8(0x20);
  __m512i low = _mm512_or_si512(_mm512_loadu_si512((const void *)p), fold);
  __m512i high = _mm512_or_si512(_mm512_loadu_si512((const void *)(p + 4)), fold);
  __m512i index = _mm512_srli_epi32(_mm512_mullo_epi32(low, _mm512_set1_epi32((int)AIB_FILTER_FIRST_MULTIPLIER)), 20);
  const __m512i five = _mm512_set1_epi32(31);
  __m512i product4 = _mm512_mullo_epi32(low, _mm512_set1_epi32((int)AIB_FILTER_FINGERPRINT4_MULTIPLIER));
  __m512i product8 = _mm512_mullo_epi32(high, _mm512_set1_epi32((int)AIB_FILTER_FINGERPRINT8_MULTIPLIER));
  __m512i words = _mm512_i32gather_epi32(index, (const void *)t->first, 4);
  __m512i bits4 = _mm512_and_si512(_mm512_srlv_epi32(words, _mm512_srli_epi32(product4, 27)),
                                   _mm512_srlv_epi32(words, _mm512_and_si512(_mm512_srli_epi32(product4, 22), five)));
  __m512i bits8 = _mm512_and_si512(_mm512_srlv_epi32(words, _mm512_srli_epi32(product8, 27)),
                                   _mm512_srlv_epi32(words, _mm512_and_si512(_mm512_srli_epi32(product8, 22), five)));
  __m512i bits = _mm512_or_si512(bits4, bits8);
  uint32_t candidates = _mm512_test_epi32_mask(bits, _mm512_set1_epi32(1));
  return first_passing(t, p, needles, candidates);
}
#endif

// The driver, shared by all implementations: chunks of SIZE bytes while READ bytes remain,
// then the tail from a zero-padded copy; after a hit, on to the next line. It counts the LFs of
// every byte it passes (the chunks without a hit, the bytes of a hit's chunk before the hit, the
// LF that ends a hit's line), so the caller needs no second pass for line starts and numbers.
#define AIB_SCAN_BODY(FIRST_IN_CHUNK, LF_MASK, SIZE, READ)                                     \
  size_t count = 0;                                                                             \
  size_t p = start;                                                                             \
  size_t lf = 0;                                                                                \
  size_t line_start = start;                                                                    \
  while (p < length && count < capacity) {                                                      \
    size_t hit = (size_t)-1;                                                                    \
    if (p + READ <= length) {                                                             \
      int first = FIRST_IN_CHUNK(data + p);                                                     \
      uint64_t mask = LF_MASK(data + p);                                                        \
      if (first < 0) {                                                                          \
        count_lfs(mask, p, &lf, &line_start);                                                   \
        p += SIZE;                                                                             \
        continue;                                                                               \
      }                                                                                         \
      count_lfs(mask & ((1ull << first) - 1u), p, &lf, &line_start);                              \
      hit = p + (size_t)first;                                                                  \
    } else {                                                                                    \
      uint8_t tail[SIZE + READ + SIZE];                                                 \
      size_t remaining = length - p;                                                            \
      memset(tail, 0, sizeof tail);                                                             \
      memcpy(tail, data + p, remaining);                                                        \
      for (size_t offset = 0; offset < remaining && hit == (size_t)-1; offset += SIZE) {       \
        int first = FIRST_IN_CHUNK(tail + offset);                                              \
        uint64_t mask = LF_MASK(tail + offset); /* the zero padding holds no LF */              \
        if (first >= 0 && offset + (size_t)first < remaining) {                                 \
          count_lfs(mask & ((1ull << first) - 1u), p + offset, &lf, &line_start);                 \
          hit = p + offset + (size_t)first;                                                     \
        } else {                                                                                \
          count_lfs(mask, p + offset, &lf, &line_start);                                        \
        }                                                                                       \
      }                                                                                         \
      if (hit == (size_t)-1) {                                                                  \
        p = length;                                                                             \
        break;                                                                                  \
      }                                                                                         \
    }                                                                                           \
    const uint8_t *newline = memchr(data + hit, '\n', length - hit);                            \
    size_t end = newline ? (size_t)(newline - data) : length;                                   \
    lines[count].start = (uint32_t)line_start;                                                  \
    lines[count].hit = (uint32_t)hit;                                                           \
    lines[count].end = (uint32_t)end;                                                           \
    lines[count].newlines = (uint32_t)lf;                                                       \
    count++;                                                                                    \
    p = newline ? end + 1 : length;                                                             \
    lf += newline ? 1 : 0;                                                                      \
    line_start = p;                                                                             \
  }                                                                                             \
  *resume = p;                                                                                  \
  *newlines = lf;                                                                               \
  return count;

// Adds the LFs of a chunk's `mask` (bit i: byte at `chunk` + i) to `*lf`, and moves
// `*line_start` after the last of them.
// Without branches: whether a chunk holds an LF is as unpredictable as the text.
static inline void count_lfs(uint64_t mask, size_t chunk, size_t *lf, size_t *line_start) {
  *lf += (size_t)__builtin_popcountll(mask);
  size_t after_last = chunk + 64 - (size_t)__builtin_clzll(mask | 1u);
  *line_start = mask ? after_last : *line_start;
}

static inline uint64_t lf_mask_portable(const uint8_t *p) {
  uint64_t mask = 0;
  for (int i = 0; i < CHUNK; i++) mask |= (uint64_t)(p[i] == '\n') << i;
  return mask;
}

static size_t scan_portable(const aib_filter_tables *t, const uint8_t *data, size_t start, size_t length,
                            aib_filter_line *lines, size_t capacity, size_t *resume, size_t *newlines) {
#define PORTABLE_FIRST(ptr) chunk_first_portable(t, (ptr))
  AIB_SCAN_BODY(PORTABLE_FIRST, lf_mask_portable, CHUNK, CHUNK_READ)
#undef PORTABLE_FIRST
}

#if AIB_X86
__attribute__((target("avx2"))) static inline uint64_t lf_mask_avx2(const uint8_t *p) {
  __m256i v = _mm256_loadu_si256((const __m256i *)p);
  return (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('\n')));
}

__attribute__((target("avx2,bmi,popcnt,lzcnt"))) static size_t scan_avx2(const aib_filter_tables *t,
                                                                         const uint8_t *data, size_t start,
                                                                         size_t length, aib_filter_line *lines,
                                                                         size_t capacity, size_t *resume,
                                                                         size_t *newlines) {
  nibble_tables n = load_nibbles(t);
#define AVX2_FIRST(ptr) chunk_first_avx2(t, &n, (ptr))
  AIB_SCAN_BODY(AVX2_FIRST, lf_mask_avx2, CHUNK, CHUNK_READ)
#undef AVX2_FIRST
}

__attribute__((target("avx512f,avx512bw"))) static inline uint64_t lf_mask_avx512(const uint8_t *p) {
  return _mm512_cmpeq_epi8_mask(_mm512_loadu_si512((const void *)p), _mm512_set1_epi8('\n'));
}

__attribute__((target("avx512f,avx512bw,avx512vbmi,bmi,popcnt,lzcnt"))) static size_t scan_avx512(
    const aib_filter_tables *t, const uint8_t *data, size_t start, size_t length, aib_filter_line *lines,
    size_t capacity, size_t *resume, size_t *newlines) {
  byte_tables b = load_byte_tables(t);
#define AVX512_FIRST(ptr) chunk_first_avx512(t, &b, (ptr))
  AIB_SCAN_BODY(AVX512_FIRST, lf_mask_avx512, WIDE_CHUNK, WIDE_CHUNK_READ)
#undef AVX512_FIRST
}
#endif

size_t aib_filter_scan(const aib_filter_tables *tables, const uint8_t *data, size_t start, size_t length,
                       aib_filter_line *lines, size_t capacity, size_t *resume, size_t *newlines, int simd) {
#if AIB_X86
  if (simd == 2) return scan_avx512(tables, data, start, length, lines, capacity, resume, newlines);
  if (simd == 1) return scan_avx2(tables, data, start, length, lines, capacity, resume, newlines);
#endif
  return scan_portable(tables, data, start, length, lines, capacity, resume, newlines);
}
