#pragma once
// The validator role (spec node.md §7): watches the filled slots of its group
// and, right after every period ends, marks the proofs that slots owed for it
// and did not submit (markProofAsMissing), which slashes their hosts and pays
// this validator the contract's reward.
//
// One thread polls the marketplace's events (SlotFilled adds a slot; the
// watched set is kept in SQLite with the stream's position, so a validator
// started late reads the history once from the marketplace's deployment and a
// restart reads nothing again) and runs each period's check inside the
// contract's time-out window: one canMarkProofAsMissing view per slot, all in
// JSON-RPC batches pinned to one block (the reference makes a call per slot,
// one after another), then every mark through the transaction journal, so a
// crash never sends one twice. Slots no longer Filled are dropped.
//
// Thread-safety: status() may be called from any thread; the rest from the
// owner.
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agent/market/types.h"
#include "agent/validator/validator_marks.h"
#include "agent/validator/validator_options.h"
#include "agent/validator/watched_slots.h"

namespace codex::base::sqlite {
class Database;
class WriteTxn;
}  // namespace codex::base::sqlite
namespace codex::market {
class MarketApi;
class EventStream;
struct DecodedEvent;
}  // namespace codex::market

namespace codex::validator {

// What one period's check did.
struct PeriodCheck {
  uint64_t period = 0;
  size_t slots = 0;    // watched slots checked (one view each)
  size_t dropped = 0;  // found no longer Filled
  size_t missing = 0;  // proofs found missing: marks sent
  size_t marked = 0;   // marks mined
  size_t failed = 0;   // marks refused or reverted
  // Why the others could not be marked (the contract's error names:
  // Proofs_ProofNotMissing when the proof came, Proofs_ProofNotRequired …).
  std::map<std::string, size_t> refusals;
  double read_seconds = 0;
  double mark_seconds = 0;
};

struct ValidatorStatus {
  ValidatorOptions options;
  size_t watched = 0;
  uint64_t periods_checked = 0;
  std::optional<PeriodCheck> last_check;
  MarkTotals totals;  // since the data dir was created
};

class Validator {
 public:
  // `market` (its account signs the marks) and `db` must outlive this object;
  // `db` must be the database where the market keeps its event streams'
  // positions (the node's one database), so that a watched slot commits with
  // the position of the event that added it.
  // Throws std::invalid_argument for bad options.
  Validator(market::MarketApi& market, base::sqlite::Database& db, ValidatorOptions options);
  ~Validator();  // stop()
  Validator(const Validator&) = delete;
  Validator& operator=(const Validator&) = delete;

  void start();
  // Joins the thread; a check in progress finishes first. Idempotent.
  void stop();

  ValidatorStatus status() const;

  // The loop's parts, for tests and the benchmark (not while started).
  // Delivers new events; returns how many.
  size_t poll_events();
  // Checks `period` now (the loop does it just after the period ends).
  PeriodCheck check_period(uint64_t period);

 private:
  void run();
  void on_event(const market::DecodedEvent& e, base::sqlite::WriteTxn* txn);
  // Drops watched slots no longer Filled (read at the latest block).
  void prune(base::sqlite::WriteTxn* txn);
  market::Uint256 reward_of(const market::RequestId& request);

  market::MarketApi& market_;
  ValidatorOptions options_;
  WatchedSlots slots_;
  ValidatorMarks marks_;
  std::unique_ptr<market::EventStream> events_;

  mutable std::mutex mu_;  // guards what status() reads
  std::map<market::SlotId, WatchedSlot> watched_;
  uint64_t periods_checked_ = 0;
  std::optional<PeriodCheck> last_check_;
  MarkTotals totals_;
  bool full_warned_ = false;

  std::map<market::RequestId, market::Uint256> rewards_;  // per request (the loop's thread)
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace codex::validator
