#pragma once
// The slots a validator watches, in SQLite: added from SlotFilled events in the
// transaction that records the event stream's position (a restart neither
// forgets a slot nor reads the chain's history again), dropped when a check
// finds them no longer Filled.
#include <cstdint>
#include <vector>

#include "agent/market/types.h"

namespace codex::base::sqlite {
class Database;
class WriteTxn;
}  // namespace codex::base::sqlite

namespace codex::validator {

struct WatchedSlot {
  market::SlotId slot_id{};
  market::RequestId request_id{};
  uint64_t slot_index = 0;
};

class WatchedSlots {
 public:
  explicit WatchedSlots(base::sqlite::Database& db);

  // Every watched slot, in the order they were added.
  std::vector<WatchedSlot> load() const;
  // Adds a slot (again: no-op) inside the caller's transaction.
  void add(base::sqlite::WriteTxn& txn, const WatchedSlot& slot);
  void remove(base::sqlite::WriteTxn& txn, const market::SlotId& slot);
  // remove() for each, in one transaction of its own.
  void remove_all(const std::vector<market::SlotId>& slots);

 private:
  base::sqlite::Database& db_;
};

}  // namespace codex::validator
