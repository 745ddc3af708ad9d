#pragma once
// The client role (spec node.md §6): storage requests made from local
// datasets, and the purchases they become, persisted and resumed. Like the
// provider role (agent/sales/sales.h) it decides and a driver steps:
//
//   purchasing.start();
//   events → purchasing.handle(e)
//   while (auto id = purchasing.take_due()) purchasing.stepped(*id, purchasing.step(*id));
//
// Thread-safety: all members are thread-safe.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "agent/market/events.h"
#include "agent/purchasing/purchase_agent.h"
#include "agent/purchasing/storage_request.h"

namespace codex::store {
class Repo;
}

namespace codex::purchasing {

class Purchasing {
 public:
  // `stored(manifest)`: called when a verifiable manifest is stored (the node
  // announces it to the network). The repo must keep its data in ctx.db.
  Purchasing(PurchasingContext& ctx, store::Repo& repo,
             std::function<void(const Cid&)> stored = nullptr);

  // Resumes every purchase not over; adopts the account's requests on chain
  // that no purchase records (a database lost or a request made elsewhere).
  void start();

  // Protects the local dataset `manifest` (erasure coding with K = nodes −
  // tolerance, M = tolerance), builds its slots, stores the verifiable
  // manifest and records the purchase, which then approves the price and
  // sends requestStorage. Returns the request id. Throws NotFoundError when
  // the manifest is not stored here, InvalidStorageRequest for a rule of §6.1
  // broken, and the store's errors.
  market::RequestId request_storage(const Cid& manifest, const StorageRequestParams& p);

  // A marketplace event: the purchase it concerns looks at the chain now.
  void handle(const market::MarketEvent& e);

  std::optional<market::RequestId> take_due();
  PurchaseStep step(const market::RequestId& id);
  void stepped(const market::RequestId& id, const PurchaseStep& s);
  std::optional<uint64_t> next_wake() const;

  std::vector<PurchaseRecord> purchases() const;  // all, oldest first
  std::optional<PurchaseRecord> purchase(const market::RequestId& id) const;

 private:
  struct Running {
    std::shared_ptr<PurchaseAgent> agent;
    std::optional<uint64_t> wake_at;
    bool busy = false;
  };
  void add(PurchaseRecord r);

  PurchasingContext& ctx_;
  store::Repo& repo_;
  std::function<void(const Cid&)> stored_;
  mutable std::mutex mu_;
  std::map<market::RequestId, Running> running_;
};

}  // namespace codex::purchasing
