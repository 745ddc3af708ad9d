// Fq2 = Fq[u]/(u² + 1), the quadratic extension of the BN254 base field
// (coordinates of G2). Elements c0 + c1·u; the Fq12 tower's non-residue is
// ξ = 9 + u.
//
// Where Fq runs on the mulx kernel, products and squares go through the
// kernels of prover/field/kernel_wide.h and kernel_mulx.h directly (shared
// reductions, unreduced operands < 2q); results are bit for bit those of the
// reduced-product formulas (tests/prover/curve_tower_test.cpp keeps those as
// the reference; bench/prover_field_bench.cpp compares the two).
//
// Values are plain data: copyable, no heap, thread-compatible.
#pragma once

#include <ostream>

#include "prover/field/bn254.h"
#include "prover/field/kernel_wide.h"

namespace codex::prover::curve {

struct Fq2 {
  Fq c0, c1;

  constexpr Fq2() = default;
  constexpr Fq2(const Fq& a0, const Fq& a1) : c0(a0), c1(a1) {}

  static constexpr Fq2 zero() { return Fq2(); }
  static constexpr Fq2 one() { return Fq2(Fq::one(), Fq()); }
  // Throws InvalidInput if either decimal string is malformed or ≥ q.
  static Fq2 from_decimal(std::string_view a0, std::string_view a1) {
    return Fq2(Fq::from_decimal(a0), Fq::from_decimal(a1));
  }

  bool is_zero() const { return c0.is_zero() && c1.is_zero(); }
  bool is_one() const { return c0.is_one() && c1.is_zero(); }
  friend bool operator==(const Fq2& a, const Fq2& b) = default;

  friend Fq2 operator+(const Fq2& a, const Fq2& b) { return Fq2(a.c0 + b.c0, a.c1 + b.c1); }
  friend Fq2 operator-(const Fq2& a, const Fq2& b) { return Fq2(a.c0 - b.c0, a.c1 - b.c1); }
  friend Fq2 operator-(const Fq2& a) { return Fq2(-a.c0, -a.c1); }
  // With the mulx kernel: c0 = a0b0 + (q − a1)b1 and c1 = a0b1 + a1b0, each
  // a sum of two products with one shared Montgomery reduction
  // (kernel_wide.h; 8 product rows + 8 reduction steps in all, against
  // 12 + 12 for Karatsuba over reduced products, which is the fallback).
  friend Fq2 operator*(const Fq2& a, const Fq2& b) {
    if constexpr (kFused) {
      return mul_sum_of_products(a, b);
    } else {
      Fq t0 = a.c0 * b.c0, t1 = a.c1 * b.c1;
      return Fq2(t0 - t1, (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1);
    }
  }
  friend Fq2 operator*(const Fq2& a, const Fq& s) { return Fq2(a.c0 * s, a.c1 * s); }
  Fq2& operator+=(const Fq2& b) { return *this = *this + b; }
  Fq2& operator-=(const Fq2& b) { return *this = *this - b; }
  Fq2& operator*=(const Fq2& b) { return *this = *this * b; }

  Fq2 dbl() const { return Fq2(c0.dbl(), c1.dbl()); }
  // (a + bu)² = (a + b)(a − b) + 2ab·u: 2 multiplications. The mulx kernel
  // takes operands < 2q, so a + b, a − b + q and 2a go in unreduced.
  Fq2 square() const {
    if constexpr (kFused) {
      return square_lazy();
    } else {
      return Fq2((c0 + c1) * (c0 - c1), (c0 * c1).dbl());
    }
  }
  // The norm x·x̄ = c0² + c1² (in Fq): 1/x = x̄/norm. With the mulx kernel,
  // one sum of two products and one reduction.
  Fq norm() const {
    if constexpr (kFused) {
      field::Limbs<4> r;
      field::mont_mul_sum2(r, c0.montgomery(), c0.montgomery(), c1.montgomery(), c1.montgomery(),
                           Fq::kModulus, Fq::kNegInv);
      return Fq::from_montgomery_unchecked(r);
    } else {
      return c0.square() + c1.square();
    }
  }
  // a − bu; also the Frobenius map x ↦ x^q.
  Fq2 conjugate() const { return Fq2(c0, -c1); }
  // x·ξ with ξ = 9 + u: (9a − b) + (a + 9b)u, by additions only.
  Fq2 mul_by_xi() const {
    Fq a8 = c0.dbl().dbl().dbl(), b8 = c1.dbl().dbl().dbl();
    return Fq2(a8 + c0 - c1, c0 + b8 + c1);
  }
  // 1/x; zero for zero.
  Fq2 inverse() const {
    Fq t = norm().inverse();
    return Fq2(c0 * t, -(c1 * t));
  }
  // x^e for an exponent given as little-endian 64-bit limbs.
  Fq2 pow(std::span<const uint64_t> e) const {
    Fq2 r = one();
    for (size_t i = e.size() * 64; i-- > 0;) {
      r = r.square();
      if ((e[i / 64] >> (i % 64)) & 1) r *= *this;
    }
    return r;
  }

  friend std::ostream& operator<<(std::ostream& os, const Fq2& x) {
    return os << "(" << x.c0 << ", " << x.c1 << ")";
  }

 private:
  // Whether Fq runs on the mulx kernel, which the assembly here extends.
  // CODEX_PROVER_FQ2_REFERENCE forces the reduced-product formulas (A/B
  // benchmarks of whole programs; define it for every translation unit).
#ifdef CODEX_PROVER_FQ2_REFERENCE
  static constexpr bool kFused = false;
#else
  static constexpr bool kFused = Fq::kKernel == field::Kernel::kMulx;
#endif

  [[gnu::always_inline]] static Fq2 mul_sum_of_products(const Fq2& a, const Fq2& b) {
    using field::Limbs;
    const Limbs<4>& m = Fq::kModulus;
    const Limbs<4>&a0 = a.c0.montgomery(), &a1 = a.c1.montgomery();
    const Limbs<4>&b0 = b.c0.montgomery(), &b1 = b.c1.montgomery();
    Limbs<4> neg_a1, r0, r1;
    field::limbs_sub(neg_a1, m, a1);  // in (0, q]: the kernel's bound allows q
    field::mont_mul_sum2(r0, a0, b0, neg_a1, b1, m, Fq::kNegInv);
    field::mont_mul_sum2(r1, a0, b1, a1, b0, m, Fq::kNegInv);
    return Fq2(Fq::from_montgomery_unchecked(r0), Fq::from_montgomery_unchecked(r1));
  }

  [[gnu::always_inline]] Fq2 square_lazy() const {
#if CODEX_FIELD_HAVE_MULX
    using field::Limbs;
    const Limbs<4>& m = Fq::kModulus;
    const Limbs<4>&a = c0.montgomery(), &b = c1.montgomery();
    Limbs<4> s, d, a2, r0, r1;
    field::limbs_add(s, a, b);  // all three < 2q
    field::limbs_add(d, a, m);
    field::limbs_sub(d, d, b);
    field::limbs_add(a2, a, a);
    field::mont_mul_mulx(r0, s, d, m, Fq::kNegInv);
    field::mont_mul_mulx(r1, a2, b, m, Fq::kNegInv);
    return Fq2(Fq::from_montgomery_unchecked(r0), Fq::from_montgomery_unchecked(r1));
#else
    return Fq2();  // unreachable: kFused is false without the mulx kernel
#endif
  }
};

}  // namespace codex::prover::curve
