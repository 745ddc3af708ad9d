// codex-prover witness: computes the storage-proof circuit's witness for a
// circuit input JSON (proofs.md §3.2, §5.4) and writes it as an iden3 .wtns
// file (§5.2). The number of samples is taken from the input. An input that
// does not satisfy the statement is rejected with the failed check.
#include <chrono>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>

#include "prover/circuit/storage_circuit.h"
#include "prover/cli/circuit_options.h"
#include "prover/cli/commands.h"
#include "prover/formats/wtns_file.h"
#include "prover/slots/circuit_input.h"

namespace codex::prover::cli {
namespace {

struct WitnessOptions {
  CircuitOptions circuit;
  std::string input;
  std::string out;
  bool quiet = false;
};

std::string read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw InvalidInput("cannot open " + path);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

void run(const WitnessOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  // Shape with any sample count, then the circuit of that many samples.
  slots::CircuitShape shape = o.circuit.params(1).shape();
  shape.n_samples = 0;
  const slots::ProofInput input = slots::parse_circuit_json(read_text(o.input), shape);
  const circuit::StorageParams p = o.circuit.params(input.cell_data.size());
  const circuit::StorageCircuit c =
      circuit::build_storage_circuit(p, input, circuit::CircuitBuilder::Mode::kWitnessOnly);
  const auto t1 = std::chrono::steady_clock::now();
  formats::write_wtns(o.out, c.cb.witness());
  const auto t2 = std::chrono::steady_clock::now();
  if (!o.quiet) {
    auto secs = [](auto d) { return std::chrono::duration<double>(d).count(); };
    std::cerr << "SampleAndProve(" << p.max_depth << ", " << p.max_log2_nslots << ", "
              << p.block_tree_depth << ", " << p.n_field_elems_per_cell << ", " << p.n_samples
              << "): " << c.cb.num_wires() << " wires, " << c.cb.num_constraints()
              << " constraints\nsampled cells";
    for (uint64_t i : c.cell_indices)
      std::cerr << " " << i;
    std::cerr << "\nwitness computed in " << secs(t1 - t0) << " s, written to " << o.out << " in "
              << secs(t2 - t1) << " s\n";
  }
}

}  // namespace

void add_witness_command(CLI::App& app) {
  auto o = std::make_shared<WitnessOptions>();
  auto* cmd = app.add_subcommand(
      "witness", "compute the storage-proof witness of a circuit input JSON (.wtns)");
  cmd->add_option("input", o->input, "circuit input JSON")->required();
  cmd->add_option("out", o->out, "output .wtns file")->required();
  o->circuit.add_to(*cmd);
  cmd->add_flag("--quiet", o->quiet, "print no summary on standard error");
  cmd->callback([o] { run(*o); });
}

}  // namespace codex::prover::cli
