// The inputs of the SampleAndProve circuit (proofs.md §3.2) and their circom
// input JSON (§5.4): field elements as decimal strings, nCellsPerSlot,
// nSlotsPerDataSet and slotIndex as JSON integers, in the key order and layout
// of the reference files (Python json.dumps(indent=1) plus a newline).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
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

// The array sizes a circuit expects; 0 = any (taken from the file: cellData
// and merklePaths must still agree on the sample count and have rows of one
// length).
struct CircuitShape {
  size_t max_depth = 0;               // merklePaths row length
  size_t max_log2_slots = 0;          // slotProof length
  size_t n_field_elems_per_cell = 0;  // cellData row length
  size_t n_samples = 0;               // rows of cellData and merklePaths
};

// Parses a circuit input JSON (the format to_circuit_json writes; §5.4).
// Strict: exactly the nine keys; field elements as canonical decimal strings
// (JSON numbers are accepted as well) below r; nCellsPerSlot,
// nSlotsPerDataSet and slotIndex as JSON integers or decimal strings that fit
// 64 bits; arrays of the expected shape. Throws InvalidInput naming the key
// (and index) that is wrong.
ProofInput parse_circuit_json(std::string_view text, const CircuitShape& shape = {});

// Public inputs in circuit order: [entropy, dataSetRoot, slotIndex].
std::vector<Fr> public_inputs(const ProofInput& input);

}  // namespace codex::prover::slots
