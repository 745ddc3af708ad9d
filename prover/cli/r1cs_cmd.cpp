// codex-prover r1cs: writes the storage-proof circuit's constraint system as
// an iden3 .r1cs file (proofs.md §5.1) and prints its counts.
#include <chrono>
#include <iostream>
#include <memory>

#include "base/cli/unsigned_range.h"
#include "prover/circuit/storage_circuit.h"
#include "prover/cli/circuit_options.h"
#include "prover/cli/commands.h"
#include "prover/formats/r1cs_file.h"

namespace codex::prover::cli {
namespace {

struct R1csOptions {
  CircuitOptions circuit;
  uint64_t nsamples = 5;
  std::string out;
  bool quiet = false;
};

void run(const R1csOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  const circuit::StorageParams p = o.circuit.params(o.nsamples);
  const circuit::CircuitBuilder cb = circuit::build_storage_shape(p);
  const auto t1 = std::chrono::steady_clock::now();
  formats::write_r1cs(o.out, formats::r1cs_header_of(cb, uint32_t(p.num_private_inputs())),
                      cb.constraints());
  const auto t2 = std::chrono::steady_clock::now();
  auto secs = [](auto d) { return std::chrono::duration<double>(d).count(); };
  std::cout << "SampleAndProve(" << p.max_depth << ", " << p.max_log2_nslots << ", "
            << p.block_tree_depth << ", " << p.n_field_elems_per_cell << ", " << p.n_samples
            << ")\n"
            << "constraints " << cb.num_constraints() << "\n"
            << "wires " << cb.num_wires() << "\n"
            << "public inputs " << cb.num_public() << "\n"
            << "private inputs " << p.num_private_inputs() << "\n";
  if (!o.quiet) {
    std::cerr << "built in " << secs(t1 - t0) << " s, written to " << o.out << " in "
              << secs(t2 - t1) << " s\n";
  }
}

}  // namespace

void add_r1cs_command(CLI::App& app) {
  auto o = std::make_shared<R1csOptions>();
  auto* cmd = app.add_subcommand("r1cs", "write the storage-proof circuit as an .r1cs file");
  cmd->add_option("--nsamples", o->nsamples, "cells sampled per proof")
      ->check(base::cli::UnsignedRange(1, 65536))
      ->capture_default_str();
  o->circuit.add_to(*cmd);
  cmd->add_option("--out", o->out, "output .r1cs file")->required();
  cmd->add_flag("--quiet", o->quiet, "print no timing on standard error");
  cmd->callback([o] { run(*o); });
}

}  // namespace codex::prover::cli
