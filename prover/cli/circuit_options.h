// The storage circuit's parameter options shared by `codex-prover r1cs` and
// `codex-prover witness` (SampleAndProve(depth, log2(maxslots), blockdepth,
// cellelems, nsamples); production defaults).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>

#include "base/cli/unsigned_range.h"
#include "prover/circuit/storage_circuit.h"
#include "prover/error.h"

namespace codex::prover::cli {

struct CircuitOptions {
  uint32_t depth = 32;
  uint64_t maxslots = 256;
  uint32_t blockdepth = 5;
  uint32_t cellelems = 67;

  void add_to(CLI::App& cmd) {
    cmd.add_option("--depth", depth, "circuit maxDepth (log2 of the maximum cells per slot)")
        ->check(base::cli::UnsignedRange(0, std::numeric_limits<uint32_t>::max()))
        ->capture_default_str();
    cmd.add_option("--maxslots", maxslots, "circuit maximum slot count (a power of two)")
        ->check(base::cli::UnsignedRange())
        ->capture_default_str();
    cmd.add_option("--blockdepth", blockdepth, "block tree depth (log2 of cells per block)")
        ->check(base::cli::UnsignedRange(0, std::numeric_limits<uint32_t>::max()))
        ->capture_default_str();
    cmd.add_option("--cellelems", cellelems, "field elements per cell ((cellsize + 30) / 31)")
        ->check(base::cli::UnsignedRange(0, std::numeric_limits<uint32_t>::max()))
        ->capture_default_str();
  }

  // Validated parameters with n_samples samples.
  circuit::StorageParams params(uint64_t n_samples) const {
    if (maxslots < 2 || (maxslots & (maxslots - 1)) != 0) {
      throw InvalidInput("--maxslots " + std::to_string(maxslots) +
                         " must be a power of two, at least 2");
    }
    if (n_samples < 1 || n_samples > 65536) {
      throw InvalidInput("--nsamples " + std::to_string(n_samples) + " not in 1..65536");
    }
    circuit::StorageParams p;
    p.max_depth = depth;
    p.max_log2_nslots = 0;
    while ((uint64_t(1) << p.max_log2_nslots) < maxslots)
      ++p.max_log2_nslots;
    p.block_tree_depth = blockdepth;
    p.n_field_elems_per_cell = cellelems;
    p.n_samples = uint32_t(n_samples);
    p.validate();
    return p;
  }
};

}  // namespace codex::prover::cli
