#pragma once
// The provider's slot work in the node: a slot's blocks fetched through the
// block exchange from whoever holds them (the client, other providers),
// its tree built and checked against the verifiable manifest, and storage
// proofs made with the node's proving key.
//
// The slot's blocks are kept at least until the request can have ended,
// whatever the store's TTL. Before the first proof of a slot after a start,
// and whenever a proof finds a block missing, the missing blocks are fetched
// again (the reference does not check: its issue #378).
//
// A freed slot (state Repair, spec marketplace.md §8.3) is repaired instead
// of fetched (net::repair_slot): its blocks are rebuilt from what is stored
// here and from K blocks of every step that the dataset's other holders
// serve, decoded, since the freed holder may never serve its blocks again.
// Blocks of other slots fetched for decoding stay in the store under its
// TTL (they are not the slot's, so they are not kept until the request ends).
#include <memory>
#include <mutex>
#include <set>

#include "agent/sales/slot_work.h"

namespace codex {
struct Manifest;
}
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
  // Fetches the slot's blocks that are not stored here; returns how many.
  size_t fetch_missing(const market::Request& request, const Manifest& m, uint64_t slot_index,
                       const std::function<void(uint64_t bytes)>& stored);
  // Rebuilds a freed slot's blocks and leaf entries, then its slot tree.
  void repair(const market::Request& request, const Manifest& m, uint64_t slot_index,
              const std::function<void(uint64_t bytes)>& stored);
  // Extends the expiry of the slot's stored blocks past the request's end.
  void keep_until_request_end(const market::Request& request, const Manifest& m,
                              uint64_t slot_index);

  store::Repo& repo_;
  net::Network& network_;
  net::kad::Dht* dht_;
  slots::SlotProver& prover_;
  const ProvingMetrics* metrics_;
  std::mutex mu_;
  std::set<std::pair<std::string, uint64_t>> checked_;  // (request content CID, slot) this run
};

}  // namespace codex::agent
