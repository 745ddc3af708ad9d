// 8-lane SHA-256 (FIPS 180-4 §6.2) with AVX2: each 32-bit lane of a ymm
// register carries one message's state word. Compiled with a function-level
// target attribute so the library runs (via dispatch) on CPUs without AVX2.

// Without -march, GCC 12 warns falsely about _mm*_undefined_*() inside
// <immintrin.h> when the ISA comes from a target attribute.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "exchange/crypto/sha256_multi_internal.h"

#define CODEX_AVX2 __attribute__((target("avx2")))

namespace codex::sha256_detail {
namespace {

using V = __m256i;

// K[t] repeated across the 8 lanes: the round's add then reads it from
// memory instead of broadcasting it from a general register (a vector uop).
alignas(32) const std::array<std::array<uint32_t, 8>, 64> kKx8 = [] {
  std::array<std::array<uint32_t, 8>, 64> k{};
  for (size_t t = 0; t < 64; ++t)
    k[t].fill(kK[t]);
  return k;
}();

CODEX_AVX2 inline V add(V a, V b) {
  return _mm256_add_epi32(a, b);
}
CODEX_AVX2 inline V xor_(V a, V b) {
  return _mm256_xor_si256(a, b);
}
CODEX_AVX2 inline V and_(V a, V b) {
  return _mm256_and_si256(a, b);
}
// AVX2 has no rotate instruction.
template <int n>
CODEX_AVX2 inline V ror(V x) {
  return _mm256_or_si256(_mm256_srli_epi32(x, n), _mm256_slli_epi32(x, 32 - n));
}

// The four functions of FIPS 180-4 §4.1.2.
CODEX_AVX2 inline V big_sigma0(V x) {
  return xor_(xor_(ror<2>(x), ror<13>(x)), ror<22>(x));
}
CODEX_AVX2 inline V big_sigma1(V x) {
  return xor_(xor_(ror<6>(x), ror<11>(x)), ror<25>(x));
}
CODEX_AVX2 inline V small_sigma0(V x) {
  return xor_(xor_(ror<7>(x), ror<18>(x)), _mm256_srli_epi32(x, 3));
}
CODEX_AVX2 inline V small_sigma1(V x) {
  return xor_(xor_(ror<17>(x), ror<19>(x)), _mm256_srli_epi32(x, 10));
}

// Transposes 8 rows of 8 words so out[t] holds word t of every row.
CODEX_AVX2 inline void transpose8(const V r[8], V out[8]) {
  V u[8];
  for (int g = 0; g < 2; ++g) {
    V t0 = _mm256_unpacklo_epi32(r[4 * g], r[4 * g + 1]);
    V t1 = _mm256_unpackhi_epi32(r[4 * g], r[4 * g + 1]);
    V t2 = _mm256_unpacklo_epi32(r[4 * g + 2], r[4 * g + 3]);
    V t3 = _mm256_unpackhi_epi32(r[4 * g + 2], r[4 * g + 3]);
    // u[4g+j] has, in its 128-bit lane k, word 4k+j of rows 4g..4g+3.
    u[4 * g] = _mm256_unpacklo_epi64(t0, t2);
    u[4 * g + 1] = _mm256_unpackhi_epi64(t0, t2);
    u[4 * g + 2] = _mm256_unpacklo_epi64(t1, t3);
    u[4 * g + 3] = _mm256_unpackhi_epi64(t1, t3);
  }
  for (int j = 0; j < 4; ++j) {
    out[j] = _mm256_permute2x128_si256(u[j], u[4 + j], 0x20);
    out[4 + j] = _mm256_permute2x128_si256(u[j], u[4 + j], 0x31);
  }
}

// Loads one 64-byte block from each of the 8 lanes as big-endian words, transposed.
CODEX_AVX2 inline void load_block(V w[16], const uint8_t* const msg[8], size_t offset) {
  const V bswap = _mm256_broadcastsi128_si256(
      _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3));
  for (int half = 0; half < 2; ++half) {
    V r[8];
    for (int i = 0; i < 8; ++i)
      r[i] = _mm256_shuffle_epi8(
          _mm256_loadu_si256(reinterpret_cast<const V*>(msg[i] + offset + 32 * half)), bswap);
    transpose8(r, w + 8 * half);
  }
}

// Runs the compression function over `blocks` consecutive blocks per lane.
CODEX_AVX2 void compress(V s[8], const uint8_t* const msg[8], size_t blocks) {
  for (size_t blk = 0; blk < blocks; ++blk) {
    V w[16];
    load_block(w, msg, blk * 64);
    // Hide the table's contents from GCC, which would otherwise fold them back
    // into a mov + broadcast per round.
    const uint32_t* k = kKx8[0].data();
    asm("" : "+r"(k));
    V a = s[0], b = s[1], c = s[2], d = s[3], e = s[4], f = s[5], g = s[6], h = s[7];
    // Maj(a,b,c) = b ^ ((a^b) & (b^c)); this round's a^b is the next round's b^c.
    V bc = xor_(b, c);
#pragma GCC unroll 64
    for (int t = 0; t < 64; ++t) {
      // The message schedule lives in a 16-word ring: w[t & 15] is W[t-16] until replaced.
      if (t >= 16)
        w[t & 15] = add(add(small_sigma1(w[(t - 2) & 15]), w[(t - 7) & 15]),
                        add(small_sigma0(w[(t - 15) & 15]), w[t & 15]));
      V ch = xor_(and_(xor_(f, g), e), g);
      V t1 = add(add(add(h, big_sigma1(e)),
                     add(ch, _mm256_load_si256(reinterpret_cast<const V*>(k + 8 * t)))),
                 w[t & 15]);
      V ab = xor_(a, b);
      V t2 = add(big_sigma0(a), xor_(b, and_(ab, bc)));
      bc = ab;
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

CODEX_AVX2 void sha256_x8_avx2(const uint8_t* const msg[8], size_t len, Digest32 out[8]) {
  V s[8];
  for (int i = 0; i < 8; ++i)
    s[i] = _mm256_set1_epi32(int(kH0[i]));
  compress(s, msg, len / 64);

  // All lanes have the same length, so they pad alike: 1 or 2 final blocks each.
  alignas(32) uint8_t tail[8][128];
  const uint8_t* tails[8];
  size_t blocks = 0;
  for (int i = 0; i < 8; ++i) {
    blocks = pad_tail(msg[i], len, tail[i]);
    tails[i] = tail[i];
  }
  compress(s, tails, blocks);

  alignas(32) uint32_t words[8][8];
  for (int i = 0; i < 8; ++i)
    _mm256_store_si256(reinterpret_cast<V*>(words[i]), s[i]);
  for (size_t lane = 0; lane < 8; ++lane)
    store_digest(&words[0][0], 8, lane, out[lane]);
}

}  // namespace codex::sha256_detail
