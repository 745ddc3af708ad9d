#pragma once
// The provider's slot work in the node: a slot's blocks fetched through the
// block exchange from whoever holds them (the client, other providers),
// its tree built and checked against the verifiable manifest, and storage
// proofs made with the node's proving key.
//
// Not yet: repairing a freed slot (it fails with a clear error), and keeping
// the slot's blocks past the store's default TTL when the request ends later.
#include <memory>

#include "agent/sales/slot_work.h"

namespace codex::store {
class Repo;
}
namespace codex::net {
class Network;
namespace kad {
class Dht;
}
}  // namespace codex::net
namespace codex::slots {
class SlotProver;
}
namespace codex::base::metrics {
class Counter;
class Histogram;
}  // namespace codex::base::metrics

namespace codex::agent {

// Where proofs are counted (--metrics): the time each proof took, and the
// proofs that could not be made.
struct ProvingMetrics {
  base::metrics::Histogram& seconds;
  base::metrics::Counter& failed;
};

class NodeSlotWork final : public sales::SlotWork {
 public:
  // All must outlive this object; dht and metrics may be null.
  NodeSlotWork(store::Repo& repo, net::Network& network, net::kad::Dht* dht,
               slots::SlotProver& prover, const ProvingMetrics* metrics = nullptr);

  void store(const market::Request& request, uint64_t slot_index, bool repairing,
             const std::function<void(uint64_t bytes)>& stored) override;
  market::Groth16Proof prove(const market::Request& request, uint64_t slot_index,
                             const market::Hash& challenge) override;
  std::optional<double> proving_seconds() const override;

 private:
  store::Repo& repo_;
  net::Network& network_;
  net::kad::Dht* dht_;
  slots::SlotProver& prover_;
  const ProvingMetrics* metrics_;
};

}  // namespace codex::agent
