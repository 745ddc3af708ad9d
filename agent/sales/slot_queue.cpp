#include "agent/sales/slot_queue.h"

#include <algorithm>
#include <stdexcept>
#include <tuple>

namespace codex::sales {
namespace {

using market::Uint256;

Uint256 max_uint256() {
  std::array<uint8_t, 32> all;
  all.fill(0xff);
  return Uint256::from_be_bytes(all);
}

}  // namespace

Uint256 SlotQueueItem::profitability() const {
  try {
    return Uint256(duration) * price_per_byte_per_second * Uint256(slot_size);
  } catch (const std::overflow_error&) {
    return max_uint256();
  }
}

bool SlotQueue::Rank::operator()(const Entry& x, const Entry& y) const {
  const SlotQueueItem &a = x.item, &b = y.item;
  if (a.seen != b.seen) return !a.seen;
  if (x.profit != y.profit) return x.profit > y.profit;
  if (a.collateral != b.collateral) return a.collateral < b.collateral;
  const uint64_t ea = a.expiry.value_or(0), eb = b.expiry.value_or(0);
  if (ea != eb) return ea > eb;
  return std::tie(a.request_id, a.slot_index) < std::tie(b.request_id, b.slot_index);
}

SlotQueue::SlotQueue(size_t capacity) : capacity_(capacity) {
  if (capacity == 0) throw std::invalid_argument("slot queue: capacity must be at least 1");
}

std::vector<SlotQueueItem> SlotQueue::items_for(const market::RequestId& id, const market::Ask& ask,
                                                uint64_t expires_at, std::mt19937_64& rng) {
  std::vector<SlotQueueItem> out;
  if (ask.slots == 0 || ask.slots > 65535) return out;
  Uint256 collateral;
  try {
    collateral = ask.collateral_per_byte * Uint256(ask.slot_size);
  } catch (const std::overflow_error&) {
    return out;  // no availability could cover it
  }
  for (uint64_t i = 0; i < ask.slots; ++i) {
    SlotQueueItem item;
    item.request_id = id;
    item.slot_index = static_cast<uint16_t>(i);
    item.slot_size = ask.slot_size;
    item.duration = ask.duration;
    item.price_per_byte_per_second = ask.price_per_byte_per_second;
    item.collateral = collateral;
    item.expiry = expires_at;
    out.push_back(item);
  }
  std::shuffle(out.begin(), out.end(), rng);
  return out;
}

std::vector<SlotQueueItem> SlotQueue::items() const {
  std::vector<SlotQueueItem> out;
  out.reserve(items_.size());
  for (const Entry& e : items_)
    out.push_back(e.item);
  return out;
}

bool SlotQueue::contains(const market::RequestId& id, uint64_t slot_index) const {
  return std::any_of(items_.begin(), items_.end(), [&](const Entry& e) {
    return e.item.request_id == id && e.item.slot_index == slot_index;
  });
}

bool SlotQueue::push(SlotQueueItem item) {
  if (contains(item.request_id, item.slot_index)) return false;
  const bool unseen = !item.seen;
  Uint256 profit = item.profitability();
  items_.insert(Entry{std::move(item), profit});
  if (items_.size() > capacity_) items_.erase(std::prev(items_.end()));
  if (unseen) paused_ = false;
  return true;
}

size_t SlotQueue::remove_request(const market::RequestId& id) {
  return std::erase_if(items_, [&](const Entry& e) { return e.item.request_id == id; });
}

bool SlotQueue::remove_slot(const market::RequestId& id, uint64_t slot_index) {
  return std::erase_if(items_, [&](const Entry& e) {
           return e.item.request_id == id && e.item.slot_index == slot_index;
         }) > 0;
}

std::optional<SlotQueueItem> SlotQueue::pop() {
  if (paused_ || items_.empty()) return std::nullopt;
  if (items_.begin()->item.seen) {
    paused_ = true;
    return std::nullopt;
  }
  return std::move(items_.extract(items_.begin()).value().item);
}

void SlotQueue::clear_seen() {
  std::set<Entry, Rank> fresh;
  for (Entry e : items_) {
    e.item.seen = false;
    fresh.insert(std::move(e));
  }
  items_ = std::move(fresh);
  paused_ = false;
}

}  // namespace codex::sales
