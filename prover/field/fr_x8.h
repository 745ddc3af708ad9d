// FrX8: 8 independent BN254 Fr elements processed together (SIMD over lanes).
// With AVX-512F the lanes live in zmm registers (fr_x8_kernel.h: 9×29-bit
// limbs, Montgomery with R = 2^261); elsewhere the same interface loops over
// scalar Fr. Results are always the exact field values of the scalar API.
//
// Invariant of the AVX-512 representation: every lane normalized with value
// < 2r (a redundant form of x·2^261 mod r); +, * and square() keep it.
// Plain data; thread-compatible.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <span>

#include "prover/field/bn254.h"
#include "prover/field/fr_x8_kernel.h"

namespace codex::prover::field {

#if defined(__AVX512F__)
inline constexpr bool kHaveFrX8Simd = true;

class FrX8 {
 public:
  static constexpr size_t kLanes = 8;

  FrX8() : v_{} {
    for (auto& l : v_.l)
      l = _mm512_setzero_si512();
  }

  static FrX8 broadcast(const Fr& x) { return from_raw(x8::broadcast(to_limbs(x))); }
  static FrX8 from_fr(std::span<const Fr, kLanes> xs) {
    std::array<x8::Limbs29, kLanes> v;
    for (size_t i = 0; i < kLanes; ++i)
      v[i] = x8::split29(xs[i].montgomery());
    // x·2^256 → x·2^261: Montgomery product with 2^266 mod r.
    return from_raw(x8::mul(x8::load_lanes(v), x8::broadcast(kFromFr)));
  }
  // Lane i holds the element with canonical value a[i]. REQUIRES: a[i] < r.
  static FrX8 from_canonical_unchecked(const std::array<Fr::Repr, kLanes>& a) {
    std::array<x8::Limbs29, kLanes> v;
    for (size_t i = 0; i < kLanes; ++i)
      v[i] = x8::split29(a[i]);
    return from_raw(x8::mul(x8::load_lanes(v), x8::broadcast(kFromCanonical)));
  }
  // Same, from the canonical values' 29-bit limbs in vertical form.
  static FrX8 from_canonical_limbs(const x8::Vec& v) {
    return from_raw(x8::mul(v, x8::broadcast(kFromCanonical)));
  }
  std::array<Fr, kLanes> to_fr() const {
    // x·2^261 → x·2^256 (< 1.03r), then one conditional subtraction per lane.
    std::array<x8::Limbs29, kLanes> v = x8::store_lanes(x8::mul(v_, x8::broadcast(kToFr)));
    std::array<Fr, kLanes> out;
    for (size_t i = 0; i < kLanes; ++i) {
      Fr::Repr m = x8::join29(v[i]);
      if (!limbs_less(m, Fr::kModulus)) limbs_sub(m, m, Fr::kModulus);
      out[i] = Fr::from_montgomery_unchecked(m);
    }
    return out;
  }

  [[gnu::always_inline]] friend FrX8 operator+(const FrX8& a, const FrX8& b) {
    x8::Vec s = x8::add(a.v_, b.v_);
    x8::reduce(s);
    return from_raw(s);
  }
  [[gnu::always_inline]] friend FrX8 operator*(const FrX8& a, const FrX8& b) {
    return from_raw(x8::mul(a.v_, b.v_));
  }
  [[gnu::always_inline]] FrX8 square() const { return from_raw(x8::sqr(v_)); }

  // Raw access for kernels that track their own bounds (permutation_x8.cpp).
  // from_raw REQUIRES the invariant above.
  static FrX8 from_raw(const x8::Vec& v) {
    FrX8 r;
    r.v_ = v;
    return r;
  }
  const x8::Vec& raw() const { return v_; }

  // x in this representation (canonical x·2^261 mod r) as 29-bit limbs.
  static x8::Limbs29 to_limbs(const Fr& x) {
    return x8::split29((x * Fr::from_u64(32)).montgomery());
  }

 private:
  static constexpr x8::Limbs29 kFromFr = x8::split29(limbs_pow2_mod(266, Fr::kModulus));
  static constexpr x8::Limbs29 kFromCanonical = x8::split29(limbs_pow2_mod(522, Fr::kModulus));
  static constexpr x8::Limbs29 kToFr = x8::split29(Fr::kR);

  x8::Vec v_;
};

#else
inline constexpr bool kHaveFrX8Simd = false;

// Scalar fallback with the same interface.
class FrX8 {
 public:
  static constexpr size_t kLanes = 8;

  FrX8() = default;

  static FrX8 broadcast(const Fr& x) {
    FrX8 r;
    r.v_.fill(x);
    return r;
  }
  static FrX8 from_fr(std::span<const Fr, kLanes> xs) {
    FrX8 r;
    std::copy(xs.begin(), xs.end(), r.v_.begin());
    return r;
  }
  static FrX8 from_canonical_unchecked(const std::array<Fr::Repr, kLanes>& a) {
    FrX8 r;
    for (size_t i = 0; i < kLanes; ++i)
      r.v_[i] = Fr::from_canonical_unchecked(a[i]);
    return r;
  }
  std::array<Fr, kLanes> to_fr() const { return v_; }

  friend FrX8 operator+(const FrX8& a, const FrX8& b) {
    FrX8 r;
    for (size_t i = 0; i < kLanes; ++i)
      r.v_[i] = a.v_[i] + b.v_[i];
    return r;
  }
  friend FrX8 operator*(const FrX8& a, const FrX8& b) {
    FrX8 r;
    for (size_t i = 0; i < kLanes; ++i)
      r.v_[i] = a.v_[i] * b.v_[i];
    return r;
  }
  FrX8 square() const {
    FrX8 r;
    for (size_t i = 0; i < kLanes; ++i)
      r.v_[i] = v_[i].square();
    return r;
  }

 private:
  std::array<Fr, kLanes> v_{};
};
#endif

}  // namespace codex::prover::field

namespace codex::prover {
using field::FrX8;
}  // namespace codex::prover
