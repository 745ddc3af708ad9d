// Fq12 = Fq6[w]/(w² − v), the target field of the BN254 pairing. Elements
// c0 + c1·w, equivalently Σ a_k·w^k (k = 0..5) with a_{2j} = c0.c_j and
// a_{2j+1} = c1.c_j, since w² = v and w⁶ = ξ.
//
// Values are plain data: copyable, no heap, thread-compatible. The Frobenius
// constants are computed once (function-local static, thread-safe init).
#pragma once

#include <span>

#include "prover/curve/fq6.h"

namespace codex::prover::curve {

struct Fq12 {
  Fq6 c0, c1;

  constexpr Fq12() = default;
  constexpr Fq12(const Fq6& a0, const Fq6& a1) : c0(a0), c1(a1) {}

  static constexpr Fq12 zero() { return Fq12(); }
  static constexpr Fq12 one() { return Fq12(Fq6::one(), Fq6()); }

  bool is_zero() const { return c0.is_zero() && c1.is_zero(); }
  bool is_one() const { return *this == one(); }
  friend bool operator==(const Fq12& a, const Fq12& b) = default;

  friend Fq12 operator+(const Fq12& a, const Fq12& b) { return Fq12(a.c0 + b.c0, a.c1 + b.c1); }
  friend Fq12 operator-(const Fq12& a, const Fq12& b) { return Fq12(a.c0 - b.c0, a.c1 - b.c1); }
  friend Fq12 operator-(const Fq12& a) { return Fq12(-a.c0, -a.c1); }
  // Karatsuba: 3 Fq6 multiplications.
  friend Fq12 operator*(const Fq12& a, const Fq12& b) {
    Fq6 t0 = a.c0 * b.c0, t1 = a.c1 * b.c1;
    return Fq12(t0 + t1.mul_by_v(), (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1);
  }
  Fq12& operator*=(const Fq12& b) { return *this = *this * b; }

  // Complex squaring: 2 Fq6 multiplications.
  Fq12 square() const {
    Fq6 ab = c0 * c1;
    Fq6 r0 = (c0 + c1) * (c0 + c1.mul_by_v()) - ab - ab.mul_by_v();
    return Fq12(r0, ab.dbl());
  }
  // x² for x in the cyclotomic subgroup (x^(q⁶−1)(q²+1) images, e.g. after
  // the easy part of the final exponentiation): Granger–Scott, 6 Fq2
  // squarings' worth of work instead of a full squaring.
  // REQUIRES: x in the cyclotomic subgroup (result is garbage otherwise).
  Fq12 cyclotomic_square() const;
  // x·(d0 + d3·w + d4·v·w): the shape of a Miller-loop line for the D-type
  // twist (coefficients of w⁰, w¹ and w³).
  Fq12 mul_by_034(const Fq2& d0, const Fq2& d3, const Fq2& d4) const {
    Fq6 a = Fq6(c0.c0 * d0, c0.c1 * d0, c0.c2 * d0);
    Fq6 b = c1.mul_by_01(d3, d4);
    Fq6 e = (c0 + c1).mul_by_01(d0 + d3, d4);
    return Fq12(a + b.mul_by_v(), e - a - b);
  }
  // c0 − c1·w: the q⁶-power Frobenius; the inverse on the cyclotomic subgroup.
  Fq12 conjugate() const { return Fq12(c0, -c1); }
  // 1/x; zero for zero.
  Fq12 inverse() const {
    Fq6 t = (c0.square() - c1.square().mul_by_v()).inverse();
    return Fq12(c0 * t, -(c1 * t));
  }
  // x^(q^power) for power ≥ 0.
  Fq12 frobenius(unsigned power = 1) const;
  // x^e for an exponent given as little-endian 64-bit limbs (square-and-multiply).
  Fq12 pow(std::span<const uint64_t> e) const;
};

// γ_k = ξ^(k(q−1)/6) for k = 0..5: w^(q−1)·k powers used by the Frobenius
// maps of Fq6, Fq12 and the twist.
const std::array<Fq2, 6>& frobenius_coefficients();

}  // namespace codex::prover::curve
