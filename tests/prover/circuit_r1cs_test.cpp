// R1CS builder basics and the Poseidon2 gadgets against the native
// permutation, compression and sponge (prover/poseidon2).
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <vector>

#include "prover/circuit/poseidon2_gadget.h"
#include "prover/circuit/r1cs.h"
#include "prover/error.h"
#include "prover/poseidon2/permutation.h"
#include "prover/poseidon2/sponge.h"

namespace codex::prover::circuit {
namespace {

using LC = LinearCombination;

Fr u(uint64_t x) {
  return Fr::from_u64(x);
}

TEST(CircuitLinearCombination, MergesScalesAndDropsZeros) {
  LC a = LC(3, u(2)) + LC(1, u(5)) + LC(3, u(4));
  ASSERT_EQ(a.terms().size(), 2u);
  EXPECT_EQ(a.terms()[0].first, 1u);
  EXPECT_EQ(a.terms()[1].first, 3u);
  EXPECT_EQ(a.terms()[1].second, u(6));
  a -= LC(3, u(6));
  ASSERT_EQ(a.terms().size(), 1u);
  a.add(1, -u(5));
  EXPECT_TRUE(a.is_zero());

  LC b = u(3) * (LC(2) + LC::constant(u(7)));
  std::vector<Fr> w = {Fr::one(), u(10), u(11)};
  EXPECT_EQ(b.evaluate(w), u(3 * (11 + 7)));
  EXPECT_THROW(LC(5).evaluate(w), InvalidInput);
  EXPECT_TRUE(u(0) * b == LC());
}

TEST(CircuitBuilder, SatisfiedAndTamperedWitness) {
  CircuitBuilder cb;
  Wire x = cb.add_public(u(3));
  Wire y = cb.add_private(u(4));
  EXPECT_THROW(cb.add_public(u(1)), InvalidInput);
  // z = x·(y + 1); out = z·z − 5·x (a linear term on the c side).
  Wire z = cb.mul(x, LC(y) + LC::constant(Fr::one()));
  Wire out = cb.add_private(cb.value(LC(z)) * cb.value(LC(z)) - u(15));
  cb.add_constraint({LC(z), LC(z), LC(out) + LC(x, u(5))});
  EXPECT_EQ(cb.value(LC(z)), u(15));
  EXPECT_EQ(cb.value(LC(out)), u(225 - 15));
  EXPECT_EQ(cb.num_wires(), 5u);
  EXPECT_EQ(cb.num_public(), 1u);
  EXPECT_EQ(cb.num_private(), 3u);
  EXPECT_EQ(cb.num_constraints(), 2u);
  EXPECT_TRUE(cb.is_satisfied());
  EXPECT_EQ(cb.first_unsatisfied(), std::nullopt);

  // Tampering with out breaks constraint 1 only; with y, constraint 0 first.
  cb.set_value(out, u(211));
  EXPECT_EQ(cb.first_unsatisfied(), std::optional<size_t>(1));
  cb.set_value(out, u(210));
  EXPECT_TRUE(cb.is_satisfied());
  cb.set_value(y, u(5));
  EXPECT_EQ(cb.first_unsatisfied(), std::optional<size_t>(0));

  EXPECT_THROW(cb.set_value(kOneWire, u(2)), InvalidInput);
  EXPECT_THROW(cb.set_value(99, u(2)), InvalidInput);
  EXPECT_THROW(cb.add_constraint({LC(99), LC(x), LC(x)}), InvalidInput);
}

TEST(CircuitPoseidon2, PermutationMatchesNativeAndCosts240) {
  std::mt19937_64 rng(20261122);
  for (int iter = 0; iter < 5; ++iter) {
    poseidon2::State in = {Fr::random(rng), Fr::random(rng), Fr::random(rng)};
    if (iter == 0) in = {Fr::zero(), Fr::one(), u(2)};  // spec vector input
    CircuitBuilder cb;
    LcState s;
    for (size_t i = 0; i < 3; ++i)
      s[i] = LC(cb.add_public(in[i]));
    size_t before = cb.num_constraints();
    LcState out = permute_gadget(cb, s);
    size_t cost = cb.num_constraints() - before;
    poseidon2::State expect = in;
    poseidon2::permute(expect);
    for (size_t i = 0; i < 3; ++i)
      EXPECT_EQ(cb.value(out[i]), expect[i]) << "iteration " << iter << " lane " << i;
    if (iter == 0) {
      EXPECT_EQ(expect[0].to_decimal(),
                "21882471761025344482456282050943515707267606647948403374880378562101343146243");
      std::printf("Poseidon2 permutation gadget: %zu constraints, %zu private wires\n", cost,
                  cb.num_private());
    }
    EXPECT_EQ(cost, 240u);  // 80 S-boxes × 3 (proofs.md §1.1)
    EXPECT_EQ(cb.num_private(), 240u);
    EXPECT_TRUE(cb.is_satisfied());

    // A tampered intermediate wire is caught at its constraint.
    Wire mid = Wire(1 + 3 + 120);
    cb.set_value(mid, cb.witness()[mid] + Fr::one());
    auto bad = cb.first_unsatisfied();
    ASSERT_TRUE(bad.has_value());
    EXPECT_EQ(*bad, 120u);  // the constraint that defines wire `mid` (4 + 120)
  }
}

TEST(CircuitPoseidon2, CompressionMatchesNative) {
  std::mt19937_64 rng(7);
  for (uint64_t key = 0; key < 4; ++key) {
    Fr x = Fr::random(rng), y = Fr::random(rng);
    CircuitBuilder cb;
    Wire wx = cb.add_private(x), wy = cb.add_private(y);
    LC h = compress_gadget(cb, LC(wx), LC(wy), key);
    EXPECT_EQ(cb.value(h), poseidon2::compress(x, y, key)) << "key " << key;
    EXPECT_EQ(cb.num_constraints(), 240u);
    EXPECT_TRUE(cb.is_satisfied());
  }
}

TEST(CircuitPoseidon2, Sponge2MatchesNative) {
  std::mt19937_64 rng(11);
  for (size_t n = 0; n <= 5; ++n) {
    std::vector<Fr> xs;
    CircuitBuilder cb;
    std::vector<LC> lcs;
    for (size_t i = 0; i < n; ++i) {
      xs.push_back(Fr::random(rng));
      lcs.push_back(LC(cb.add_private(xs.back())));
    }
    LC h = sponge2_gadget(cb, lcs);
    EXPECT_EQ(cb.value(h), poseidon2::sponge(xs, 2)) << "n = " << n;
    EXPECT_EQ(cb.num_constraints(), 240u * (n / 2 + 1)) << "n = " << n;
    EXPECT_TRUE(cb.is_satisfied());
  }
  // Spec vector: sponge2([1]).
  CircuitBuilder cb;
  LC one[] = {LC(cb.add_public(Fr::one()))};
  EXPECT_EQ(cb.value(sponge2_gadget(cb, one)).to_decimal(),
            "5101758095924000127790537496504070769319625501671400349336709520206095219618");
}

}  // namespace
}  // namespace codex::prover::circuit
