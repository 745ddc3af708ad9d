#pragma once
// What the devnet shows and judges, read from the chain itself (events and
// views over JSON-RPC, not the nodes' own word): slots filled and by whom,
// proofs submitted per period, payouts, token balances; and at the end the
// checks of a good run — request finished, every slot paid exactly
// (endsAt − filledAt) · pricePerSlotPerSecond, tokens conserved, marketplace
// emptied.
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
  std::optional<market::Uint256> expected_pay;  // Σ (endsAt − filledAt) · price per slot second
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

  // The verdict: empty when the run did what it should, else the reasons.
  std::vector<std::string> failures(const std::string& purchase_state) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace codex::devnet
