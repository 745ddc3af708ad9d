// Fq2 = Fq[u]/(u² + 1), the quadratic extension of the BN254 base field
// (coordinates of G2). Elements c0 + c1·u; the Fq12 tower's non-residue is
// ξ = 9 + u.
//
// Values are plain data: copyable, no heap, thread-compatible.
#pragma once

#include <ostream>

#include "prover/field/bn254.h"

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
  // Karatsuba: 3 base multiplications.
  friend Fq2 operator*(const Fq2& a, const Fq2& b) {
    Fq t0 = a.c0 * b.c0, t1 = a.c1 * b.c1;
    return Fq2(t0 - t1, (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1);
  }
  friend Fq2 operator*(const Fq2& a, const Fq& s) { return Fq2(a.c0 * s, a.c1 * s); }
  Fq2& operator+=(const Fq2& b) { return *this = *this + b; }
  Fq2& operator-=(const Fq2& b) { return *this = *this - b; }
  Fq2& operator*=(const Fq2& b) { return *this = *this * b; }

  Fq2 dbl() const { return Fq2(c0.dbl(), c1.dbl()); }
  // (a + bu)² = (a + b)(a − b) + 2ab·u: 2 multiplications.
  Fq2 square() const { return Fq2((c0 + c1) * (c0 - c1), (c0 * c1).dbl()); }
  // a − bu; also the Frobenius map x ↦ x^q.
  Fq2 conjugate() const { return Fq2(c0, -c1); }
  // x·ξ with ξ = 9 + u: (9a − b) + (a + 9b)u, by additions only.
  Fq2 mul_by_xi() const {
    Fq a8 = c0.dbl().dbl().dbl(), b8 = c1.dbl().dbl().dbl();
    return Fq2(a8 + c0 - c1, c0 + b8 + c1);
  }
  // 1/x; zero for zero.
  Fq2 inverse() const {
    Fq t = (c0.square() + c1.square()).inverse();
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
};

}  // namespace codex::prover::curve
