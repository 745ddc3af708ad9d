#include "agent/node/circuit_dir.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace codex::agent {

CircuitDir load_circuit_dir(const std::filesystem::path& dir) {
  CircuitDir out;
  const auto params_file = dir / "circuit.json";
  std::ifstream in(params_file);
  if (!in) throw std::runtime_error("--circuit-dir: cannot read " + params_file.string());
  std::stringstream text;
  text << in.rdbuf();
  try {
    const nlohmann::json j = nlohmann::json::parse(text.str());
    auto u32 = [&](const char* name) {
      const auto& v = j.at(name);
      if (!v.is_number_unsigned() || v.get<uint64_t>() > 0xffffffffu)
        throw std::invalid_argument(std::string(name) + " must be a non-negative integer");
      return v.get<uint32_t>();
    };
    out.params.max_depth = u32("maxDepth");
    out.params.max_log2_nslots = u32("maxLog2Slots");
    out.params.block_tree_depth = u32("blockTreeDepth");
    out.params.n_field_elems_per_cell = u32("cellElements");
    out.params.n_samples = u32("samples");
    out.params.validate();
  } catch (const std::exception& e) {
    throw std::runtime_error("--circuit-dir: " + params_file.string() + ": " + e.what());
  }
  out.zkey = dir / "proof_main.zkey";
  if (!std::filesystem::is_regular_file(out.zkey))
    throw std::runtime_error("--circuit-dir: no proving key at " + out.zkey.string() +
                             " (codex-prover setup makes a development key)");
  return out;
}

void write_circuit_params(const std::filesystem::path& dir,
                          const prover::circuit::StorageParams& p) {
  const nlohmann::json j = {{"maxDepth", p.max_depth},
                            {"maxLog2Slots", p.max_log2_nslots},
                            {"blockTreeDepth", p.block_tree_depth},
                            {"cellElements", p.n_field_elems_per_cell},
                            {"samples", p.n_samples}};
  std::ofstream out(dir / "circuit.json");
  out << j.dump(2) << "\n";
  if (!out) throw std::runtime_error("cannot write " + (dir / "circuit.json").string());
}

}  // namespace codex::agent
