// Erasure coding of stored datasets (spec node.md §2): encode into a
// protected manifest, decode from any K blocks of every step, repair, and the
// errors for bad parameters, missing blocks and too many losses.
//
// Loss patterns: a dataset gets one step per pattern, so a single decode
// checks them all. Exhaustive for (2,1), (3,2) and (10,4) (every pattern of at
// most M losses; 1471 for (10,4)); for (64,32) the patterns are astronomically
// many, so every step gets a random M-subset (or a random smaller one).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <random>

#include "exchange/erasure/codec.h"
#include "exchange/erasure/erasure.h"
#include "exchange/erasure/errors.h"
#include "exchange/erasure/layout.h"
#include "exchange/erasure/memory_dataset_blocks.h"
#include "exchange/error.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/tree/sha256_tree.h"

namespace codex::erasure {
namespace {

using Bytes = std::vector<uint8_t>;

// A stored plain dataset and what the test expects of it.
struct Dataset {
  Bytes bytes;
  std::vector<Bytes> chunks;
  std::vector<Cid> cids;
  Manifest manifest;
};

Dataset upload(MemoryDatasetBlocks& store, size_t size, uint32_t block_size, uint64_t seed) {
  Dataset d;
  std::mt19937_64 rng(seed);
  d.bytes.resize(size);
  for (auto& b : d.bytes)
    b = static_cast<uint8_t>(rng());
  d.manifest = store_plain_dataset(store, d.bytes, block_size);
  for (size_t off = 0; off < size; off += block_size) {
    Bytes chunk(block_size, 0);
    std::copy_n(d.bytes.begin() + off, std::min<size_t>(block_size, size - off), chunk.begin());
    d.cids.push_back(Cid::sha256_of(multicodec::kBlock, chunk));
    d.chunks.push_back(std::move(chunk));
  }
  return d;
}

// The bytes of leaf i of `tree`, checking its stored proof on the way.
Bytes leaf_bytes(MemoryDatasetBlocks& store, const Cid& tree, uint64_t i) {
  auto leaf = store.leaf(tree, i);
  if (!leaf) return {};
  EXPECT_TRUE(leaf->second.verify(block_digest(leaf->first), tree_root_of(tree))) << "leaf " << i;
  auto bytes = store.block(leaf->first);
  if (!bytes) return {};
  return Bytes(bytes->begin(), bytes->end());
}

void expect_original_restored(MemoryDatasetBlocks& store, const Dataset& d) {
  for (size_t i = 0; i < d.chunks.size(); ++i)
    ASSERT_EQ(leaf_bytes(store, d.manifest.tree_cid, i), d.chunks[i]) << "block " << i;
}

// Loses the block at dataset index i in one of three ways: its leaf entry
// goes, its bytes go, or its bytes are corrupted (decode verifies sources).
void lose(MemoryDatasetBlocks& store, const Cid& tree, uint64_t i, int how) {
  auto leaf = store.leaf(tree, i);
  ASSERT_TRUE(leaf);
  switch (how % 3) {
    case 0:
      store.erase_leaf(tree, i);
      break;
    case 1:
      store.erase_block(leaf->first);
      break;
    default:
      store.corrupt_block(leaf->first);
      break;
  }
}

// All subsets of {0..n−1} with at most max elements.
void subsets(uint32_t n, uint32_t max, std::vector<uint32_t>& cur, uint32_t from,
             std::vector<std::vector<uint32_t>>& out) {
  out.push_back(cur);
  if (cur.size() == max) return;
  for (uint32_t p = from; p < n; ++p) {
    cur.push_back(p);
    subsets(n, max, cur, p + 1, out);
    cur.pop_back();
  }
}

void check_every_pattern(uint32_t k, uint32_t m, bool exhaustive, size_t random_steps) {
  std::mt19937_64 rng(k * 7919 + m);
  std::vector<std::vector<uint32_t>> patterns;
  if (exhaustive) {
    std::vector<uint32_t> cur;
    subsets(k + m, m, cur, 0, patterns);
  } else {
    for (size_t s = 0; s < random_steps; ++s) {
      std::vector<uint32_t> pos(k + m);
      for (uint32_t p = 0; p < k + m; ++p)
        pos[p] = p;
      std::shuffle(pos.begin(), pos.end(), rng);
      pos.resize(s % 4 == 3 ? 1 + rng() % m : m);  // mostly exactly M
      patterns.push_back(pos);
    }
  }
  MemoryDatasetBlocks store;
  const uint32_t bs = 64;
  Dataset d = upload(store, patterns.size() * k * bs, bs, k * 31 + m);
  Erasure erasure(store, ErasureOptions{.threads = 2});
  Manifest pm = erasure.encode(d.manifest, ErasureParams{k, m});
  SteppedLayout layout(ErasureParams{k, m}, d.chunks.size(), bs);
  ASSERT_EQ(layout.steps(), patterns.size());
  for (size_t s = 0; s < patterns.size(); ++s)
    for (uint32_t p : patterns[s])
      lose(store, pm.tree_cid, layout.index(s, p), int(s + p));
  Manifest plain = erasure.decode(pm);
  EXPECT_EQ(plain, d.manifest);
  expect_original_restored(store, d);
}

TEST(ErasureDataset, EveryLossPatternRecovers_2_1) {
  check_every_pattern(2, 1, true, 0);
}
TEST(ErasureDataset, EveryLossPatternRecovers_3_2) {
  check_every_pattern(3, 2, true, 0);
}
TEST(ErasureDataset, EveryLossPatternRecovers_10_4) {
  check_every_pattern(10, 4, true, 0);
}
TEST(ErasureDataset, RandomLossPatternsRecover_64_32) {
  check_every_pattern(64, 32, false, 40);
}

TEST(ErasureDataset, EncodeBuildsTheProtectedManifest) {
  MemoryDatasetBlocks store;
  // Appendix A: 8 blocks, nodes 3, tolerance 1 → 4 steps, 12 encoded blocks.
  Dataset d = upload(store, 8 * 4096 - 100, 4096, 1);  // short last block
  Erasure erasure(store);
  Manifest pm = erasure.encode(d.manifest, ErasureParams::from_nodes(3, 1));
  ASSERT_TRUE(pm.erasure);
  EXPECT_EQ(pm.erasure->ec_k, 2u);
  EXPECT_EQ(pm.erasure->ec_m, 1u);
  EXPECT_EQ(pm.erasure->original_tree_cid, d.manifest.tree_cid);
  EXPECT_EQ(pm.erasure->original_dataset_size, d.manifest.dataset_size);
  EXPECT_EQ(pm.erasure->strategy, StrategyType::kStepped);
  EXPECT_EQ(pm.dataset_size, 12u * 4096);
  EXPECT_EQ(pm.blocks_count(), 12u);
  EXPECT_NO_THROW(pm.verify());
  EXPECT_EQ(Manifest::decode(pm.encode()), pm);
  // Data leaves keep the original CIDs; parity of step s (index 8 + s) is the
  // codec's parity of blocks s and s + 4; every proof checks.
  ReedSolomonCodec codec(ErasureParams{2, 1}, 4096);
  std::vector<Cid> leaves;
  for (uint64_t i = 0; i < 12; ++i) {
    auto leaf = store.leaf(pm.tree_cid, i);
    ASSERT_TRUE(leaf) << i;
    EXPECT_TRUE(leaf->second.verify(block_digest(leaf->first), tree_root_of(pm.tree_cid)));
    EXPECT_EQ(leaf->second.nleaves, 12u);
    leaves.push_back(leaf->first);
    if (i < 8) {
      EXPECT_EQ(leaf->first, d.cids[i]);
    }
  }
  for (uint64_t s = 0; s < 4; ++s) {
    Bytes parity(4096);
    const uint8_t* data[2] = {d.chunks[s].data(), d.chunks[s + 4].data()};
    uint8_t* out[1] = {parity.data()};
    codec.encode(data, out);
    EXPECT_EQ(leaves[8 + s], Cid::sha256_of(multicodec::kBlock, parity));
    EXPECT_EQ(leaf_bytes(store, pm.tree_cid, 8 + s), parity);
  }
  EXPECT_EQ(Sha256Tree::from_cids(leaves).root_cid(), pm.tree_cid);
  // Deterministic, whatever the thread count.
  MemoryDatasetBlocks other;
  Dataset d2 = upload(other, 8 * 4096 - 100, 4096, 1);
  Erasure one(other, ErasureOptions{.threads = 1});
  EXPECT_EQ(one.encode(d2.manifest, ErasureParams{2, 1}).tree_cid, pm.tree_cid);
}

TEST(ErasureDataset, PaddingPositionsUseTheEmptyCid) {
  MemoryDatasetBlocks store;
  Dataset d = upload(store, 3 * 64, 64, 2);  // Appendix A, B = 3: rounded 4, 6 blocks
  Erasure erasure(store);
  Manifest pm = erasure.encode(d.manifest, ErasureParams{2, 1});
  EXPECT_EQ(pm.blocks_count(), 6u);
  auto pad = store.leaf(pm.tree_cid, 3);
  ASSERT_TRUE(pad);
  EXPECT_EQ(pad->first, Cid::empty_block());
  // Step 1 = {1, 3 (padding), 5}: losing block 1 is recovered from the
  // padding zeros and the parity.
  lose(store, pm.tree_cid, 1, 1);
  EXPECT_EQ(erasure.decode(pm), d.manifest);
  expect_original_restored(store, d);
}

TEST(ErasureDataset, KEqualsBlockCount) {  // reference bug #852
  MemoryDatasetBlocks store;
  Dataset d = upload(store, 4 * 64, 64, 3);
  Erasure erasure(store);
  Manifest pm = erasure.encode(d.manifest, ErasureParams{4, 2});
  EXPECT_EQ(pm.steps(), 1u);
  EXPECT_EQ(pm.blocks_count(), 6u);
  lose(store, pm.tree_cid, 0, 0);
  lose(store, pm.tree_cid, 3, 1);
  EXPECT_EQ(erasure.decode(pm), d.manifest);
  expect_original_restored(store, d);
}

TEST(ErasureDataset, TooManyLossesNameTheStep) {
  MemoryDatasetBlocks store;
  Dataset d = upload(store, 30 * 64, 64, 4);  // (3,2): 10 steps
  Erasure erasure(store);
  Manifest pm = erasure.encode(d.manifest, ErasureParams{3, 2});
  SteppedLayout layout(ErasureParams{3, 2}, 30, 64);
  for (uint32_t p : {0u, 2u, 4u})
    lose(store, pm.tree_cid, layout.index(7, p), 0);
  try {
    erasure.decode(pm);
    FAIL() << "decoded with M + 1 losses";
  } catch (const TooManyLossesError& e) {
    EXPECT_EQ(e.step(), 7u);
    EXPECT_EQ(e.lost_indices(), (std::vector<uint64_t>{7, 27, 47}));
    std::string what = e.what();
    EXPECT_NE(what.find("step 7"), std::string::npos) << what;
    EXPECT_NE(what.find("at most M=2"), std::string::npos) << what;
  }
}

// M + 1 random losses in one step (all other steps intact) fail with the step named.
TEST(ErasureDataset, MPlusOneLossesFailForEveryCode) {
  std::mt19937_64 rng(99);
  for (auto [k, m] : {std::pair{2u, 1u}, {3u, 2u}, {10u, 4u}, {64u, 32u}}) {
    MemoryDatasetBlocks store;
    Dataset d = upload(store, 5 * k * 64, 64, k);  // 5 steps
    Erasure erasure(store, ErasureOptions{.threads = 2});
    Manifest pm = erasure.encode(d.manifest, ErasureParams{k, m});
    SteppedLayout layout(ErasureParams{k, m}, 5 * k, 64);
    uint64_t step = rng() % 5;
    std::vector<uint32_t> pos(k + m);
    for (uint32_t p = 0; p < k + m; ++p)
      pos[p] = p;
    std::shuffle(pos.begin(), pos.end(), rng);
    for (uint32_t i = 0; i <= m; ++i)
      lose(store, pm.tree_cid, layout.index(step, pos[i]), i);
    try {
      erasure.decode(pm);
      ADD_FAILURE() << "(" << k << "," << m << ") decoded with M + 1 losses";
    } catch (const TooManyLossesError& e) {
      EXPECT_EQ(e.step(), step);
      EXPECT_EQ(e.lost_indices().size(), m + 1);
      EXPECT_NE(std::string(e.what()).find("step " + std::to_string(step)), std::string::npos);
    }
  }
}

TEST(ErasureDataset, CorruptSourcesCountAsLostOrFailTheRootCheck) {
  for (bool verify : {true, false}) {
    MemoryDatasetBlocks store;
    Dataset d = upload(store, 20 * 64, 64, 5);  // (2,1): 10 steps
    Erasure erasure(store, ErasureOptions{.verify_blocks = verify});
    Manifest pm = erasure.encode(d.manifest, ErasureParams{2, 1});
    // Step 4 = {4, 14, 24}: lose 4, corrupt the parity 24.
    lose(store, pm.tree_cid, 4, 0);
    lose(store, pm.tree_cid, 24, 2);
    if (verify) {
      EXPECT_THROW(erasure.decode(pm), TooManyLossesError);
    } else {
      EXPECT_THROW(erasure.decode(pm), TreeMismatchError);
    }
  }
}

TEST(ErasureDataset, RepairRegeneratesDataAndParity) {
  MemoryDatasetBlocks store;
  Dataset d = upload(store, 50 * 1024 + 7, 1024, 6);  // 51 blocks, (10,4): 6 steps
  Erasure erasure(store, ErasureOptions{.threads = 3});
  Manifest pm = erasure.encode(d.manifest, ErasureParams{10, 4});
  SteppedLayout layout(ErasureParams{10, 4}, 51, 1024);
  std::vector<Cid> before;
  for (uint64_t i = 0; i < layout.encoded_blocks(); ++i)
    before.push_back(store.leaf(pm.tree_cid, i)->first);
  // Lose whole slots 1 and 12 (a data and a parity slot) and more in step 2.
  for (uint32_t slot : {1u, 12u})
    for (uint64_t i : layout.slot_indices(slot))
      lose(store, pm.tree_cid, i, 1);
  lose(store, pm.tree_cid, layout.index(2, 4), 0);
  lose(store, pm.tree_cid, layout.index(2, 10), 1);
  EXPECT_EQ(erasure.repair(pm), pm);
  for (uint64_t i = 0; i < layout.encoded_blocks(); ++i) {
    auto leaf = store.leaf(pm.tree_cid, i);
    ASSERT_TRUE(leaf) << i;
    EXPECT_EQ(leaf->first, before[i]) << i;
    if (!layout.is_padding(i)) {
      EXPECT_TRUE(store.block(before[i])) << i;
    }
  }
  expect_original_restored(store, d);
  // After repair nothing is lost: any 4 blocks of each step can go again.
  for (uint64_t s = 0; s < layout.steps(); ++s)
    for (uint32_t p = 0; p < 4; ++p)
      lose(store, pm.tree_cid, layout.index(s, p), 0);
  EXPECT_EQ(erasure.decode(pm), d.manifest);
}

TEST(ErasureDataset, BadInputsGetClearErrors) {
  MemoryDatasetBlocks store;
  Dataset d = upload(store, 5 * 64, 64, 7);
  Erasure erasure(store);
  EXPECT_THROW(erasure.encode(d.manifest, ErasureParams{1, 1}), ErasureParamsError);
  EXPECT_THROW(erasure.encode(d.manifest, ErasureParams{3, 4}), ErasureParamsError);
  try {
    erasure.encode(d.manifest, ErasureParams{6, 2});
    FAIL();
  } catch (const InsufficientBlocksError& e) {
    EXPECT_NE(std::string(e.what()).find("need at least 384 bytes"), std::string::npos);
  }
  Manifest pm = erasure.encode(d.manifest, ErasureParams{2, 1});
  EXPECT_THROW(erasure.encode(pm, ErasureParams{2, 1}), ErasureError);  // already protected
  EXPECT_THROW(erasure.decode(d.manifest), ErasureError);               // not protected
  Manifest wrong = pm;
  wrong.dataset_size += 64;
  EXPECT_THROW(erasure.decode(wrong), ErasureError);
  wrong = pm;
  wrong.erasure->ec_m = 0;
  EXPECT_THROW(erasure.decode(wrong), ErasureParamsError);
  // A data block missing at encode time.
  store.erase_block(d.cids[3]);
  EXPECT_THROW(erasure.encode(d.manifest, ErasureParams{2, 1}), NotFoundError);
  store.put_block(d.cids[3], d.chunks[3]);
  store.erase_leaf(d.manifest.tree_cid, 2);
  try {
    erasure.encode(d.manifest, ErasureParams{2, 1});
    FAIL();
  } catch (const NotFoundError& e) {
    EXPECT_NE(std::string(e.what()).find("leaf 2"), std::string::npos) << e.what();
  }
}

// A store whose writes start failing after a number of blocks.
class FailingStore : public MemoryDatasetBlocks {
 public:
  std::atomic<int> writes_left{1 << 30};
  void put_block(const Cid& cid, std::span<const uint8_t> bytes) override {
    if (writes_left-- <= 0) throw StoreError("disk full (test)");
    MemoryDatasetBlocks::put_block(cid, bytes);
  }
};

TEST(ErasureDataset, StoreFailuresPropagateAndThePoolSurvives) {
  FailingStore store;
  Dataset d = upload(store, 40 * 128, 128, 9);
  Erasure erasure(store, ErasureOptions{.threads = 2});
  store.writes_left = 5;
  EXPECT_THROW(erasure.encode(d.manifest, ErasureParams{4, 2}), StoreError);
  store.writes_left = 1 << 30;
  Manifest pm = erasure.encode(d.manifest, ErasureParams{4, 2});
  lose(store, pm.tree_cid, 0, 1);
  store.writes_left = 0;
  EXPECT_THROW(erasure.decode(pm), StoreError);
  store.writes_left = 1 << 30;
  EXPECT_EQ(erasure.decode(pm), d.manifest);
}

TEST(ErasureDataset, AsyncCalls) {
  MemoryDatasetBlocks store;
  Dataset d = upload(store, 12 * 256, 256, 8);
  Erasure erasure(store, ErasureOptions{.threads = 2});
  auto pm = erasure.encode_async(d.manifest, ErasureParams{3, 2}).get();
  auto again = erasure.encode_async(d.manifest, ErasureParams{3, 2});
  lose(store, pm.tree_cid, 0, 0);
  auto plain = erasure.decode_async(pm);
  EXPECT_EQ(again.get(), pm);
  EXPECT_EQ(plain.get(), d.manifest);
  EXPECT_EQ(erasure.repair_async(pm).get(), pm);
  EXPECT_THROW(erasure.encode_async(d.manifest, ErasureParams{13, 2}).get(),
               InsufficientBlocksError);
}

}  // namespace
}  // namespace codex::erasure
