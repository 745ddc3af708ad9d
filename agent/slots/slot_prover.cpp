#include "agent/slots/slot_prover.h"

#include <chrono>

#include "agent/slots/verifiable.h"
#include "exchange/error.h"
#include "exchange/multiformats/multicodec.h"
#include "prover/groth16/prover.h"
#include "prover/groth16/zkey_file.h"
#include "prover/merkle/tree.h"
#include "prover/slots/sampler.h"

namespace codex::slots {

SlotProver::SlotProver(const std::filesystem::path& zkey, SlotProverOptions options)
    : options_(std::move(options)) {
  options_.params.validate();
  zkey_ = std::make_unique<prover::groth16::ZkeyReader>(zkey.string());
}

SlotProver::~SlotProver() = default;

std::shared_ptr<const prover::slots::SlotTree> SlotProver::slot_tree(erasure::DatasetBlocks& blocks,
                                                                     const Manifest& m,
                                                                     uint64_t slot) {
  const std::pair<Cid, uint64_t> key{m.erasure->verification->slot_roots.at(slot), slot};
  {
    std::lock_guard lock(mu_);
    for (auto it = trees_.begin(); it != trees_.end(); ++it)
      if (it->first == key) {
        trees_.splice(trees_.begin(), trees_, it);
        return it->second;
      }
  }
  prover::slots::BuildOptions bo;
  bo.threads = options_.threads;
  auto tree =
      std::make_shared<const prover::slots::SlotTree>(build_checked_slot(blocks, m, slot, bo));
  std::lock_guard lock(mu_);
  trees_.emplace_front(key, tree);
  while (trees_.size() > options_.cached_slots)
    trees_.pop_back();
  return tree;
}

void SlotProver::prepare(erasure::DatasetBlocks& blocks, const Manifest& verifiable,
                         uint64_t slot) {
  if (!verifiable.is_verifiable()) throw FormatError("slots: the manifest is not verifiable");
  if (slot >= verifiable.erasure->verification->slot_roots.size())
    throw FormatError("slots: slot " + std::to_string(slot) + " is out of range");
  slot_tree(blocks, verifiable, slot);
}

std::optional<double> SlotProver::proving_seconds() const {
  std::lock_guard lock(stats_mu_);
  if (std::chrono::steady_clock::now() - proved_at_ > options_.estimate_lifetime)
    return std::nullopt;
  return proving_seconds_;
}

SlotProof SlotProver::prove(erasure::DatasetBlocks& blocks, const Manifest& verifiable,
                            uint64_t slot, std::span<const uint8_t> challenge) {
  if (!verifiable.is_verifiable()) throw FormatError("slots: the manifest is not verifiable");
  const VerificationInfo& v = *verifiable.erasure->verification;
  if (slot >= v.slot_roots.size())
    throw FormatError("slots: slot " + std::to_string(slot) + " of a dataset of " +
                      std::to_string(v.slot_roots.size()) + " slots");
  const prover::slots::SlotLayout layout = slot_layout(verifiable);
  const std::shared_ptr<const prover::slots::SlotTree> tree = slot_tree(blocks, verifiable, slot);

  std::vector<Fr> roots;
  for (const Cid& c : v.slot_roots)
    roots.push_back(root_of(c, multicodec::kSlotRoot));
  const prover::merkle::MerkleTree dataset(roots);
  if (verify_root_cid(dataset.root()) != v.verify_root)
    throw FormatError("slots: the manifest's verify root is not the tree of its slot roots");

  prover::slots::ProvingSlot ps;
  ps.slot_index = slot;
  ps.slot_root = tree->root();
  ps.dataset_root = dataset.root();
  ps.slot_proof = dataset.path(slot);
  ps.block_indices = tree->block_indices();
  ps.block_path = [tree](uint64_t pos) { return tree->block_path(pos); };

  const prover::circuit::StorageParams& p = options_.params;
  prover::slots::CircuitParams cp;
  cp.max_depth = p.max_depth;
  cp.max_log2_slots = p.max_log2_nslots;
  cp.n_samples = p.n_samples;
  const prover::slots::ProofInput input =
      prover::slots::build_proof_input(layout, ps, prover::slots::entropy_from_challenge(challenge),
                                       cp, block_reader(blocks, verifiable));
  prover::circuit::StorageCircuit circuit = prover::circuit::build_storage_circuit(p, input);
  std::lock_guard one_at_a_time(prove_mu_);
  const auto start = std::chrono::steady_clock::now();
  prover::groth16::ProveResult r =
      prover::groth16::prove(*zkey_, circuit.cb.witness(), options_.threads);
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  {
    std::lock_guard lock(stats_mu_);
    // A stale figure is not averaged in: it is what the lifetime drops.
    const bool fresh = std::chrono::steady_clock::now() - proved_at_ <= options_.estimate_lifetime;
    proving_seconds_ = proving_seconds_ && fresh ? 0.7 * *proving_seconds_ + 0.3 * secs : secs;
    proved_at_ = std::chrono::steady_clock::now();
  }
  return {r.proof, std::move(r.public_inputs)};
}

}  // namespace codex::slots
