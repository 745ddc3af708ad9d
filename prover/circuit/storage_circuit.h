// The storage-proof circuit SampleAndProve(maxDepth, maxLog2NSlots,
// blockTreeDepth, nFieldElemsPerCell, nSamples) of proofs.md §3.2–§3.3 as an
// R1CS, with the witness computed alongside.
//
// Wires: 0 = 1; public inputs [entropy, dataSetRoot, slotIndex] (wires 1..3);
// then the private inputs in §3.2 order: slotRoot, nCellsPerSlot,
// nSlotsPerDataSet, slotProof[L], cellData[n][E], merklePaths[n][D]
// (3 + L + n·E + n·D wires); then internal wires.
//
// Enforced (§3.3): slotIndex fits L bits; nSlots − 1 fits L bits (its bits
// and suffix-OR mask drive the dataset path); the dataset path from slotRoot
// reaches dataSetRoot; nCellsPerSlot = 2^k with 1 ≤ k ≤ D (mask bits
// [1]·k + [0]·(D + 1 − k), also used as lastBits); per sample k = 1..n the
// index bits are the full range-checked decomposition of
// Sponge_rate2([entropy, slotRoot, k]) with the low D bits ANDed with the
// mask; the cell hash Sponge_rate2(cellData) climbs the block tree
// (blockTreeDepth levels, its top mask bit forced to 0), then the slot tree
// (the remaining D − blockTreeDepth levels), and must equal slotRoot.
//
// Constraints: 248·L + D for the dataset part and Log2 (slotIndex bits
// L + 1, nSlots − 1 bits L + 1, mask L − 2, dataset path 245·L − 1, root
// equality 1, Log2 D) plus, per sample, 480 (index hash) + 509 (254 bits with
// the < r check) + (D − 1) (mask AND) + 240·(⌊E/2⌋ + 1) (cell hash) +
// 245·D − 2 (the two Merkle pieces) + 1 (slotRoot equality). Production
// parameters: 2,016 + 17,019·nSamples (the circom reference: 2,022 +
// 17,556·nSamples); the tiny set SampleAndProve(8, 2, 2, 5, 2): 7,854
// (reference 8,880).
//
// Wire values equal the reference's for the inputs; internal wires are
// numbered differently from a circom build.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "prover/circuit/r1cs.h"
#include "prover/slots/circuit_input.h"

namespace codex::prover::circuit {

struct StorageParams {
  uint32_t max_depth = 32;
  uint32_t max_log2_nslots = 8;
  uint32_t block_tree_depth = 5;
  uint32_t n_field_elems_per_cell = 67;
  uint32_t n_samples = 5;

  // Throws InvalidInput unless 1 ≤ block_tree_depth < max_depth ≤ 63,
  // 1 ≤ max_log2_nslots ≤ 32, n_field_elems_per_cell ≥ 1 and
  // 1 ≤ n_samples ≤ 65536.
  void validate() const;
  // 3 + L + n·E + n·D.
  size_t num_private_inputs() const;
  // The array sizes an input of these parameters has.
  slots::CircuitShape shape() const;
};

struct StorageCircuit {
  CircuitBuilder cb;
  // The sampled cell of each sample (empty for a shape-only build).
  std::vector<uint64_t> cell_indices;
};

// Builds the circuit with the witness of `input`. Validates as it builds and
// throws InvalidInput naming the failed check (wrong array sizes, slotIndex or
// nSlotsPerDataSet out of range, slot proof not leading to dataSetRoot,
// nCellsPerSlot not a power of two, "sample 2 (cell 370): ..." when a sampled
// cell's data and path do not lead to slotRoot). On success the witness
// satisfies every constraint.
StorageCircuit build_storage_circuit(const StorageParams& params, const slots::ProofInput& input,
                                     CircuitBuilder::Mode mode = CircuitBuilder::Mode::kFull);

// The same constraint system with an arbitrary (all-zero input) witness, for
// exporting the R1CS.
CircuitBuilder build_storage_shape(const StorageParams& params);

}  // namespace codex::prover::circuit
