#include "prover/pairing/pairing.h"

#include <string>

#include "prover/error.h"

namespace codex::prover::pairing {

namespace {

// The BN parameter x and the ate loop count 6x + 2 (65 bits).
constexpr uint64_t kX = 4965661367192848881ull;
constexpr field::u128 kAteLoop = field::u128(kX) * 6 + 2;
constexpr int kAteBits = 65;
static_assert((kAteLoop >> (kAteBits - 1)) == 1);

// R in homogeneous projective coordinates (x = X/Z, y = Y/Z) on the twist.
struct Homogeneous {
  Fq2 X, Y, Z;
};

// Doubles R and returns the tangent line at R (Costello–Lange–Naehrig
// formulas for a = 0, scaled so no inversion is needed).
G2Prepared::Line doubling_step(Homogeneous& r, const Fq& two_inv) {
  const Fq2& b = curve::G2Curve::b();
  Fq2 a = (r.X * r.Y) * two_inv;
  Fq2 yy = r.Y.square();
  Fq2 zz = r.Z.square();
  Fq2 e = b * (zz.dbl() + zz);
  Fq2 f = e.dbl() + e;
  Fq2 g = (yy + f) * two_inv;
  Fq2 h = (r.Y + r.Z).square() - (yy + zz);
  Fq2 i = e - yy;
  Fq2 j = r.X.square();
  Fq2 ee = e.square();
  r.X = a * (yy - f);
  r.Y = g.square() - (ee.dbl() + ee);
  r.Z = yy * h;
  return {-h, j.dbl() + j, i};
}

// Sets R = R + Q and returns the line through R and Q.
G2Prepared::Line addition_step(Homogeneous& r, const G2Affine& q) {
  Fq2 theta = r.Y - q.y * r.Z;
  Fq2 lambda = r.X - q.x * r.Z;
  Fq2 c = theta.square();
  Fq2 d = lambda.square();
  Fq2 e = lambda * d;
  Fq2 f = r.Z * c;
  Fq2 g = r.X * d;
  Fq2 h = e + f - g.dbl();
  r.X = lambda * h;
  r.Y = theta * (g - h) - e * r.Y;
  r.Z = r.Z * e;
  Fq2 j = theta * q.x - lambda * q.y;
  return {lambda, -theta, j};
}

Fq12 eval_line(const Fq12& f, const G2Prepared::Line& l, const G1Affine& p) {
  return f.mul_by_034(l.c0 * p.y, l.c1 * p.x, l.c2);
}

// f^x on the cyclotomic subgroup (square-and-multiply with cyclotomic squarings).
Fq12 pow_x(const Fq12& f) {
  Fq12 r = f;
  for (int i = 62 - __builtin_clzll(kX); i >= 0; --i) {
    r = r.cyclotomic_square();
    if ((kX >> i) & 1) r *= f;
  }
  return r;
}

}  // namespace

G2Prepared::G2Prepared(const G2Affine& q) : infinity_(q.infinity) {
  if (infinity_) return;
  const Fq two_inv = Fq::from_u64(2).inverse();
  Homogeneous r{q.x, q.y, Fq2::one()};
  lines_.reserve(2 * kAteBits + 2);
  for (int i = kAteBits - 2; i >= 0; --i) {
    lines_.push_back(doubling_step(r, two_inv));
    if ((kAteLoop >> i) & 1) lines_.push_back(addition_step(r, q));
  }
  // Q₁ = π(Q), Q₂ = −π²(Q).
  G2Affine q1 = curve::g2_frobenius(q);
  G2Affine q2 = -curve::g2_frobenius(q1);
  lines_.push_back(addition_step(r, q1));
  lines_.push_back(addition_step(r, q2));
}

Fq12 miller_loop(std::span<const G1Affine> ps, std::span<const G2Prepared* const> qs) {
  if (ps.size() != qs.size()) {
    throw InvalidInput("miller_loop: " + std::to_string(ps.size()) + " G1 points but " +
                       std::to_string(qs.size()) + " G2 points");
  }
  std::vector<size_t> active;
  for (size_t k = 0; k < ps.size(); ++k) {
    if (!ps[k].infinity && !qs[k]->is_identity()) active.push_back(k);
  }
  Fq12 f = Fq12::one();
  size_t idx = 0;  // position in every prepared line list (same schedule)
  for (int i = kAteBits - 2; i >= 0; --i) {
    if (i != kAteBits - 2) f = f.square();
    for (size_t k : active)
      f = eval_line(f, qs[k]->lines()[idx], ps[k]);
    ++idx;
    if ((kAteLoop >> i) & 1) {
      for (size_t k : active)
        f = eval_line(f, qs[k]->lines()[idx], ps[k]);
      ++idx;
    }
  }
  for (int extra = 0; extra < 2; ++extra, ++idx) {
    for (size_t k : active)
      f = eval_line(f, qs[k]->lines()[idx], ps[k]);
  }
  return f;
}

Fq12 final_exponentiation(const Fq12& f) {
  // Easy part: f^((q⁶ − 1)(q² + 1)) lands in the cyclotomic subgroup.
  Fq12 t = f.conjugate() * f.inverse();
  t = t.frobenius(2) * t;

  // Hard part: t^((q⁴ − q² + 1)/r) = t^(λ₀ + λ₁q + λ₂q² + λ₃q³) with the λᵢ
  // polynomials in x, evaluated by a vectorial addition chain.
  Fq12 fx = pow_x(t), fx2 = pow_x(fx), fx3 = pow_x(fx2);
  Fq12 fp = t.frobenius(1), fp2 = t.frobenius(2), fp3 = fp2.frobenius(1);

  Fq12 y0 = fp * fp2 * fp3;
  Fq12 y1 = t.conjugate();
  Fq12 y2 = fx2.frobenius(2);
  Fq12 y3 = fx.frobenius(1).conjugate();
  Fq12 y4 = (fx * fx2.frobenius(1)).conjugate();
  Fq12 y5 = fx2.conjugate();
  Fq12 y6 = (fx3 * fx3.frobenius(1)).conjugate();

  Fq12 t0 = y6.square() * y4 * y5;
  Fq12 t1 = y3 * y5 * t0;
  t0 = t0 * y2;
  t1 = (t1.square() * t0).square();
  t0 = t1 * y1;
  t1 = t1 * y0;
  return t0.square() * t1;
}

Fq12 pairing(const G1Affine& p, const G2Affine& q) {
  G2Prepared prepared(q);
  const G2Prepared* qs[1] = {&prepared};
  return final_exponentiation(miller_loop(std::span(&p, 1), qs));
}

Fq12 multi_pairing(std::span<const G1Affine> ps, std::span<const G2Affine> qs) {
  if (ps.size() != qs.size()) {
    throw InvalidInput("multi_pairing: " + std::to_string(ps.size()) + " G1 points but " +
                       std::to_string(qs.size()) + " G2 points");
  }
  std::vector<G2Prepared> prepared;
  prepared.reserve(qs.size());
  for (const auto& q : qs)
    prepared.emplace_back(q);
  std::vector<const G2Prepared*> ptrs;
  for (const auto& p : prepared)
    ptrs.push_back(&p);
  return final_exponentiation(miller_loop(ps, ptrs));
}

}  // namespace codex::prover::pairing
