// Verifiable manifests over stored blocks (spec node.md §3.1): the slot roots
// are the builder's, the verify root is the tree over them, the manifest
// survives its wire form, a provider's rebuilt slot is checked against it,
// and missing or altered data is refused with the reason.
#include <gtest/gtest.h>

#include <random>

#include "agent/slots/verifiable.h"
#include "exchange/erasure/erasure.h"
#include "exchange/erasure/memory_dataset_blocks.h"
#include "exchange/error.h"
#include "exchange/multiformats/multicodec.h"
#include "prover/merkle/tree.h"

namespace codex::slots {
namespace {

using erasure::MemoryDatasetBlocks;

struct Protected {
  MemoryDatasetBlocks blocks;
  Manifest manifest;
};

// 10 blocks of 4 KiB (cells of 2 KiB), K = 3, M = 2.
std::unique_ptr<Protected> protect(uint64_t seed = 1) {
  auto p = std::make_unique<Protected>();
  std::vector<uint8_t> bytes(10 * 4096 - 123);
  std::mt19937_64 rng(seed);
  for (auto& b : bytes)
    b = uint8_t(rng());
  const Manifest plain = erasure::store_plain_dataset(p->blocks, bytes, 4096);
  erasure::Erasure e(p->blocks);
  p->manifest = e.encode(plain, {3, 2});
  return p;
}

TEST(SlotsVerifiable, RootsAreTheBuildersAndTheManifestRoundTrips) {
  auto p = protect();
  const Manifest v = build_verifiable(p->blocks, p->manifest);
  ASSERT_TRUE(v.is_verifiable());
  const VerificationInfo& info = *v.erasure->verification;
  ASSERT_EQ(info.slot_roots.size(), 5u);
  EXPECT_EQ(info.cell_size, 2048u);
  const auto layout = slot_layout(p->manifest);
  std::vector<Fr> roots;
  for (uint64_t s = 0; s < 5; ++s) {
    const auto tree = prover::slots::build_slot(layout, s, block_reader(p->blocks, p->manifest));
    EXPECT_EQ(info.slot_roots[s], slot_root_cid(tree.root())) << "slot " << s;
    EXPECT_EQ(root_of(info.slot_roots[s], multicodec::kSlotRoot), tree.root());
    roots.push_back(tree.root());
  }
  EXPECT_EQ(root_of(info.verify_root, multicodec::kProvingRoot),
            prover::merkle::MerkleTree(roots).root());
  EXPECT_EQ(Manifest::decode(v.encode()), v);
  EXPECT_EQ(v.tree_cid, p->manifest.tree_cid) << "the same protected dataset";

  for (uint64_t s = 0; s < 5; ++s)
    EXPECT_EQ(slot_root_cid(build_checked_slot(p->blocks, v, s).root()), info.slot_roots[s]);
}

TEST(SlotsVerifiable, BadInputIsRefusedWithTheReason) {
  auto p = protect();
  const Manifest v = build_verifiable(p->blocks, p->manifest);
  Manifest plain = p->manifest;
  plain.erasure.reset();
  EXPECT_THROW(slot_layout(plain), FormatError);
  EXPECT_THROW(build_checked_slot(p->blocks, p->manifest, 0), FormatError) << "not verifiable";
  EXPECT_THROW(build_checked_slot(p->blocks, v, 5), FormatError) << "no slot 5";

  // Another dataset's roots: the slot does not match.
  auto other = protect(2);
  const Manifest w = build_verifiable(other->blocks, other->manifest);
  Manifest mixed = v;
  mixed.erasure->verification = w.erasure->verification;
  try {
    build_checked_slot(p->blocks, mixed, 1);
    ADD_FAILURE() << "a slot with another root was accepted";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("the manifest names"), std::string::npos) << e.what();
  }

  // A missing block.
  MemoryDatasetBlocks empty;
  EXPECT_THROW(build_verifiable(empty, p->manifest), NotFoundError);

  // Root CIDs of the wrong kind.
  EXPECT_THROW(root_of(v.erasure->verification->verify_root, multicodec::kSlotRoot), FormatError);
  EXPECT_THROW(root_of(v.tree_cid, multicodec::kSlotRoot), FormatError);
  const Cid too_big(multicodec::kSlotRoot,
                    Multihash(multicodec::kIdentity, std::string(32, '\xff')));
  EXPECT_THROW(root_of(too_big, multicodec::kSlotRoot), FormatError) << "≥ the modulus";
}

}  // namespace
}  // namespace codex::slots
