// 16-lane SHA-256 (FIPS 180-4 §6.2) with AVX-512: each 32-bit lane of a zmm
// register carries one message's state word. Compiled with function-level
// target attributes so the library runs (via dispatch) on CPUs without AVX-512.

// Without -march, GCC 12 warns falsely about _mm*_undefined_*() inside
// <immintrin.h> when the ISA comes from a target attribute.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "exchange/crypto/sha256_multi_internal.h"

#define CODEX_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl")))

namespace codex::sha256_detail {
namespace {

using V = __m512i;

// vpternlogd immediates: the boolean function applied to the canonical
// operand bytes 0xF0, 0xCC, 0xAA gives its truth table.
constexpr int kXor3 = 0xF0 ^ 0xCC ^ 0xAA;
constexpr int kCh = ((0xF0 & 0xCC) ^ (~0xF0 & 0xAA)) & 0xFF;
constexpr int kMaj = (0xF0 & 0xCC) ^ (0xF0 & 0xAA) ^ (0xCC & 0xAA);

// K[t] repeated across the 16 lanes: the round's add then reads it from
// memory instead of broadcasting it from a general register (a vector uop).
alignas(64) const std::array<std::array<uint32_t, 16>, 64> kKx16 = [] {
  std::array<std::array<uint32_t, 16>, 64> k{};
  for (size_t t = 0; t < 64; ++t)
    k[t].fill(kK[t]);
  return k;
}();

CODEX_AVX512 inline V add(V a, V b) {
  return _mm512_add_epi32(a, b);
}
CODEX_AVX512 inline V xor3(V a, V b, V c) {
  return _mm512_ternarylogic_epi32(a, b, c, kXor3);
}
CODEX_AVX512 inline V ch(V e, V f, V g) {
  return _mm512_ternarylogic_epi32(e, f, g, kCh);
}
CODEX_AVX512 inline V maj(V a, V b, V c) {
  return _mm512_ternarylogic_epi32(a, b, c, kMaj);
}

// The four functions of FIPS 180-4 §4.1.2.
CODEX_AVX512 inline V big_sigma0(V x) {
  return xor3(_mm512_ror_epi32(x, 2), _mm512_ror_epi32(x, 13), _mm512_ror_epi32(x, 22));
}
CODEX_AVX512 inline V big_sigma1(V x) {
  return xor3(_mm512_ror_epi32(x, 6), _mm512_ror_epi32(x, 11), _mm512_ror_epi32(x, 25));
}
CODEX_AVX512 inline V small_sigma0(V x) {
  return xor3(_mm512_ror_epi32(x, 7), _mm512_ror_epi32(x, 18), _mm512_srli_epi32(x, 3));
}
CODEX_AVX512 inline V small_sigma1(V x) {
  return xor3(_mm512_ror_epi32(x, 17), _mm512_ror_epi32(x, 19), _mm512_srli_epi32(x, 10));
}

// Loads one 64-byte block from each of the 16 lanes and transposes it so w[t]
// holds word t of every lane (big-endian words, so bytes are swapped first).
CODEX_AVX512 inline void load_block(V w[16], const uint8_t* const msg[16], size_t offset) {
  const V bswap =
      _mm512_broadcast_i32x4(_mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3));
  V r[16];
  for (int i = 0; i < 16; ++i)
    r[i] = _mm512_shuffle_epi8(_mm512_loadu_si512(msg[i] + offset), bswap);
  // 32- then 64-bit interleaves: u[4g+j] has, in its 128-bit lane k, word
  // 4k+j of rows 4g..4g+3.
  V u[16];
  for (int g = 0; g < 4; ++g) {
    V t0 = _mm512_unpacklo_epi32(r[4 * g], r[4 * g + 1]);
    V t1 = _mm512_unpackhi_epi32(r[4 * g], r[4 * g + 1]);
    V t2 = _mm512_unpacklo_epi32(r[4 * g + 2], r[4 * g + 3]);
    V t3 = _mm512_unpackhi_epi32(r[4 * g + 2], r[4 * g + 3]);
    u[4 * g] = _mm512_unpacklo_epi64(t0, t2);
    u[4 * g + 1] = _mm512_unpackhi_epi64(t0, t2);
    u[4 * g + 2] = _mm512_unpacklo_epi64(t1, t3);
    u[4 * g + 3] = _mm512_unpackhi_epi64(t1, t3);
  }
  // A 4x4 transpose of 128-bit lanes across u[j], u[4+j], u[8+j], u[12+j].
  for (int j = 0; j < 4; ++j) {
    V v0 = _mm512_shuffle_i32x4(u[j], u[4 + j], 0x44);
    V v1 = _mm512_shuffle_i32x4(u[j], u[4 + j], 0xEE);
    V v2 = _mm512_shuffle_i32x4(u[8 + j], u[12 + j], 0x44);
    V v3 = _mm512_shuffle_i32x4(u[8 + j], u[12 + j], 0xEE);
    w[j] = _mm512_shuffle_i32x4(v0, v2, 0x88);
    w[4 + j] = _mm512_shuffle_i32x4(v0, v2, 0xDD);
    w[8 + j] = _mm512_shuffle_i32x4(v1, v3, 0x88);
    w[12 + j] = _mm512_shuffle_i32x4(v1, v3, 0xDD);
  }
}

// Runs the compression function over `blocks` consecutive blocks per lane.
CODEX_AVX512 void compress(V s[8], const uint8_t* const msg[16], size_t blocks) {
  for (size_t blk = 0; blk < blocks; ++blk) {
    V w[16];
    load_block(w, msg, blk * 64);
    // Hide the table's contents from GCC, which would otherwise fold them back
    // into a mov + broadcast per round.
    const uint32_t* k = kKx16[0].data();
    asm("" : "+r"(k));
    V a = s[0], b = s[1], c = s[2], d = s[3], e = s[4], f = s[5], g = s[6], h = s[7];
#pragma GCC unroll 64
    for (int t = 0; t < 64; ++t) {
      // The message schedule lives in a 16-word ring: w[t & 15] is W[t-16] until replaced.
      if (t >= 16)
        w[t & 15] = add(add(small_sigma1(w[(t - 2) & 15]), w[(t - 7) & 15]),
                        add(small_sigma0(w[(t - 15) & 15]), w[t & 15]));
      V t1 = add(add(add(h, big_sigma1(e)), add(ch(e, f, g), _mm512_load_si512(k + 16 * t))),
                 w[t & 15]);
      V t2 = add(big_sigma0(a), maj(a, b, c));
      h = g;
      g = f;
      f = e;
      e = add(d, t1);
      d = c;
      c = b;
      b = a;
      a = add(t1, t2);
    }
    s[0] = add(s[0], a);
    s[1] = add(s[1], b);
    s[2] = add(s[2], c);
    s[3] = add(s[3], d);
    s[4] = add(s[4], e);
    s[5] = add(s[5], f);
    s[6] = add(s[6], g);
    s[7] = add(s[7], h);
  }
}

}  // namespace

CODEX_AVX512 void sha256_x16_avx512(const uint8_t* const msg[16], size_t len, Digest32 out[16]) {
  V s[8];
  for (int i = 0; i < 8; ++i)
    s[i] = _mm512_set1_epi32(int(kH0[i]));
  compress(s, msg, len / 64);

  // All lanes have the same length, so they pad alike: 1 or 2 final blocks each.
  alignas(64) uint8_t tail[16][128];
  const uint8_t* tails[16];
  size_t blocks = 0;
  for (int i = 0; i < 16; ++i) {
    blocks = pad_tail(msg[i], len, tail[i]);
    tails[i] = tail[i];
  }
  compress(s, tails, blocks);

  alignas(64) uint32_t words[8][16];
  for (int i = 0; i < 8; ++i)
    _mm512_store_si512(words[i], s[i]);
  for (size_t lane = 0; lane < 16; ++lane)
    store_digest(&words[0][0], 16, lane, out[lane]);
}

}  // namespace codex::sha256_detail
