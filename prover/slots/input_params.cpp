#include "prover/slots/input_params.h"

#include <string>

#include "prover/error.h"
#include "prover/slots/fake_data.h"

namespace codex::prover::slots {

void validate(const InputParams& p, bool check_ncells) {
  auto s = [](uint64_t v) { return std::to_string(v); };
  if (p.cellsize == 0) throw InvalidInput("cell size must be positive");
  if (p.blocksize > kMaxBlockSize) {
    throw InvalidInput("block size " + s(p.blocksize) + " exceeds the maximum " + s(kMaxBlockSize));
  }
  if (p.blocksize == 0 || p.blocksize % p.cellsize != 0) {
    throw InvalidInput("block size " + s(p.blocksize) +
                       " is not a positive multiple of the cell size " + s(p.cellsize));
  }
  const uint64_t cpb = p.blocksize / p.cellsize;
  if (!is_power_of_two(cpb)) {
    throw InvalidInput("cells per block (" + s(cpb) + ") must be a power of two");
  }
  if (!is_power_of_two(p.maxslots)) {
    throw InvalidInput("maximum slot count " + s(p.maxslots) + " is not a power of two");
  }
  if (p.nslots == 0 || p.nslots > p.maxslots) {
    throw InvalidInput("number of slots " + s(p.nslots) + " must be between 1 and " +
                       s(p.maxslots));
  }
  if (p.slot >= p.nslots) {
    throw InvalidInput("slot index " + s(p.slot) + " out of range (" + s(p.nslots) + " slots)");
  }
  if (p.nsamples == 0 || p.nsamples > kMaxSamples) {
    throw InvalidInput("number of samples " + s(p.nsamples) + " must be between 1 and " +
                       s(kMaxSamples));
  }
  if (p.depth == 0 || p.depth > 64) throw InvalidInput("depth must be between 1 and 64");
  if (check_ncells) {
    if (!is_power_of_two(p.ncells)) {
      throw InvalidInput("number of cells per slot " + s(p.ncells) + " is not a power of two");
    }
    if (p.ncells < cpb) {
      throw InvalidInput("number of cells per slot " + s(p.ncells) + " is less than one block (" +
                         s(cpb) + " cells)");
    }
    if (p.depth < 64 && p.ncells > (uint64_t(1) << p.depth)) {
      throw InvalidInput("number of cells per slot " + s(p.ncells) + " exceeds 2^depth = 2^" +
                         std::to_string(p.depth));
    }
  }
}

CircuitParams circuit_params(const InputParams& p) {
  CircuitParams c;
  c.max_depth = p.depth;
  c.max_log2_slots = log2_exact(p.maxslots);
  c.n_samples = p.nsamples;
  return c;
}

uint64_t dataset_build_bytes(uint64_t nslots, uint64_t slot_blocks) {
  const unsigned __int128 bytes =
      (unsigned __int128)nslots * slot_blocks * (unsigned __int128)kBuildBytesPerBlock;
  return bytes > UINT64_MAX ? UINT64_MAX : uint64_t(bytes);
}

ProofInput fake_proof_input(const InputParams& p, uint64_t seed, const BuildOptions& options) {
  validate(p, true);
  SlotLayout layout = fake_dataset_layout(p.nslots, p.ncells, p.blocksize, p.cellsize);
  BlockReader read = fake_block_reader(layout, seed);
  BuildOptions opts = options;
  opts.concurrent_reads = true;  // the fake reader is a pure function
  DatasetTree dataset = build_dataset(layout, read, opts);
  return build_proof_input(layout, dataset, p.slot, p.entropy, circuit_params(p), read);
}

}  // namespace codex::prover::slots
