#pragma once
// What the devnet shows and judges, read from the chain itself (events and
// views over JSON-RPC, not the nodes' own word): slots filled and by whom,
// proofs submitted per period, slots freed and filled again, payouts, token
// balances; and at the end the checks of a good run — request finished,
// every party's tokens changed by exactly what the contract's formulas say
// (spec marketplace.md §10): a host (endsAt − filledAt) · pricePerSlotPerSecond
// less a slash per missed proof, plus the repair reward for a repaired slot;
// a freed host its whole collateral lost; the validators the reward of every
// missed proof (the contract's missingProofs counters and the slots freed);
// the marketplace keeps the slashes less the rewards and the freed hosts'
// remaining collateral, and tokens are conserved.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/market/types.h"

namespace codex::devnet {

struct Party {
  std::string name;  // "client", "provider1", ...
  market::Address address;
  market::Uint256 start_balance;
  market::Uint256 balance;
  uint64_t slots_filled = 0;
  uint64_t proofs = 0;  // ProofSubmitted for its slots (fill proofs not counted)
  uint64_t paid = 0;    // slots paid out to it
  uint64_t lost = 0;    // its slots freed (missed too many proofs)
  bool validator = false;
  // What the contract's formulas say its balance gains and loses; the
  // expectation is known once expected_pay is set.
  std::optional<market::Uint256> expected_pay;
  market::Uint256 expected_loss;
};

// A slot freed during the run, and who filled it again.
struct FreedSlot {
  uint64_t index = 0;
  std::string host;         // the host that lost it
  uint64_t period = 0;      // when it was freed
  std::string repaired_by;  // "" until filled again
  uint64_t repaired_period = 0;
};

// "+12", "-3", "0": a balance change.
std::string signed_delta(const market::Uint256& from, const market::Uint256& to);

class NetworkWatch {
 public:
  // Reads balances now (the start of the run). `db` keeps the event
  // watcher's position.
  NetworkWatch(const std::string& rpc_url, const market::Address& marketplace,
               const std::filesystem::path& db, std::vector<Party> parties);
  ~NetworkWatch();

  void watch_request(const market::RequestId& id);
  // New things seen since the last poll, one line each ("provider2 filled
  // slot 1", "period 17: 3 proofs (provider1 provider2 provider3)", ...).
  std::vector<std::string> poll();

  const std::vector<Party>& parties() const;
  std::string request_state() const;  // "new", "started", "finished", ...
  bool request_over() const;          // finished, failed or cancelled
  bool all_paid() const;              // every filled slot of the request paid
  uint64_t period() const;
  market::Uint256 marketplace_balance() const;
  market::Uint256 marketplace_start_balance() const;
  // The party hosting slot `index` of the request now, if any.
  std::optional<std::string> host_of(uint64_t index) const;
  const std::vector<FreedSlot>& freed() const;
  // Proofs marked missing in all (the slots' missingProofs counters plus
  // maxNumberOfSlashes for each freed slot), and the reward of one mark.
  uint64_t marks() const;
  market::Uint256 mark_reward() const;

  // The verdict: empty when the run did what it should, else the reasons.
  std::vector<std::string> failures(const std::string& purchase_state) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace codex::devnet
