// GLV scalar decomposition for BN254: k ≡ k1 + k2·λ (mod r) with
// |k1|, |k2| < 2^127, so Σ kᵢ·Pᵢ becomes an MSM over twice the points
// (Pᵢ and φ(Pᵢ), see prover/curve/endomorphism.h) with half-length scalars.
//
// Lattice basis of {(a, b) : a + b·λ ≡ 0 (mod r)} (from the extended
// Euclidean algorithm on (r, λ); x is the BN parameter):
//   v1 = (2x + 1, −(6x² + 2x)),  v2 = (6x² + 4x + 1, 2x + 1),  det = r.
// (k, 0) = c1·v1 + c2·v2 + (k1, k2) with c1 = ⌊k·b2/r⌉, c2 = ⌊−k·b1/r⌉,
// each rounded quotient taken as (k·g + 2^255) >> 256, g = ⌊2^256·b/r⌉.
// Rounding errors stay below 0.63 per coefficient, hence
// |kᵢ| ≤ 0.63·(|a1| + |a2|) < 2^127 and 128-bit wrapping arithmetic is exact.
#pragma once

#include <cstdint>

#include "prover/field/limbs.h"

namespace codex::prover::msm {

struct GlvScalar {
  field::u128 k1 = 0, k2 = 0;  // magnitudes
  bool neg1 = false, neg2 = false;
};

namespace detail {

// ⌊(k·g + 2^255) / 2^256⌉ for a 4-limb k and a 3-limb g; the result is < 2^128.
inline field::u128 mul_shift_256(const field::Limbs<4>& k, const field::Limbs<3>& g) {
  uint64_t t[7] = {};
  for (size_t i = 0; i < 4; ++i) {
    uint64_t carry = 0;
    for (size_t j = 0; j < 3; ++j) {
      field::u128 p = field::u128(k[i]) * g[j] + t[i + j] + carry;
      t[i + j] = uint64_t(p);
      carry = uint64_t(p >> 64);
    }
    t[i + 3] = carry;
  }
  // + 2^255 (round to nearest), carried into the limbs above.
  uint64_t c = 0;
  t[3] = field::addc(t[3], uint64_t(1) << 63, 0, c);
  t[4] = field::addc(t[4], 0, c, c);
  t[5] = field::addc(t[5], 0, c, c);
  return field::u128(t[5]) << 64 | t[4];
}

}  // namespace detail

inline GlvScalar glv_split(const field::Limbs<4>& k) {
  using field::u128;
  constexpr u128 kA1 = 0x89d3256894d213e3ull;                                      // 2x + 1 (= b2)
  constexpr u128 kA2 = u128(0x6f4d8248eeb859fdull) << 64 | 0x0be4e1541221250bull;  // 6x²+4x+1
  constexpr u128 kB1 = u128(0x6f4d8248eeb859fcull) << 64 | 0x8211bbeb7d4f1128ull;  // 6x²+2x = −b1
  constexpr u128 kB2 = kA1;
  constexpr field::Limbs<3> kG1 = {0xd91d232ec7e0b3d7ull, 0x2ull, 0};  // ⌊2^256·b2/r⌉
  constexpr field::Limbs<3> kG2 = {0x7a7bd9d4391eb18eull, 0x4ccef014a773d2cfull,
                                   0x2ull};  // ⌊2^256·(−b1)/r⌉
  const u128 c1 = detail::mul_shift_256(k, kG1);
  const u128 c2 = detail::mul_shift_256(k, kG2);
  const u128 k_low = u128(k[1]) << 64 | k[0];
  // Exact modulo 2^128 since the true values are below 2^127 in magnitude.
  const u128 k1 = k_low - c1 * kA1 - c2 * kA2;
  const u128 k2 = c1 * kB1 - c2 * kB2;
  GlvScalar s;
  s.neg1 = (k1 >> 127) != 0;
  s.neg2 = (k2 >> 127) != 0;
  s.k1 = s.neg1 ? u128(0) - k1 : k1;
  s.k2 = s.neg2 ? u128(0) - k2 : k2;
  return s;
}

}  // namespace codex::prover::msm
