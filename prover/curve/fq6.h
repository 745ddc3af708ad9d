// Fq6 = Fq2[v]/(v³ − ξ), ξ = 9 + u. Elements c0 + c1·v + c2·v².
//
// Values are plain data: copyable, no heap, thread-compatible.
#pragma once

#include "prover/curve/fq2.h"

namespace codex::prover::curve {

struct Fq6 {
  Fq2 c0, c1, c2;

  constexpr Fq6() = default;
  constexpr Fq6(const Fq2& a0, const Fq2& a1, const Fq2& a2) : c0(a0), c1(a1), c2(a2) {}

  static constexpr Fq6 zero() { return Fq6(); }
  static constexpr Fq6 one() { return Fq6(Fq2::one(), Fq2(), Fq2()); }

  bool is_zero() const { return c0.is_zero() && c1.is_zero() && c2.is_zero(); }
  friend bool operator==(const Fq6& a, const Fq6& b) = default;

  friend Fq6 operator+(const Fq6& a, const Fq6& b) {
    return Fq6(a.c0 + b.c0, a.c1 + b.c1, a.c2 + b.c2);
  }
  friend Fq6 operator-(const Fq6& a, const Fq6& b) {
    return Fq6(a.c0 - b.c0, a.c1 - b.c1, a.c2 - b.c2);
  }
  friend Fq6 operator-(const Fq6& a) { return Fq6(-a.c0, -a.c1, -a.c2); }
  // Karatsuba over the cubic extension: 6 Fq2 multiplications.
  friend Fq6 operator*(const Fq6& a, const Fq6& b) {
    Fq2 t0 = a.c0 * b.c0, t1 = a.c1 * b.c1, t2 = a.c2 * b.c2;
    Fq2 r0 = ((a.c1 + a.c2) * (b.c1 + b.c2) - t1 - t2).mul_by_xi() + t0;
    Fq2 r1 = (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1 + t2.mul_by_xi();
    Fq2 r2 = (a.c0 + a.c2) * (b.c0 + b.c2) - t0 - t2 + t1;
    return Fq6(r0, r1, r2);
  }
  // Each coefficient times an Fq2 scalar.
  friend Fq6 operator*(const Fq6& a, const Fq2& s) { return Fq6(a.c0 * s, a.c1 * s, a.c2 * s); }
  Fq6& operator+=(const Fq6& b) { return *this = *this + b; }
  Fq6& operator-=(const Fq6& b) { return *this = *this - b; }
  Fq6& operator*=(const Fq6& b) { return *this = *this * b; }

  Fq6 dbl() const { return Fq6(c0.dbl(), c1.dbl(), c2.dbl()); }
  // Chung–Hasan SQR2: 2 squarings and 3 multiplications in Fq2.
  Fq6 square() const {
    Fq2 s0 = c0.square();
    Fq2 s1 = (c0 * c1).dbl();
    Fq2 s2 = (c0 - c1 + c2).square();
    Fq2 s3 = (c1 * c2).dbl();
    Fq2 s4 = c2.square();
    return Fq6(s3.mul_by_xi() + s0, s4.mul_by_xi() + s1, s1 + s2 + s3 - s0 - s4);
  }
  // x·v = ξ·c2 + c0·v + c1·v².
  Fq6 mul_by_v() const { return Fq6(c2.mul_by_xi(), c0, c1); }
  // x·(b0 + b1·v) (sparse: used by the Miller loop's line multiplication).
  Fq6 mul_by_01(const Fq2& b0, const Fq2& b1) const {
    Fq2 t0 = c0 * b0, t1 = c1 * b1;
    Fq2 r0 = ((c1 + c2) * b1 - t1).mul_by_xi() + t0;
    Fq2 r1 = (c0 + c1) * (b0 + b1) - t0 - t1;
    Fq2 r2 = (c0 + c2) * b0 - t0 + t1;
    return Fq6(r0, r1, r2);
  }
  // x·b1·v (sparse).
  Fq6 mul_by_1(const Fq2& b1) const { return Fq6((c2 * b1).mul_by_xi(), c0 * b1, c1 * b1); }
  // 1/x; zero for zero.
  Fq6 inverse() const {
    Fq2 a = c0.square() - (c1 * c2).mul_by_xi();
    Fq2 b = c2.square().mul_by_xi() - c0 * c1;
    Fq2 c = c1.square() - c0 * c2;
    Fq2 t = (c0 * a + (c2 * b + c1 * c).mul_by_xi()).inverse();
    return Fq6(a * t, b * t, c * t);
  }
};

}  // namespace codex::prover::curve
