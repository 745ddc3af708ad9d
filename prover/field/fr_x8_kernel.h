// AVX-512 kernels for 8 BN254 Fr elements at once, one per 64-bit lane, in
// "vertical" form: register j holds limb j of all 8 lanes. Limbs are 29 bits
// (9 limbs, 261 bits) so that 32×32→64-bit vpmuludq products (< 2^60 for
// limbs < 2^30) can be summed without carries. Elements are in Montgomery form
// with R = 2^261: the lane value x̃ ≡ x·2^261 (mod r), not necessarily < r.
// Only built with AVX-512F (fr_x8.h falls back to scalar Fr elsewhere).
//
// Names and bounds (r < 0.757·2^254, so ε := r/2^261 < 0.0060):
//   "normalized": limbs 0..7 < 2^29 (the top limb holds the rest, value>>232).
//   mul / sqr: inputs with limbs < 2^30 (e.g. the limb-wise sum of two
//     normalized values) and values A, B; output normalized, value
//     < A·B/2^261 + r. Inputs < 9r give < (81ε + 1)·r < 1.5r.
//     Column sums: at most 9 products < 2^60 (sqr: 4 doubled cross products
//     < 2^61 and one square < 2^60), 9 reduction products m·r_j < 2^58 and a
//     carry < 2^35: < 11.3·2^60 < 2^64, so no lane overflows.
//   add: limb-wise, no carries (limbs grow by one bit per doubling).
//   normalize: carry pass; keeps the value.
//   reduce: value < 2^263 → normalized, value in [0, r + 2^242), i.e. < 1.001r.
//   reduce_lazy: the same without the first carry pass, < 2.001r.
#pragma once

#if defined(__AVX512F__)

#include <immintrin.h>

#include <array>
#include <cstdint>

#include "prover/field/bn254.h"

namespace codex::prover::field::x8 {

inline constexpr int kLimbs = 9;
inline constexpr int kLimbBits = 29;
inline constexpr uint64_t kMask = (uint64_t(1) << kLimbBits) - 1;

using Limbs29 = std::array<uint64_t, kLimbs>;

// The 29-bit limbs of a 256-bit integer.
constexpr Limbs29 split29(const Fr::Repr& a) {
  Limbs29 r{};
  for (int k = 0; k < kLimbs; ++k) {
    int bit = k * kLimbBits, w = bit / 64, s = bit % 64;
    uint64_t v = a[w] >> s;
    if (s + kLimbBits > 64 && w + 1 < 4) v |= a[w + 1] << (64 - s);
    r[k] = v & kMask;
  }
  return r;
}

// The integer with 29-bit limbs a (normalized, value < 2^256).
constexpr Fr::Repr join29(const Limbs29& a) {
  Fr::Repr r{};
  for (int k = 0; k < kLimbs; ++k) {
    int bit = k * kLimbBits, w = bit / 64, s = bit % 64;
    r[w] |= a[k] << s;
    if (s + kLimbBits > 64 && w + 1 < 4) r[w + 1] |= a[k] >> (64 - s);
  }
  return r;
}

inline constexpr Limbs29 kP = split29(Fr::kModulus);
// -r^{-1} mod 2^29.
inline constexpr uint64_t kNegInv = neg_inv64(Fr::kModulus[0]) & kMask;
// reduce(): q = (top limb · kQuotMul) >> kQuotShift ≤ top / (kP[8] + 1).
inline constexpr int kQuotShift = 53;
inline constexpr uint64_t kQuotMul = (uint64_t(1) << kQuotShift) / (kP[8] + 1);
static_assert(kQuotMul < (uint64_t(1) << 32), "quotient multiplier must fit vpmuludq");
static_assert(kP[8] < (uint64_t(1) << 22), "r < 2^254");

// Lane-wise 64-bit operations. GCC 12 flags the _mm512_undefined_epi32()
// placeholder inside the unmasked shift / multiply intrinsics as uninitialized
// once inlined, so these use vector extensions and the zero-masked multiply
// (an all-ones mask compiles to the plain instruction).
using U64x8 = uint64_t __attribute__((vector_size(64)));
using I64x8 = int64_t __attribute__((vector_size(64)));
[[gnu::always_inline]] inline __m512i mul32(__m512i a, __m512i b) {
  return _mm512_maskz_mul_epu32(0xff, a, b);
}
[[gnu::always_inline]] inline __m512i add64(__m512i a, __m512i b) {
  return __m512i(U64x8(a) + U64x8(b));
}
[[gnu::always_inline]] inline __m512i sub64(__m512i a, __m512i b) {
  return __m512i(U64x8(a) - U64x8(b));
}
[[gnu::always_inline]] inline __m512i and64(__m512i a, __m512i b) {
  return __m512i(U64x8(a) & U64x8(b));
}
[[gnu::always_inline]] inline __m512i shl64(__m512i a, int n) {
  return __m512i(U64x8(a) << n);
}
[[gnu::always_inline]] inline __m512i shr64(__m512i a, int n) {
  return __m512i(U64x8(a) >> n);
}
[[gnu::always_inline]] inline __m512i sar64(__m512i a, int n) {
  return __m512i(I64x8(a) >> n);
}

// 8 lanes of one element.
struct Vec {
  __m512i l[kLimbs];
};

[[gnu::always_inline]] inline __m512i bcast(uint64_t v) {
  return _mm512_set1_epi64(static_cast<long long>(v));
}

[[gnu::always_inline]] inline Vec broadcast(const Limbs29& a) {
  Vec r;
  for (int k = 0; k < kLimbs; ++k)
    r.l[k] = bcast(a[k]);
  return r;
}

// Limb-wise a + b (no carries).
[[gnu::always_inline]] inline Vec add(const Vec& a, const Vec& b) {
  Vec r;
#pragma GCC unroll 9
  for (int k = 0; k < kLimbs; ++k)
    r.l[k] = add64(a.l[k], b.l[k]);
  return r;
}

// a + k for a constant k (broadcast from memory).
[[gnu::always_inline]] inline Vec add(const Vec& a, const Limbs29& k) {
  Vec r;
#pragma GCC unroll 9
  for (int j = 0; j < kLimbs; ++j)
    r.l[j] = add64(a.l[j], bcast(k[j]));
  return r;
}

// Carry pass on non-negative limbs.
[[gnu::always_inline]] inline void normalize(Vec& a) {
  const __m512i mask = bcast(kMask);
#pragma GCC unroll 8
  for (int k = 0; k < kLimbs - 1; ++k) {
    a.l[k + 1] = add64(a.l[k + 1], shr64(a.l[k], kLimbBits));
    a.l[k] = and64(a.l[k], mask);
  }
}

// r ≡ 1 + 2^28 (mod 2^29), so -r^{-1} ≡ 2^28 - 1: both products by these
// constants become a shift and an add, which shortens redc's serial chain.
static_assert(kP[0] == (uint64_t(1) << 28) + 1 && kNegInv == (uint64_t(1) << 28) - 1);

// Montgomery reduction of the 18-column product t (t ≡ a·b): returns
// (a·b + m·r) / 2^261, normalized. Step i picks m_i so column i becomes
// divisible by 2^29 and moves its high part into column i + 1.
[[gnu::always_inline]] inline Vec redc(__m512i (&t)[2 * kLimbs]) {
  const __m512i mask = bcast(kMask);
#pragma GCC unroll 9
  for (int i = 0; i < kLimbs; ++i) {
    // m = t·(2^28 - 1) mod 2^29; lo = t + m·(2^28 + 1) ≡ 0 mod 2^29.
    const __m512i m = and64(sub64(shl64(t[i], 28), t[i]), mask);
    const __m512i lo = add64(add64(t[i], m), shl64(m, 28));
    // The carry goes in first: m·r_1 (a 5-cycle product) is then the last
    // input of column i + 1, which is the next step's critical path.
    t[i + 1] = add64(t[i + 1], shr64(lo, kLimbBits));
#pragma GCC unroll 8
    for (int j = 1; j < kLimbs; ++j)
      t[i + j] = add64(t[i + j], mul32(m, bcast(kP[j])));
  }
  Vec r;
#pragma GCC unroll 9
  for (int k = 0; k < kLimbs; ++k)
    r.l[k] = t[k + kLimbs];
  normalize(r);
  return r;
}

// Montgomery product a·b/2^261 (see the bounds above).
[[gnu::always_inline]] inline Vec mul(const Vec& a, const Vec& b) {
  __m512i t[2 * kLimbs];
#pragma GCC unroll 18
  for (int k = 0; k < 2 * kLimbs; ++k)
    t[k] = _mm512_setzero_si512();
#pragma GCC unroll 9
  for (int i = 0; i < kLimbs; ++i) {
#pragma GCC unroll 9
    for (int j = 0; j < kLimbs; ++j)
      t[i + j] = add64(t[i + j], mul32(a.l[i], b.l[j]));
  }
  return redc(t);
}

// Montgomery square: cross products once, doubled through 2·a_i (< 2^31).
[[gnu::always_inline]] inline Vec sqr(const Vec& a) {
  __m512i t[2 * kLimbs];
#pragma GCC unroll 9
  for (int i = 0; i < kLimbs; ++i) {
    t[2 * i] = mul32(a.l[i], a.l[i]);
    t[2 * i + 1] = _mm512_setzero_si512();
  }
#pragma GCC unroll 9
  for (int i = 0; i < kLimbs; ++i) {
    const __m512i a2 = add64(a.l[i], a.l[i]);
#pragma GCC unroll 9
    for (int j = i + 1; j < kLimbs; ++j)
      t[i + j] = add64(t[i + j], mul32(a2, a.l[j]));
  }
  return redc(t);
}

// a - q·r with q ≤ a/r from the top limb, then a signed carry pass. Input:
// non-negative limbs < 2^40, value < 2^263. If a is normalized the result is
// < r + 2^242 (< 1.001r); otherwise the carries missing from the top limb
// (< 2^11) make q at most one too small: < 2.001r.
[[gnu::always_inline]] inline void reduce_lazy(Vec& a) {
  const __m512i q = shr64(mul32(a.l[kLimbs - 1], bcast(kQuotMul)), kQuotShift);
#pragma GCC unroll 9
  for (int k = 0; k < kLimbs; ++k)
    a.l[k] = sub64(a.l[k], mul32(q, bcast(kP[k])));
  const __m512i mask = bcast(kMask);
#pragma GCC unroll 8
  for (int k = 0; k < kLimbs - 1; ++k) {
    a.l[k + 1] = add64(a.l[k + 1], sar64(a.l[k], kLimbBits));
    a.l[k] = and64(a.l[k], mask);
  }
}

// a mod r up to a small excess: < 1.001r for a < 2^263.
[[gnu::always_inline]] inline void reduce(Vec& a) {
  normalize(a);
  reduce_lazy(a);
}

// Lanes to vertical form and back (lane i of limb k is v[i][k]).
inline Vec load_lanes(const std::array<Limbs29, 8>& v) {
  alignas(64) uint64_t tmp[kLimbs][8];
  for (int i = 0; i < 8; ++i)
    for (int k = 0; k < kLimbs; ++k)
      tmp[k][i] = v[i][k];
  Vec r;
  for (int k = 0; k < kLimbs; ++k)
    r.l[k] = _mm512_load_si512(tmp[k]);
  return r;
}

inline std::array<Limbs29, 8> store_lanes(const Vec& a) {
  alignas(64) uint64_t tmp[kLimbs][8];
  for (int k = 0; k < kLimbs; ++k)
    _mm512_store_si512(tmp[k], a.l[k]);
  std::array<Limbs29, 8> v;
  for (int i = 0; i < 8; ++i)
    for (int k = 0; k < kLimbs; ++k)
      v[i][k] = tmp[k][i];
  return v;
}

}  // namespace codex::prover::field::x8

#endif  // __AVX512F__
