#pragma once
// A provider's slot work in the simulation: no bytes move and no proof is
// computed, but what decides the outcome is drawn as the real parts would
// decide it.
// - A repair decodes the slot row by row, each row from the blocks of K of
//   the other slots' hosts reachable. A host that dropped (or whose disk
//   corrupted) a share x of its slot's blocks serves a row with chance
//   1 − x; the repair succeeds with the chance that every row finds K
//   (repair_chance).
// - A host that dropped a share x after filling its slot is caught by a
//   proof's cell samples with the real sampler's odds, 1 − (1 − x)^samples
//   (the contract then rejects the proof).
// - A slow prover misses the deadline of a required proof with a given
//   chance.
// Each proof's outcome is fixed by the challenge, as the real sampler's
// cells are. Transfers take time on the simulated network (SimLink): the
// sale waits in Downloading until the data would have arrived, and the
// senders must still be reachable then.
#include <functional>
#include <map>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/sales/slot_work.h"

namespace codex::sim {

struct SlotWorkFaults {
  double dropped_fraction = 0;  // of every slot it stores: blocks missing or corrupt
  double miss_chance = 0;       // a proof not ready by the deadline
};

// The sources that can send a slot's data to this provider now, each as the
// share of the slot's blocks it holds intact: the request's other hosts for a
// repair; before the request starts, the client with the whole dataset ({1}),
// or none when the client is cut off from this provider.
using SlotSources = std::function<std::vector<double>(const market::Request&, uint64_t slot)>;

// The chance that every one of `rows` rows of blocks finds at least `k` of
// `sources` holding its block intact (independently, with each source's
// share): what decoding a slot from the others needs.
double repair_chance(const std::vector<double>& sources, uint64_t k, uint64_t rows);

// This provider's link to the data network.
struct SimLink {
  double latency = 0;                         // seconds before a transfer's first byte
  double bandwidth = 0;                       // bytes per second (0: instantaneous)
  std::function<void(uint64_t bytes)> moved;  // told of each transfer done
};

class SimSlotWork : public sales::SlotWork {
 public:
  // `salt`: this provider's, so that two providers' draws differ.
  SimSlotWork(uint64_t salt, SlotWorkFaults faults, SlotSources sources, SimLink link = {});

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
  SlotSources sources_;
  SimLink link_;
  // Transfers under way: when each slot's data will have arrived.
  std::map<std::pair<market::RequestId, uint64_t>, uint64_t> arriving_;
};

}  // namespace codex::sim
