// The model's marketplace event log and the positions of named event streams.
//
// Events are numbered in chain order (a sequence number per event). A stream
// reads from its stored position; positions live under a name, so a stream
// opened again under the same name (a role restarted in a simulation) goes on
// where the last one stopped. With `keep_history` false, events every stored
// position has passed are dropped, so a long simulation holds only what some
// stream has still to read; a stream then cannot start before the oldest event
// kept (its start is moved up to it).
//
// Not thread-safe (the model's lock guards it).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/market/events.h"

namespace codex::market::model {

class EventLog {
 public:
  explicit EventLog(bool keep_history) : keep_history_(keep_history) {}

  // Appends the events of mined block `block` (blocks in increasing order).
  void append(uint64_t block, const std::vector<MarketEvent>& events);
  // One past the last event.
  uint64_t end() const { return first_ + events_.size(); }
  // The first event of block `block` or a later one (clamped to what is kept).
  uint64_t first_at_block(uint64_t block) const;
  // Copies of events [from, end()), from >= the oldest kept; without the
  // ProofSubmitted events when `proofs` is false (found through an index of
  // the others, not by looking at each: most events of a long run are proofs).
  std::vector<DecodedEvent> read(uint64_t from, bool proofs = true) const;

  std::optional<uint64_t> position(const std::string& name) const;
  void set_position(const std::string& name, uint64_t seq);

  // A named position held by a stream: set without looking its name up again
  // (positions are never removed, so a cursor stays valid).
  using Cursor = std::map<std::string, uint64_t>::iterator;
  // The position `name`, created at `seq` when missing.
  Cursor cursor(const std::string& name, uint64_t seq);
  static uint64_t at(Cursor c) { return c->second; }
  void set_position(Cursor c, uint64_t seq);

 private:
  void trim();

  bool keep_history_;
  uint64_t first_ = 0;  // sequence number of events_.front()
  std::deque<DecodedEvent> events_;
  std::deque<uint64_t> not_proofs_;  // sequence numbers of the kept events but ProofSubmitted
  std::map<std::string, uint64_t> positions_;
  std::multiset<uint64_t> position_values_;  // the smallest bounds what is kept
};

}  // namespace codex::market::model
