#include "prover/curve/fq12.h"

namespace codex::prover::curve {

namespace {

// (q − 1)/6 as limbs (q ≡ 1 mod 6 for BN primes).
field::Limbs<4> q_minus_one_over_six() {
  field::Limbs<4> a = Fq::kModulus;
  a[0] -= 1;  // q is odd: no borrow
  field::u128 rem = 0;
  for (size_t i = 4; i-- > 0;) {
    field::u128 cur = (rem << 64) | a[i];
    a[i] = uint64_t(cur / 6);
    rem = cur % 6;
  }
  return a;
}

Fq6 frobenius6(const Fq6& x, const std::array<Fq2, 6>& g) {
  // (a_j v^j)^q = conj(a_j)·v^j·v^(j(q−1)), and v = w² so v^(q−1) = γ_2.
  return Fq6(x.c0.conjugate(), x.c1.conjugate() * g[2], x.c2.conjugate() * g[4]);
}

}  // namespace

const std::array<Fq2, 6>& frobenius_coefficients() {
  static const std::array<Fq2, 6> kGamma = [] {
    const Fq2 xi(Fq::from_u64(9), Fq::one());
    const auto e = q_minus_one_over_six();
    const Fq2 g1 = xi.pow(e);
    std::array<Fq2, 6> g;
    g[0] = Fq2::one();
    for (size_t k = 1; k < 6; ++k)
      g[k] = g[k - 1] * g1;
    return g;
  }();
  return kGamma;
}

Fq12 Fq12::frobenius(unsigned power) const {
  const auto& g = frobenius_coefficients();
  Fq12 r = *this;
  for (unsigned i = 0; i < power % 12; ++i) {
    // The w-part picks up w^(q−1) = γ_1 on top of the Fq6 map.
    r = Fq12(frobenius6(r.c0, g), frobenius6(r.c1, g) * g[1]);
  }
  return r;
}

Fq12 Fq12::cyclotomic_square() const {
  // View x as a + b·w + c·w² over Fq4 = Fq2[s]/(s² − ξ), s = w³:
  // a = (w⁰, w³), b = (w¹, w⁴), c = (w², w⁵) coefficient pairs.
  const Fq2 &z0 = c0.c0, &z4 = c0.c1, &z3 = c0.c2, &z2 = c1.c0, &z1 = c1.c1, &z5 = c1.c2;
  // (x + y·s)² in Fq4.
  auto sq4 = [](const Fq2& x, const Fq2& y, Fq2& r0, Fq2& r1) {
    Fq2 t = x * y;
    r0 = (x + y) * (x + y.mul_by_xi()) - t - t.mul_by_xi();
    r1 = t.dbl();
  };
  Fq2 t0, t1, t2, t3, t4, t5;
  sq4(z0, z1, t0, t1);
  sq4(z2, z3, t2, t3);
  sq4(z4, z5, t4, t5);
  auto three_minus_two = [](const Fq2& t, const Fq2& z) { return (t - z).dbl() + t; };
  auto three_plus_two = [](const Fq2& t, const Fq2& z) { return (t + z).dbl() + t; };
  Fq2 r0 = three_minus_two(t0, z0), r1 = three_plus_two(t1, z1);
  Fq2 r2 = three_plus_two(t5.mul_by_xi(), z2), r3 = three_minus_two(t4, z3);
  Fq2 r4 = three_minus_two(t2, z4), r5 = three_plus_two(t3, z5);
  return Fq12(Fq6(r0, r4, r3), Fq6(r2, r1, r5));
}

Fq12 Fq12::pow(std::span<const uint64_t> e) const {
  Fq12 r = one();
  for (size_t i = e.size() * 64; i-- > 0;) {
    r = r.square();
    if ((e[i / 64] >> (i % 64)) & 1) r *= *this;
  }
  return r;
}

}  // namespace codex::prover::curve
