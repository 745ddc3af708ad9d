#include "agent/devnet/dev_circuit.h"

#include <unistd.h>

#include <fstream>
#include <stdexcept>

#include "agent/node/circuit_dir.h"
#include "prover/circuit/storage_circuit.h"
#include "prover/formats/r1cs_file.h"
#include "prover/groth16/setup.h"
#include "prover/groth16/snarkjs_json.h"
#include "prover/groth16/zkey_file.h"

namespace codex::devnet {
namespace fs = std::filesystem;

DevCircuit ensure_dev_circuit(const fs::path& dir) {
  DevCircuit c{dir, dir / "verification_key.json", false};
  const fs::path zkey = dir / "proof_main.zkey";
  const prover::circuit::StorageParams params;  // the production circuit
  fs::create_directories(dir);
  // Two devnets may start at once (the tests do): each file appears whole,
  // by a rename, so a node never reads one half written.
  const fs::path staging = dir / (".staging." + std::to_string(::getpid()));
  fs::create_directories(staging);
  agent::write_circuit_params(staging, params);
  fs::rename(staging / "circuit.json", dir / "circuit.json");
  fs::remove_all(staging);
  if (fs::exists(zkey) && fs::exists(c.verification_key)) return c;

  const auto cb = prover::circuit::build_storage_shape(params);
  prover::formats::R1cs r1cs;
  r1cs.header = prover::formats::r1cs_header_of(cb, uint32_t(params.num_private_inputs()));
  r1cs.constraints = cb.constraints();
  const auto keys = prover::groth16::dev_setup(r1cs, "codex-devnet");
  const std::string tmp = "." + std::to_string(::getpid()) + ".tmp";
  prover::groth16::write_zkey((zkey.string() + tmp), keys.pk);
  {
    std::ofstream out(c.verification_key.string() + tmp, std::ios::binary | std::ios::trunc);
    out << prover::groth16::verification_key_to_json(keys.vk);
    if (!out.flush()) throw std::runtime_error("cannot write " + c.verification_key.string());
  }
  fs::rename(zkey.string() + tmp, zkey);
  fs::rename(c.verification_key.string() + tmp, c.verification_key);
  c.made = true;
  return c;
}

}  // namespace codex::devnet
