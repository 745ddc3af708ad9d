#include "prover/slots/sampler.h"

#include <algorithm>
#include <string>

#include "prover/error.h"
#include "prover/poseidon2/bytes.h"
#include "prover/poseidon2/sponge.h"
#include "prover/slots/block_tree.h"

namespace codex::prover::slots {

Fr entropy_from_challenge(std::span<const uint8_t> challenge) {
  if (challenge.size() != 32) {
    throw InvalidInput("challenge must be 32 bytes, got " + std::to_string(challenge.size()));
  }
  return Fr::from_bytes_le_reduce(challenge.first(31));  // < 2^248: never reduced
}

std::vector<uint64_t> sample_cell_indices(const Fr& entropy, const Fr& slot_root, uint64_t n_cells,
                                          size_t n_samples) {
  if (!is_power_of_two(n_cells)) {
    throw InvalidInput("number of cells per slot (" + std::to_string(n_cells) +
                       ") must be a power of two");
  }
  const uint64_t mask = n_cells - 1;
  std::vector<uint64_t> out;
  out.reserve(n_samples);
  for (size_t k = 1; k <= n_samples; ++k) {
    Fr input[3] = {entropy, slot_root, Fr::from_u64(k)};
    Fr h = poseidon2::sponge(input, 2);
    out.push_back(h.to_int()[0] & mask);  // n_cells ≤ 2^64
  }
  return out;
}

ProvingSlot proving_slot(const DatasetTree& dataset, uint64_t slot) {
  const SlotTree& s = dataset.slot(slot);
  ProvingSlot p;
  p.slot_index = slot;
  p.slot_root = s.root();
  p.dataset_root = dataset.root();
  p.slot_proof = dataset.slot_proof(slot);
  p.block_indices = s.block_indices();
  p.block_path = [&s](uint64_t pos) { return s.block_path(pos); };
  return p;
}

namespace {

std::vector<Fr> zero_padded(const std::vector<Fr>& xs, size_t n, const char* what) {
  if (xs.size() > n) {
    throw InvalidInput(std::string(what) + " has " + std::to_string(xs.size()) +
                       " entries, more than the circuit's " + std::to_string(n));
  }
  std::vector<Fr> out = xs;
  out.resize(n, Fr::zero());
  return out;
}

}  // namespace

ProofInput build_proof_input(const SlotLayout& layout, const ProvingSlot& slot, const Fr& entropy,
                             const CircuitParams& params, const BlockReader& read) {
  const uint64_t n_slots = layout.num_slots();
  if (params.max_log2_slots >= 64 || n_slots > (uint64_t(1) << params.max_log2_slots)) {
    throw InvalidInput(std::to_string(n_slots) + " slots exceed the circuit's maximum of 2^" +
                       std::to_string(params.max_log2_slots));
  }
  if (slot.slot_index >= n_slots) {
    throw InvalidInput("slot index " + std::to_string(slot.slot_index) + " out of range (" +
                       std::to_string(n_slots) + " slots)");
  }
  if (params.n_samples == 0) throw InvalidInput("number of samples must be at least 1");
  if (slot.slot_proof.leaf_count != n_slots || slot.slot_proof.index != slot.slot_index) {
    throw InvalidInput("slot proof does not belong to slot " + std::to_string(slot.slot_index) +
                       " of " + std::to_string(n_slots));
  }
  if (slot.block_indices.size() != layout.slot_blocks()) {
    throw InvalidInput("slot has " + std::to_string(slot.block_indices.size()) +
                       " block positions, the layout expects " +
                       std::to_string(layout.slot_blocks()));
  }
  if (!merkle::verify(slot.slot_root, slot.slot_proof, slot.dataset_root)) {
    throw InvalidInput("slot proof does not lead from the slot root to the dataset root");
  }
  const uint64_t n_cells = layout.slot_cells();
  const size_t slot_depth = merkle::tree_depth(layout.slot_blocks());
  if (layout.block_tree_depth() + slot_depth > params.max_depth) {
    throw InvalidInput("cell paths of " + std::to_string(layout.block_tree_depth() + slot_depth) +
                       " levels exceed the circuit's maximum depth " +
                       std::to_string(params.max_depth));
  }

  ProofInput in;
  in.entropy = entropy;
  in.dataset_root = slot.dataset_root;
  in.slot_index = slot.slot_index;
  in.slot_root = slot.slot_root;
  in.n_cells_per_slot = n_cells;
  in.n_slots_per_dataset = n_slots;
  in.slot_proof = zero_padded(slot.slot_proof.siblings, params.max_log2_slots, "slot proof");

  const uint64_t cpb = layout.cells_per_block();
  std::vector<uint8_t> block(layout.block_size());
  for (uint64_t idx : sample_cell_indices(entropy, slot.slot_root, n_cells, params.n_samples)) {
    const uint64_t pos = idx / cpb, cell = idx % cpb;
    const uint64_t index = slot.block_indices[pos];
    if (layout.is_pad(index)) {
      std::fill(block.begin(), block.end(), 0);
    } else {
      read(index, block);
    }
    auto bytes =
        std::span<const uint8_t>(block).subspan(cell * layout.cell_size(), layout.cell_size());
    in.cell_data.push_back(poseidon2::bytes_to_field_elements(bytes));

    merkle::MerkleTree btree = block_tree(block, layout.cell_size());
    merkle::MerklePath slot_path = slot.block_path(pos);
    if (slot_path.index != pos || slot_path.leaf_count != layout.slot_blocks() ||
        slot_path.siblings.size() != slot_depth) {
      throw InvalidInput("slot-tree path of position " + std::to_string(pos) +
                         " does not match the slot layout");
    }
    // The block read must be the one the slot tree committed to.
    if (!merkle::verify(btree.root(), slot_path, slot.slot_root)) {
      throw InvalidInput("block " + std::to_string(index) + " (slot position " +
                         std::to_string(pos) + ") does not match the slot root");
    }
    std::vector<Fr> path = btree.path(cell).siblings;
    path.insert(path.end(), slot_path.siblings.begin(), slot_path.siblings.end());
    in.merkle_paths.push_back(zero_padded(path, params.max_depth, "cell path"));
  }
  return in;
}

ProofInput build_proof_input(const SlotLayout& layout, const DatasetTree& dataset, uint64_t slot,
                             const Fr& entropy, const CircuitParams& params,
                             const BlockReader& read) {
  return build_proof_input(layout, proving_slot(dataset, slot), entropy, params, read);
}

}  // namespace codex::prover::slots
