// Points of a short Weierstrass curve y² = x³ + b (a = 0) over a field F,
// in affine and Jacobian coordinates (x = X/Z², y = Y/Z³), generic over the
// curve description C:
//
//   struct C { using Field = ...; static Field b(); static constexpr const char* kName; };
//
// G1 (over Fq) and G2 (over Fq2) instantiate this in g1.h and g2.h.
// Formulas: dbl-2009-l, add-2007-bl, madd-2007-bl (Explicit-Formulas
// Database), with the special cases (doubling, infinity) handled explicitly.
//
// Values are plain data: copyable, no heap, thread-compatible. Nothing here
// runs in constant time: do not feed secret scalars where timing leaks matter.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace codex::prover::curve {

template <class C>
struct Affine {
  using F = typename C::Field;
  F x, y;
  bool infinity = true;

  constexpr Affine() = default;
  Affine(const F& ax, const F& ay) : x(ax), y(ay), infinity(false) {}
  static Affine identity() { return Affine(); }

  // True for the point at infinity and for points with y² = x³ + b.
  bool is_on_curve() const { return infinity || y.square() == x.square() * x + C::b(); }
  Affine operator-() const {
    Affine r = *this;
    if (!infinity) r.y = -r.y;
    return r;
  }
  friend bool operator==(const Affine& a, const Affine& b) {
    if (a.infinity || b.infinity) return a.infinity == b.infinity;
    return a.x == b.x && a.y == b.y;
  }
};

template <class C>
struct Jacobian {
  using F = typename C::Field;
  F X, Y, Z;  // Z = 0: the point at infinity

  constexpr Jacobian() : X(F::one()), Y(F::one()), Z() {}
  Jacobian(const F& x, const F& y, const F& z) : X(x), Y(y), Z(z) {}
  Jacobian(const Affine<C>& p) {  // NOLINT: implicit lift is convenient
    if (p.infinity) {
      *this = Jacobian();
    } else {
      X = p.x;
      Y = p.y;
      Z = F::one();
    }
  }
  static Jacobian identity() { return Jacobian(); }

  bool is_identity() const { return Z.is_zero(); }

  Affine<C> to_affine() const {
    if (is_identity()) return Affine<C>();
    F zi = Z.inverse();
    F zi2 = zi.square();
    return Affine<C>(X * zi2, Y * zi2 * zi);
  }

  // Y²= X³ + b·Z⁶ (the identity counts as on the curve).
  bool is_on_curve() const {
    if (is_identity()) return true;
    F z2 = Z.square();
    F z6 = z2.square() * z2;
    return Y.square() == X.square() * X + C::b() * z6;
  }

  Jacobian operator-() const { return Jacobian(X, -Y, Z); }

  // Equality of the points represented (cross-multiplied, no inversion).
  friend bool operator==(const Jacobian& a, const Jacobian& b) {
    if (a.is_identity() || b.is_identity()) return a.is_identity() == b.is_identity();
    F za2 = a.Z.square(), zb2 = b.Z.square();
    if (a.X * zb2 != b.X * za2) return false;
    return a.Y * zb2 * b.Z == b.Y * za2 * a.Z;
  }

  Jacobian dbl() const {
    if (is_identity()) return *this;
    F a = X.square(), b = Y.square(), c = b.square();
    F d = ((X + b).square() - a - c).dbl();
    F e = a.dbl() + a;
    F f = e.square();
    F x3 = f - d.dbl();
    F c8 = c.dbl().dbl().dbl();
    return Jacobian(x3, e * (d - x3) - c8, (Y * Z).dbl());
  }

  friend Jacobian operator+(const Jacobian& p, const Jacobian& q) {
    if (p.is_identity()) return q;
    if (q.is_identity()) return p;
    F z1z1 = p.Z.square(), z2z2 = q.Z.square();
    F u1 = p.X * z2z2, u2 = q.X * z1z1;
    F s1 = p.Y * q.Z * z2z2, s2 = q.Y * p.Z * z1z1;
    F h = u2 - u1;
    F r = (s2 - s1).dbl();
    if (h.is_zero()) return r.is_zero() ? p.dbl() : Jacobian();
    F i = h.dbl().square();
    F j = h * i;
    F v = u1 * i;
    F x3 = r.square() - j - v.dbl();
    F y3 = r * (v - x3) - (s1 * j).dbl();
    F z3 = ((p.Z + q.Z).square() - z1z1 - z2z2) * h;
    return Jacobian(x3, y3, z3);
  }

  // Mixed addition with an affine point (Z₂ = 1): 7M + 4S.
  friend Jacobian operator+(const Jacobian& p, const Affine<C>& q) {
    if (q.infinity) return p;
    if (p.is_identity()) return Jacobian(q);
    F z1z1 = p.Z.square();
    F u2 = q.x * z1z1, s2 = q.y * p.Z * z1z1;
    F h = u2 - p.X;
    F r = (s2 - p.Y).dbl();
    if (h.is_zero()) return r.is_zero() ? p.dbl() : Jacobian();
    F hh = h.square();
    F i = hh.dbl().dbl();
    F j = h * i;
    F v = p.X * i;
    F x3 = r.square() - j - v.dbl();
    F y3 = r * (v - x3) - (p.Y * j).dbl();
    F z3 = (p.Z + h).square() - z1z1 - hh;
    return Jacobian(x3, y3, z3);
  }
  friend Jacobian operator-(const Jacobian& p, const Jacobian& q) { return p + (-q); }
  Jacobian& operator+=(const Jacobian& q) { return *this = *this + q; }
  Jacobian& operator+=(const Affine<C>& q) { return *this = *this + q; }

  // k·P for a scalar given as little-endian 64-bit limbs (any width), with a
  // 4-bit fixed window.
  Jacobian mul(std::span<const uint64_t> k) const {
    std::array<Jacobian, 16> table;
    table[0] = Jacobian();
    table[1] = *this;
    for (size_t i = 2; i < 16; ++i)
      table[i] = table[i - 1] + *this;
    Jacobian r;
    for (size_t w = k.size() * 16; w-- > 0;) {
      r = r.dbl().dbl().dbl().dbl();
      unsigned digit = unsigned(k[w / 16] >> (4 * (w % 16))) & 15;
      if (digit != 0) r += table[digit];
    }
    return r;
  }
};

}  // namespace codex::prover::curve
