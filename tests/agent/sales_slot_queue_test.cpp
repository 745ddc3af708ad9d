// The slot queue (spec node.md §5.2): ranking, bounds, duplicates, removal by
// events, and the pause on slots already tried.
#include <gtest/gtest.h>

#include <set>

#include "agent/sales/slot_queue.h"

namespace codex::sales {
namespace {

using market::Uint256;

market::RequestId rid(uint8_t n) {
  market::RequestId id{};
  id[31] = n;
  return id;
}

SlotQueueItem item(uint8_t request, uint16_t slot = 0) {
  SlotQueueItem i;
  i.request_id = rid(request);
  i.slot_index = slot;
  i.slot_size = 1000;
  i.duration = 100;
  i.price_per_byte_per_second = Uint256(1);
  i.collateral = Uint256(50);
  i.expiry = 500;
  return i;
}

TEST(SalesSlotQueue, RanksUnseenThenProfitThenCollateralThenExpiry) {
  SlotQueue q;
  SlotQueueItem seen_rich = item(1);
  seen_rich.seen = true;
  seen_rich.price_per_byte_per_second = Uint256(1000);
  SlotQueueItem base = item(2);
  SlotQueueItem richer = item(3);
  richer.duration = 101;
  SlotQueueItem cheaper_collateral = item(4);
  cheaper_collateral.collateral = Uint256(49);
  SlotQueueItem later = item(5);
  later.expiry = 501;
  SlotQueueItem no_expiry = item(6);
  no_expiry.expiry.reset();
  for (const auto& i : {base, seen_rich, no_expiry, later, cheaper_collateral, richer})
    ASSERT_TRUE(q.push(i));
  std::vector<uint8_t> order;
  for (const auto& i : q.items())
    order.push_back(i.request_id[31]);
  EXPECT_EQ(order, (std::vector<uint8_t>{3, 4, 5, 2, 6, 1}));
}

TEST(SalesSlotQueue, ProfitabilityMultipliesAllThreeAndSaturates) {
  SlotQueueItem a = item(1);
  a.slot_size = 10;
  a.duration = 20;
  a.price_per_byte_per_second = Uint256(30);
  EXPECT_EQ(a.profitability(), Uint256(6000));
  a.price_per_byte_per_second = Uint256::from_string("0x" + std::string(63, 'f'));
  a.duration = ~uint64_t{0};
  SlotQueueItem b = a;
  b.duration = 1;
  EXPECT_GT(a.profitability(), b.profitability()) << "no wrap-around";
}

TEST(SalesSlotQueue, DuplicatesAreRefusedAndTheLowestGoesPastCapacity) {
  SlotQueue q(3);
  EXPECT_TRUE(q.push(item(1, 0)));
  EXPECT_FALSE(q.push(item(1, 0)));
  SlotQueueItem low = item(2);
  low.collateral = Uint256(1000);
  EXPECT_TRUE(q.push(low));
  EXPECT_TRUE(q.push(item(3)));
  EXPECT_TRUE(q.push(item(4)));
  EXPECT_EQ(q.size(), 3u);
  EXPECT_FALSE(q.contains(rid(2), 0)) << "the lowest-ranked one was dropped";
  SlotQueueItem lower = item(5);
  lower.collateral = Uint256(2000);
  q.push(lower);
  EXPECT_FALSE(q.contains(rid(5), 0)) << "a new item ranked below all others is the one dropped";
}

TEST(SalesSlotQueue, EventsRemoveRequestsAndSlots) {
  SlotQueue q;
  for (uint16_t s = 0; s < 3; ++s) {
    q.push(item(1, s));
    q.push(item(2, s));
  }
  EXPECT_TRUE(q.remove_slot(rid(1), 1));
  EXPECT_FALSE(q.remove_slot(rid(1), 1));
  EXPECT_EQ(q.remove_request(rid(2)), 3u);
  EXPECT_EQ(q.size(), 2u);
  EXPECT_TRUE(q.contains(rid(1), 0));
  EXPECT_TRUE(q.contains(rid(1), 2));
}

TEST(SalesSlotQueue, OnlySeenItemsLeftPausesUntilSomethingNew) {
  SlotQueue q;
  q.push(item(1));
  auto first = q.pop();
  ASSERT_TRUE(first);
  first->seen = true;  // tried, no availability took it: put back
  q.push(*first);
  EXPECT_FALSE(q.pop());
  EXPECT_TRUE(q.paused());
  EXPECT_EQ(q.size(), 1u) << "the seen item stays queued";
  EXPECT_FALSE(q.pop()) << "still paused";

  q.push(item(2));  // a new request unpauses
  EXPECT_FALSE(q.paused());
  auto next = q.pop();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->request_id, rid(2));
  EXPECT_FALSE(q.pop());
  EXPECT_TRUE(q.paused());

  q.clear_seen();  // an availability grew
  EXPECT_FALSE(q.paused());
  auto again = q.pop();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->request_id, rid(1));
  EXPECT_FALSE(again->seen);
}

TEST(SalesSlotQueue, ItemsForARequestCoverEverySlotInShuffledOrder) {
  market::Ask ask;
  ask.slots = 10;
  ask.slot_size = 4096;
  ask.duration = 60;
  ask.price_per_byte_per_second = Uint256(3);
  ask.collateral_per_byte = Uint256(7);
  std::mt19937_64 rng(42);
  auto items = SlotQueue::items_for(rid(9), ask, 1234, rng);
  ASSERT_EQ(items.size(), 10u);
  std::set<uint16_t> slots;
  bool in_order = true;
  for (size_t i = 0; i < items.size(); ++i) {
    slots.insert(items[i].slot_index);
    in_order = in_order && items[i].slot_index == i;
    EXPECT_EQ(items[i].collateral, Uint256(7 * 4096));
    EXPECT_EQ(items[i].expiry, 1234u);
  }
  EXPECT_EQ(slots.size(), 10u);
  EXPECT_FALSE(in_order) << "shuffled (seed 42)";
  std::mt19937_64 same(42);
  EXPECT_EQ(SlotQueue::items_for(rid(9), ask, 1234, same), items) << "the seed decides";

  ask.slots = 0;
  EXPECT_TRUE(SlotQueue::items_for(rid(9), ask, 1234, rng).empty());
  ask.slots = 65536;
  EXPECT_TRUE(SlotQueue::items_for(rid(9), ask, 1234, rng).empty());
}

}  // namespace
}  // namespace codex::sales
