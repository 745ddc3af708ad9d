#pragma once
// A provider's slot work in the simulation: no bytes move and no proof is
// computed, but what decides the outcome is drawn as the real parts would
// decide it. A repair needs enough of the other slots' hosts reachable to
// decode (K of them); a host that dropped a fraction x of its slot after
// filling it is caught by a proof's cell samples with the real sampler's
// odds, 1 − (1 − x)^samples (the contract then rejects the proof); a slow
// prover misses the deadline of a required proof with a given chance. Each
// outcome is fixed by the challenge, as the real sampler's cells are.
// Transfers take time on the simulated network (SimLink): the sale waits in
// Downloading until the data would have arrived, and the senders must still
// be reachable then.
#include <functional>
#include <map>
#include <set>
#include <string_view>
#include <utility>

#include "agent/sales/slot_work.h"

namespace codex::sim {

struct SlotWorkFaults {
  double dropped_fraction = 0;  // of every slot it stores: cells missing or corrupt
  double miss_chance = 0;       // a proof not ready by the deadline
};

// This provider's link to the data network.
struct SimLink {
  double latency = 0;                         // seconds before a transfer's first byte
  double bandwidth = 0;                       // bytes per second (0: instantaneous)
  std::function<void(uint64_t bytes)> moved;  // told of each transfer done
};

class SimSlotWork : public sales::SlotWork {
 public:
  // `reachable(request, slot)`: how many sources of the slot's data can send
  // to this provider now: the request's other hosts for a repair; before the
  // request starts, its whole dataset from the client, or 0 when the client
  // is cut off from this provider.
  // `salt`: this provider's, so that two providers' draws differ.
  SimSlotWork(uint64_t salt, SlotWorkFaults faults,
              std::function<uint64_t(const market::Request&, uint64_t)> reachable,
              SimLink link = {});

  std::optional<uint64_t> data_ready_at(const market::Request& request, uint64_t slot_index,
                                        bool repairing, uint64_t now) override;
  void store(const market::Request& request, uint64_t slot_index, bool repairing,
             const std::function<void(uint64_t)>& stored) override;
  market::Groth16Proof prove(const market::Request& request, uint64_t slot_index,
                             const market::Hash& challenge) override;
  std::optional<double> proving_seconds() const override { return 1.0; }

  // The cells a proof samples (the production circuit's).
  static uint64_t samples_per_proof();

 private:
  double draw(const market::Request& request, uint64_t slot_index, const market::Hash& challenge,
              std::string_view what) const;

  uint64_t salt_;
  std::set<std::pair<market::RequestId, uint64_t>> proved_;  // slots proved at least once
  SlotWorkFaults faults_;
  std::function<uint64_t(const market::Request&, uint64_t)> reachable_;
  SimLink link_;
  // Transfers under way: when each slot's data will have arrived.
  std::map<std::pair<market::RequestId, uint64_t>, uint64_t> arriving_;
};

}  // namespace codex::sim
