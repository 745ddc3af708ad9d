// The simulation's slot work (agent/sim/sim_slot_work): a repair decodes
// every row of blocks from K intact blocks of the other hosts, so hosts that
// dropped or corrupted part of their slots serve a repair only as far as
// the rows they kept; the outcome is fixed by the data, not by who repairs.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "agent/sim/sim_slot_work.h"

namespace codex::sim {
namespace {

TEST(SimRepairChance, EveryRowNeedsKIntactBlocks) {
  EXPECT_DOUBLE_EQ(repair_chance({1, 1, 1}, 2, 64), 1.0) << "whole hosts";
  EXPECT_DOUBLE_EQ(repair_chance({1}, 2, 1), 0.0) << "too few hosts";
  EXPECT_DOUBLE_EQ(repair_chance({}, 1, 1), 0.0);
  EXPECT_DOUBLE_EQ(repair_chance({}, 0, 1), 1.0) << "nothing to decode from";
  // Two hosts that each kept half: a row finds both with chance 1/4.
  EXPECT_DOUBLE_EQ(repair_chance({0.5, 0.5}, 2, 1), 0.25);
  EXPECT_DOUBLE_EQ(repair_chance({0.5, 0.5}, 2, 3), 0.25 * 0.25 * 0.25);
  // A whole host and a half one, K = 1: every row has the whole one.
  EXPECT_DOUBLE_EQ(repair_chance({1, 0.5}, 1, 100), 1.0);
  // Three hosts that kept 0.9 each, K = 2: 3·0.9²·0.1 + 0.9³ per row.
  const double row = 3 * 0.81 * 0.1 + 0.729;
  EXPECT_NEAR(repair_chance({0.9, 0.9, 0.9}, 2, 16), std::pow(row, 16), 1e-12);
  // Out-of-range shares are clamped, not trusted.
  EXPECT_DOUBLE_EQ(repair_chance({1.5, -1}, 1, 1), 1.0);
  EXPECT_DOUBLE_EQ(repair_chance({-1, -1}, 1, 1), 0.0);
}

market::Request request(uint64_t slot_size) {
  market::Request r{};
  r.ask.slots = 4;
  r.ask.max_slot_loss = 1;  // K = 3
  r.ask.slot_size = slot_size;
  r.nonce[0] = 7;
  return r;
}

bool repaired(SimSlotWork& work, const market::Request& r) {
  try {
    work.store(r, 0, true, [](uint64_t) {});
    return true;
  } catch (const std::runtime_error&) {
    return false;
  }
}

TEST(SimSlotWorkRepair, DecidedByTheSourcesBlocksTheSameForEveryRepairer) {
  std::vector<double> shares;
  const SlotSources sources = [&](const market::Request&, uint64_t) { return shares; };
  SimSlotWork a(1, {}, sources), b(2, {}, sources);
  const market::Request big = request(256ull << 20);  // 4096 rows
  shares = {1, 1, 1};
  EXPECT_TRUE(repaired(a, big));
  shares = {1, 1};
  EXPECT_FALSE(repaired(a, big)) << "two hosts for K = 3";
  shares = {0.5, 0.5, 0.5};
  EXPECT_FALSE(repaired(a, big)) << "hosts that kept half: some row is short";
  shares = {1, 1, 0.999, 0.999};
  EXPECT_TRUE(repaired(a, big)) << "a spare host covers the few rows one lost";
  // Over many requests of one block a row, the share of repairs that
  // succeed is the chance, and both repairers agree on each.
  shares = {0.5, 0.5, 0.5, 0.5};
  const double chance = repair_chance(shares, 3, 1);  // 5/16
  int ok = 0;
  constexpr int kRequests = 2000;
  for (int i = 0; i < kRequests; ++i) {
    market::Request r = request(65536);
    r.nonce[1] = uint8_t(i);
    r.nonce[2] = uint8_t(i >> 8);
    const bool x = repaired(a, r);
    EXPECT_EQ(x, repaired(b, r)) << "request " << i;
    ok += x ? 1 : 0;
  }
  EXPECT_NEAR(double(ok) / kRequests, chance, 0.04);  // about 4 standard deviations
}

TEST(SimSlotWorkRepair, AFillNeedsTheClient) {
  std::vector<double> shares;
  SimSlotWork work(1, {}, [&](const market::Request&, uint64_t) { return shares; });
  const market::Request r = request(65536);
  EXPECT_THROW(work.store(r, 0, false, [](uint64_t) {}), std::runtime_error) << "cut off";
  shares = {1};
  uint64_t stored = 0;
  work.store(r, 0, false, [&](uint64_t n) { stored = n; });
  EXPECT_EQ(stored, 65536u);
}

}  // namespace
}  // namespace codex::sim
