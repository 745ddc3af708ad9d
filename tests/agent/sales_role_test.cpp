// The provider role (spec node.md §5) on the in-memory marketplace: providers
// that hear the marketplace's events, queue the slots, sell them, prove and
// get paid; skipped slots tried again when an availability grows; a provider
// restarted mid-sale; requests posted while a provider was down.
#include <gtest/gtest.h>

#include <map>

#include "tests/agent/support/model_roles.h"

namespace codex::sales {
namespace {

using market::Uint256;
using test::ModelProvider;
using test::ModelWorld;
using test::role;
using test::run_roles;

constexpr int kClient = 1;

TEST(SalesRole, ThreeProvidersFillARequestProveAndGetPaid) {
  ModelWorld w;
  std::vector<std::unique_ptr<ModelProvider>> ps;
  std::vector<test::ModelRole> roles;
  std::vector<ModelProvider*> raw;
  std::vector<Uint256> before;
  for (int a : {2, 3, 4}) {
    ps.push_back(std::make_unique<ModelProvider>(w, a));
    ps.back()->offer(1024);  // one slot each
    ps.back()->sales->start();
    raw.push_back(ps.back().get());
    roles.push_back(role(*ps.back()));
    before.push_back(w.balance(a));
  }
  const market::Request r = w.request(kClient);
  const market::RequestId id = market::request_id(r);
  w.request_storage(r, kClient);
  run_roles(w, roles, 2000, [&] {
    return w.api(0).request_state(id) == market::RequestState::Finished &&
           std::all_of(raw.begin(), raw.end(),
                       [](ModelProvider* p) { return p->sales->sales().empty(); });
  });
  EXPECT_EQ(w.api(0).request_state(id), market::RequestState::Finished);
  for (size_t i = 0; i < ps.size(); ++i) {
    EXPECT_GT(w.balance(ps[i]->account), before[i]) << "provider " << i << " was paid";
    size_t finished = 0;
    uint64_t required = 0;
    std::map<SaleState, uint64_t> by_state;
    for (const SaleRecord& rec : ps[i]->records->all()) {
      finished += rec.state == SaleState::Finished ? 1 : 0;
      required += rec.proofs_required;
      ++by_state[rec.state];
      EXPECT_TRUE(rec.state == SaleState::Finished || rec.state == SaleState::Ignored)
          << to_string(rec.state) << ": " << rec.error;
    }
    EXPECT_EQ(finished, 1u) << "one slot each (their availabilities hold one)";
    // What metrics read: the same figures, counted by the database.
    EXPECT_EQ(ps[i]->records->count_by_state(), by_state);
    EXPECT_EQ(ps[i]->records->proofs_required(), required);
    EXPECT_EQ(ps[i]->availabilities->all()[0].free_size, 1024u) << "the slot came back";
  }
}

TEST(SalesRole, SkippedSlotsAreTriedAgainWhenAnAvailabilityGrows) {
  ModelWorld w;
  ModelProvider p(w, 2);
  const Availability a = p.offer(1000);  // too small for a 1024-byte slot
  p.sales->start();
  const market::Request r = w.request(kClient);
  w.request_storage(r, kClient);
  run_roles(w, {role(p)}, 30, [] { return false; });
  EXPECT_TRUE(p.sales->queue().paused()) << "every slot tried; waiting for something new";
  EXPECT_EQ(p.sales->queue().size(), 3u);
  AvailabilityPatch grow;
  grow.total_size = 4096;
  p.availabilities->update(a.id, grow);
  EXPECT_FALSE(p.sales->queue().paused());
  run_roles(w, {role(p)}, 30, [&] { return p.sales->queue().size() == 0; });
  size_t reserving_or_later = 0;
  for (const SaleRecord& s : p.sales->sales())
    reserving_or_later += s.state != SaleState::Preparing ? 1 : 0;
  EXPECT_EQ(reserving_or_later, 3u) << "the provider now sells all three";
}

// The race a restarted provider met: its user offered room while a sale of
// the slot was finding none. The slot goes back unseen, and is sold.
TEST(SalesRole, AnAvailabilitySavedWhileASaleFindsNoRoomIsNotMissed) {
  ModelWorld w;
  ModelProvider p(w, 2);
  p.sales->start();
  const market::Request r = w.request(kClient, 1);
  w.request_storage(r, kClient);
  p.events->poll(
      [&](const market::DecodedEvent& e, base::sqlite::WriteTxn*) { p.sales->handle(e.event); });
  const std::optional<market::SlotId> slot = p.sales->take_due();
  ASSERT_TRUE(slot);
  SaleStep skipped = p.sales->step(*slot);
  for (int i = 0; i < 5 && !skipped.done; ++i) {
    p.sales->stepped(*slot, skipped);
    ASSERT_EQ(p.sales->take_due(), slot);
    skipped = p.sales->step(*slot);
  }
  ASSERT_TRUE(skipped.done && skipped.reprocess) << "no availability takes it";
  p.offer(4096);  // saved before the sale's end is handled
  p.sales->stepped(*slot, skipped);
  ASSERT_EQ(p.sales->queue().size(), 1u);
  EXPECT_FALSE(p.sales->queue().items()[0].seen);
  EXPECT_FALSE(p.sales->queue().paused());
  run_roles(w, {role(p)}, 30, [&] { return p.sales->queue().size() == 0; });
  ASSERT_EQ(p.sales->sales().size(), 1u) << "the slot is being sold";
  EXPECT_NE(p.sales->sales()[0].state, SaleState::Preparing);
}

// Every node hears a request at once and most find its slots taken: a slot
// whose reservations are full costs such a node a read, no sale record.
TEST(SalesRole, ASlotWhoseReservationsAreFullStartsNoSale) {
  ModelWorld w;
  ModelProvider p(w, 2);
  p.offer(4096);
  p.sales->start();
  const market::Request r = w.request(kClient, 1);
  const market::RequestId id = market::request_id(r);
  w.request_storage(r, kClient);
  for (int other : {3, 4, 5})
    w.api(other).execute(market::ReserveSlot{id, 0}, "reserve/" + std::to_string(other));
  ASSERT_FALSE(w.api(2).can_reserve_slot(id, 0));
  run_roles(w, {role(p)}, 30, [] { return false; });
  EXPECT_TRUE(p.records->all().empty()) << "no sale was recorded";
  EXPECT_EQ(p.sales->queue().size(), 0u) << "the slot was dropped, not put back";
}

TEST(SalesRole, AProviderRestartedMidSaleFinishesItsSales) {
  ModelWorld w;
  ModelProvider p(w, 2), q(w, 3), s(w, 4);
  for (ModelProvider* x : {&p, &q, &s}) {
    x->offer(1024);
    x->sales->start();
  }
  const market::Request r = w.request(kClient);
  const market::RequestId id = market::request_id(r);
  w.request_storage(r, kClient);
  run_roles(w, {role(p), role(q), role(s)}, 5, [] { return false; });
  ASSERT_FALSE(p.sales->sales().empty());
  p.restart(w);
  run_roles(w, {role(p), role(q), role(s)}, 2000, [&] {
    return w.api(0).request_state(id) == market::RequestState::Finished && p.sales->sales().empty();
  });
  EXPECT_EQ(w.api(0).request_state(id), market::RequestState::Finished);
  size_t finished = 0;
  for (const SaleRecord& rec : p.records->all())
    finished += rec.state == SaleState::Finished ? 1 : 0;
  EXPECT_EQ(finished, 1u);
}

// A host whose filled slot is freed under it (spec marketplace.md §8.3, here
// by its own freeSlot) ends that sale when the event comes, and takes the
// slot again as a repair in a new round (new transaction keys: the first
// round's fillSlot would otherwise be found in the journal).
TEST(SalesRole, AHostWhoseSlotIsFreedUnderItFillsItAgainAsARepair) {
  ModelWorld w;
  ModelProvider p(w, 2), q(w, 3), s(w, 4);
  for (ModelProvider* x : {&p, &q, &s}) {
    x->offer(1024);
    x->sales->start();
  }
  const market::Request r = w.request(kClient);
  const market::RequestId id = market::request_id(r);
  w.request_storage(r, kClient);
  const std::vector<test::ModelRole> roles = {role(p), role(q), role(s)};
  run_roles(w, roles, 500,
            [&] { return w.api(0).request_state(id) == market::RequestState::Started; });
  ASSERT_EQ(w.api(0).request_state(id), market::RequestState::Started);
  // Its sale proves and sleeps until the next period when the slot is freed
  // (run_roles stops at a wake-up: what is due then runs first).
  run_roles(w, roles, 25, [] { return false; });
  for (ModelProvider* x : {&p, &q, &s})
    x->run();
  std::optional<market::SlotId> mine;
  for (uint64_t i = 0; i < 3; ++i)
    if (w.api(0).get_host(market::slot_id(id, i)) == w.address(p.account))
      mine = market::slot_id(id, i);
  ASSERT_TRUE(mine);
  const Uint256 before = w.balance(p.account);
  w.api(p.account).execute(market::FreeSlot{*mine, std::nullopt}, "test/free");
  ASSERT_EQ(w.api(0).slot_state(*mine), market::SlotState::Repair);

  run_roles(w, roles, 500, [&] { return w.api(0).slot_state(*mine) == market::SlotState::Filled; });
  EXPECT_EQ(w.api(0).slot_state(*mine), market::SlotState::Filled);
  EXPECT_EQ(w.api(0).get_host(*mine), w.address(p.account));
  EXPECT_EQ(p.work.repairs, 1);
  const auto rec = p.records->get(*mine);
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->round, 1u);
  const Uint256 collateral = market::collateral_per_slot(r.ask);
  const uint8_t pct = w.api(0).configuration().collateral.repair_reward_percentage;
  EXPECT_EQ(before - w.balance(p.account), collateral - (collateral * Uint256(pct)).div_u64(100))
      << "the repair's collateral";
}

TEST(SalesRole, CollateralLostWithAFreedSlotDoesNotComeBackToTheAvailability) {
  ModelWorld w;
  ModelProvider p(w, 2), q(w, 3), s(w, 4);
  const market::Request r = w.request(kClient);
  const Uint256 collateral = market::collateral_per_slot(r.ask);
  // p can afford one slot's collateral; q and s have room for one slot each.
  NewAvailability n;
  n.total_size = 1024;
  n.duration = 10'000;
  n.min_price_per_byte_per_second = Uint256(1);
  n.total_collateral = collateral;
  const Availability a = p.availabilities->create(n);
  q.offer(1024);
  s.offer(1024);
  for (ModelProvider* x : {&p, &q, &s})
    x->sales->start();
  const market::RequestId id = market::request_id(r);
  w.request_storage(r, kClient);
  const std::vector<test::ModelRole> roles = {role(p), role(q), role(s)};
  run_roles(w, roles, 500,
            [&] { return w.api(0).request_state(id) == market::RequestState::Started; });
  std::optional<market::SlotId> mine;
  for (uint64_t i = 0; i < 3; ++i)
    if (w.api(0).get_host(market::slot_id(id, i)) == w.address(p.account))
      mine = market::slot_id(id, i);
  ASSERT_TRUE(mine);
  w.api(p.account).execute(market::FreeSlot{*mine, std::nullopt}, "test/free");
  run_roles(w, roles, 200, [] { return false; });
  EXPECT_EQ(w.api(0).slot_state(*mine), market::SlotState::Repair)
      << "p cannot afford the repair: its collateral is gone";
  const auto after = p.availabilities->get(a.id);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->total_remaining_collateral, Uint256(0));
  EXPECT_EQ(after->free_size, 1024u) << "the bytes come back";
}

TEST(SalesRole, RequestsPostedWhileDownAreFoundAtStart) {
  ModelWorld w;
  ModelProvider p(w, 2);
  p.offer();
  const market::Request r = w.request(kClient);
  const market::RequestId id = market::request_id(r);
  w.request_storage(r, kClient);
  // The provider was down: its event stream starts after the request.
  p.events = w.api(2).events("sales-late", w.api(0).block_number() + 1);
  p.restart(w, {id});
  p.events = w.api(2).events("sales-late");
  EXPECT_EQ(p.sales->queue().size(), 3u);
  w.advance(r.expiry + 1);
  p.restart(w, {id});
  EXPECT_EQ(p.sales->queue().size(), 0u) << "an expired request is not queued";
}

// A fill mined at the request's expiry second is accepted by the contract,
// but if the request is then cancelled the slot's payout (expiry − filledAt)
// reverts and its collateral can never be collected: a provider leaves a slot
// it could only fill that late.
TEST(SalesRole, NoSlotIsFilledAtTheRequestsExpirySecond) {
  ModelWorld w;
  ModelProvider p(w, 2);
  p.offer(3 * 1024);
  p.sales->start();
  const Uint256 before = w.balance(2);
  // Initial proofs are made at the start of the next period, one second
  // after it begins: exactly when this request expires.
  const uint64_t period = w.config().proofs.period;
  const uint64_t proof_at = (w.now() / period + 1) * period + 1;
  const market::Request r = w.request(kClient, 3, 600, proof_at - w.now());
  const market::RequestId id = market::request_id(r);
  w.request_storage(r, kClient);
  run_roles(w, {role(p)}, 300, [&] { return false; });
  for (uint64_t i = 0; i < 3; ++i)
    EXPECT_NE(w.api(0).slot_state(market::slot_id(id, i)), market::SlotState::Filled) << i;
  EXPECT_EQ(w.balance(2), before) << "no collateral left in the marketplace";
  EXPECT_TRUE(p.sales->sales().empty());
}

}  // namespace
}  // namespace codex::sales
