#pragma once
// The prover's files (--circuit-dir): the storage circuit's parameters in
// circuit.json and its Groth16 proving key in proof_main.zkey (the
// reference's name). `circuit.json`:
//   {"maxDepth": 32, "maxLog2Slots": 8, "blockTreeDepth": 5,
//    "cellElements": 67, "samples": 5}
// (the production circuit, SampleAndProve(32, 8, 5, 67, 5)).
#include <filesystem>

#include "prover/circuit/storage_circuit.h"

namespace codex::agent {

struct CircuitDir {
  std::filesystem::path zkey;
  prover::circuit::StorageParams params;
};

// Throws std::runtime_error naming the file and what is wrong with it.
CircuitDir load_circuit_dir(const std::filesystem::path& dir);

// Writes circuit.json for `params` (the key is written separately).
void write_circuit_params(const std::filesystem::path& dir,
                          const prover::circuit::StorageParams& params);

}  // namespace codex::agent
