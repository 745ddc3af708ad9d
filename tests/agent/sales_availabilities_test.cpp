// Availabilities and reservations (spec node.md §5.1): the rules, the quota
// kept in step with them in one transaction, and state that survives a
// reopen.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "agent/sales/availabilities.h"
#include "tests/exchange/support/store_test_support.h"

namespace codex::sales {
namespace {

using store::testing::open_store;
using store::testing::TestStore;

constexpr uint64_t kQuota = 1'000'000;

struct Fixture {
  codex::testing::TempDir dir{"sales-avail"};
  TestStore store;
  std::unique_ptr<Availabilities> av;
  Fixture() { open(); }
  void open() {
    store::RepoOptions o;
    o.quota_bytes = kQuota;
    store = open_store(dir.path() / "node", o);
    av = std::make_unique<Availabilities>(store.db(), *store);
  }
  void reopen() {
    av.reset();
    store.reset();
    open();
  }
  uint64_t reserved() const { return store->usage().reserved; }
};

NewAvailability offer(uint64_t size = 100'000, uint64_t collateral = 1'000'000) {
  NewAvailability n;
  n.total_size = size;
  n.duration = 3600;
  n.min_price_per_byte_per_second = Uint256(2);
  n.total_collateral = Uint256(collateral);
  return n;
}

SlotAsk ask(uint64_t slot_size = 10'000) {
  SlotAsk a;
  a.slot_size = slot_size;
  a.duration = 600;
  a.price_per_byte_per_second = Uint256(3);
  a.collateral_per_byte = Uint256(5);
  a.request_end = 2'000'000'000;
  return a;
}

market::RequestId request(uint8_t n) {
  market::RequestId id{};
  id[0] = n;
  return id;
}

TEST(SalesAvailabilities, CreateReservesTheQuotaAndRefusesZerosAndTooMuch) {
  Fixture f;
  Availability a = f.av->create(offer());
  EXPECT_EQ(a.free_size, 100'000u);
  EXPECT_EQ(a.total_remaining_collateral, Uint256(1'000'000));
  EXPECT_TRUE(a.enabled);
  EXPECT_EQ(f.reserved(), 100'000u);

  for (auto bad :
       {+[](NewAvailability& n) { n.total_size = 0; }, +[](NewAvailability& n) { n.duration = 0; },
        +[](NewAvailability& n) { n.min_price_per_byte_per_second = Uint256(); },
        +[](NewAvailability& n) { n.total_collateral = Uint256(); },
        +[](NewAvailability& n) { n.until = -1; },
        +[](NewAvailability& n) { n.total_size = kQuota; }}) {
    NewAvailability n = offer();
    bad(n);
    EXPECT_THROW(f.av->create(n), InvalidAvailability);
  }
  EXPECT_EQ(f.av->all().size(), 1u) << "nothing of a refused one is stored";
  EXPECT_EQ(f.reserved(), 100'000u) << "nor reserved";
}

TEST(SalesAvailabilities, MatchingFollowsEveryRule) {
  Fixture f;
  Availability a = f.av->create(offer());
  ASSERT_TRUE(f.av->find(ask()));
  // maxCollateralPerByte = 1,000,000 / 100,000 = 10.
  for (auto bad :
       {+[](SlotAsk& s) { s.slot_size = 100'001; }, +[](SlotAsk& s) { s.duration = 3601; },
        +[](SlotAsk& s) { s.price_per_byte_per_second = Uint256(1); },
        +[](SlotAsk& s) { s.collateral_per_byte = Uint256(11); }}) {
    SlotAsk s = ask();
    bad(s);
    EXPECT_FALSE(f.av->find(s));
  }
  SlotAsk edge = ask(100'000);
  edge.collateral_per_byte = Uint256(10);
  edge.duration = 3600;
  edge.price_per_byte_per_second = Uint256(2);
  EXPECT_TRUE(f.av->find(edge)) << "every bound is inclusive";

  AvailabilityPatch until;
  until.until = 1000;
  f.av->update(a.id, until);
  EXPECT_FALSE(f.av->find(ask())) << "the request ends after until";
  until.until = 0;
  f.av->update(a.id, until);
  AvailabilityPatch off;
  off.enabled = false;
  f.av->update(a.id, off);
  EXPECT_FALSE(f.av->find(ask())) << "disabled";
}

TEST(SalesAvailabilities, ReservationLifecycleKeepsQuotaAndFreeSizeExact) {
  Fixture f;
  Availability a = f.av->create(offer());
  Reservation r = f.av->reserve(a.id, ask(), request(1), 2);
  EXPECT_EQ(r.size, 10'000u);
  EXPECT_EQ(r.valid_until, 2'000'000'000);
  Availability after = *f.av->get(a.id);
  EXPECT_EQ(after.free_size, 90'000u);
  EXPECT_EQ(after.total_remaining_collateral, Uint256(1'000'000 - 10'000 * 5));
  EXPECT_EQ(f.reserved(), 100'000u) << "a reservation moves bytes inside the availability";
  EXPECT_THROW(f.av->reserve(a.id, ask(), request(1), 2), SalesError) << "one per slot";

  // Two batches stored: their bytes leave the quota's reserved bytes.
  EXPECT_EQ(f.av->release_bytes(r.id, 4'000), 6'000u);
  EXPECT_EQ(f.av->release_bytes(r.id, 10'000), 0u) << "never below zero";
  EXPECT_EQ(f.reserved(), 90'000u);

  // The sale ends: the whole slot and the collateral come back.
  EXPECT_TRUE(f.av->remove(r.id, Uint256(50'000)));
  EXPECT_FALSE(f.av->remove(r.id));
  Availability back = *f.av->get(a.id);
  EXPECT_EQ(back.free_size, 100'000u);
  EXPECT_EQ(back.total_size, 100'000u);
  EXPECT_EQ(back.total_remaining_collateral, Uint256(1'000'000));
  EXPECT_EQ(f.reserved(), 100'000u) << "the stored bytes are reserved again";
  EXPECT_TRUE(f.av->reservations(a.id).empty());
}

TEST(SalesAvailabilities, ConcurrentReservationsNeverOverbook) {
  Fixture f;
  Availability a = f.av->create(offer(50'000, 10'000'000));
  std::atomic<int> booked{0}, refused{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 8; ++t)
    ts.emplace_back([&, t] {
      for (int i = 0; i < 4; ++i) {
        try {
          f.av->reserve(a.id, ask(), request(static_cast<uint8_t>(t * 4 + i)), 0);
          ++booked;
        } catch (const BytesOutOfBounds&) {
          ++refused;
        }
      }
    });
  for (auto& t : ts)
    t.join();
  EXPECT_EQ(booked, 5) << "50,000 bytes hold five slots of 10,000";
  EXPECT_EQ(refused, 27);
  EXPECT_EQ(f.av->get(a.id)->free_size, 0u);
}

TEST(SalesAvailabilities, UpdateRules) {
  Fixture f;
  Availability a = f.av->create(offer());
  Reservation r = f.av->reserve(a.id, ask(30'000), request(1), 0);

  AvailabilityPatch p;
  p.total_size = 29'999;
  EXPECT_THROW(f.av->update(a.id, p), InvalidAvailability) << "below the bytes in use";
  p.total_size = 0;
  EXPECT_THROW(f.av->update(a.id, p), InvalidAvailability);
  p.total_size = kQuota + 1;
  EXPECT_THROW(f.av->update(a.id, p), InvalidAvailability) << "more than the quota";
  EXPECT_EQ(f.reserved(), 100'000u);

  p.total_size = 40'000;
  Availability shrunk = f.av->update(a.id, p);
  EXPECT_EQ(shrunk.free_size, 10'000u);
  EXPECT_EQ(f.reserved(), 40'000u) << "the difference is released";
  p.total_size = 200'000;
  EXPECT_EQ(f.av->update(a.id, p).free_size, 170'000u);
  EXPECT_EQ(f.reserved(), 200'000u);

  AvailabilityPatch until;
  until.until = r.valid_until - 1;
  EXPECT_THROW(f.av->update(a.id, until), InvalidAvailability) << "before a reservation ends";
  until.until = -5;
  EXPECT_THROW(f.av->update(a.id, until), InvalidAvailability);
  until.until = r.valid_until;
  EXPECT_EQ(f.av->update(a.id, until).until, r.valid_until);

  // 150,000 of collateral is booked by the reservation.
  AvailabilityPatch coll;
  coll.total_collateral = Uint256(149'999);
  EXPECT_THROW(f.av->update(a.id, coll), InvalidAvailability);
  coll.total_collateral = Uint256(400'000);
  EXPECT_EQ(f.av->update(a.id, coll).total_remaining_collateral, Uint256(250'000));

  std::array<uint8_t, 32> unknown{};
  EXPECT_THROW(f.av->update(unknown, coll), UnknownAvailability);
  EXPECT_THROW(f.av->reservations(unknown), UnknownAvailability);
}

TEST(SalesAvailabilities, SavedFiresOnlyWhenItCanTakeMore) {
  Fixture f;
  std::vector<Id> fired;
  f.av->on_saved([&](const Availability& a) { fired.push_back(a.id); });
  Availability a = f.av->create(offer());
  EXPECT_EQ(fired.size(), 1u) << "new";
  AvailabilityPatch p;
  p.duration = 100;
  f.av->update(a.id, p);
  EXPECT_EQ(fired.size(), 1u) << "shorter duration takes less";
  p.duration = 7200;
  f.av->update(a.id, p);
  EXPECT_EQ(fired.size(), 2u);
  AvailabilityPatch off;
  off.enabled = false;
  f.av->update(a.id, off);
  p.duration = 9000;
  f.av->update(a.id, p);
  EXPECT_EQ(fired.size(), 2u) << "disabled ones take nothing";
  off.enabled = true;
  f.av->update(a.id, off);
  EXPECT_EQ(fired.size(), 3u) << "enabled again";
  Reservation r = f.av->reserve(a.id, ask(), request(1), 0);
  f.av->remove(r.id);
  EXPECT_EQ(fired.size(), 4u) << "a finished reservation frees bytes";
}

TEST(SalesAvailabilities, StateSurvivesReopenAndStaleReservationsGoAtStart) {
  Fixture f;
  Availability a = f.av->create(offer());
  Reservation kept = f.av->reserve(a.id, ask(), request(1), 0);
  Reservation stale = f.av->reserve(a.id, ask(), request(2), 1);
  f.av->release_bytes(stale.id, 10'000);
  f.reopen();
  EXPECT_EQ(f.av->all(), std::vector<Availability>{*f.av->get(a.id)});
  EXPECT_EQ(f.av->get(a.id)->free_size, 80'000u);
  EXPECT_EQ(f.reserved(), 90'000u);

  std::pair<market::RequestId, uint64_t> active[] = {{request(1), 0}};
  EXPECT_EQ(f.av->remove_all_except(active), 1u);
  EXPECT_EQ(f.av->reservations(a.id), std::vector<Reservation>{kept});
  Availability now = *f.av->get(a.id);
  EXPECT_EQ(now.free_size, 90'000u);
  EXPECT_EQ(now.total_remaining_collateral, Uint256(1'000'000 - 50'000))
      << "the stale one's collateral is back, the kept one's still booked";
  EXPECT_EQ(f.reserved(), 100'000u);
}

TEST(SalesAvailabilities, StoredBytesTheQuotaCannotTakeAgainShrinkTheAvailability) {
  Fixture f;
  Availability a = f.av->create(offer());
  Reservation r = f.av->reserve(a.id, ask(), request(1), 0);
  f.av->release_bytes(r.id, 10'000);
  // Another availability takes the rest of the quota.
  f.av->create(offer(kQuota - 100'000 + 10'000 - 1));
  f.av->remove(r.id);
  Availability now = *f.av->get(a.id);
  EXPECT_EQ(now.total_size, 90'000u);
  EXPECT_EQ(now.free_size, 90'000u);
  EXPECT_LE(f.reserved() + f.store->usage().used, kQuota);
}

}  // namespace
}  // namespace codex::sales
