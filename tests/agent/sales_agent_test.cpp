// The sales state machine (spec node.md §5.3) on the in-memory marketplace:
// a whole sale from an availability to the payout, the skips with their
// reasons, events, failures, and a provider "killed" after every step (the
// agent rebuilt from its database each time) reaching the same end with no
// transaction sent twice.
#include <gtest/gtest.h>

#include "agent/market/market_api.h"
#include "agent/market/periods.h"
#include "agent/sales/availabilities.h"
#include "agent/sales/sales_agent.h"
#include "agent/sales/slot_work.h"
#include "tests/agent/support/market_model_world.h"
#include "tests/exchange/support/store_test_support.h"

namespace codex::sales {
namespace {

using market::Uint256;
using test::ModelWorld;

constexpr int kClient = 1, kHost = 2;

// Stands in for the exchange and the prover: the state machine's unit tests
// need store and prove to succeed or fail on demand.
class ScriptedWork : public SlotWork {
 public:
  void store(const market::Request& request, uint64_t, bool repairing,
             const std::function<void(uint64_t)>& stored) override {
    ++stores;
    last_repairing = repairing;
    if (fail_store) throw std::runtime_error("no peer has the blocks");
    stored(request.ask.slot_size / 2);
    stored(request.ask.slot_size - request.ask.slot_size / 2);
  }
  market::Groth16Proof prove(const market::Request&, uint64_t, const market::Hash&) override {
    ++proofs;
    if (fail_prove) throw std::runtime_error("prover crashed");
    return test::kValidProof;
  }
  std::optional<double> proving_seconds() const override { return seconds; }
  int stores = 0, proofs = 0;
  bool fail_store = false, fail_prove = false, last_repairing = false;
  std::optional<double> seconds;
};

struct Fixture {
  ModelWorld world;
  codex::testing::TempDir dir{"sales-agent"};
  store::testing::TestStore store;
  std::unique_ptr<Availabilities> availabilities;
  std::unique_ptr<SaleRecords> records;
  ScriptedWork work;
  std::unique_ptr<SalesContext> ctx;
  market::Request request;
  market::RequestId id{};

  Fixture() {
    store::RepoOptions o;
    o.quota_bytes = 1 << 20;
    store = store::testing::open_store(dir.path() / "node", o);
    availabilities = std::make_unique<Availabilities>(store.db(), *store);
    records = std::make_unique<SaleRecords>(store.db());
    ctx.reset(new SalesContext{world.api(kHost), *availabilities, *records, work, store.db()});
    request = world.request(kClient);
    id = market::request_id(request);
    world.request_storage(request, kClient);
  }
  Availability offer(uint64_t size = 100'000) {
    NewAvailability n;
    n.total_size = size;
    n.duration = 10'000;
    n.min_price_per_byte_per_second = Uint256(1);
    n.total_collateral = Uint256(1'000'000);
    return availabilities->create(n);
  }
  // Other hosts fill the other slots so that the request starts.
  void others_fill(uint64_t except) {
    for (uint64_t i = 0; i < request.ask.slots; ++i)
      if (i != except) {
        world.reserve(3 + int(i), id, i);
        world.fill(3 + int(i), request, i);
      }
  }
  // Steps until the sale is over, moving the clock to each wake-up time.
  // `restart`: rebuild the agent from the database after every step.
  SaleStep drive(std::unique_ptr<SalesAgent> a, bool restart = false, int max_steps = 2000) {
    for (int i = 0; i < max_steps; ++i) {
      SaleStep s = a->step();
      if (s.done) return s;
      if (s.wake_at && *s.wake_at > world.now()) world.set_time(*s.wake_at);
      if (restart) {
        const auto r = records->get(a->record().slot_id);
        a = std::make_unique<SalesAgent>(*ctx, *r);
      }
    }
    ADD_FAILURE() << "the sale did not end";
    return {};
  }
  // Steps (moving the clock) until the sale is in `state`.
  void drive_until(SalesAgent& a, SaleState state, int max_steps = 100) {
    for (int i = 0; i < max_steps && a.record().state != state; ++i) {
      SaleStep s = a.step();
      if (s.wake_at && *s.wake_at > world.now()) world.set_time(*s.wake_at);
    }
    ASSERT_EQ(a.record().state, state);
  }
  // What the host is paid: price · slot size for each second from its fill
  // to the request's end.
  Uint256 payment(uint64_t filled_at) {
    const uint64_t end = world.api(0).request_end(id);
    return Uint256(request.ask.slot_size) * request.ask.price_per_byte_per_second *
           Uint256(end - filled_at);
  }
  std::vector<market::MarketEvent> events() {
    std::vector<market::MarketEvent> out;
    auto s = world.api(0).events("test/all/" + std::to_string(++streams_));
    s->poll(
        [&](const market::DecodedEvent& e, base::sqlite::WriteTxn*) { out.push_back(e.event); });
    return out;
  }
  template <class E>
  size_t count() {
    size_t n = 0;
    for (const auto& e : events())
      n += std::holds_alternative<E>(e) ? 1 : 0;
    return n;
  }

 private:
  int streams_ = 0;
};

TEST(SalesAgent, ASaleRunsFromTheAvailabilityToThePayout) {
  Fixture f;
  const Availability a = f.offer();
  const Uint256 host0 = f.world.balance(kHost);
  auto agent = SalesAgent::start(*f.ctx, f.id, 0);
  // Preparing → SlotReserving → Downloading → InitialProving (waits for the period).
  EXPECT_EQ(agent->step().state, SaleState::SlotReserving);
  const Reservation r = f.availabilities->reservations(a.id).at(0);
  EXPECT_EQ(r.size, 1024u);
  EXPECT_EQ(agent->step().state, SaleState::Downloading);
  EXPECT_EQ(agent->step().state, SaleState::InitialProving);
  EXPECT_EQ(f.work.stores, 1);
  EXPECT_EQ(f.availabilities->reservation(r.id)->size, 0u) << "stored bytes left the reservation";
  SaleStep wait = agent->step();
  ASSERT_TRUE(wait.wake_at);
  EXPECT_EQ(*wait.wake_at % f.world.config().proofs.period, 1u) << "just after a period starts";
  f.others_fill(0);
  f.drive_until(*agent, SaleState::Filled);
  const uint64_t filled_at = f.world.now();
  const SaleStep end = f.drive(std::move(agent));
  EXPECT_EQ(end.state, SaleState::Finished);
  EXPECT_FALSE(end.reprocess);

  EXPECT_EQ(f.count<market::SlotFilled>(), 3u);
  EXPECT_GT(f.count<market::ProofSubmitted>(), 10u) << "a proof every period (probability 1)";
  EXPECT_EQ(f.count<market::RequestFulfilled>(), 1u);
  // Paid for the time it held the slot, and the collateral came back.
  EXPECT_EQ(f.world.balance(kHost), host0 + f.payment(filled_at));
  const Availability back = *f.availabilities->get(a.id);
  EXPECT_EQ(back.free_size, a.free_size);
  EXPECT_EQ(back.total_remaining_collateral, a.total_remaining_collateral);
  EXPECT_TRUE(f.availabilities->reservations(a.id).empty());
  EXPECT_TRUE(f.records->active().empty());
  EXPECT_EQ(f.records->get(market::slot_id(f.id, 0))->state, SaleState::Finished);
}

TEST(SalesAgent, AProviderKilledAfterEveryStepEndsTheSameWithoutRepeatingATransaction) {
  Fixture f;
  const Availability a = f.offer();
  const Uint256 host0 = f.world.balance(kHost);
  auto agent = SalesAgent::start(*f.ctx, f.id, 1);
  for (int i = 0; i < 4; ++i)
    agent->step();
  f.others_fill(1);
  f.drive_until(*agent, SaleState::Filling);
  const uint64_t filled_at = f.world.now();  // the next step fills at this time
  const SaleStep end =
      f.drive(std::make_unique<SalesAgent>(*f.ctx, agent->record()), /*restart=*/true);
  EXPECT_EQ(end.state, SaleState::Finished);
  EXPECT_EQ(f.count<market::SlotFilled>(), 3u);
  EXPECT_EQ(f.count<market::SlotReservationsFull>() + 0, 0u);
  EXPECT_EQ(f.world.balance(kHost), host0 + f.payment(filled_at)) << "no fee or deposit twice";
  EXPECT_EQ(f.availabilities->get(a.id)->free_size, a.free_size);
}

TEST(SalesAgent, SkipsSayWhyAndSaySoWhenTheSlotShouldBeTriedAgain) {
  Fixture f;
  // No availability: ignored, to be tried again when one appears.
  SaleStep s = f.drive(SalesAgent::start(*f.ctx, f.id, 0));
  EXPECT_EQ(s.state, SaleState::Ignored);
  EXPECT_TRUE(s.reprocess);
  EXPECT_EQ(f.records->get(market::slot_id(f.id, 0))->error, "no availability takes it");

  // Too small an availability is the same.
  f.offer(1000);
  s = f.drive(SalesAgent::start(*f.ctx, f.id, 0));
  EXPECT_EQ(s.state, SaleState::Ignored);
  EXPECT_TRUE(s.reprocess);

  // A slot someone else filled: ignored for good.
  f.offer();
  f.world.reserve(5, f.id, 2);
  f.world.fill(5, f.request, 2);
  s = f.drive(SalesAgent::start(*f.ctx, f.id, 2));
  EXPECT_EQ(s.state, SaleState::Ignored);
  EXPECT_FALSE(s.reprocess);
  EXPECT_EQ(f.records->get(market::slot_id(f.id, 2))->round, 0u);
  EXPECT_EQ(f.records->get(market::slot_id(f.id, 0))->round, 1u) << "slot 0 was tried twice";
}

TEST(SalesAgent, AFailedDownloadGivesEverythingBack) {
  Fixture f;
  const Availability a = f.offer();
  f.work.fail_store = true;
  const SaleStep s = f.drive(SalesAgent::start(*f.ctx, f.id, 0));
  EXPECT_EQ(s.state, SaleState::Errored);
  EXPECT_NE(f.records->get(market::slot_id(f.id, 0))->error.find("no peer has the blocks"),
            std::string::npos);
  const Availability back = *f.availabilities->get(a.id);
  EXPECT_EQ(back.free_size, a.free_size);
  EXPECT_EQ(back.total_remaining_collateral, a.total_remaining_collateral)
      << "collateral of a slot never filled is not spent";
  EXPECT_EQ(f.store->usage().reserved, a.total_size);
}

TEST(SalesAgent, EventsMoveTheSaleOnlyFromTheStatesThatTakeThem) {
  Fixture f;
  const Availability a = f.offer();
  auto agent = SalesAgent::start(*f.ctx, f.id, 0);
  agent->step();  // reserving
  agent->step();  // downloading
  EXPECT_TRUE(agent->slot_filled()) << "someone filled it while we downloaded";
  EXPECT_EQ(agent->record().state, SaleState::Filled);
  SaleStep s = f.drive(std::make_unique<SalesAgent>(*f.ctx, agent->record()));
  EXPECT_EQ(s.state, SaleState::Errored) << "we are not its host";
  EXPECT_EQ(f.availabilities->get(a.id)->total_remaining_collateral, a.total_remaining_collateral);
  EXPECT_FALSE(agent->cancelled()) << "an ended sale takes no event";

  auto other = SalesAgent::start(*f.ctx, f.id, 1);
  other->step();
  EXPECT_FALSE(other->slot_filled()) << "not in SlotReserving";
  EXPECT_TRUE(other->cancelled());
  s = f.drive(std::make_unique<SalesAgent>(*f.ctx, other->record()));
  EXPECT_EQ(s.state, SaleState::Cancelled);
  EXPECT_EQ(f.availabilities->get(a.id)->free_size, a.free_size);
}

TEST(SalesAgent, ARequestThatExpiresUnfilledCancelsTheSale) {
  Fixture f;
  const Availability a = f.offer();
  auto agent = SalesAgent::start(*f.ctx, f.id, 0);
  for (int i = 0; i < 3; ++i)
    agent->step();
  f.world.advance(f.request.expiry + 10);  // nobody else filled: the request is cancelled
  const SaleStep s = f.drive(std::move(agent));
  EXPECT_EQ(s.state, SaleState::Cancelled);
  EXPECT_EQ(f.availabilities->get(a.id)->total_remaining_collateral, a.total_remaining_collateral);
}

TEST(SalesAgent, AProofThatFailsIsTriedAgainAndMissedPeriodsDoNotEndTheSale) {
  Fixture f;
  f.offer();
  auto agent = SalesAgent::start(*f.ctx, f.id, 0);
  for (int i = 0; i < 5; ++i)
    agent->step();
  f.others_fill(0);
  // Step until filled and proving, then let proofs fail for a while.
  for (int i = 0; i < 20 && agent->record().state != SaleState::Proving; ++i) {
    SaleStep s = agent->step();
    if (s.wake_at && *s.wake_at > f.world.now()) f.world.set_time(*s.wake_at);
  }
  ASSERT_EQ(agent->record().state, SaleState::Proving);
  f.work.fail_prove = true;
  const int before = f.work.proofs;
  const market::Periods periods(f.world.config().proofs.period);
  int retries_in_period = 0;
  for (int i = 0; i < 12; ++i) {
    const uint64_t now = f.world.now();
    SaleStep s = agent->step();
    ASSERT_EQ(s.state, SaleState::Proving);
    ASSERT_TRUE(s.wake_at);
    if (*s.wake_at < periods.end(periods.period_of(now))) ++retries_in_period;
    f.world.set_time(std::max(*s.wake_at, f.world.now()));
  }
  EXPECT_GE(f.work.proofs - before, 6) << "each attempt proves again";
  EXPECT_GT(retries_in_period, 0) << "a failed proof is tried again inside its period";
  f.work.fail_prove = false;
  const SaleStep end = f.drive(std::move(agent));
  EXPECT_EQ(end.state, SaleState::Finished) << "two missed proofs are not marked by anyone here";
}

TEST(SalesAgent, ANodeThatProvesTooSlowlyForThePeriodTakesNoSlot) {
  Fixture f;
  const Availability a = f.offer();
  f.work.seconds = 6.0;  // periods of 10 s: more than half of one
  SaleStep s = f.drive(SalesAgent::start(*f.ctx, f.id, 0));
  EXPECT_EQ(s.state, SaleState::Ignored);
  EXPECT_TRUE(s.reprocess);
  EXPECT_EQ(f.records->get(market::slot_id(f.id, 0))->error,
            "proving takes 6 s here, too long for periods of 10 s");
  EXPECT_TRUE(f.availabilities->reservations(a.id).empty()) << "nothing reserved";
  f.work.seconds = 4.0;
  auto agent = SalesAgent::start(*f.ctx, f.id, 0);
  EXPECT_EQ(agent->step().state, SaleState::SlotReserving) << "fast enough";
  for (int i = 0; i < 2; ++i)
    agent->step();
  f.others_fill(0);
  EXPECT_EQ(f.drive(std::move(agent)).state, SaleState::Finished);
}

TEST(SalesAgent, SimulatedProofFailuresSendEveryNthRequiredProofInvalid) {
  Fixture f;
  f.offer();
  f.ctx->simulate_proof_failures = 3;
  auto agent = SalesAgent::start(*f.ctx, f.id, 0);
  for (int i = 0; i < 3; ++i)
    agent->step();
  f.others_fill(0);
  const SaleStep end = f.drive(std::move(agent));
  EXPECT_EQ(end.state, SaleState::Finished) << "nobody marks the missed proofs here";
  const SaleRecord r = *f.records->get(market::slot_id(f.id, 0));
  ASSERT_GT(r.proofs_required, 10u);
  // ProofSubmitted counts the three fills' proofs too; the other hosts send
  // no periodic proofs here. Every third required proof was rejected.
  const size_t periodic = f.count<market::ProofSubmitted>() - 3;
  EXPECT_EQ(periodic, r.proofs_required - r.proofs_required / 3)
      << r.proofs_required << " required";
}

}  // namespace
}  // namespace codex::sales
