// The model's look-ahead for hosts (MarketApi::next_proof_check) against the
// check it replaces: a host that reads slot_state, is_proof_required and
// will_proof_be_required at the start of every period, over thousands of
// periods (the pointer wraps every 25.6 periods at 12 s blocks), through the
// downtime, proofs submitted, a request's end and an expiry. Every period
// before the answer must find nothing to do and the answer must find
// something (or be the horizon). Under automine, or when switched off, the
// model answers like a chain: nullopt.
#include <gtest/gtest.h>

#include <map>

#include "agent/market/periods.h"
#include "tests/agent/support/market_model_world.h"

namespace codex::market {
namespace {

using test::ModelWorld;

constexpr int kClient = 1;
constexpr uint64_t kOffset = 1;  // Sales checks one second into a period

model::ModelOptions interval_mining(uint64_t period, uint64_t block_time, uint64_t seed) {
  model::ModelOptions o;
  o.config.proofs.period = period;  // the rest: the reference's (downtime 64)
  o.config.proofs.timeout = period / 4;
  o.seed = seed;
  o.block_time = block_time;
  return o;
}

// What the host's per-period check reads, at the clock's time.
bool check_finds_work(MarketApi& host, const SlotId& slot) {
  return host.slot_state(slot) != SlotState::Filled || host.is_proof_required(slot) ||
         host.will_proof_be_required(slot);
}

struct Counts {
  uint64_t periods = 0, required = 0, in_downtime = 0, hints = 0, skipped = 0;
};

// Posts a request of `slots` slots with `probability`, fills `filled` of them
// (hosts 2, 3, ...), then steps period by period to `until`: each host checks
// its slot at start(p) + kOffset, proves when a proof is required (as Sales
// does), and asks for the next check; every answer is checked against the
// checks that follow.
Counts compare(ModelWorld& w, uint64_t probability, uint64_t slots, uint64_t filled,
               uint64_t duration, uint64_t expiry, uint64_t until) {
  const Periods periods(w.config().proofs.period);
  Request r = w.request(kClient, slots, duration, expiry, uint8_t(probability + slots));
  r.ask.proof_probability = Uint256(probability);
  r.ask.max_slot_loss = 1;
  w.request_storage(r, kClient);
  const RequestId id = request_id(r);
  for (uint64_t i = 0; i < filled; ++i) {
    w.reserve(int(2 + i), id, i);
    w.fill(int(2 + i), r, i);
  }
  // slot index → (the first period asked about, the period the hint named)
  std::map<uint64_t, std::pair<uint64_t, uint64_t>> expected;
  Counts n;
  const uint64_t first = periods.period_of(w.now()) + 1;
  for (uint64_t p = first; p <= until; ++p) {
    w.set_time(periods.start(p) + kOffset);
    ++n.periods;
    for (uint64_t i = 0; i < filled; ++i) {
      MarketApi& host = w.api(int(2 + i));
      const SlotId slot = slot_id(id, i);
      const bool work = check_finds_work(host, slot);
      if (auto e = expected.find(i); e != expected.end()) {
        const auto [asked, named] = e->second;
        if (p < named) {
          if (work) {
            ADD_FAILURE() << "slot " << i << " period " << p << ": the hint named " << named;
            return n;
          }
          ++n.skipped;
          continue;
        }
        if (p == named && named < asked + model::MarketModel::kProofCheckHorizon && !work) {
          ADD_FAILURE() << "slot " << i << " period " << p << ": named, but nothing to do";
          return n;
        }
      }
      const bool filled_now = host.slot_state(slot) == SlotState::Filled;
      if (filled_now && host.is_proof_required(slot)) ++n.required;
      if (filled_now && host.will_proof_be_required(slot)) {
        ++n.required;
        ++n.in_downtime;
      }
      if (filled_now && work)
        host.execute(SubmitProof{slot, test::kValidProof, p}, w.next_key("prove"));
      const std::optional<uint64_t> next = host.next_proof_check(slot, p + 1, kOffset);
      if (!next) {
        ADD_FAILURE() << "interval mining: the model should see ahead";
        return n;
      }
      EXPECT_GE(*next, p + 1);
      ++n.hints;
      expected[i] = {p + 1, *next};
    }
  }
  return n;
}

TEST(MarketModelProofCheck, TheHintNamesTheFirstPeriodTheCheckFindsWorkAtProductionSettings) {
  ModelWorld w(interval_mining(120, 12, 7));
  // Probability 100 → slotProbability 75 (downtime 64): a proof every ~75
  // periods; four days of periods, to the request's end and past it.
  const Counts c = compare(w, 100, 4, 4, 3 * 86400, 600, Periods(120).period_of(w.now()) + 4 * 720);
  EXPECT_GT(c.required, 40u);
  EXPECT_GT(c.skipped, 8'000u) << "most periods of the request need no check";
}

TEST(MarketModelProofCheck, TheHintHoldsThroughTheDowntimeAndFrequentProofs) {
  // Probability 4 → 3: a proof required in about every third period, many of
  // them announced in the downtime (willProofBeRequired).
  ModelWorld w(interval_mining(120, 12, 11));
  const Counts c = compare(w, 4, 3, 3, 86400, 600, Periods(120).period_of(w.now()) + 800);
  EXPECT_GT(c.in_downtime, 20u);
  EXPECT_GT(c.skipped, 500u);
}

TEST(MarketModelProofCheck, TheHintHoldsForShortPeriodsAndOneSecondBlocks) {
  // The devnet's shape: 10 s periods, a block a second (the pending block's
  // time then is the next second).
  ModelWorld w(interval_mining(10, 1, 5));
  const Counts c = compare(w, 5, 3, 3, 3000, 200, Periods(10).period_of(w.now()) + 400);
  EXPECT_GT(c.required, 50u);
  EXPECT_GT(c.skipped, 100u);
}

TEST(MarketModelProofCheck, AnUnstartedRequestsExpiryIsACheck) {
  // Two of three slots filled: the request never starts and its slots turn
  // Cancelled at the expiry, which the hint must not sleep through.
  ModelWorld w(interval_mining(120, 12, 3));
  const Counts c = compare(w, 100, 3, 2, 86400, 3600, Periods(120).period_of(w.now()) + 60);
  EXPECT_GT(c.skipped, 10u);
}

TEST(MarketModelProofCheck, AChainOrAnAutomineModelOrOneSwitchedOffForeseesNothing) {
  ModelWorld automine;  // block_time 0
  EXPECT_EQ(automine.api(2).next_proof_check(SlotId{}, 1, kOffset), std::nullopt);
  model::ModelOptions off = interval_mining(120, 12, 7);
  off.foresee_proof_checks = false;
  ModelWorld w(off);
  EXPECT_EQ(w.api(2).next_proof_check(SlotId{}, 1, kOffset), std::nullopt);
  // A free slot has something to do at once (Sales would end its sale).
  ModelWorld on(interval_mining(120, 12, 7));
  const uint64_t p = Periods(120).period_of(on.now()) + 1;
  EXPECT_EQ(on.api(2).next_proof_check(SlotId{}, p, kOffset), p);
}

}  // namespace
}  // namespace codex::market
