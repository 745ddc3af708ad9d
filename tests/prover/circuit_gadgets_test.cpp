// The bit decomposition and Merkle-path gadgets (prover/circuit/bits_gadget.h,
// merkle_gadget.h) against native values and prover/merkle.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "prover/circuit/bits_gadget.h"
#include "prover/circuit/merkle_gadget.h"
#include "prover/circuit/r1cs.h"
#include "prover/error.h"
#include "prover/merkle/tree.h"

namespace codex::prover::circuit {
namespace {

using LC = LinearCombination;

Fr u(uint64_t x) {
  return Fr::from_u64(x);
}

// r − 1, the largest canonical value.
Fr r_minus_one() {
  return -Fr::one();
}

TEST(CircuitBits, RoundTripsSmallWidths) {
  for (size_t n : {1u, 8u, 32u, 64u, 253u}) {
    CircuitBuilder cb;
    uint64_t v = n >= 64 ? 0xdeadbeefcafef00dULL : ((uint64_t(1) << n) - 1) & 0xa5a5a5a5a5a5a5a5ULL;
    Wire x = cb.add_private(u(v));
    std::vector<Wire> bits = to_bits(cb, LC(x), n);
    ASSERT_EQ(bits.size(), n);
    EXPECT_EQ(cb.num_constraints(), n + 1);
    for (size_t i = 0; i < n; ++i) {
      uint64_t expect = i < 64 ? (v >> i) & 1 : 0;
      EXPECT_EQ(cb.value(LC(bits[i])), u(expect)) << "n=" << n << " bit " << i;
    }
    EXPECT_TRUE(cb.is_satisfied()) << "n=" << n;
  }
}

TEST(CircuitBits, FullWidthRangeCheckAndCount) {
  for (const Fr& v : {Fr::zero(), Fr::one(), u(12345), r_minus_one(),
                      Fr::from_decimal("1234567890123456789012345678901234567890")}) {
    CircuitBuilder cb;
    Wire x = cb.add_private(v);
    std::vector<Wire> bits = to_bits(cb, LC(x), kFrBits);
    EXPECT_EQ(cb.num_constraints(), 509u);
    EXPECT_TRUE(cb.is_satisfied()) << v.to_decimal();
    LC sum;
    Fr pow = Fr::one();
    for (Wire b : bits) {
      sum.add(b, pow);
      pow = pow + pow;
    }
    EXPECT_EQ(cb.value(sum), v);
  }
}

// Range check alone on 254 boolean wires holding the bits of `v` (LSB first);
// returns the first violated constraint.
std::optional<size_t> range_check_bits(const Fr::Repr& v, Fr* sum_out = nullptr) {
  CircuitBuilder cb;
  std::vector<Wire> bits;
  Fr sum = Fr::zero(), pow = Fr::one();
  for (size_t i = 0; i < kFrBits; ++i) {
    bool bit = (v[i / 64] >> (i % 64)) & 1;
    bits.push_back(cb.add_private(bit ? Fr::one() : Fr::zero()));
    if (bit) sum = sum + pow;
    pow = pow + pow;
  }
  assert_bits_below_modulus(cb, bits);
  EXPECT_EQ(cb.num_constraints(), 254u);
  if (sum_out) *sum_out = sum;
  return cb.first_unsatisfied();
}

TEST(CircuitBits, NonCanonicalDecompositionIsRejected) {
  // x = 5 also equals 5 + r as an integer < 2^254: those bits pass the
  // booleanity and sum constraints, only the range check ("lt = 1", the last
  // constraint) rejects them, with the eq chain computed honestly.
  Fr::Repr alias = Fr::kModulus;
  alias[0] += 5;  // no carry: r's low limb is far from 2^64
  ASSERT_GT(alias[0], 5u);
  Fr sum;
  EXPECT_EQ(range_check_bits(alias, &sum), std::optional<size_t>(253));
  EXPECT_EQ(sum, u(5));
  // Exactly r (an alias of 0) is rejected the same way.
  EXPECT_EQ(range_check_bits(Fr::kModulus, &sum), std::optional<size_t>(253));
  EXPECT_EQ(sum, Fr::zero());
  // r − 1 and small values pass.
  EXPECT_EQ(range_check_bits(r_minus_one().to_int()), std::nullopt);
  EXPECT_EQ(range_check_bits(u(5).to_int()), std::nullopt);
  // 2^254 − 1 (all ones) is rejected.
  Fr::Repr ones = {~0ULL, ~0ULL, ~0ULL, (1ULL << 62) - 1};
  EXPECT_EQ(range_check_bits(ones), std::optional<size_t>(253));
}

TEST(CircuitBits, NonBooleanOrWrongSumIsCaught) {
  CircuitBuilder cb;
  Wire x = cb.add_private(u(6));
  std::vector<Wire> bits = to_bits(cb, LC(x), 4);
  ASSERT_TRUE(cb.is_satisfied());
  // 6 = 0b0110; b0 = 2, b1 = 0 keeps the sum but b0 is not boolean.
  cb.set_value(bits[0], u(2));
  cb.set_value(bits[1], u(0));
  EXPECT_EQ(cb.first_unsatisfied(), std::optional<size_t>(0));
  // Boolean but wrong sum.
  cb.set_value(bits[0], u(1));
  cb.set_value(bits[1], u(1));
  EXPECT_EQ(cb.first_unsatisfied(), std::optional<size_t>(4));

  // A value that does not fit leaves the sum constraint violated.
  CircuitBuilder big;
  Wire y = big.add_private(u(16));
  to_bits(big, LC(y), 4);
  EXPECT_EQ(big.first_unsatisfied(), std::optional<size_t>(4));
}

TEST(CircuitBits, RejectsBadWidth) {
  CircuitBuilder cb;
  Wire x = cb.add_private(u(1));
  EXPECT_THROW(to_bits(cb, LC(x), 0), InvalidInput);
  EXPECT_THROW(to_bits(cb, LC(x), 255), InvalidInput);
  std::vector<Wire> few(10, x);
  EXPECT_THROW(assert_bits_below_modulus(cb, few), InvalidInput);
}

// A circuit proving leaf index `index` of a tree with `leaves` against the
// public root, over maximum depth `max_depth`, with an honestly computed
// witness. If `tamper_level` is set, that path entry is increased by 1 before
// the witness is computed (a wrong path element).
CircuitBuilder merkle_circuit(const std::vector<Fr>& leaves, uint64_t index, size_t max_depth,
                              const Fr& root, std::optional<size_t> tamper_level = std::nullopt) {
  merkle::MerkleTree tree(leaves);
  merkle::MerklePath path = tree.path(index);
  Fr native = merkle::root_from_path(leaves[index], path);
  path.siblings.resize(max_depth, Fr::zero());
  if (tamper_level) path.siblings.at(*tamper_level) = path.siblings[*tamper_level] + Fr::one();
  CircuitBuilder cb;
  Wire pub_root = cb.add_public(root);
  Wire leaf = cb.add_private(leaves[index]);
  Wire idx = cb.add_private(u(index));
  Wire last = cb.add_private(u(leaves.size() - 1));
  std::vector<LC> sib, idx_bits, last_bits, mask;
  for (const Fr& s : path.siblings)
    sib.emplace_back(cb.add_private(s));
  for (Wire w : to_bits(cb, LC(idx), max_depth))
    idx_bits.emplace_back(w);
  for (Wire w : to_bits(cb, LC(last), max_depth))
    last_bits.emplace_back(w);
  for (size_t i = 0; i <= max_depth; ++i) {
    bool on = i < max_depth && (uint64_t(1) << i) < leaves.size();
    mask.emplace_back(cb.add_private(on ? Fr::one() : Fr::zero()));
  }
  size_t before = cb.num_constraints();
  LC rec = root_from_merkle_path(cb, LC(leaf), idx_bits, last_bits, mask, sib);
  EXPECT_EQ(cb.num_constraints() - before, 245 * max_depth - 1);
  if (!tamper_level) {
    EXPECT_EQ(cb.value(rec), native);
  }
  // The root equality: the last constraint.
  cb.add_constraint({rec - LC(pub_root), LC::constant(Fr::one()), LC()});
  return cb;
}

TEST(CircuitMerkle, MatchesNativeRootsForSeveralSizes) {
  const size_t max_depth = 4;
  for (uint64_t n : {1u, 2u, 3u, 5u, 7u, 8u, 11u, 16u}) {
    std::vector<Fr> leaves;
    for (uint64_t i = 0; i < n; ++i)
      leaves.push_back(u(1000 + 7 * i));
    Fr root = merkle::merkle_root(leaves);
    for (uint64_t idx = 0; idx < n; ++idx) {
      CircuitBuilder cb = merkle_circuit(leaves, idx, max_depth, root);
      EXPECT_TRUE(cb.is_satisfied()) << "n=" << n << " index=" << idx;
    }
  }
}

TEST(CircuitMerkle, SpecVectorRootOfOneToFive) {
  // proofs.md §1.5: root of [1..5].
  std::vector<Fr> leaves = {u(1), u(2), u(3), u(4), u(5)};
  Fr root = Fr::from_decimal(
      "8797512419619623354301868676697660408674060215007182352266699867257089555918");
  CircuitBuilder cb = merkle_circuit(leaves, 4, 5, root);
  EXPECT_TRUE(cb.is_satisfied());
}

TEST(CircuitMerkle, WrongPathElementBreaksTheRoot) {
  std::vector<Fr> leaves = {u(1), u(2), u(3), u(4), u(5), u(6), u(7)};
  Fr root = merkle::merkle_root(leaves);
  for (uint64_t index : {0u, 2u, 5u}) {
    ASSERT_TRUE(merkle_circuit(leaves, index, 3, root).is_satisfied());
    for (size_t level = 0; level < 3; ++level) {
      CircuitBuilder bad = merkle_circuit(leaves, index, 3, root, level);
      // Every gadget constraint holds; only the root equality fails.
      EXPECT_EQ(bad.first_unsatisfied(), std::optional<size_t>(bad.num_constraints() - 1))
          << "index " << index << " level " << level;
    }
  }
  // A wrong public root is caught the same way.
  CircuitBuilder wrong = merkle_circuit(leaves, 3, 3, root + Fr::one());
  EXPECT_EQ(wrong.first_unsatisfied(), std::optional<size_t>(wrong.num_constraints() - 1));
}

TEST(CircuitMerkle, OddNodeSiblingEntryMustBeZero) {
  // 5 leaves, index 4: levels 0 and 1 are odd nodes (sibling entries 0). As in
  // the reference, a non-zero entry there is hashed in as is, so the root no
  // longer matches.
  std::vector<Fr> leaves = {u(1), u(2), u(3), u(4), u(5)};
  Fr root = merkle::merkle_root(leaves);
  for (size_t level : {0u, 1u}) {
    CircuitBuilder bad = merkle_circuit(leaves, 4, 3, root, level);
    EXPECT_EQ(bad.first_unsatisfied(), std::optional<size_t>(bad.num_constraints() - 1));
  }
  // Entries above the tree's depth (zero padding) do not matter: the mask
  // selects the root below them.
  EXPECT_TRUE(merkle_circuit(leaves, 4, 5, root, 4).is_satisfied());
}

TEST(CircuitMerkle, RejectsInconsistentSizes) {
  CircuitBuilder cb;
  Wire w = cb.add_private(u(1));
  std::vector<LC> two(2, LC(w)), three(3, LC(w));
  EXPECT_THROW(root_from_merkle_path(cb, LC(w), two, two, two, two), InvalidInput);
  EXPECT_THROW(root_from_merkle_path(cb, LC(w), two, two, three, three), InvalidInput);
  EXPECT_THROW(root_from_merkle_path(cb, LC(w), {}, {}, std::vector<LC>(1, LC(w)), {}),
               InvalidInput);
}

}  // namespace
}  // namespace codex::prover::circuit
