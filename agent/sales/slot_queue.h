#pragma once
// The provider's queue of slots to consider (spec node.md §5.2): bounded,
// ranked, fed and trimmed by marketplace events, and paused when only slots
// already tried remain. A plain data structure: the sales workers (threads in
// the node, a loop in the simulator) take items with pop(), so the same code
// runs deterministically under a virtual clock.
//
// Ranking (the reference's weighted flags, which amount to this order):
// unseen before seen, then higher profitability (duration · price per byte per
// second · slot size), then lower collateral, then later expiry; equal items
// in (request id, slot index) order so that runs repeat.
//
// Deviation: on overflow the lowest-ranked item goes; the reference deletes
// the last element of its heap array, a leaf that is low but not necessarily
// the lowest.
//
// Thread-safety: none; the caller serialises access.
#include <cstdint>
#include <optional>
#include <random>
#include <set>
#include <vector>

#include "agent/market/types.h"

namespace codex::sales {

struct SlotQueueItem {
  market::RequestId request_id{};
  uint16_t slot_index = 0;
  uint64_t slot_size = 0;
  uint64_t duration = 0;
  market::Uint256 price_per_byte_per_second;
  market::Uint256 collateral;      // what filling the slot locks
  std::optional<uint64_t> expiry;  // absolute; none for a freed slot
  bool seen = false;               // tried already and put back

  // duration · price · slot size, saturating at 2^256 − 1.
  market::Uint256 profitability() const;
  friend bool operator==(const SlotQueueItem&, const SlotQueueItem&) = default;
};

class SlotQueue {
 public:
  static constexpr size_t kDefaultCapacity = 128;
  explicit SlotQueue(size_t capacity = kDefaultCapacity);

  // One item per slot of a new request (collateral = collateral per byte ·
  // slot size), in random order (so that providers seeing the same request
  // spread over its slots). Empty for a request with 0 or more than 65,535
  // slots.
  static std::vector<SlotQueueItem> items_for(const market::RequestId& id, const market::Ask& ask,
                                              uint64_t expires_at, std::mt19937_64& rng);

  // Adds an item unless one for that slot is queued (returns false then). An
  // unseen item unpauses the queue. Past capacity the lowest-ranked item
  // (possibly this one) is dropped.
  bool push(SlotQueueItem item);
  // Removes every item of the request (fulfilled, cancelled, failed).
  size_t remove_request(const market::RequestId& id);
  // Removes the item of one slot (filled, reservations full).
  bool remove_slot(const market::RequestId& id, uint64_t slot_index);

  // The best item, removed from the queue; none when empty or paused. When
  // the best item was seen already, the queue pauses instead and keeps it:
  // everything left has been tried, so wait for something new.
  std::optional<SlotQueueItem> pop();
  // An availability can take more: every item becomes unseen, the queue
  // unpauses.
  void clear_seen();

  bool paused() const { return paused_; }
  size_t size() const { return items_.size(); }
  bool contains(const market::RequestId& id, uint64_t slot_index) const;
  // Best first.
  std::vector<SlotQueueItem> items() const;

 private:
  // An item with its profitability, computed once: ranking compares it on
  // every insertion, and every node ranks every slot of every request.
  struct Entry {
    SlotQueueItem item;
    market::Uint256 profit;
  };
  struct Rank {
    bool operator()(const Entry& a, const Entry& b) const;
  };
  size_t capacity_;
  bool paused_ = false;
  std::set<Entry, Rank> items_;
};

}  // namespace codex::sales
