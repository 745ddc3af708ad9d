// The sampler (proofs.md §3.1, node.md §3.2): cell indices from the challenge
// entropy and the slot root, and the assembly of the circuit's inputs.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "prover/field/bn254.h"
#include "prover/merkle/tree.h"
#include "prover/slots/builder.h"
#include "prover/slots/circuit_input.h"
#include "prover/slots/layout.h"

namespace codex::prover::slots {

// Entropy from a 32-byte on-chain challenge: its first 31 bytes read
// little-endian. Throws InvalidInput if challenge.size() != 32.
Fr entropy_from_challenge(std::span<const uint8_t> challenge);

// idx_k = low log2(n_cells) bits of Sponge_rate2([entropy, slot_root, k]),
// k = 1..n_samples. Throws InvalidInput unless n_cells is a power of two.
std::vector<uint64_t> sample_cell_indices(const Fr& entropy, const Fr& slot_root, uint64_t n_cells,
                                          size_t n_samples);

// Circuit parameters: SampleAndProve(max_depth, max_log2_slots, blockTreeDepth,
// nFieldElemsPerCell, n_samples); the last two come from the layout.
struct CircuitParams {
  unsigned max_depth = 32;
  unsigned max_log2_slots = 8;
  size_t n_samples = 5;
};

// What proving one slot needs besides the blocks: the slot and dataset roots,
// the slot root's path in the dataset tree and the slot-tree path of each slot
// position (the store keeps these; DatasetTree has them too).
struct ProvingSlot {
  uint64_t slot_index = 0;
  Fr slot_root;
  Fr dataset_root;
  merkle::MerklePath slot_proof;        // leaf_count = number of slots
  std::vector<uint64_t> block_indices;  // dataset index of each slot position
  std::function<merkle::MerklePath(uint64_t position)> block_path;
};

// The ProvingSlot of a built dataset; its block_path refers to `dataset`,
// which must outlive it. Throws InvalidInput if slot is out of range.
ProvingSlot proving_slot(const DatasetTree& dataset, uint64_t slot);

// Samples n_samples cells and assembles the circuit input: reads each sampled
// block, rebuilds its block tree, takes the cell's field elements and the path
// block tree ++ slot tree, zero-padded to max_depth; the slot proof zero-padded
// to max_log2_slots. Throws InvalidInput when the data do not fit the circuit
// (too many slots, paths deeper than max_depth, slot index out of range, a
// path inconsistent with the layout, zero samples).
ProofInput build_proof_input(const SlotLayout& layout, const ProvingSlot& slot, const Fr& entropy,
                             const CircuitParams& params, const BlockReader& read);

// The same from a built dataset.
ProofInput build_proof_input(const SlotLayout& layout, const DatasetTree& dataset, uint64_t slot,
                             const Fr& entropy, const CircuitParams& params,
                             const BlockReader& read);

}  // namespace codex::prover::slots
