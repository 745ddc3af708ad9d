#pragma once
// Storage proofs of a slot held locally (spec node.md §3.2–§3.3, proofs.md):
// the slot tree rebuilt from the stored blocks and checked against the
// verifiable manifest, cells sampled with the challenge, the storage
// circuit's witness, and a Groth16 proof with the proving key. Slot trees are
// kept for the next proofs (a provider proves the same slot every period);
// building one hashes every block of the slot, proving reads only the sampled
// blocks.
//
// Thread-safety: prove() may run on several threads at once.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "exchange/manifest/manifest.h"
#include "prover/circuit/storage_circuit.h"
#include "prover/groth16/types.h"

namespace codex::erasure {
class DatasetBlocks;
}
namespace codex::prover::groth16 {
class ZkeyReader;
}
namespace codex::prover::slots {
class SlotTree;
}

namespace codex::slots {

struct SlotProverOptions {
  // The circuit the proving key was made for (block_tree_depth and
  // n_field_elems_per_cell must fit the datasets' blocks and cells).
  prover::circuit::StorageParams params;
  unsigned threads = 0;     // 0 = all cores
  size_t cached_slots = 8;  // slot trees kept
  // How long a measured proving time is believed. A host that measured slow
  // proofs while its cores were busy with something else would otherwise
  // refuse every slot for ever: refusing them, it makes no proof that could
  // correct the figure.
  std::chrono::seconds estimate_lifetime{600};
};

struct SlotProof {
  prover::groth16::Proof proof;
  std::vector<prover::Fr> public_inputs;  // entropy, dataset root, slot index
};

class SlotProver {
 public:
  // Throws InvalidInput naming the file when the key cannot be read, and for
  // invalid parameters.
  SlotProver(const std::filesystem::path& zkey, SlotProverOptions options);
  ~SlotProver();

  // Throws FormatError for a manifest that is not verifiable or whose slot
  // root is not the one the stored blocks give, NotFoundError for a missing
  // block, InvalidInput when the dataset does not fit the circuit.
  SlotProof prove(erasure::DatasetBlocks& blocks, const Manifest& verifiable, uint64_t slot,
                  std::span<const uint8_t> challenge);

  // Builds the slot's tree now (and keeps it), checking its root against the
  // manifest: a provider does this once its blocks are stored, before it
  // fills the slot. Throws as prove() does.
  void prepare(erasure::DatasetBlocks& blocks, const Manifest& verifiable, uint64_t slot);

  const SlotProverOptions& options() const { return options_; }
  // Seconds the recent proofs took (a moving average); none before the first
  // and once the last is older than options().estimate_lifetime.
  std::optional<double> proving_seconds() const;

 private:
  std::shared_ptr<const prover::slots::SlotTree> slot_tree(erasure::DatasetBlocks& blocks,
                                                           const Manifest& m, uint64_t slot);

  SlotProverOptions options_;
  std::unique_ptr<prover::groth16::ZkeyReader> zkey_;
  std::mutex mu_;
  // One proof at a time: each uses every core, and proofs made side by side
  // all finish late (a proof must be sent within its period).
  std::mutex prove_mu_;
  mutable std::mutex stats_mu_;
  std::optional<double> proving_seconds_;
  std::chrono::steady_clock::time_point proved_at_;
  // Most recently used first.
  std::list<std::pair<std::pair<Cid, uint64_t>, std::shared_ptr<const prover::slots::SlotTree>>>
      trees_;
};

}  // namespace codex::slots
