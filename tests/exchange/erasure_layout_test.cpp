// Layout layer of erasure coding: parameters (§2, §6.1), stepped geometry and
// slots (§2.1, §2.2, §3.1), checked against Appendix A. (The indexing
// strategies themselves: tests/base/indexing_strategy_test.cpp.)
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <set>

#include "exchange/erasure/errors.h"
#include "exchange/erasure/layout.h"
#include "exchange/erasure/params.h"

namespace codex::erasure {
namespace {

using V = std::vector<uint64_t>;

TEST(ErasureParams, FromNodesFollowsRestRules) {
  EXPECT_EQ(ErasureParams::from_nodes(3, 1), (ErasureParams{2, 1}));
  EXPECT_EQ(ErasureParams::from_nodes(5, 2), (ErasureParams{3, 2}));
  EXPECT_EQ(ErasureParams::from_nodes(14, 4), (ErasureParams{10, 4}));
  EXPECT_EQ(ErasureParams::from_nodes(256, 128), (ErasureParams{128, 128}));
  EXPECT_THROW(ErasureParams::from_nodes(3, 0), ErasureParamsError);    // tolerance 0
  EXPECT_THROW(ErasureParams::from_nodes(3, 4), ErasureParamsError);    // tolerance > nodes
  EXPECT_THROW(ErasureParams::from_nodes(3, 3), ErasureParamsError);    // K = 0
  EXPECT_THROW(ErasureParams::from_nodes(2, 1), ErasureParamsError);    // K = 1 (#522)
  EXPECT_THROW(ErasureParams::from_nodes(5, 3), ErasureParamsError);    // K < M
  EXPECT_THROW(ErasureParams::from_nodes(257, 1), ErasureParamsError);  // > 256 shards
  try {
    ErasureParams::from_nodes(3, 5);
    FAIL();
  } catch (const ErasureParamsError& e) {
    EXPECT_NE(std::string(e.what()).find("tolerance"), std::string::npos) << e.what();
  }
}

TEST(ErasureParams, Validate) {
  EXPECT_NO_THROW((ErasureParams{2, 1}.validate()));
  EXPECT_NO_THROW((ErasureParams{255, 1}.validate()));
  EXPECT_THROW((ErasureParams{1, 1}.validate()), ErasureParamsError);
  EXPECT_THROW((ErasureParams{4, 0}.validate()), ErasureParamsError);
  EXPECT_THROW((ErasureParams{2, 3}.validate()), ErasureParamsError);
  EXPECT_THROW((ErasureParams{200, 57}.validate()), ErasureParamsError);
}

TEST(ErasureParams, InsufficientBlocksNamesTheMinimumSize) {
  ErasureParams p{10, 4};
  EXPECT_NO_THROW(p.require_blocks(10, 65536));
  try {
    p.require_blocks(9, 65536);
    FAIL();
  } catch (const InsufficientBlocksError& e) {
    EXPECT_EQ(e.min_bytes(), 655360u);
    EXPECT_NE(std::string(e.what()).find("need at least 655360 bytes"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(SteppedLayout(p, 9, 65536), InsufficientBlocksError);
}

TEST(SteppedLayout, AppendixAEightBlocks) {
  SteppedLayout l(ErasureParams::from_nodes(3, 1), 8, 65536);
  EXPECT_EQ(l.rounded(), 8u);
  EXPECT_EQ(l.steps(), 4u);
  EXPECT_EQ(l.encoded_blocks(), 12u);
  for (uint64_t s = 0; s < 4; ++s) {
    EXPECT_EQ(l.step_indices(s), (V{s, s + 4, 8 + s}));
    EXPECT_EQ(l.encoding_strategy().indices(s), (V{s, s + 4}));
  }
  EXPECT_EQ(l.slot_indices(0), (V{0, 1, 2, 3}));
  EXPECT_EQ(l.slot_indices(1), (V{4, 5, 6, 7}));
  EXPECT_EQ(l.slot_indices(2), (V{8, 9, 10, 11}));  // all parity
  for (uint64_t i = 8; i < 12; ++i)
    EXPECT_TRUE(l.is_parity(i));
  // 4 blocks × 32 cells = 128 cells: a power of two, no pad; slotSize = 4 · 64 KiB.
  EXPECT_EQ(slot_pad_blocks(l.slot_blocks(), 32), 0u);
  EXPECT_EQ((l.slot_blocks() + 0) * 65536, 262144u);
}

TEST(SteppedLayout, AppendixAThreeBlocks) {
  SteppedLayout l(ErasureParams{2, 1}, 3, 65536);
  EXPECT_EQ(l.rounded(), 4u);
  EXPECT_EQ(l.steps(), 2u);
  EXPECT_EQ(l.encoded_blocks(), 6u);
  EXPECT_TRUE(l.is_padding(3));
  EXPECT_FALSE(l.is_padding(2));
  EXPECT_FALSE(l.is_padding(4));
  EXPECT_EQ(l.step_indices(1), (V{1, 3, 5}));
  EXPECT_EQ(slot_pad_blocks(l.slot_blocks(), 32), 0u);  // 64 cells
  EXPECT_EQ(l.slot_blocks() * 65536, 131072u);
}

TEST(SteppedLayout, SlotPadding) {
  EXPECT_EQ(slot_pad_blocks(1, 32), 0u);
  EXPECT_EQ(slot_pad_blocks(3, 32), 1u);
  EXPECT_EQ(slot_pad_blocks(5, 32), 3u);
  EXPECT_EQ(slot_pad_blocks(1000, 32), 24u);
  EXPECT_THROW(slot_pad_blocks(0, 32), std::invalid_argument);
  EXPECT_THROW(slot_pad_blocks(3, 31), std::invalid_argument);
  // B = 5, K = 2, M = 1: steps 3, encoded 9, slot j = 3j..3j+2 plus pad 9 + j.
  SteppedLayout l(ErasureParams{2, 1}, 5, 64);
  uint64_t pad = slot_pad_blocks(l.slot_blocks(), 32);
  EXPECT_EQ(pad, 1u);
  EXPECT_EQ(l.slot_indices(0, pad), (V{0, 1, 2, 9}));
  EXPECT_EQ(l.slot_indices(1, pad), (V{3, 4, 5, 10}));
  EXPECT_EQ(l.slot_indices(2, pad), (V{6, 7, 8, 11}));
}

// Every index belongs to exactly one (step, position); steps agree with the
// Stepped strategy and parity indices with rounded + s + j·steps; slots hold
// one position of every step.
TEST(SteppedLayout, GeometryIsConsistent) {
  for (auto [k, m] : {std::pair{2u, 1u}, {3u, 2u}, {10u, 4u}, {64u, 32u}, {7u, 7u}})
    for (uint64_t blocks : {uint64_t{k}, uint64_t{k} + 1, uint64_t{3} * k - 1, uint64_t{97}}) {
      if (blocks < k) continue;
      SteppedLayout l(ErasureParams{k, m}, blocks, 64);
      ASSERT_EQ(l.rounded() % k, 0u);
      ASSERT_GE(l.rounded(), blocks);
      ASSERT_LT(l.rounded() - blocks, k);
      std::set<uint64_t> seen;
      auto stepped = l.encoding_strategy();
      for (uint64_t s = 0; s < l.steps(); ++s) {
        auto idx = l.step_indices(s);
        ASSERT_EQ(idx.size(), k + m);
        ASSERT_EQ(V(idx.begin(), idx.begin() + k), stepped.indices(s));
        for (uint32_t j = 0; j < m; ++j)
          ASSERT_EQ(idx[k + j], l.rounded() + s + j * l.steps());
        for (uint32_t p = 0; p < k + m; ++p) {
          ASSERT_TRUE(seen.insert(idx[p]).second);
          ASSERT_EQ(l.step_of(idx[p]), s);
          ASSERT_EQ(l.position_of(idx[p]), p);
          ASSERT_EQ(l.is_parity(idx[p]), p >= k);
          ASSERT_EQ(l.is_padding(idx[p]), p < k && idx[p] >= blocks);
        }
      }
      ASSERT_EQ(seen.size(), l.encoded_blocks());
      ASSERT_EQ(*seen.rbegin(), l.encoded_blocks() - 1);
      for (uint32_t j = 0; j < k + m; ++j) {
        V expect;
        for (uint64_t s = 0; s < l.steps(); ++s)
          expect.push_back(l.index(s, j));
        ASSERT_EQ(l.slot_indices(j), expect);
      }
    }
}

TEST(SteppedLayout, OutOfRange) {
  SteppedLayout l(ErasureParams{2, 1}, 8, 64);
  EXPECT_THROW(l.index(4, 0), std::out_of_range);
  EXPECT_THROW(l.index(0, 3), std::out_of_range);
  EXPECT_THROW(l.step_of(12), std::out_of_range);
  EXPECT_THROW(l.position_of(12), std::out_of_range);
  EXPECT_THROW(SteppedLayout(ErasureParams{1, 1}, 8, 64), ErasureParamsError);
}

}  // namespace
}  // namespace codex::erasure
