// Fq2 / Fq6 / Fq12 towers: field axioms on random elements, inverses,
// Frobenius maps against plain exponentiation by q, known constants.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "prover/curve/fq12.h"

namespace codex::prover::curve {
namespace {

Fq2 rand2(std::mt19937_64& rng) {
  return Fq2(Fq::random(rng), Fq::random(rng));
}
Fq6 rand6(std::mt19937_64& rng) {
  return Fq6(rand2(rng), rand2(rng), rand2(rng));
}
Fq12 rand12(std::mt19937_64& rng) {
  return Fq12(rand6(rng), rand6(rng));
}

// Commutativity, associativity, distributivity, squaring and inverses.
template <class F>
void check_field_axioms(const F& a, const F& b, const F& c) {
  EXPECT_EQ(a * b, b * a);
  EXPECT_EQ((a * b) * c, a * (b * c));
  EXPECT_EQ(a * (b + c), a * b + a * c);
  EXPECT_EQ((a - b) + b, a);
  EXPECT_EQ(a.square(), a * a);
  EXPECT_EQ(a * a.inverse(), F::one());
}

TEST(Fq2, AxiomsAndNonResidue) {
  std::mt19937_64 rng(1);
  for (int i = 0; i < 20; ++i) {
    Fq2 a = rand2(rng), b = rand2(rng), c = rand2(rng);
    check_field_axioms(a, b, c);
    EXPECT_EQ(a.mul_by_xi(), a * Fq2(Fq::from_u64(9), Fq::one()));
    EXPECT_EQ(a.conjugate(), a.pow(Fq::kModulus));  // Frobenius
  }
  Fq2 u(Fq(), Fq::one());
  EXPECT_EQ(u.square(), -Fq2::one());
  EXPECT_TRUE(Fq2().inverse().is_zero());
}

// The schoolbook-reduced formulas Fq2 used before the 512-bit kernels: every
// base product and sum fully reduced. The reference for the shared-reduction
// and lazy-operand versions.
Fq2 reference_mul(const Fq2& a, const Fq2& b) {
  Fq t0 = a.c0 * b.c0, t1 = a.c1 * b.c1;
  return Fq2(t0 - t1, (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1);
}
Fq2 reference_square(const Fq2& a) {
  return Fq2((a.c0 + a.c1) * (a.c0 - a.c1), (a.c0 * a.c1).dbl());
}

// Components with extreme Montgomery words and extreme canonical values.
std::vector<Fq> fq_edge_values() {
  std::vector<Fq> v = {Fq(), Fq::one(), -Fq::one(), Fq::from_u64(2), -Fq::from_u64(2)};
  for (uint64_t k = 0; k < 3; ++k)
    v.push_back(Fq::from_montgomery_unchecked({k, 0, 0, 0}));
  for (uint64_t k = 1; k <= 3; ++k) {
    auto x = Fq::kModulus;
    x[0] -= k;
    v.push_back(Fq::from_montgomery_unchecked(x));
  }
  v.push_back(Fq::from_montgomery_unchecked({~0ull, ~0ull, ~0ull, Fq::kModulus[3] - 1}));
  return v;
}

TEST(Fq2, MulAndSquareMatchReferenceOnEdgeValues) {
  auto v = fq_edge_values();
  std::vector<Fq2> xs;
  for (const Fq& a : v)
    for (const Fq& b : v)
      xs.emplace_back(a, b);
  for (const Fq2& a : xs) {
    ASSERT_EQ(a.square(), reference_square(a)) << a;
    ASSERT_EQ(a.norm(), a.c0.square() + a.c1.square()) << a;
    for (const Fq2& b : xs)
      ASSERT_EQ(a * b, reference_mul(a, b)) << a << " * " << b;
  }
}

TEST(Fq2, MulAndSquareMatchReferenceOnAMillionRandomInputs) {
  std::mt19937_64 rng(2026);
  Fq2 acc = Fq2::one(), acc_ref = Fq2::one();
  for (int i = 0; i < 1'000'000; ++i) {
    Fq2 a = rand2(rng), b = rand2(rng);
    ASSERT_EQ(a * b, reference_mul(a, b)) << a << " * " << b;
    ASSERT_EQ(a.square(), reference_square(a)) << a;
    ASSERT_EQ(a.norm(), a.c0.square() + a.c1.square()) << a;
    // Chains feed results back in as operands.
    acc = (acc * a).square();
    acc_ref = reference_square(reference_mul(acc_ref, a));
  }
  EXPECT_EQ(acc, acc_ref);
}

TEST(Fq6, AxiomsAndSparse) {
  std::mt19937_64 rng(2);
  for (int i = 0; i < 10; ++i) {
    Fq6 a = rand6(rng), b = rand6(rng), c = rand6(rng);
    check_field_axioms(a, b, c);
    Fq2 d0 = rand2(rng), d1 = rand2(rng);
    EXPECT_EQ(a.mul_by_01(d0, d1), a * Fq6(d0, d1, Fq2()));
    EXPECT_EQ(a.mul_by_1(d1), a * Fq6(Fq2(), d1, Fq2()));
    EXPECT_EQ(a.mul_by_v(), a * Fq6(Fq2(), Fq2::one(), Fq2()));
  }
  // v³ = ξ.
  Fq6 v(Fq2(), Fq2::one(), Fq2());
  EXPECT_EQ(v * v * v, Fq6(Fq2(Fq::from_u64(9), Fq::one()), Fq2(), Fq2()));
}

TEST(Fq12, AxiomsSparseAndFrobenius) {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 5; ++i) {
    Fq12 a = rand12(rng), b = rand12(rng), c = rand12(rng);
    check_field_axioms(a, b, c);
    Fq2 d0 = rand2(rng), d3 = rand2(rng), d4 = rand2(rng);
    EXPECT_EQ(a.mul_by_034(d0, d3, d4), a * Fq12(Fq6(d0, Fq2(), Fq2()), Fq6(d3, d4, Fq2())));
  }
  Fq12 a = rand12(rng);
  Fq12 aq = a.pow(Fq::kModulus);
  EXPECT_EQ(a.frobenius(1), aq);
  EXPECT_EQ(a.frobenius(2), aq.pow(Fq::kModulus));
  EXPECT_EQ(a.frobenius(12), a);
  EXPECT_EQ(a.frobenius(6), a.frobenius(3).frobenius(3));
  // w² = v.
  Fq12 w(Fq6(), Fq6::one());
  EXPECT_EQ(w.square(), Fq12(Fq6(Fq2(), Fq2::one(), Fq2()), Fq6()));
}

TEST(Fq12, FrobeniusConstantsKnownValue) {
  // γ₁ = ξ^((q−1)/6), the well-known BN254 constant.
  const auto& g = frobenius_coefficients();
  EXPECT_EQ(g[1].c0.to_decimal(),
            "8376118865763821496583973867626364092589906065868298776909617916018768340080");
  EXPECT_EQ(g[1].c1.to_decimal(),
            "16469823323077808223889137241176536799009286646108169935659301613961712198316");
  EXPECT_EQ(g[3].pow(std::array<uint64_t, 1>{2}) * g[0], g[3].square());
}

}  // namespace
}  // namespace codex::prover::curve

namespace codex::prover::curve {
namespace {

TEST(Fq12, CyclotomicSquareOnCyclotomicSubgroup) {
  std::mt19937_64 rng(4);
  for (int i = 0; i < 5; ++i) {
    Fq12 a = rand12(rng);
    // Map into the cyclotomic subgroup: a^((q⁶−1)(q²+1)).
    Fq12 t = a.conjugate() * a.inverse();
    t = t.frobenius(2) * t;
    EXPECT_EQ(t.cyclotomic_square(), t.square());
    EXPECT_EQ(t.cyclotomic_square().cyclotomic_square(), t.square().square());
  }
}

}  // namespace
}  // namespace codex::prover::curve
