#pragma once
// The storage requests this provider heard of (StorageRequested), kept until
// they expire: the slot queue lives in memory, so a restarted provider queues
// again the slots of those still open (Sales::start) instead of forgetting
// every request it heard of before the restart (the reference does).
#include <cstdint>
#include <vector>

#include "agent/market/types.h"

namespace codex::base::sqlite {
class Database;
class WriteTxn;
}  // namespace codex::base::sqlite

namespace codex::sales {

class HeardRequests {
 public:
  explicit HeardRequests(base::sqlite::Database& db);

  // Inside the transaction that records the event stream's position, so a
  // request is never both delivered and forgotten.
  void record(base::sqlite::WriteTxn& txn, const market::RequestId& id, uint64_t expires_at);
  // Requests whose slots may still be filled (expiry after `now`, chain
  // seconds), oldest first; forgets the others.
  std::vector<market::RequestId> open(uint64_t now);

 private:
  base::sqlite::Database& db_;
};

}  // namespace codex::sales
