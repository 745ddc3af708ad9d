// The optimal ate pairing: bilinearity, non-degeneracy, order r, the
// addition-chain final exponentiation against plain exponentiation by
// (q¹²−1)/r, multi-pairing = product of pairings.
#include <gmp.h>
#include <gtest/gtest.h>

#include <random>

#include "prover/pairing/pairing.h"

namespace codex::prover::pairing {
namespace {

using curve::G1;
using curve::G2;

std::vector<uint64_t> to_limbs(const mpz_t z) {
  std::vector<uint64_t> out((mpz_sizeinbase(z, 2) + 63) / 64);
  size_t count = 0;
  mpz_export(out.data(), &count, -1, sizeof(uint64_t), 0, 0, z);
  out.resize(count);
  return out;
}

TEST(Pairing, BilinearAndNonDegenerate) {
  std::mt19937_64 rng(11);
  G1Affine p = curve::g1_generator();
  G2Affine q = curve::g2_generator();
  Fq12 e = pairing(p, q);
  EXPECT_FALSE(e.is_one());
  EXPECT_TRUE(e.pow(Fr::kModulus).is_one());
  for (int i = 0; i < 2; ++i) {
    Fr a = Fr::random(rng), b = Fr::random(rng);
    Fq12 lhs = pairing((G1(p) * a).to_affine(), (G2(q) * b).to_affine());
    EXPECT_EQ(lhs, e.pow((a * b).to_int()));
    EXPECT_EQ(pairing((G1(p) * a).to_affine(), q), pairing(p, (G2(q) * a).to_affine()));
  }
  EXPECT_TRUE(pairing(G1Affine::identity(), q).is_one());
  EXPECT_TRUE(pairing(p, G2Affine::identity()).is_one());
}

TEST(Pairing, FinalExponentiationIsExact) {
  // The chain must give f^((q¹²−1)/r) itself, not a multiple, so that values
  // match other implementations (vk_alphabeta_12).
  std::mt19937_64 rng(12);
  Fq12 f(curve::Fq6(curve::Fq2(Fq::random(rng), Fq::random(rng)), curve::Fq2::one(),
                    curve::Fq2(Fq::random(rng), Fq())),
         curve::Fq6::one());
  mpz_t q, r, e;
  mpz_inits(q, r, e, nullptr);
  mpz_import(q, 4, -1, sizeof(uint64_t), 0, 0, Fq::kModulus.data());
  mpz_import(r, 4, -1, sizeof(uint64_t), 0, 0, Fr::kModulus.data());
  mpz_pow_ui(e, q, 12);
  mpz_sub_ui(e, e, 1);
  ASSERT_TRUE(mpz_divisible_p(e, r));
  mpz_divexact(e, e, r);
  auto limbs = to_limbs(e);
  mpz_clears(q, r, e, nullptr);
  EXPECT_EQ(final_exponentiation(f), f.pow(limbs));
}

TEST(Pairing, MultiPairingIsProduct) {
  std::mt19937_64 rng(13);
  G1 g1 = curve::g1_generator();
  G2 g2 = curve::g2_generator();
  std::vector<G1Affine> ps;
  std::vector<G2Affine> qs;
  Fq12 expected = Fq12::one();
  for (int i = 0; i < 3; ++i) {
    ps.push_back((g1 * Fr::random(rng)).to_affine());
    qs.push_back((g2 * Fr::random(rng)).to_affine());
    expected *= pairing(ps.back(), qs.back());
  }
  EXPECT_EQ(multi_pairing(ps, qs), expected);
  // e(−P, Q)·e(P, Q) = 1.
  G1Affine a = ps[0];
  std::vector<G1Affine> ps2 = {-a, a};
  std::vector<G2Affine> qs2 = {qs[0], qs[0]};
  EXPECT_TRUE(multi_pairing(ps2, qs2).is_one());
  EXPECT_THROW(multi_pairing(ps2, std::span(qs2).first(1)), InvalidInput);
}

}  // namespace
}  // namespace codex::prover::pairing
