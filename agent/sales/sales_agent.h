#pragma once
// One sale: the state machine of spec node.md §5.3 for one slot, persisted in
// SaleRecords. step() runs the current state's action once and writes the
// next state before returning; a chain action is journaled under an intent
// key named after the sale (sale/<slotId>/<round>/<action>), so a step
// repeated after a kill reaches the transaction sent the first time instead
// of sending another.
//
// Waiting is not done here: a state that must wait (the next period, the next
// proof) returns the chain time to be stepped again at, so the same code runs
// on worker threads against a chain and in a simulation on a virtual clock.
//
// Beyond the reference: a sale is resumed in whatever state it was killed in
// (the reference resumes only filled slots, from the chain); a stale initial
// proof (the period turned before fillSlot) is made again instead of failing
// the sale; a slot found Cancelled, Failed or Finished while proving moves
// on without waiting for the event it may have missed while down; collateral
// booked for a slot never filled goes back to the availability whatever ends
// the sale.
//
// Thread-safety: step() from one thread at a time; the event calls
// (cancelled, failed, slot_filled) from any thread, also while step() runs:
// the step's own transition is then dropped (it was written for a state the
// sale is no longer in) and the next step acts on the event's state.
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "agent/sales/sale_records.h"

namespace codex::base::sqlite {
class Database;
}
namespace codex::market {
class MarketApi;
}

namespace codex::sales {

class Availabilities;
class SlotWork;

struct SalesContext {
  market::MarketApi& market;
  Availabilities& availabilities;
  SaleRecords& records;
  SlotWork& work;
  base::sqlite::Database& db;
  // Testing (--simulate-proof-failures N): every N-th proof a period asks
  // for is sent all-zero, which the verifier rejects; 0 = never.
  uint64_t simulate_proof_failures = 0;
  // Held from the token approval to fillSlot: sales share one allowance.
  std::mutex fill_mu{};
  // Called after each state a sale enters is committed, before the action
  // it leads to (the node's crash tests kill the process here).
  std::function<void(const SaleRecord&)> entered{};
};

struct SaleStep {
  SaleState state = SaleState::Preparing;  // after the step
  std::optional<uint64_t> wake_at;         // step again at this chain time
  bool done = false;                       // cleaned up: the sale is over
  bool reprocess = false;                  // (when done) queue the slot again, as seen
};

class SalesAgent {
 public:
  // Records a new sale of the slot in state Preparing (a new round when the
  // node sold this slot before and that sale is over). Throws SalesError if a
  // sale of the slot is still going on.
  static std::unique_ptr<SalesAgent> start(SalesContext& ctx, const market::RequestId& request,
                                           uint64_t slot_index);
  // Resumes a recorded sale (at start: SaleRecords::active()).
  SalesAgent(SalesContext& ctx, SaleRecord record);

  SaleStep step();

  // Contract events for this sale's request or slot; each returns whether it
  // moved the sale (§5.3: cancelled and failed while not over; slot filled
  // by someone only in Preparing and Downloading).
  bool cancelled();
  bool failed();
  bool slot_filled();

  SaleRecord record() const;
  // Cheaper than record() for the questions asked of every sale on every
  // event: the request never changes, the state only under the lock.
  const market::RequestId& request_id() const { return request_id_; }
  SaleState state() const;

 private:
  SaleStep run(SaleRecord r);
  bool event(SaleState to, bool (*allowed)(SaleState));
  bool commit(const SaleRecord& from, const SaleRecord& to,
              const std::function<void(base::sqlite::WriteTxn&)>& also = {});
  SaleStep next(SaleRecord r, SaleState to, std::optional<uint64_t> wake_at = {});

  SalesContext& ctx_;
  const market::RequestId request_id_;
  mutable std::mutex mu_;
  SaleRecord rec_;
  // Fills refused for an invalid proof and proved again (in memory: a
  // restart gives a sale its tries back).
  int invalid_fill_proofs_ = 0;
};

}  // namespace codex::sales
