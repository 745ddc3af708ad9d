// The keyed Poseidon2 Merkle tree: paths for every leaf of trees of many
// sizes, verification, rejection of tampered or inconsistent paths.
#include <gtest/gtest.h>

#include <random>

#include "prover/merkle/tree.h"
#include "prover/poseidon2/permutation.h"
#include "support/random.h"

namespace codex::prover {
namespace {

using merkle::MerklePath;
using merkle::MerkleTree;

TEST(Merkle, Depth) {
  EXPECT_EQ(merkle::tree_depth(1), 1u);
  EXPECT_EQ(merkle::tree_depth(2), 1u);
  EXPECT_EQ(merkle::tree_depth(3), 2u);
  EXPECT_EQ(merkle::tree_depth(4), 2u);
  EXPECT_EQ(merkle::tree_depth(5), 3u);
  EXPECT_EQ(merkle::tree_depth(1ull << 32), 32u);
}

TEST(Merkle, SingleLeafIsHashed) {
  Fr x = Fr::from_u64(1);
  MerkleTree t({x});
  EXPECT_EQ(t.root(), poseidon2::compress(x, Fr::zero(), 3));
  EXPECT_NE(t.root(), x);
  auto p = t.path(0);
  ASSERT_EQ(p.siblings.size(), 1u);
  EXPECT_TRUE(p.siblings[0].is_zero());
  EXPECT_TRUE(merkle::verify(x, p, t.root()));
}

TEST(Merkle, EveryPathOfManySizesVerifies) {
  for (size_t n = 1; n <= 70; ++n) {
    auto leaves = test_support::random_frs(n, n);
    MerkleTree t(leaves);
    EXPECT_EQ(t.root(), merkle::merkle_root(leaves));
    EXPECT_EQ(t.depth(), merkle::tree_depth(n));
    for (size_t i = 0; i < n; ++i) {
      MerklePath p = t.path(i);
      ASSERT_TRUE(merkle::verify(leaves[i], p, t.root())) << n << " " << i;
      // A wrong leaf, sibling, index or leaf count fails.
      EXPECT_FALSE(merkle::verify(leaves[i] + Fr::one(), p, t.root()));
      MerklePath q = p;
      q.siblings[0] += Fr::one();
      if (!(i == n - 1 && i % 2 == 0)) {  // an odd node ignores its (zero) sibling
        EXPECT_FALSE(merkle::verify(leaves[i], q, t.root())) << n << " " << i;
      }
      if (n > 1) {
        q = p;
        q.index = (i + 1) % n;
        EXPECT_FALSE(merkle::verify(leaves[i], q, t.root())) << n << " " << i;
      }
    }
  }
}

TEST(Merkle, RejectsInconsistentInput) {
  EXPECT_THROW(MerkleTree(std::vector<Fr>{}), InvalidInput);
  EXPECT_THROW(merkle::merkle_root({}), InvalidInput);
  MerkleTree t(test_support::random_frs(5, 1));
  EXPECT_THROW(t.path(5), InvalidInput);
  MerklePath p = t.path(2);
  p.siblings.pop_back();
  EXPECT_THROW(merkle::root_from_path(Fr::one(), p), InvalidInput);
  EXPECT_FALSE(merkle::verify(Fr::one(), p, t.root()));
  p = t.path(2);
  p.leaf_count = 0;
  EXPECT_THROW(merkle::root_from_path(Fr::one(), p), InvalidInput);
  p.leaf_count = 2;
  EXPECT_THROW(merkle::root_from_path(Fr::one(), p), InvalidInput);
}

}  // namespace
}  // namespace codex::prover
