#pragma once
// A provider's slot work in the simulation: no bytes move and no proof is
// computed, but what decides the outcome is drawn as the real parts would
// decide it. A repair needs enough of the other slots' hosts reachable to
// decode (K of them); a host that dropped a fraction x of its slot after
// filling it is caught by a proof's cell samples with the real sampler's
// odds, 1 − (1 − x)^samples (the contract then rejects the proof); a slow
// prover misses the deadline of a required proof with a given chance. Each
// outcome is fixed by the challenge, as the real sampler's cells are.
#include <functional>
#include <set>
#include <string_view>
#include <utility>

#include "agent/sales/slot_work.h"

namespace codex::sim {

struct SlotWorkFaults {
  double dropped_fraction = 0;  // of every slot it stores
  double miss_chance = 0;       // a proof not ready by the deadline
};

class SimSlotWork : public sales::SlotWork {
 public:
  // `reachable(request, slot)`: how many hosts of the request's other slots
  // can send their data now (for a repair).
  // `salt`: this provider's, so that two providers' draws differ.
  SimSlotWork(uint64_t salt, SlotWorkFaults faults,
              std::function<uint64_t(const market::Request&, uint64_t)> reachable);

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
};

}  // namespace codex::sim
