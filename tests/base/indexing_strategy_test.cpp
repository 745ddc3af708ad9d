// The slot IndexingStrategy (node.md §2.1): the spec's small cases, and every
// index at the top of the 64-bit range checked against the spec's formulas in
// 128-bit arithmetic (which cannot wrap).
#include "base/indexing_strategy.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>

#include "base/error.h"

namespace codex::base {
namespace {

using V = std::vector<uint64_t>;
using u128 = unsigned __int128;
constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

// node.md §2.1 literally, in 128 bits.
V reference(StrategyType type, uint64_t first, uint64_t last, uint64_t iterations, uint64_t group,
            uint64_t pads, uint64_t i) {
  const u128 count = u128(last) - first + 1;
  const u128 step = (count + iterations - 1) / iterations;
  V out;
  if (type == StrategyType::kLinear) {
    const u128 begin = first + u128(i) * step;
    const u128 end = std::min<u128>(begin + step - 1, last);
    for (u128 x = begin; x <= end; ++x)
      out.push_back(uint64_t(x));
  } else {
    for (u128 x = u128(first) + i; x <= last; x += iterations)
      out.push_back(uint64_t(x));
  }
  for (uint64_t j = 0; j < pads; ++j)
    out.push_back(uint64_t(u128(last) + (i + 1) + u128(j) * group));
  return out;
}

TEST(IndexingStrategy, LinearSplitsIntoContiguousRuns) {
  IndexingStrategy s(StrategyType::kLinear, 0, 9, 3);
  EXPECT_EQ(s.step(), 4u);
  EXPECT_EQ(s.indices(0), (V{0, 1, 2, 3}));
  EXPECT_EQ(s.indices(1), (V{4, 5, 6, 7}));
  EXPECT_EQ(s.indices(2), (V{8, 9}));
  // More iterations than indices: the tail iterations are empty.
  IndexingStrategy t(StrategyType::kLinear, 10, 12, 5);
  EXPECT_EQ(t.indices(0), (V{10}));
  EXPECT_EQ(t.indices(2), (V{12}));
  EXPECT_EQ(t.indices(3), V{});
  EXPECT_EQ(t.indices(4), V{});
}

TEST(IndexingStrategy, SteppedInterleaves) {
  IndexingStrategy s(StrategyType::kStepped, 0, 9, 3);
  EXPECT_EQ(s.indices(0), (V{0, 3, 6, 9}));
  EXPECT_EQ(s.indices(1), (V{1, 4, 7}));
  EXPECT_EQ(s.indices(2), (V{2, 5, 8}));
  IndexingStrategy t(StrategyType::kStepped, 5, 6, 4);
  EXPECT_EQ(t.indices(0), (V{5}));
  EXPECT_EQ(t.indices(1), (V{6}));
  EXPECT_EQ(t.indices(3), V{});
}

TEST(IndexingStrategy, BothStrategiesWithOffsets) {
  for (uint64_t off : {0, 1, 2, 100}) {
    IndexingStrategy linear(StrategyType::kLinear, off, 12 + off, 3);
    IndexingStrategy stepped(StrategyType::kStepped, off, 12 + off, 3);
    auto plus = [&](V v) {
      for (auto& x : v)
        x += off;
      return v;
    };
    EXPECT_EQ(linear.indices(0), plus({0, 1, 2, 3, 4}));
    EXPECT_EQ(linear.indices(1), plus({5, 6, 7, 8, 9}));
    EXPECT_EQ(linear.indices(2), plus({10, 11, 12}));
    EXPECT_EQ(stepped.indices(0), plus({0, 3, 6, 9, 12}));
    EXPECT_EQ(stepped.indices(1), plus({1, 4, 7, 10}));
    EXPECT_EQ(stepped.indices(2), plus({2, 5, 8, 11}));
  }
}

TEST(IndexingStrategy, PadIndicesFollowEachIteration) {
  // 3 slots of 3 blocks, 2 pads each: last + (i + 1) + j · groupCount.
  IndexingStrategy s(StrategyType::kLinear, 0, 8, 3, 3, 2);
  EXPECT_EQ(s.indices(0), (V{0, 1, 2, 9, 12}));
  EXPECT_EQ(s.indices(1), (V{3, 4, 5, 10, 13}));
  EXPECT_EQ(s.indices(2), (V{6, 7, 8, 11, 14}));
  // An empty iteration still gets its pads.
  IndexingStrategy e(StrategyType::kStepped, 0, 1, 3, 3, 1);
  EXPECT_EQ(e.indices(2), (V{4}));
}

TEST(IndexingStrategy, SingleIndexRanges) {
  for (uint64_t at : {uint64_t(0), uint64_t(7), kMax}) {
    for (auto type : {StrategyType::kLinear, StrategyType::kStepped}) {
      IndexingStrategy s(type, at, at, 4);
      EXPECT_EQ(s.step(), 1u);
      EXPECT_EQ(s.indices(0), (V{at}));
      for (uint64_t i = 1; i < 4; ++i)
        EXPECT_EQ(s.indices(i), V{});
    }
  }
}

// The overflow the two former copies differed on: first + i·step + step − 1
// wraps when the run ends at UINT64_MAX.
TEST(IndexingStrategy, LinearRunEndingAtTheTopOfTheRange) {
  IndexingStrategy s(StrategyType::kLinear, kMax - 4, kMax, 2);
  EXPECT_EQ(s.step(), 3u);
  EXPECT_EQ(s.indices(0), (V{kMax - 4, kMax - 3, kMax - 2}));
  EXPECT_EQ(s.indices(1), (V{kMax - 1, kMax}));
  IndexingStrategy t(StrategyType::kLinear, kMax - 1, kMax, 1);
  EXPECT_EQ(t.indices(0), (V{kMax - 1, kMax}));
}

TEST(IndexingStrategy, SteppedStopsAtTheTopOfTheRange) {
  // i += iterations past UINT64_MAX would wrap to a small index ≤ last and
  // loop for ever.
  IndexingStrategy s(StrategyType::kStepped, kMax - 5, kMax, 4);
  EXPECT_EQ(s.indices(0), (V{kMax - 5, kMax - 1}));
  EXPECT_EQ(s.indices(1), (V{kMax - 4, kMax}));
  EXPECT_EQ(s.indices(3), (V{kMax - 2}));
  IndexingStrategy t(StrategyType::kStepped, kMax, kMax, 1);
  EXPECT_EQ(t.indices(0), (V{kMax}));
}

TEST(IndexingStrategy, TheWholeRangeHasAStep) {
  // last − first + 1 = 2^64 wraps to 0; the step must still be 2^64 / n.
  IndexingStrategy s(StrategyType::kLinear, 0, kMax, uint64_t(1) << 62);
  EXPECT_EQ(s.step(), 4u);
  EXPECT_EQ(s.indices(0), (V{0, 1, 2, 3}));
  EXPECT_EQ(s.indices((uint64_t(1) << 62) - 1), (V{kMax - 3, kMax - 2, kMax - 1, kMax}));
  IndexingStrategy t(StrategyType::kStepped, 0, kMax, kMax);
  EXPECT_EQ(t.step(), 2u);
  EXPECT_EQ(t.indices(0), (V{0, kMax}));
  EXPECT_EQ(t.indices(kMax - 1), (V{kMax - 1}));
  // Huge iteration counts: i·step would pass 2^64 long before the end.
  IndexingStrategy u(StrategyType::kLinear, 1, kMax, kMax);
  EXPECT_EQ(u.step(), 1u);
  EXPECT_EQ(u.indices(kMax - 2), (V{kMax - 1}));
  IndexingStrategy w(StrategyType::kLinear, 0, kMax - 1, kMax - 1);
  EXPECT_EQ(w.step(), 2u);
  EXPECT_EQ(w.indices(kMax / 2 - 1), (V{kMax - 3, kMax - 2}));
  EXPECT_EQ(w.indices(kMax / 2), (V{kMax - 1}));
  EXPECT_EQ(w.indices(kMax / 2 + 1), V{});
  EXPECT_EQ(w.indices(kMax - 2), V{});
}

TEST(IndexingStrategy, MatchesTheSpecFormulasNearTheTop) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 3000; ++round) {
    const uint64_t span = rng() % 40;
    const uint64_t last = kMax - rng() % 60;
    const uint64_t first = last - span;
    const uint64_t iterations = 1 + rng() % 12;
    const uint64_t group = 1 + rng() % 5;
    const uint64_t pads = rng() % 3 == 0 ? rng() % 3 : 0;
    const auto type = rng() % 2 ? StrategyType::kLinear : StrategyType::kStepped;
    const u128 top = u128(last) + iterations + u128(pads ? pads - 1 : 0) * group;
    if (pads > 0 && top > kMax) {
      EXPECT_THROW(IndexingStrategy(type, first, last, iterations, group, pads), InvalidInput);
      continue;
    }
    IndexingStrategy s(type, first, last, iterations, group, pads);
    V all;
    for (uint64_t i = 0; i < iterations; ++i) {
      V got = s.indices(i);
      ASSERT_EQ(got, reference(type, first, last, iterations, group, pads, i))
          << "first " << first << " last " << last << " iterations " << iterations << " i " << i;
      all.insert(all.end(), got.begin(), got.end() - std::ptrdiff_t(pads));
    }
    // Every index of the range exactly once over all iterations.
    std::sort(all.begin(), all.end());
    ASSERT_EQ(all.size(), span + 1);
    for (uint64_t k = 0; k <= span; ++k)
      ASSERT_EQ(all[k], first + k);
  }
}

TEST(IndexingStrategy, RefusesBadArguments) {
  EXPECT_THROW(IndexingStrategy(StrategyType::kLinear, 5, 4, 1), InvalidInput);
  EXPECT_THROW(IndexingStrategy(StrategyType::kLinear, 0, 4, 0), InvalidInput);
  EXPECT_THROW(IndexingStrategy(StrategyType::kLinear, 0, 4, 1, 0), InvalidInput);
  EXPECT_THROW(IndexingStrategy(StrategyType(7), 0, 4, 1), InvalidInput);
  EXPECT_THROW(IndexingStrategy(StrategyType::kStepped, 0, 4, 2).indices(2), InvalidInput);
  // Pads past UINT64_MAX: refused up front rather than wrapped.
  EXPECT_THROW(IndexingStrategy(StrategyType::kLinear, 0, kMax, 1, 1, 1), InvalidInput);
  EXPECT_THROW(IndexingStrategy(StrategyType::kLinear, 0, kMax - 10, 2, kMax / 2, 3), InvalidInput);
  // The largest pad index may be UINT64_MAX itself.
  EXPECT_EQ(IndexingStrategy(StrategyType::kStepped, kMax - 3, kMax - 2, 2, 5, 1).indices(1),
            (V{kMax - 2, kMax}));
  // InvalidInput is a std::invalid_argument, as callers of both former copies caught.
  EXPECT_THROW(IndexingStrategy(StrategyType::kLinear, 5, 4, 1), std::invalid_argument);
}

}  // namespace
}  // namespace codex::base
