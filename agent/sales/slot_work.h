#pragma once
// The heavy work of a sale, done outside the state machine: storing a slot's
// data and proving it. The node implements it with the exchange (fetching and
// erasure repair) and the prover; the state machine's unit tests with a
// scripted stand-in. Both calls block and may take long: the sales workers run
// them on their own threads, never on the thread that watches the chain.
#include <cstdint>
#include <functional>
#include <optional>

#include "agent/market/types.h"

namespace codex::sales {

class SlotWork {
 public:
  virtual ~SlotWork() = default;

  // Makes the slot's blocks local (fetched from peers, or rebuilt by erasure
  // decoding when `repairing`), keeps them at least until the request ends,
  // builds the slot tree and requires its root to be the manifest's.
  // `stored(bytes)` is called after each batch written. Throws with the
  // reason on failure.
  virtual void store(const market::Request& request, uint64_t slot_index, bool repairing,
                     const std::function<void(uint64_t bytes)>& stored) = 0;

  // For work that takes time without blocking the caller (the simulated
  // network): the chain time at which store() can run because the slot's
  // data will have arrived; the sale waits until then (a restart starts the
  // transfer again). None: store() does the transfer itself (the node).
  virtual std::optional<uint64_t> data_ready_at(const market::Request& /*request*/,
                                                uint64_t /*slot_index*/, bool /*repairing*/,
                                                uint64_t /*now*/) {
    return std::nullopt;
  }

  // A storage proof of the slot for `challenge`. Throws on failure.
  virtual market::Groth16Proof prove(const market::Request& request, uint64_t slot_index,
                                     const market::Hash& challenge) = 0;

  // How long a proof takes here (seconds, from the proofs made so far); none
  // before the first. A provider refuses slots it could not prove within a
  // period with room to spare.
  virtual std::optional<double> proving_seconds() const { return std::nullopt; }
};

}  // namespace codex::sales
