// The fast multiplication kernel: Montgomery multiplication by CIOS (coarsely
// integrated operand scanning) with unsigned __int128, fully inlined.
//
// When the modulus leaves the top bit of the top limb free and the top limb is
// below 2^63 − 1 (true for both BN254 fields), the "no-carry" variant skips the
// extra carry word of textbook CIOS (the trick of gnark-crypto's field code).
// Otherwise the textbook algorithm with an (n+2)-word accumulator is used.
//
// Contract: as mont_mul_gmp (kernel_gmp.h); results are fully reduced and equal
// the GMP path's bit for bit (tests/prover/field_kernel_test.cpp checks this).
#pragma once

#include "prover/field/limbs.h"

namespace codex::prover::field {

template <size_t N>
constexpr bool cios_no_carry_ok(const Limbs<N>& m) {
  return m[N - 1] < 0x7FFFFFFFFFFFFFFFull;
}

// Final conditional subtraction: r = t mod m for t < 2m (t given with an
// optional extra top word `hi`).
template <size_t N>
inline void cios_final_sub(Limbs<N>& r, const Limbs<N>& t, uint64_t hi, const Limbs<N>& m) {
  Limbs<N> d;
  uint64_t borrow = limbs_sub(d, t, m);
  // Keep t when t < m: a borrow that the extra word hi does not absorb.
  const uint64_t keep = uint64_t(0) - uint64_t(borrow != 0 && hi == 0);
#pragma GCC unroll 8
  for (size_t i = 0; i < N; ++i)
    r[i] = (t[i] & keep) | (d[i] & ~keep);
}

// NoCarry must equal cios_no_carry_ok(m).
template <size_t N, bool NoCarry>
[[gnu::always_inline]] inline void mont_mul_cios(Limbs<N>& r, const Limbs<N>& a, const Limbs<N>& b,
                                                 const Limbs<N>& m, uint64_t neg_inv) {
  Limbs<N> t{};
  if constexpr (NoCarry) {
#pragma GCC unroll 8
    for (size_t i = 0; i < N; ++i) {
      // t += a * b[i]; m-step; shift by one word, all in one pass.
      u128 p = u128(a[0]) * b[i] + t[0];
      uint64_t A = uint64_t(p >> 64);
      uint64_t t0 = uint64_t(p);
      uint64_t q = t0 * neg_inv;
      u128 c = u128(q) * m[0] + t0;
      uint64_t C = uint64_t(c >> 64);
#pragma GCC unroll 8
      for (size_t j = 1; j < N; ++j) {
        p = u128(a[j]) * b[i] + t[j] + A;
        A = uint64_t(p >> 64);
        c = u128(q) * m[j] + uint64_t(p) + C;
        C = uint64_t(c >> 64);
        t[j - 1] = uint64_t(c);
      }
      t[N - 1] = C + A;
    }
    cios_final_sub(r, t, 0, m);
  } else {
    uint64_t t_n = 0;  // word N of the accumulator
#pragma GCC unroll 8
    for (size_t i = 0; i < N; ++i) {
      uint64_t carry = 0;
#pragma GCC unroll 8
      for (size_t j = 0; j < N; ++j) {
        u128 p = u128(a[j]) * b[i] + t[j] + carry;
        t[j] = uint64_t(p);
        carry = uint64_t(p >> 64);
      }
      u128 s = u128(t_n) + carry;
      t_n = uint64_t(s);
      uint64_t t_n1 = uint64_t(s >> 64);
      uint64_t q = t[0] * neg_inv;
      u128 c = u128(q) * m[0] + t[0];
      carry = uint64_t(c >> 64);
#pragma GCC unroll 8
      for (size_t j = 1; j < N; ++j) {
        c = u128(q) * m[j] + t[j] + carry;
        t[j - 1] = uint64_t(c);
        carry = uint64_t(c >> 64);
      }
      s = u128(t_n) + carry;
      t[N - 1] = uint64_t(s);
      t_n = t_n1 + uint64_t(s >> 64);
    }
    cios_final_sub(r, t, t_n, m);
  }
}

}  // namespace codex::prover::field
