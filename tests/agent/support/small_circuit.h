// A development key of a small storage circuit for end-to-end tests on
// anvil: proofs in a fraction of a second, verified by the real on-chain
// Groth16 verifier holding its verification key.
#pragma once

#include <filesystem>
#include <string>

#include "agent/node/circuit_dir.h"
#include "prover/circuit/storage_circuit.h"
#include "prover/formats/r1cs_file.h"
#include "prover/groth16/setup.h"
#include "prover/groth16/snarkjs_json.h"
#include "prover/groth16/zkey_file.h"

namespace codex::test {

// 64 KiB blocks of 2 KiB cells, at most 4 slots of 2^8 cells, 2 samples.
inline prover::circuit::StorageParams small_circuit() {
  prover::circuit::StorageParams p;
  p.max_depth = 8;
  p.max_log2_nslots = 2;
  p.block_tree_depth = 5;
  p.n_field_elems_per_cell = 67;
  p.n_samples = 2;
  return p;
}

// Writes circuit.json and proof_main.zkey into dir (a node's --circuit-dir);
// returns the verification key as snarkjs JSON (for the deployment).
inline std::string make_circuit_dir(const std::filesystem::path& dir,
                                    const std::string& seed = "marketplace-e2e") {
  std::filesystem::create_directories(dir);
  const auto p = small_circuit();
  auto cb = prover::circuit::build_storage_shape(p);
  prover::formats::R1cs r1cs;
  r1cs.header = prover::formats::r1cs_header_of(cb, uint32_t(p.num_private_inputs()));
  r1cs.constraints = cb.constraints();
  auto keys = prover::groth16::dev_setup(r1cs, seed);
  prover::groth16::write_zkey((dir / "proof_main.zkey").string(), keys.pk);
  agent::write_circuit_params(dir, p);
  return prover::groth16::verification_key_to_json(keys.vk);
}

}  // namespace codex::test
