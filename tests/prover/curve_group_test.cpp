// G1 and G2: generators, group law (Jacobian, mixed, doubling, identity
// cases), scalar multiplication, on-curve and subgroup checks.
#include <gtest/gtest.h>

#include <optional>
#include <random>

#include "prover/curve/g1.h"
#include "prover/curve/g2.h"

namespace codex::prover::curve {
namespace {

template <class J>
void check_group_law(const J& p, const J& q, const Fr& a, const Fr& b) {
  EXPECT_EQ(p + q, q + p);
  EXPECT_EQ(p + p, p.dbl());
  EXPECT_EQ(p + q.to_affine(), p + q);                // mixed
  EXPECT_EQ(p + p.to_affine(), p.dbl());              // mixed, doubling case
  EXPECT_TRUE((p + (-p).to_affine()).is_identity());  // mixed, P − P
  EXPECT_TRUE((p - p).is_identity());
  EXPECT_EQ(p + J::identity(), p);
  EXPECT_EQ(J::identity() + p, p);
  EXPECT_EQ(p * a + p * b, p * (a + b));
  EXPECT_EQ((p * a) * b, p * (a * b));
  EXPECT_TRUE((p + q).is_on_curve());
  EXPECT_TRUE((p + q).to_affine().is_on_curve());
  EXPECT_TRUE(p.mul(Fr::kModulus).is_identity());
  EXPECT_EQ(p * Fr::from_u64(5), p.dbl().dbl() + p);
}

TEST(G1, GroupLaw) {
  std::mt19937_64 rng(7);
  G1 g = g1_generator();
  EXPECT_TRUE(g1_is_valid(g1_generator()));
  for (int i = 0; i < 5; ++i) {
    G1 p = g * Fr::random(rng), q = g * Fr::random(rng);
    check_group_law(p, q, Fr::random(rng), Fr::random(rng));
  }
  EXPECT_FALSE(g1_is_valid(G1Affine(Fq::from_u64(1), Fq::from_u64(3))));
  EXPECT_TRUE(g1_is_valid(G1Affine::identity()));
}

TEST(G2, TwistCoefficientKnownValue) {
  EXPECT_EQ(G2Curve::b().c0.to_decimal(),
            "19485874751759354771024239261021720505790618469301721065564631296452457478373");
  EXPECT_EQ(G2Curve::b().c1.to_decimal(),
            "266929791119991161246907387137283842545076965332900288569378510910307636690");
}

TEST(G2, GroupLaw) {
  std::mt19937_64 rng(8);
  G2Affine g = g2_generator();
  EXPECT_TRUE(g.is_on_curve());
  EXPECT_TRUE(g2_is_valid(g));
  for (int i = 0; i < 3; ++i) {
    G2 p = G2(g) * Fr::random(rng), q = G2(g) * Fr::random(rng);
    EXPECT_TRUE(g2_in_subgroup(p.to_affine()));
    EXPECT_TRUE(g2_in_subgroup_by_order(p.to_affine()));
    check_group_law(p, q, Fr::random(rng), Fr::random(rng));
  }
}

TEST(G2, FrobeniusActsAsMultiplicationByQ) {
  G2Affine g = g2_generator();
  // q mod r = q − r, since r < q < 2r.
  field::Limbs<4> d;
  field::limbs_sub(d, Fq::kModulus, Fr::kModulus);
  const Fr q_mod_r = Fr::from_int(d);
  EXPECT_EQ(G2(g2_frobenius(g)), G2(g) * q_mod_r);
}

// A square root in Fq2 via the norm (q ≡ 3 mod 4), for building test points.
std::optional<Fq2> sqrt2(const Fq2& a) {
  auto n = (a.c0.square() + a.c1.square()).sqrt();
  if (!n) return std::nullopt;
  const Fq half = Fq::from_u64(2).inverse();
  for (Fq s : {*n, -*n}) {
    auto c0 = ((a.c0 + s) * half).sqrt();
    if (!c0 || c0->is_zero()) continue;
    Fq2 r(*c0, a.c1 * (c0->dbl()).inverse());
    if (r.square() == a) return r;
  }
  return std::nullopt;
}

TEST(G2, SubgroupCheckRejectsTwistPointsOutsideG2) {
  int found = 0;
  for (uint64_t k = 1; found < 3 && k < 200; ++k) {
    Fq2 x(Fq::from_u64(k), Fq::from_u64(1));
    auto y = sqrt2(x.square() * x + G2Curve::b());
    if (!y) continue;
    G2Affine p(x, *y);
    ASSERT_TRUE(p.is_on_curve());
    EXPECT_FALSE(g2_in_subgroup(p)) << "x = " << x;
    EXPECT_FALSE(g2_in_subgroup_by_order(p));
    // Clearing the cofactor (2q − r) lands in G2: both tests agree.
    field::Limbs<4> cofactor;
    field::limbs_sub(cofactor, Fq::kModulus, Fr::kModulus);
    field::limbs_add(cofactor, cofactor, Fq::kModulus);
    G2Affine cleared = G2(p).mul(cofactor).to_affine();
    EXPECT_TRUE(g2_in_subgroup(cleared));
    EXPECT_TRUE(g2_in_subgroup_by_order(cleared));
    // A G2 point plus a non-G2 point is outside G2.
    G2Affine mixed = (G2(g2_generator()) + p).to_affine();
    EXPECT_FALSE(g2_in_subgroup(mixed));
    EXPECT_FALSE(g2_in_subgroup_by_order(mixed));
    EXPECT_FALSE(g2_is_valid(p));
    ++found;
  }
  EXPECT_EQ(found, 3);
  // Off the twist.
  G2Affine g = g2_generator();
  G2Affine bad(g.x, g.y + Fq2::one());
  EXPECT_FALSE(g2_is_valid(bad));
}

}  // namespace
}  // namespace codex::prover::curve
