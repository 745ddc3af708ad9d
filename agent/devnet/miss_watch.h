#pragma once
// A stress run's judge of the validators: which proofs the contract would
// have let a validator mark missing, and whether one did within the window.
//
// The contract decides "required" with the challenge of the block a call
// runs in (Proofs.sol: the pointer moves with block.number), so a missed
// proof is judged by asking the contract itself, twice, in the window of
// each period p (periodEnd(p) < t < periodEnd(p) + timeout):
//  - early (1 s into the window): canMarkProofAsMissing(slot, p) at the
//    pending block, for every slot filled; a slot it accepts, or answers
//    ProofAlreadyMarkedMissing for, missed a required proof;
//  - late (1.5 s before the window closes): again for those. Marked by now,
//    it is settled. Still markable, it is owed a mark, which the validators'
//    journals must show at the end (a mark may land in the last moments).
//    Any other answer (the slot ended, or a pointer wrap changed the
//    challenge) leaves the miss unjudged, and so does a check that came too
//    late (a loaded machine), or whose window met an RPC fault window.
// Times are the host's clock: anvil stamps blocks with it.
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "agent/market/types.h"

namespace codex::devnet {

// missed = marked + unjudged + the violations judge() returns.
struct MissFigures {
  uint64_t missed = 0;    // required proofs missed (markable, or marked, early)
  uint64_t marked = 0;    // of them, marked in the window
  uint64_t unjudged = 0;  // the late check could not tell
  uint64_t periods = 0;   // periods checked
  uint64_t too_late = 0;  // checks that came after the window (not judged)
};

class MissWatch {
 public:
  // Reads the marketplace's proof period and timeout. Throws when the chain
  // does not answer.
  MissWatch(const std::string& rpc_url, const market::Address& marketplace);
  ~MissWatch();  // stop()
  MissWatch(const MissWatch&) = delete;
  MissWatch& operator=(const MissWatch&) = delete;

  // The slots to check from now on (filled ones; others are harmless).
  void set_slots(std::vector<market::SlotId> slots);
  // Misses whose window overlaps a time this answers true for (the system
  // clock's milliseconds, from and to) are not judged: the validators could
  // not reach the chain then. Before start().
  void excuse(std::function<bool(int64_t, int64_t)> faulty);
  void start();
  void stop();

  // After stop(): `marks` holds what the validators' journals show mined
  // ("<slot id hex>/<period>", as their intent keys name them). Returns one
  // line per miss still markable late in its window and not marked.
  std::vector<std::string> judge(const std::set<std::string>& marks);
  MissFigures figures() const;

 private:
  void run();
  void check(uint64_t period, bool late);

  struct Impl;
  std::unique_ptr<Impl> impl_;
  mutable std::mutex mu_;
  std::vector<market::SlotId> slots_;
  std::function<bool(int64_t, int64_t)> faulty_;
  MissFigures figures_;
  // (slot, period) still markable at the late check: owed a mark.
  std::set<std::pair<market::SlotId, uint64_t>> owed_;
  // (slot, period) found missed early, waiting for the late check.
  std::map<uint64_t, std::vector<market::SlotId>> early_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace codex::devnet
