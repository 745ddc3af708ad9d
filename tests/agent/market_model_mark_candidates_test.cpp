// The model's filter for validators (MarketApi::can_mark_candidates) against
// the reads it spares: over hundreds of periods, for filled slots of requests
// with different proof probabilities (some proofs sent, some missed, some
// marked), free and unknown slots, a slot is left out exactly when its
// canMarkProofAsMissing answers Proofs_ProofNotRequired. Outside the
// validation window every slot is kept; switched off the model answers like a
// chain: nullopt.
#include <gtest/gtest.h>

#include "agent/market/periods.h"
#include "tests/agent/support/market_model_world.h"

namespace codex::market {
namespace {

using test::ModelWorld;

constexpr int kClient = 1, kValidator = 7;

model::ModelOptions production(uint64_t seed) {
  model::ModelOptions o;  // the reference's configuration: 120 s periods, downtime 64
  o.seed = seed;
  o.block_time = 12;
  return o;
}

// Requests with probabilities 1 (every period), 4 and 100, all filled by
// hosts 2..6; returns every slot id, and one slot id nobody knows.
std::vector<SlotId> fill_requests(ModelWorld& w) {
  std::vector<SlotId> out;
  uint8_t nonce = 1;
  for (uint64_t probability : {1, 4, 100}) {
    Request r = w.request(kClient, 5, 2 * 86400, 600, nonce++);
    r.ask.proof_probability = Uint256(probability);
    w.request_storage(r, kClient);
    const RequestId id = request_id(r);
    for (uint64_t i = 0; i < 5; ++i) {
      w.reserve(int(2 + i), id, i);
      w.fill(int(2 + i), r, i);
      out.push_back(slot_id(id, i));
    }
  }
  // A request nobody fills: its slots stay free.
  const Request free_request = w.request(kClient, 3, 86400, 600, nonce++);
  w.request_storage(free_request, kClient);
  out.push_back(slot_id(request_id(free_request), 0));
  out.push_back(SlotId{0x42});
  return out;
}

TEST(MarketModelMarkCandidates, LeavesOutExactlyTheSlotsWhoseProofWasNotRequired) {
  ModelWorld w(production(9));
  const std::vector<SlotId> slots = fill_requests(w);
  const Periods periods(w.config().proofs.period);
  MarketApi& validator = w.api(kValidator);
  uint64_t left_out = 0, kept = 0, marked = 0, proved = 0;
  const uint64_t first = periods.period_of(w.now()) + 1;
  for (uint64_t p = first; p < first + 400; ++p) {
    // Inside the period: hosts prove what is required, but every third
    // required proof is missed (the host of slot i skips when (p + i) % 3 == 0).
    w.set_time(periods.start(p) + 1 + p % 50);
    for (size_t i = 0; i + 2 < slots.size(); ++i) {
      MarketApi& host = w.api(int(2 + i % 5));
      if (host.slot_state(slots[i]) != SlotState::Filled) continue;
      if ((host.is_proof_required(slots[i]) || host.will_proof_be_required(slots[i])) &&
          (p + i) % 3 != 0) {
        host.execute(SubmitProof{slots[i], test::kValidProof, p}, w.next_key("prove"));
        ++proved;
      }
    }
    // After it, as the validator: the filter against each slot's read.
    w.set_time(periods.end(p) + 1);
    const auto candidates = validator.can_mark_candidates(slots, p);
    ASSERT_TRUE(candidates.has_value());
    size_t next = 0;
    for (size_t i = 0; i < slots.size(); ++i) {
      const std::optional<std::string> answer = validator.can_mark_proof_as_missing(slots[i], p);
      const bool in = next < candidates->size() && (*candidates)[next] == i;
      next += in ? 1 : 0;
      const bool not_required = answer == std::optional<std::string>("Proofs_ProofNotRequired");
      ASSERT_EQ(in, !not_required)
          << "period " << p << ", slot " << i << ": " << answer.value_or("markable");
      left_out += in ? 0 : 1;
      kept += in ? 1 : 0;
      if (!answer && marked < 6) {  // mark a few: the slashed slots go on being read
        validator.execute(MarkProofAsMissing{slots[i], p});
        ++marked;
      }
    }
    ASSERT_EQ(next, candidates->size()) << "indices ascending, each once";
  }
  EXPECT_GT(left_out, 3000u);
  EXPECT_GT(kept, 1000u);
  EXPECT_GT(proved, 300u);
  EXPECT_EQ(marked, 6u);

  // Outside the window (the period not over, or timed out) nothing is left out.
  const uint64_t now_period = periods.period_of(w.now());
  EXPECT_EQ(validator.can_mark_candidates(slots, now_period)->size(), slots.size());
  EXPECT_EQ(validator.can_mark_candidates(slots, now_period - 5)->size(), slots.size());
}

TEST(MarketModelMarkCandidates, SwitchedOffTheModelAnswersLikeAChain) {
  model::ModelOptions o = production(9);
  o.filter_mark_candidates = false;
  ModelWorld w(o);
  const std::vector<SlotId> slots{SlotId{1}, SlotId{2}};
  EXPECT_EQ(w.api(kValidator).can_mark_candidates(slots, 3), std::nullopt);
}

}  // namespace
}  // namespace codex::market
