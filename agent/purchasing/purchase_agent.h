#pragma once
// One purchase: the state machine of spec node.md §6.2, persisted in
// PurchaseRecords. Like a sale (agent/sales/sales_agent.h), step() acts once,
// writes the next state before returning, and returns the chain time to act
// again at instead of waiting; chain actions go through the journal under
// keys named after the purchase, so a client killed at any point and started
// again sends nothing twice and finishes the purchase.
//
// Thread-safety: step() from one thread at a time; wake() from any thread.
#include <cstdint>
#include <mutex>
#include <optional>

#include "agent/purchasing/purchase_records.h"

namespace codex::base::sqlite {
class Database;
}
namespace codex::market {
class MarketApi;
}

namespace codex::purchasing {

struct PurchasingContext {
  market::MarketApi& market;
  PurchaseRecords& records;
  base::sqlite::Database& db;
  // Held from the token approval to requestStorage: an approval sets the
  // allowance (ERC20 approve does not add), so two purchases approving side
  // by side left one of them short (a stress run saw 3 of 30 revert).
  std::mutex submit_mu{};
};

struct PurchaseStep {
  PurchaseState state = PurchaseState::Pending;
  std::optional<uint64_t> wake_at;  // step again at this chain time
  bool over = false;
};

class PurchaseAgent {
 public:
  PurchaseAgent(PurchasingContext& ctx, PurchaseRecord record);
  PurchaseStep step();
  PurchaseRecord record() const;

 private:
  PurchaseStep next(PurchaseRecord r, PurchaseState to, std::optional<uint64_t> wake_at = {});

  PurchasingContext& ctx_;
  mutable std::mutex mu_;
  PurchaseRecord rec_;
};

}  // namespace codex::purchasing
