// The validator role (spec node.md §7) on the in-memory marketplace: marks
// the proofs a host misses until its slot is freed, and only those; two
// validators with groups share the slots and fail a request together; a
// validator started after the fills reads the history; the watched slots
// and the totals survive a restart; --validator-max-slots holds.
#include <gtest/gtest.h>

#include <set>

#include "agent/market/market_api.h"
#include "agent/market/periods.h"
#include "agent/validator/validator.h"
#include "base/sqlite/database.h"
#include "tests/agent/support/market_model_world.h"
#include "tests/support/temp_dir.h"

namespace codex::validator {
namespace {

using market::Uint256;
using test::ModelWorld;

constexpr int kClient = 1;
constexpr int kValidator = 5, kValidator2 = 6;
const int kHosts[] = {2, 3, 4};

struct Fixture {
  ModelWorld w;
  codex::testing::TempDir dir{"validator-role"};
  std::unique_ptr<base::sqlite::Database> db = base::sqlite::Database::open(dir / "v.sqlite3");
  std::unique_ptr<base::sqlite::Database> db2 = base::sqlite::Database::open(dir / "v2.sqlite3");
  market::Request request = w.request(kClient);
  market::RequestId id = market::request_id(request);
  market::Periods periods{w.config().proofs.period};

  std::vector<market::SlotId> slots() const {
    std::vector<market::SlotId> out;
    for (uint64_t i = 0; i < request.ask.slots; ++i)
      out.push_back(market::slot_id(id, i));
    return out;
  }
  // The request, filled by hosts 2, 3 and 4 (slot i by kHosts[i]).
  void fill() {
    w.request_storage(request, kClient);
    for (uint64_t i = 0; i < 3; ++i) {
      w.reserve(kHosts[i], id, i);
      w.fill(kHosts[i], request, i);
    }
  }
  // Runs whole periods: the hosts in `proving` submit a proof in each; after
  // each period's end every validator polls its events and checks it.
  void run_periods(int n, const std::set<int>& proving, const std::vector<Validator*>& vs) {
    for (int k = 0; k < n; ++k) {
      const uint64_t p = periods.period_of(w.now()) + 1;
      w.set_time(periods.start(p) + 1);
      for (uint64_t i = 0; i < 3; ++i) {
        if (!proving.contains(kHosts[i])) continue;
        const market::SlotId s = market::slot_id(id, i);
        if (w.api(0).slot_state(s) != market::SlotState::Filled) continue;
        w.prove(kHosts[i], s);
      }
      w.set_time(periods.end(p) + 1);
      for (Validator* v : vs) {
        v->poll_events();
        v->check_period(p);
      }
    }
  }
  // The contract's reward for one mark of this request.
  Uint256 reward() const {
    const auto& c = w.config().collateral;
    const Uint256 slashed =
        (market::collateral_per_slot(request.ask) * Uint256(c.slash_percentage)).div_u64(100);
    return (slashed * Uint256(c.validator_reward_percentage)).div_u64(100);
  }
};

ValidatorOptions opts(uint64_t groups = 0, uint64_t index = 0, uint64_t max_slots = 1000) {
  ValidatorOptions o;
  o.groups = groups;
  o.group_index = index;
  o.max_slots = max_slots;
  return o;
}

TEST(ValidatorRole, MarksTheMissedProofsOfOneHostUntilItsSlotIsFreed) {
  Fixture f;
  f.fill();
  Validator v(f.w.api(kValidator), *f.db, opts());
  const Uint256 before = f.w.balance(kValidator);
  const Uint256 host_before = f.w.balance(4);
  v.poll_events();
  EXPECT_EQ(v.status().watched, 3u);
  // Hosts 2 and 3 prove; host 4 has stopped.
  const market::SlotId lazy = market::slot_id(f.id, 2);
  for (int k = 0; k < 40 && f.w.api(0).slot_state(lazy) == market::SlotState::Filled; ++k)
    f.run_periods(1, {2, 3}, {&v});
  ASSERT_EQ(f.w.api(0).slot_state(lazy), market::SlotState::Repair)
      << "freed after maxNumberOfSlashes missed proofs";
  const ValidatorStatus st = v.status();
  EXPECT_EQ(st.totals.marks, f.w.config().collateral.max_number_of_slashes);
  EXPECT_EQ(f.w.balance(kValidator), before + Uint256(st.totals.marks) * f.reward())
      << "paid the contract's reward for each mark, to the unit";
  EXPECT_EQ(st.totals.rewards, Uint256(st.totals.marks) * f.reward());
  EXPECT_EQ(f.w.balance(4), host_before) << "the freed host gets nothing back";
  for (uint64_t i = 0; i < 2; ++i)
    EXPECT_EQ(f.w.api(0).missing_proofs(market::slot_id(f.id, i)), 0u) << "proving hosts";
  f.run_periods(1, {2, 3}, {&v});
  EXPECT_EQ(v.status().watched, 2u) << "the freed slot is no longer watched";
  EXPECT_EQ(v.status().last_check->dropped, 1u);
  EXPECT_EQ(v.status().last_check->missing, 0u);
}

TEST(ValidatorRole, TooFewMissedProofsSlashButDoNotFree) {
  Fixture f;
  f.fill();
  Validator v(f.w.api(kValidator), *f.db, opts());
  v.poll_events();
  const market::SlotId s = market::slot_id(f.id, 2);
  // Host 4 misses proofs until one is marked, then proves again.
  for (int k = 0; k < 20 && v.status().totals.marks == 0; ++k)
    f.run_periods(1, {2, 3}, {&v});
  ASSERT_EQ(v.status().totals.marks, 1u);
  f.run_periods(5, {2, 3, 4}, {&v});
  EXPECT_EQ(f.w.api(0).slot_state(s), market::SlotState::Filled) << "one slash is below the limit";
  EXPECT_EQ(f.w.api(0).missing_proofs(s), 1u);
  EXPECT_EQ(v.status().totals.marks, 1u);
  const auto& c = f.w.config().collateral;
  EXPECT_EQ(
      f.w.api(0).current_collateral(s),
      market::collateral_per_slot(f.request.ask) -
          (market::collateral_per_slot(f.request.ask) * Uint256(c.slash_percentage)).div_u64(100))
      << "slashed once";
}

TEST(ValidatorRole, TwoValidatorsWithGroupsShareTheSlotsAndFailTheRequest) {
  Fixture f;
  f.fill();
  Validator v0(f.w.api(kValidator), *f.db, opts(2, 0));
  Validator v1(f.w.api(kValidator2), *f.db2, opts(2, 1));
  v0.poll_events();
  v1.poll_events();
  size_t in0 = 0;
  for (const market::SlotId& s : f.slots())
    in0 += market::slot_group(s, 2) == 0 ? 1 : 0;
  EXPECT_EQ(v0.status().watched, in0);
  EXPECT_EQ(v1.status().watched, 3 - in0) << "every slot in exactly one group";
  // Nobody proves: the validators mark until two slots are freed, more than
  // the request's maxSlotLoss of 1, and the request fails.
  for (int k = 0; k < 60 && f.w.api(0).request_state(f.id) != market::RequestState::Failed; ++k)
    f.run_periods(1, {}, {&v0, &v1});
  EXPECT_EQ(f.w.api(0).request_state(f.id), market::RequestState::Failed);
  const uint64_t m0 = v0.status().totals.marks, m1 = v1.status().totals.marks;
  EXPECT_GT(m0 + m1, 0u);
  EXPECT_EQ(m0 > 0, in0 > 0) << "each marks only its own group's slots";
  EXPECT_EQ(m1 > 0, in0 < 3);
  EXPECT_EQ(f.w.balance(kValidator) - ModelWorld::kFunds, Uint256(m0) * f.reward());
  EXPECT_EQ(f.w.balance(kValidator2) - ModelWorld::kFunds, Uint256(m1) * f.reward());
}

TEST(ValidatorRole, AValidatorStartedAfterTheFillsReadsTheHistory) {
  Fixture f;
  f.fill();
  f.run_periods(2, {2, 3, 4}, {});
  Validator v(f.w.api(kValidator), *f.db, opts());
  v.poll_events();
  EXPECT_EQ(v.status().watched, 3u) << "from the SlotFilled events before it started";
  f.run_periods(3, {2, 3}, {&v});
  EXPECT_GT(v.status().totals.marks, 0u) << "host 4 stopped after the validator started";
}

TEST(ValidatorRole, WatchedSlotsAndTotalsSurviveARestartAndMaxSlotsHolds) {
  Fixture f;
  f.fill();
  uint64_t marks = 0;
  {
    Validator v(f.w.api(kValidator), *f.db, opts(0, 0, 2));
    v.poll_events();
    EXPECT_EQ(v.status().watched, 2u) << "--validator-max-slots 2";
    f.run_periods(3, {}, {&v});
    marks = v.status().totals.marks;
    EXPECT_GT(marks, 0u);
  }
  Validator again(f.w.api(kValidator), *f.db, opts(0, 0, 2));
  const ValidatorStatus st = again.status();
  EXPECT_EQ(st.totals.marks, marks) << "read from the database";
  EXPECT_EQ(st.totals.rewards, Uint256(marks) * f.reward());
  EXPECT_LE(st.watched, 2u);
  // The model keeps no stream position across stream objects (the chain
  // keeps it in the database): events read again change nothing.
  again.poll_events();
  EXPECT_LE(again.status().watched, 2u);
  EXPECT_EQ(again.status().totals.marks, marks);
}

TEST(ValidatorRole, EndedSlotsMakeRoomUnderMaxSlots) {
  Fixture f;
  f.fill();
  Validator v(f.w.api(kValidator), *f.db, opts(0, 0, 3));
  v.poll_events();
  ASSERT_EQ(v.status().watched, 3u);
  // The request ends; a second one is filled: the ended slots give way.
  f.w.set_time(f.w.api(0).request_end(f.id) + 1);
  market::Request r2 = f.w.request(kClient, 3, 600, 300, 2);
  const market::RequestId id2 = market::request_id(r2);
  f.w.request_storage(r2, kClient);
  for (uint64_t i = 0; i < 3; ++i) {
    f.w.reserve(kHosts[i], id2, i);
    f.w.fill(kHosts[i], r2, i);
  }
  v.poll_events();
  EXPECT_EQ(v.status().watched, 3u);
  for (uint64_t i = 0; i < 3; ++i)
    EXPECT_EQ(f.w.api(0).slot_state(market::slot_id(id2, i)), market::SlotState::Filled);
}

TEST(ValidatorRole, BadGroupOptionsAreRefused) {
  Fixture f;
  EXPECT_THROW(Validator(f.w.api(kValidator), *f.db, opts(1, 0)), std::invalid_argument);
  EXPECT_THROW(Validator(f.w.api(kValidator), *f.db, opts(2, 2)), std::invalid_argument);
  EXPECT_THROW(Validator(f.w.api(kValidator), *f.db, opts(65536, 0)), std::invalid_argument);
  EXPECT_NO_THROW(Validator(f.w.api(kValidator), *f.db, opts(65535, 65534)));
}

}  // namespace
}  // namespace codex::validator
