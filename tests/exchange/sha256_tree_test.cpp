// Roots computed with an independent Python implementation of spec node.md §1.5
// (leaf i = sha256(byte i)); proofs checked for every leaf of trees of 1..40 leaves.
#include <gtest/gtest.h>

#include <map>

#include "base/hex.h"
#include "exchange/error.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/tree/sha256_tree.h"

using namespace codex;

namespace {
std::string hex(const Digest32& d) {
  return base::to_hex(d, false);
}
std::vector<Digest32> leaves(size_t n) {
  std::vector<Digest32> out;
  for (size_t i = 0; i < n; ++i) {
    uint8_t b = uint8_t(i);
    out.push_back(sha256(std::span<const uint8_t>(&b, 1)));
  }
  return out;
}
const std::map<size_t, std::string> kRoots = {
    {1, "2d911775b9ae3471d5757078cc65a9594a78a9c3bde8e48626f931dc31dd09df"},
    {2, "f8893ba7886e55cfef4a2c055c650cc8541771d91c989182ae50993871480786"},
    {3, "ca2101c8f3f53bc2295509688937295453deec959d2567fd9fef8ddaddd5c00f"},
    {4, "e711805cf373f33ee2233e8503db786df056a13d10990cb5de8ac30cfd998970"},
    {5, "48dfd2f8a67b5bbc47647120bf6adcda2c8039dd6535daea1da14625357b9c04"},
    {7, "c9d75e3f4727d9073bbc5a1421d568c02d7bd5af7e3ddf29859bf108f3649500"},
    {8, "071d5dda7fe745c260891f4cfbb96961bfae768b5d00083f86071a482d8f4c17"},
    {9, "dc93fcc49060092ba54229e490ae33b3de5c7887b4a51cc1cfa128dbd0e6e7bb"},
    {16, "e272296ac69d2d84ec2c1c5ace2cbf7c95c8cc468cda2d5700d85f0b00eb31aa"},
    {17, "09993bb5f44eef52c6713cae0358a97345eacc68aa79236a743390bfc65cc33f"},
    {33, "71c6cfa66fd41bf4163134a13b7f9bff10a7aab794046da2b75fc9d7550d0843"},
    {40, "21f6ad92894310c2bc4b76ffa91d300abb0d684c03295ffcc6a370ca23050198"},
};
}  // namespace

TEST(Sha256Tree, KnownRoots) {
  for (const auto& [n, root] : kRoots)
    EXPECT_EQ(hex(Sha256Tree::build(leaves(n)).root()), root) << n;
}

TEST(Sha256Tree, SingleLeafRootIsCompressedNeverTheLeaf) {
  auto l = leaves(1);
  auto t = Sha256Tree::build(l);
  EXPECT_NE(t.root(), l[0]);
  EXPECT_EQ(t.root(), sha256_compress(l[0], Digest32{}, TreeKey::kOddAndBottomLayer));
}

TEST(Sha256Tree, EveryProofOfOneToFortyLeavesVerifies) {
  for (size_t n = 1; n <= 40; ++n) {
    auto l = leaves(n);
    auto t = Sha256Tree::build(l);
    for (size_t i = 0; i < n; ++i) {
      TreeProof p = t.proof(i);
      EXPECT_EQ(p.path.size(), tree_depth(n));
      EXPECT_TRUE(p.verify(l[i], t.root())) << n << " " << i;
      // Round trip through the wire form.
      TreeProof q = TreeProof::decode(p.encode());
      EXPECT_EQ(p, q);
      // A proof for another leaf, or a changed sibling, must fail.
      if (n > 1) EXPECT_FALSE(p.verify(l[(i + 1) % n], t.root()));
      TreeProof bad = p;
      bad.path[0][0] ^= 1;
      EXPECT_FALSE(bad.verify(l[i], t.root()));
    }
  }
}

TEST(Sha256Tree, RootCidAndTreeSerialisation) {
  auto t = Sha256Tree::build(leaves(13));
  Cid c = t.root_cid();
  EXPECT_EQ(c.codec(), multicodec::kRoot);
  EXPECT_EQ(tree_root_of(c), t.root());
  std::string enc = t.encode();
  auto t2 = Sha256Tree::decode(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(enc.data()), enc.size()));
  EXPECT_EQ(t2.root(), t.root());
  enc[enc.size() - 1] ^= 1;  // a damaged inner node
  EXPECT_THROW(Sha256Tree::decode(std::span<const uint8_t>(
                   reinterpret_cast<const uint8_t*>(enc.data()), enc.size())),
               FormatError);
}

TEST(Sha256Tree, RejectsBadInput) {
  EXPECT_THROW(Sha256Tree::build({}), FormatError);
  EXPECT_THROW(Sha256Tree::build(leaves(3)).proof(3), std::out_of_range);
  EXPECT_THROW(TreeProof::decode(std::string_view("\xff\xff")), FormatError);
  TreeProof p = Sha256Tree::build(leaves(5)).proof(2);
  TreeProof shortp = p;
  shortp.path.pop_back();
  EXPECT_THROW(TreeProof::decode(shortp.encode()), FormatError);
  TreeProof outside = p;
  outside.index = 5;
  EXPECT_THROW(TreeProof::decode(outside.encode()), FormatError);
  EXPECT_FALSE(outside.verify(leaves(5)[2], Sha256Tree::build(leaves(5)).root()));
  EXPECT_THROW(TreeProof::decode(std::string(2u << 20, '\0')), FormatError);
  EXPECT_THROW(tree_root_of(Cid::empty_block()), FormatError);
}
