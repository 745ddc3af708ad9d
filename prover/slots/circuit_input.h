// The inputs of the SampleAndProve circuit (proofs.md §3.2) and their circom
// input JSON (§5.4): field elements as decimal strings, nCellsPerSlot,
// nSlotsPerDataSet and slotIndex as JSON integers, in the key order and layout
// of the reference files (Python json.dumps(indent=1) plus a newline).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "prover/field/bn254.h"

namespace codex::prover::slots {

struct ProofInput {
  Fr entropy;
  Fr dataset_root;
  uint64_t slot_index = 0;
  Fr slot_root;
  uint64_t n_cells_per_slot = 0;
  uint64_t n_slots_per_dataset = 0;
  std::vector<Fr> slot_proof;                 // maxLog2NSlots entries, zero-padded
  std::vector<std::vector<Fr>> cell_data;     // nSamples × nFieldElemsPerCell
  std::vector<std::vector<Fr>> merkle_paths;  // nSamples × maxDepth, zero-padded
};

std::string to_circuit_json(const ProofInput& input);

// Public inputs in circuit order: [entropy, dataSetRoot, slotIndex].
std::vector<Fr> public_inputs(const ProofInput& input);

}  // namespace codex::prover::slots
