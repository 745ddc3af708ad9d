#pragma once
// The client's purchases, one row per storage request, in the node's
// database (the reference keeps them in memory): a purchase survives a
// restart and resumes where it stopped.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/market/types.h"
#include "agent/purchasing/purchase_state.h"

namespace codex::base::sqlite {
class Database;
class WriteTxn;
}  // namespace codex::base::sqlite

namespace codex::purchasing {

struct PurchaseRecord {
  market::RequestId id{};
  market::Request request;
  PurchaseState state = PurchaseState::Pending;
  std::optional<uint64_t> wake_at;  // chain seconds: look again then
  std::string error;
};

class PurchaseRecords {
 public:
  explicit PurchaseRecords(base::sqlite::Database& db);

  std::optional<PurchaseRecord> get(const market::RequestId& id) const;
  std::vector<PurchaseRecord> all() const;     // oldest first
  std::vector<PurchaseRecord> active() const;  // not over, oldest first
  // For metrics: purchases by state; states without purchases are absent.
  std::map<PurchaseState, uint64_t> count_by_state() const;

  // Inserts a new purchase; false if the id is recorded already.
  bool insert(base::sqlite::WriteTxn& txn, const PurchaseRecord& r);
  // Replaces the row while its stored state is `expected`; returns whether
  // it did.
  bool replace_if(base::sqlite::WriteTxn& txn, const PurchaseRecord& r, PurchaseState expected);

 private:
  base::sqlite::Database& db_;
};

}  // namespace codex::purchasing
