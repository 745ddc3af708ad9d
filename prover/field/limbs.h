// Fixed-width multi-precision integers as arrays of 64-bit limbs (least
// significant limb first), with the constexpr helpers that derive Montgomery
// parameters from a modulus at compile time.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace codex::prover::field {

template <size_t N>
using Limbs = std::array<uint64_t, N>;

using u128 = unsigned __int128;

// a < b as unsigned integers.
template <size_t N>
constexpr bool limbs_less(const Limbs<N>& a, const Limbs<N>& b) {
  for (size_t i = N; i-- > 0;) {
    if (a[i] != b[i]) return a[i] < b[i];
  }
  return false;
}

template <size_t N>
constexpr bool limbs_is_zero(const Limbs<N>& a) {
  uint64_t acc = 0;
  for (size_t i = 0; i < N; ++i)
    acc |= a[i];
  return acc == 0;
}

// One word of an add-with-carry / subtract-with-borrow chain (adc / sbb on
// x86-64, portable 128-bit arithmetic elsewhere and at compile time).
constexpr uint64_t addc(uint64_t a, uint64_t b, uint64_t carry_in, uint64_t& carry_out) {
#if defined(__x86_64__)
  if (!std::is_constant_evaluated()) {
    unsigned long long r;
    carry_out = _addcarry_u64(static_cast<unsigned char>(carry_in), a, b, &r);
    return r;
  }
#endif
  u128 s = u128(a) + b + carry_in;
  carry_out = uint64_t(s >> 64);
  return uint64_t(s);
}
constexpr uint64_t subb(uint64_t a, uint64_t b, uint64_t borrow_in, uint64_t& borrow_out) {
#if defined(__x86_64__)
  if (!std::is_constant_evaluated()) {
    unsigned long long r;
    borrow_out = _subborrow_u64(static_cast<unsigned char>(borrow_in), a, b, &r);
    return r;
  }
#endif
  u128 d = u128(a) - b - borrow_in;
  borrow_out = uint64_t(d >> 64) & 1;
  return uint64_t(d);
}

// r = a + b; returns the carry out. r may alias a or b.
template <size_t N>
constexpr uint64_t limbs_add(Limbs<N>& r, const Limbs<N>& a, const Limbs<N>& b) {
  uint64_t carry = 0;
#pragma GCC unroll 8
  for (size_t i = 0; i < N; ++i)
    r[i] = addc(a[i], b[i], carry, carry);
  return carry;
}

// r = a - b; returns the borrow out (1 if a < b). r may alias a or b.
template <size_t N>
constexpr uint64_t limbs_sub(Limbs<N>& r, const Limbs<N>& a, const Limbs<N>& b) {
  uint64_t borrow = 0;
#pragma GCC unroll 8
  for (size_t i = 0; i < N; ++i)
    r[i] = subb(a[i], b[i], borrow, borrow);
  return borrow;
}

// Modular addition and subtraction of reduced operands (a, b < m), without
// data-dependent branches (the portable path; kernel_adx.h has cmov versions).
template <size_t N>
inline void limbs_add_mod(Limbs<N>& r, const Limbs<N>& a, const Limbs<N>& b, const Limbs<N>& m) {
  Limbs<N> s, d;
  uint64_t carry = limbs_add(s, a, b);
  uint64_t borrow = limbs_sub(d, s, m);
  // Keep s when s < m (a borrow not absorbed by the carry); select by mask.
  const uint64_t keep = uint64_t(0) - (borrow & (carry ^ 1));
#pragma GCC unroll 8
  for (size_t i = 0; i < N; ++i)
    r[i] = (s[i] & keep) | (d[i] & ~keep);
}
template <size_t N>
inline void limbs_sub_mod(Limbs<N>& r, const Limbs<N>& a, const Limbs<N>& b, const Limbs<N>& m) {
  Limbs<N> d;
  uint64_t borrow = limbs_sub(d, a, b);
  uint64_t mask = uint64_t(0) - borrow;
  uint64_t carry = 0;
#pragma GCC unroll 8
  for (size_t i = 0; i < N; ++i)
    r[i] = addc(d[i], m[i] & mask, carry, carry);
}

template <size_t N>
constexpr Limbs<N> limbs_shr1(const Limbs<N>& a) {
  Limbs<N> r{};
  for (size_t i = 0; i < N; ++i) {
    r[i] = a[i] >> 1;
    if (i + 1 < N) r[i] |= a[i + 1] << 63;
  }
  return r;
}

template <size_t N>
constexpr bool limbs_bit(const Limbs<N>& a, size_t bit) {
  return (a[bit / 64] >> (bit % 64)) & 1;
}

// Number of significant bits (0 for zero).
template <size_t N>
constexpr size_t limbs_bit_length(const Limbs<N>& a) {
  for (size_t i = N; i-- > 0;) {
    if (a[i] != 0) return i * 64 + 64 - size_t(__builtin_clzll(a[i]));
  }
  return 0;
}

// (2a) mod m, for a < m.
template <size_t N>
constexpr Limbs<N> limbs_double_mod(const Limbs<N>& a, const Limbs<N>& m) {
  Limbs<N> r{};
  uint64_t carry = limbs_add(r, a, a);
  if (carry || !limbs_less(r, m)) limbs_sub(r, r, m);
  return r;
}

// 2^k mod m, by k modular doublings of 1 (compile-time only; m > 1).
template <size_t N>
constexpr Limbs<N> limbs_pow2_mod(size_t k, const Limbs<N>& m) {
  Limbs<N> r{};
  r[0] = 1;
  for (size_t i = 0; i < k; ++i)
    r = limbs_double_mod(r, m);
  return r;
}

// -m^{-1} mod 2^64 for odd m0 (Newton iteration).
constexpr uint64_t neg_inv64(uint64_t m0) {
  uint64_t x = 1;
  for (int i = 0; i < 7; ++i)
    x *= 2 - m0 * x;
  return ~x + 1;
}

}  // namespace codex::prover::field
