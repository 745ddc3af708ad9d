#pragma once
// Every sale of this node, one row per slot, in the node's database: the
// state machine writes each transition here (in the transaction that also
// journals the chain action it leads to) before acting, so a killed provider
// resumes each sale where it stopped.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/market/types.h"
#include "agent/sales/availability.h"
#include "agent/sales/sale_state.h"

namespace codex::base::sqlite {
class Database;
class WriteTxn;
}  // namespace codex::base::sqlite

namespace codex::sales {

struct SaleRecord {
  market::SlotId slot_id{};
  market::RequestId request_id{};
  uint64_t slot_index = 0;
  // How many sales of this slot the node started before this one (a slot
  // freed and filled again): part of the chain actions' intent keys.
  uint64_t round = 0;
  SaleState state = SaleState::Preparing;
  std::optional<Id> reservation;
  std::optional<uint64_t> wake_at;            // chain seconds: act again then
  std::optional<market::Groth16Proof> proof;  // the initial proof, for proof_period
  uint64_t proof_period = 0;
  std::optional<uint64_t> proven_period;  // the last period a proof was sent for
  uint64_t proofs_required = 0;  // periods that asked for a proof (--simulate-proof-failures)
  Uint256 returned_collateral;
  bool filled = false;     // our fillSlot was mined: collateral is on chain
  bool reprocess = false;  // put the slot back in the queue after clean-up
  std::string error;
  bool done = false;  // cleaned up: nothing more to do
};

class SaleRecords {
 public:
  explicit SaleRecords(base::sqlite::Database& db);

  std::optional<SaleRecord> get(const market::SlotId& slot) const;
  // Sales not done, in slot id order.
  std::vector<SaleRecord> active() const;
  std::vector<SaleRecord> all() const;
  // For metrics: sales by state (states without sales absent), and the
  // proofs asked of them, summed over every sale.
  std::map<SaleState, uint64_t> count_by_state() const;
  uint64_t proofs_required() const;

  // Inserts or replaces the slot's row.
  void put(base::sqlite::WriteTxn& txn, const SaleRecord& r);
  // Replaces the row only while its stored state is `expected` (an event may
  // have moved the sale meanwhile); returns whether it did.
  bool replace_if(base::sqlite::WriteTxn& txn, const SaleRecord& r, SaleState expected);

 private:
  base::sqlite::Database& db_;
};

}  // namespace codex::sales
