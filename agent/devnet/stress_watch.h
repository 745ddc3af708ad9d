#pragma once
// What a stress run reads from the chain (events and views over JSON-RPC, not
// the nodes' own word), for many requests at once: each request's slots
// filled, freed and filled again and its end state; each host's fills,
// repairs, proofs and lost slots; every token holder's balance and the
// token's supply, for the conservation check.
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/devnet/host_data_check.h"
#include "agent/market/types.h"

namespace codex::devnet {

// A slot event of the run, at a block's time.
struct SlotEvent {
  market::RequestId request{};
  uint64_t slot = 0;
  uint64_t time = 0;  // block timestamp
  std::string host;   // the host that filled it / lost it ("" when not one of ours)
};

struct WatchedRequest {
  market::RequestId id{};
  std::optional<uint32_t> index;  // the plan's index once the client's answer named it
  uint64_t slots = 0;
  uint64_t max_slot_loss = 0;
  market::Bytes content;                      // its verifiable manifest's CID
  std::optional<market::RequestState> state;  // the contract's view, refreshed by poll
  bool fulfilled = false;                     // RequestFulfilled seen
  bool failed_event = false, cancelled_event = false;
  uint64_t ends_at = 0;  // once started
  uint64_t fills = 0, frees = 0, repairs = 0;
  std::map<uint64_t, market::SlotId> filled;  // slot index -> id, while filled or until paid
  bool over() const;
};

struct HostFigures {
  std::string name;
  market::Address address;
  uint64_t fills = 0;    // first fills
  uint64_t repairs = 0;  // fills of a slot freed before
  uint64_t proofs = 0;   // ProofSubmitted for its slots
  uint64_t lost = 0;     // its slots freed
};

class StressWatch {
 public:
  // `holders`: every account whose tokens count (name, address); the
  // marketplace's holding is read beside them. `db` keeps the event
  // position. Throws when the chain does not answer.
  StressWatch(const std::string& rpc_url, const market::Address& marketplace,
              const std::filesystem::path& db,
              std::vector<std::pair<std::string, market::Address>> holders);
  ~StressWatch();

  // The client's answer: request `id` is the plan's `index`.
  void name_request(const market::RequestId& id, uint32_t index);
  // New things seen since the last poll, one line each.
  std::vector<std::string> poll();
  // Refreshes balances and the supply (a few calls per holder).
  void read_balances();

  const std::map<market::RequestId, WatchedRequest>& requests() const;
  const std::vector<SlotEvent>& freed() const;
  const std::vector<SlotEvent>& refilled() const;  // fills of freed slots
  const std::vector<HostFigures>& hosts() const;
  uint64_t proofs() const;  // periodic proofs (ProofSubmitted of a filled slot)
  // Slots `host` holds now: filled, not freed, of a request not over.
  size_t hosting(const std::string& host) const;
  // Every slot `host` filled and did not lose, over or not (its data stays).
  std::vector<HostedSlot> held_by(const std::string& host) const;
  uint64_t now() const;     // the chain's latest block time
  uint64_t period() const;  // its proof period
  uint64_t period_length() const;
  const market::MarketplaceConfig& config() const;
  // Filled slots of finished or cancelled requests not paid out yet (their
  // hosts collect with freeSlot), but those of the hosts in `gone` (killed
  // for good).
  size_t unpaid(const std::vector<std::string>& gone) const;
  // Balances as of the last read_balances, with the marketplace under "marketplace".
  const std::map<std::string, market::Uint256>& balances() const;
  const std::map<std::string, market::Uint256>& start_balances() const;
  market::Uint256 supply() const;
  market::Uint256 start_supply() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace codex::devnet
