#include "agent/market/model/event_log.h"

#include <algorithm>

namespace codex::market::model {

void EventLog::append(uint64_t block, const std::vector<MarketEvent>& events) {
  for (const MarketEvent& e : events)
    events_.push_back(DecodedEvent{e, block, false});
  if (!keep_history_) trim();
}

uint64_t EventLog::first_at_block(uint64_t block) const {
  auto it = std::lower_bound(events_.begin(), events_.end(), block,
                             [](const DecodedEvent& e, uint64_t b) { return e.block_number < b; });
  return first_ + uint64_t(it - events_.begin());
}

std::vector<DecodedEvent> EventLog::read(uint64_t from) const {
  from = std::max(from, first_);
  if (from >= end()) return {};
  return std::vector<DecodedEvent>(events_.begin() + std::ptrdiff_t(from - first_), events_.end());
}

std::optional<uint64_t> EventLog::position(const std::string& name) const {
  auto it = positions_.find(name);
  if (it == positions_.end()) return std::nullopt;
  return it->second;
}

void EventLog::set_position(const std::string& name, uint64_t seq) {
  auto [it, inserted] = positions_.try_emplace(name, seq);
  if (!inserted) {
    position_values_.erase(position_values_.find(it->second));
    it->second = seq;
  }
  position_values_.insert(seq);
  if (!keep_history_) trim();
}

void EventLog::trim() {
  const uint64_t keep_from =
      position_values_.empty() ? end() : std::min(end(), *position_values_.begin());
  while (first_ < keep_from) {
    events_.pop_front();
    ++first_;
  }
}

}  // namespace codex::market::model
