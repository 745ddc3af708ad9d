#include "agent/market/model/event_log.h"

#include <algorithm>
#include <variant>

namespace codex::market::model {

void EventLog::append(uint64_t block, const std::vector<MarketEvent>& events) {
  for (const MarketEvent& e : events) {
    if (!std::holds_alternative<ProofSubmitted>(e)) not_proofs_.push_back(end());
    events_.push_back(DecodedEvent{e, block, false});
  }
  if (!keep_history_) trim();
}

uint64_t EventLog::first_at_block(uint64_t block) const {
  auto it = std::lower_bound(events_.begin(), events_.end(), block,
                             [](const DecodedEvent& e, uint64_t b) { return e.block_number < b; });
  return first_ + uint64_t(it - events_.begin());
}

std::vector<DecodedEvent> EventLog::read(uint64_t from, bool proofs) const {
  from = std::max(from, first_);
  if (from >= end()) return {};
  if (proofs)
    return std::vector<DecodedEvent>(events_.begin() + std::ptrdiff_t(from - first_),
                                     events_.end());
  std::vector<DecodedEvent> out;
  for (auto it = std::lower_bound(not_proofs_.begin(), not_proofs_.end(), from);
       it != not_proofs_.end(); ++it)
    out.push_back(events_[*it - first_]);
  return out;
}

std::optional<uint64_t> EventLog::position(const std::string& name) const {
  auto it = positions_.find(name);
  if (it == positions_.end()) return std::nullopt;
  return it->second;
}

void EventLog::set_position(const std::string& name, uint64_t seq) {
  auto [it, inserted] = positions_.try_emplace(name, seq);
  if (inserted) {
    position_values_.insert(seq);
    if (!keep_history_) trim();
    return;
  }
  set_position(it, seq);
}

EventLog::Cursor EventLog::cursor(const std::string& name, uint64_t seq) {
  auto it = positions_.find(name);
  if (it != positions_.end()) return it;
  set_position(name, seq);
  return positions_.find(name);
}

void EventLog::set_position(Cursor c, uint64_t seq) {
  if (c->second == seq) return;
  position_values_.erase(position_values_.find(c->second));
  c->second = seq;
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
  while (!not_proofs_.empty() && not_proofs_.front() < first_)
    not_proofs_.pop_front();
}

}  // namespace codex::market::model
