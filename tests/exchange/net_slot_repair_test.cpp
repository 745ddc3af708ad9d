// Repair of one slot of a protected dataset (exchange/net/slot_repair.h) with
// real networks on loopback: K = 3, M = 2, 7 blocks of 64 KiB (the last
// partial), so 3 steps, 15 blocks, and slot 2 holds two padding blocks.
// Slot j holds indices 3j, 3j + 1, 3j + 2.
#include "exchange/net/slot_repair.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "exchange/dataset/dataset_reader.h"
#include "exchange/dataset/dataset_writer.h"
#include "exchange/dataset/repo_dataset_blocks.h"
#include "exchange/erasure/erasure.h"
#include "exchange/erasure/errors.h"
#include "exchange/erasure/layout.h"
#include "exchange/net/blockexc/engine.h"
#include "exchange/net/network.h"
#include "exchange/net/node_key.h"
#include "tests/exchange/support/blockexc_nodes.h"
#include "tests/exchange/support/store_test_support.h"
#include "tests/support/temp_dir.h"

namespace codex::net {
namespace {

using codex::testing::TempDir;
using erasure::SteppedLayout;

constexpr uint32_t kK = 3, kM = 2;
constexpr uint64_t kSteps = 3;

std::span<const uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// The erasure-coded dataset, in a store of its own (not on the network).
struct Source {
  Source() {
    store = store::testing::open_store(dir.path() / "source", {});
    std::string bytes((6 << 16) + 1000, '\0');
    std::mt19937_64 rng(7);
    for (auto& c : bytes)
      c = char(rng());
    DatasetWriter writer(*store);
    writer.write(as_bytes(bytes));
    const Manifest plain = load_manifest(*store, writer.finish());
    RepoDatasetBlocks blocks(*store);
    erasure::Erasure ec(blocks, {.threads = 2});
    manifest = ec.encode(plain, {kK, kM});
  }
  SteppedLayout layout() const {
    return SteppedLayout({kK, kM}, (manifest.erasure->original_dataset_size + 65535) / 65536,
                         65536);
  }
  // All blocks of the tree, for a lying peer.
  blockexc::testing::Dataset dataset() const {
    blockexc::testing::Dataset d;
    d.tree = manifest.tree_cid;
    for (uint64_t i = 0; i < manifest.blocks_count(); ++i) {
      const auto leaf = store->get_leaf(manifest.tree_cid, i).value();
      d.cids.push_back(leaf.block);
      d.blocks.push_back(store->get_block(leaf.block).value_or(std::string()));
      d.proofs.push_back(leaf.proof);
    }
    return d;
  }

  TempDir dir{"slot-repair-source"};
  store::testing::TestStore store;
  Manifest manifest;
};

// A node on loopback with its store and block exchange.
struct Peer {
  Peer() : key(NodeKey::load_or_create(dir.path() / "key")) {
    store = store::testing::open_store(dir.path() / "data", {});
    NetworkConfig c;
    c.listen.push_back(Multiaddr::parse("/ip4/127.0.0.1/tcp/0"));
    c.repo = &*store;
    network = std::make_unique<Network>(key, std::move(c));
  }
  void connect(Network& other) { network->connect(other.id(), {other.addresses().at(0)}); }
  void connect(Peer& other) { connect(*other.network); }

  // Copies the blocks (and leaf entries) of `slots` from the source.
  void hold(const Source& src, const std::vector<uint32_t>& slots) {
    std::vector<uint64_t> indices;
    for (uint32_t s : slots)
      for (uint64_t i = s * kSteps; i < (s + 1) * kSteps; ++i)
        indices.push_back(i);
    hold_indices(src, indices);
  }
  void hold_indices(const Source& src, const std::vector<uint64_t>& indices) {
    const SteppedLayout layout = src.layout();
    auto batch = store->batch();
    for (uint64_t i : indices) {
      if (layout.is_padding(i)) continue;  // zero blocks: never stored
      const auto leaf = src.store->get_leaf(src.manifest.tree_cid, i).value();
      batch.put_block(leaf.block, as_bytes(src.store->get_block(leaf.block).value()));
      batch.put_leaf(src.manifest.tree_cid, i, leaf.block, leaf.proof);
    }
    batch.commit();
  }
  SlotRepairReport repair(const Source& src, uint32_t slot, int attempts = 2) {
    RepoDatasetBlocks blocks(*store);
    return repair_slot(*network, blocks, src.manifest, slot, {.attempts_per_block = attempts});
  }
  // Whether this store holds slot `slot` as the source does: every leaf
  // entry (CID and proof) and every block.
  void expect_slot(const Source& src, uint32_t slot) {
    for (uint64_t i = slot * kSteps; i < (slot + 1) * kSteps; ++i) {
      const auto want = src.store->get_leaf(src.manifest.tree_cid, i).value();
      const auto got = store->get_leaf(src.manifest.tree_cid, i);
      ASSERT_TRUE(got) << "leaf " << i;
      EXPECT_EQ(got->block, want.block) << "leaf " << i;
      EXPECT_EQ(got->proof, want.proof) << "leaf " << i;
      if (!src.layout().is_padding(i)) {
        EXPECT_EQ(store->get_block(want.block), src.store->get_block(want.block)) << "block " << i;
      }
    }
  }
  size_t leaves_of(const Source& src, uint32_t slot) {
    size_t n = 0;
    for (uint64_t i = slot * kSteps; i < (slot + 1) * kSteps; ++i)
      n += store->get_leaf(src.manifest.tree_cid, i) ? 1 : 0;
    return n;
  }

  TempDir dir{"slot-repair-peer"};
  NodeKey key;
  store::testing::TestStore store;
  std::unique_ptr<Network> network;
};

TEST(SlotRepair, FromLocalBlocksOnly) {
  Source src;
  Peer me;
  me.hold(src, {0, 3, 4});  // K of every step
  const SlotRepairReport r = me.repair(src, 1);
  EXPECT_EQ(r.slot_blocks, kSteps);
  EXPECT_EQ(r.slot_held, 0u);
  EXPECT_EQ(r.slot_stored, kSteps);
  EXPECT_EQ(r.found_locally, 3 * kSteps);
  EXPECT_EQ(r.fetched, 0u);
  EXPECT_EQ(r.steps_decoded, kSteps);
  me.expect_slot(src, 1);
}

TEST(SlotRepair, AWholeSlotHereNeedsNothing) {
  Source src;
  Peer me;
  me.hold(src, {1});
  const SlotRepairReport r = me.repair(src, 1);
  EXPECT_EQ(r.slot_held, kSteps);
  EXPECT_EQ(r.fetched + r.steps_decoded + r.slot_stored, 0u);
  me.expect_slot(src, 1);
}

TEST(SlotRepair, MixedLocalAndFromAPeer) {
  Source src;
  Peer me, holder;
  // Here: slot 0 and one block of slot 1; the rest of slot 1 is nowhere.
  me.hold(src, {0});
  me.hold_indices(src, {3});
  holder.hold(src, {2, 3, 4});
  me.connect(holder);
  const SlotRepairReport r = me.repair(src, 1);
  EXPECT_EQ(r.slot_held, 1u);
  EXPECT_EQ(r.slot_stored, 2u);
  EXPECT_GT(r.found_locally, 0u);
  EXPECT_GT(r.fetched, 0u);
  me.expect_slot(src, 1);
}

TEST(SlotRepair, ADataSlotWithPaddingFromPeersOnly) {
  Source src;
  Peer me, a, b;
  a.hold(src, {0, 1});
  b.hold(src, {3, 4});  // nobody has slot 2
  me.connect(a);
  me.connect(b);
  const auto t0 = std::chrono::steady_clock::now();
  const SlotRepairReport r = me.repair(src, 2, 5);
  // Never waited for the freed holder's blocks (5 attempts would take 5 s).
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(4));
  EXPECT_EQ(r.slot_held, 2u) << "the two padding blocks";
  EXPECT_EQ(r.slot_stored, 1u);
  EXPECT_EQ(r.found_locally, 0u);
  EXPECT_GE(r.fetched, 3u);
  me.expect_slot(src, 2);
}

TEST(SlotRepair, AParitySlotFromPeersOnly) {
  Source src;
  Peer me, a, b;
  a.hold(src, {0, 1});
  b.hold(src, {2, 3});  // nobody has slot 4
  me.connect(a);
  me.connect(b);
  const SlotRepairReport r = me.repair(src, 4);
  EXPECT_EQ(r.slot_stored, kSteps);
  EXPECT_EQ(r.steps_decoded, kSteps);
  // K per step but where padding (step 1, 2: position 2) saves one.
  EXPECT_EQ(r.fetched, 3u + 2u + 2u);
  me.expect_slot(src, 4);
}

TEST(SlotRepair, TooManyLossesNamesTheStepAndStoresNoLeaf) {
  Source src;
  Peer me, a;
  a.hold(src, {0});
  me.hold(src, {4});  // 2 of K = 3 for step 0
  me.connect(a);
  try {
    me.repair(src, 1, 1);
    FAIL() << "repaired from two blocks of three";
  } catch (const erasure::TooManyLossesError& e) {
    EXPECT_EQ(e.step(), 0u);
    EXPECT_EQ(e.lost_indices(), (std::vector<uint64_t>{3, 6, 9})) << e.what();
    EXPECT_NE(std::string(e.what()).find("step 0"), std::string::npos) << e.what();
  }
  EXPECT_EQ(me.leaves_of(src, 1), 0u);
}

TEST(SlotRepair, ALocalLeafNamingAnotherBlockIsATreeMismatch) {
  Source src;
  Peer me;
  me.hold(src, {0, 4});
  me.hold_indices(src, {10, 11});
  // Leaf 9 (slot 3, step 0) names block 10's CID, which is held.
  const auto wrong = src.store->get_leaf(src.manifest.tree_cid, 10).value();
  me.store->put_leaf(src.manifest.tree_cid, 9, wrong.block, wrong.proof);
  EXPECT_THROW(me.repair(src, 1), erasure::TreeMismatchError);
  EXPECT_EQ(me.leaves_of(src, 1), 0u);
}

TEST(SlotRepair, APeerServingAWrongBlockIsNotBelieved) {
  Source src;
  const blockexc::testing::Dataset d = src.dataset();
  Peer me;
  me.hold(src, {0, 3});  // one short of K in every step but 1 and 2 (padding)
  blockexc::testing::RawPeer liar;
  // Each leaf it is asked for, it answers with the next leaf's block and
  // proof: genuine blocks of the tree, at the wrong index.
  blockexc::testing::make_liar(liar, d, blockexc::testing::Lie::kWrongBlock);
  me.connect(*liar.network);
  EXPECT_THROW(me.repair(src, 1, 1), erasure::TooManyLossesError);
  EXPECT_GE(me.network->exchange_stats().peers_penalized, 1u);
  EXPECT_EQ(me.leaves_of(src, 1), 0u);

  Peer honest;
  honest.hold(src, {4});
  me.connect(honest);
  const SlotRepairReport r = me.repair(src, 1);
  EXPECT_EQ(r.slot_stored, kSteps);
  me.expect_slot(src, 1);
}

TEST(SlotRepair, ASlotOutOfRangeOrAPlainManifestIsRefused) {
  Source src;
  Peer me;
  RepoDatasetBlocks blocks(*me.store);
  EXPECT_THROW(repair_slot(*me.network, blocks, src.manifest, kK + kM), erasure::ErasureError);
  Manifest plain = src.manifest;
  plain.erasure.reset();
  EXPECT_THROW(repair_slot(*me.network, blocks, plain, 0), erasure::ErasureError);
}

}  // namespace
}  // namespace codex::net
