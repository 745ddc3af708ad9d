#pragma once
// The devnet's proving files: a DEVELOPMENT Groth16 key of the production
// storage circuit SampleAndProve(32, 8, 5, 67, 5) (spec proofs.md), made once
// from a fixed seed (a few seconds) and cached, with the circuit.json a node's
// --circuit-dir needs and the verification key the chain's verifier gets.
// Anyone who knows the seed can forge proofs: local networks only.
#include <filesystem>
#include <string>

namespace codex::devnet {

struct DevCircuit {
  std::filesystem::path dir;               // circuit.json + proof_main.zkey (--circuit-dir)
  std::filesystem::path verification_key;  // snarkjs verification_key.json
  bool made = false;                       // false: taken from the cache
};

// Makes the files in `dir` unless they are there; files are written under
// temporary names and renamed, so a killed run never leaves half a key.
DevCircuit ensure_dev_circuit(const std::filesystem::path& dir);

}  // namespace codex::devnet
