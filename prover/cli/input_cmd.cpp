// codex-prover input: builds a dataset's slot and dataset trees, samples the
// cells of one slot and writes the SampleAndProve circuit input (JSON).
// The data come from the reference generators' fake-data rule (--fake-data)
// or from a directory of block files (--blocks DIR, see block_dir.h).
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "base/cli/unsigned_range.h"
#include "prover/cli/block_dir.h"
#include "prover/cli/commands.h"
#include "prover/error.h"
#include "prover/slots/fake_data.h"
#include "prover/slots/input_params.h"

namespace codex::prover::cli {
namespace {

struct InputOptions {
  bool fake = false;
  uint64_t seed = 12345;
  std::string blocks_dir;
  std::string write_blocks;
  uint64_t nslots = 0, slot = 0, ncells = 0, nsamples = 5;
  std::string entropy;
  unsigned depth = 32;
  uint64_t maxslots = 256, cellsize = slots::kDefaultCellSize, blocksize = slots::kDefaultBlockSize;
  unsigned threads = 0;
  std::string out;
  bool quiet = false;
};

// Memory the kernel says it can give us without swapping (MemAvailable), or
// the physical memory when /proc/meminfo does not say.
uint64_t available_memory() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  uint64_t kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit)
    if (key == "MemAvailable:") return kib * 1024;
  return uint64_t(sysconf(_SC_PHYS_PAGES)) * uint64_t(sysconf(_SC_PAGESIZE));
}

// Refuses, before any work, a dataset whose trees this machine cannot hold
// (they would run it out of memory after a while).
void check_fits_memory(uint64_t nslots, uint64_t slot_blocks, uint64_t slot_cells) {
  const uint64_t need = slots::dataset_build_bytes(nslots, slot_blocks);
  const uint64_t have = available_memory();
  if (need <= have) return;
  auto gib = [](uint64_t b) {
    std::ostringstream s;
    s.precision(1);
    s << std::fixed << double(b) / double(1ull << 30) << " GiB";
    return s.str();
  };
  throw InvalidInput(std::to_string(nslots) + " slots of " + std::to_string(slot_cells) +
                     " cells need " + (need == UINT64_MAX ? "more than 2^64 bytes" : gib(need)) +
                     " of memory to build the trees; this machine has " + gib(have) + " available");
}

void run(const InputOptions& o, const CLI::App& cmd) {
  auto t0 = std::chrono::steady_clock::now();
  slots::InputParams p;
  p.nslots = o.nslots;
  p.slot = o.slot;
  p.ncells = o.ncells;
  p.nsamples = o.nsamples;
  p.entropy = Fr::from_string(o.entropy);
  p.depth = o.depth;
  p.maxslots = o.maxslots;
  p.cellsize = o.cellsize;
  p.blocksize = o.blocksize;

  slots::BuildOptions build;
  build.threads = o.threads;
  build.concurrent_reads = true;  // both readers are thread-safe

  std::optional<slots::SlotLayout> layout;
  slots::BlockReader read;
  if (o.fake) {
    if (cmd.count("--ncells") == 0) throw InvalidInput("--fake-data needs --ncells");
    slots::validate(p, true);
    check_fits_memory(p.nslots, p.ncells / (p.blocksize / p.cellsize), p.ncells);
    layout.emplace(slots::fake_dataset_layout(p.nslots, p.ncells, p.blocksize, p.cellsize));
    read = slots::fake_block_reader(*layout, o.seed);
    if (!o.write_blocks.empty()) write_block_dir(o.write_blocks, *layout, read);
  } else {
    slots::validate(p, false);
    BlockDir dir(o.blocks_dir);
    layout.emplace(dir.count(), p.nslots, p.blocksize, p.cellsize);
    if (cmd.count("--ncells") != 0 && p.ncells != layout->slot_cells()) {
      throw InvalidInput("--ncells " + std::to_string(p.ncells) + " does not match the blocks: " +
                         std::to_string(layout->slot_cells()) + " cells per slot");
    }
    p.ncells = layout->slot_cells();
    slots::validate(p, true);
    check_fits_memory(layout->num_slots(), layout->slot_blocks(), layout->slot_cells());
    read = dir.reader(p.blocksize);
  }

  slots::DatasetTree dataset = slots::build_dataset(*layout, read, build);
  auto t1 = std::chrono::steady_clock::now();
  slots::ProofInput input =
      slots::build_proof_input(*layout, dataset, p.slot, p.entropy, slots::circuit_params(p), read);
  std::string json = slots::to_circuit_json(input);
  if (o.out.empty() || o.out == "-") {
    std::cout << json;
  } else {
    std::ofstream f(o.out, std::ios::binary | std::ios::trunc);
    f << json;
    if (!f) throw std::runtime_error("cannot write " + o.out);
  }
  if (!o.quiet) {
    auto secs = [](auto d) { return std::chrono::duration<double>(d).count(); };
    std::cerr << "dataset: " << layout->num_slots() << " slots x " << layout->slot_cells()
              << " cells, " << layout->blocks_count() << " blocks, built in " << secs(t1 - t0)
              << " s\n"
              << "dataSetRoot " << dataset.root().to_decimal() << "\n"
              << "slotRoot    " << input.slot_root.to_decimal() << " (slot " << p.slot << ")\n"
              << "sampled cells";
    for (uint64_t i : slots::sample_cell_indices(input.entropy, input.slot_root,
                                                 input.n_cells_per_slot, p.nsamples)) {
      std::cerr << " " << i;
    }
    std::cerr << "\n";
  }
}

}  // namespace

void add_input_command(CLI::App& app) {
  auto o = std::make_shared<InputOptions>();
  auto* cmd = app.add_subcommand(
      "input", "build a dataset's trees, sample a slot, write the circuit input JSON");
  auto* fake = cmd->add_flag("--fake-data", o->fake, "use the reference generators' fake data");
  auto* blocks = cmd->add_option("--blocks", o->blocks_dir, "directory of block files <index>.bin");
  fake->excludes(blocks);
  blocks->excludes(fake);
  cmd->add_option("--seed", o->seed, "fake-data seed")
      ->check(base::cli::UnsignedRange())
      ->needs(fake)
      ->capture_default_str();
  cmd->add_option("--write-blocks", o->write_blocks,
                  "also write the fake dataset as block files here")
      ->needs(fake);
  cmd->add_option("--nslots", o->nslots, "slots in the dataset")
      ->check(base::cli::UnsignedRange())
      ->required();
  cmd->add_option("--slot", o->slot, "slot to prove (0-based)")
      ->check(base::cli::UnsignedRange())
      ->required();
  cmd->add_option("--ncells", o->ncells, "cells per slot (fake data; a power of two)")
      ->check(base::cli::UnsignedRange());
  cmd->add_option("--nsamples", o->nsamples, "cells to sample")
      ->check(base::cli::UnsignedRange(1, slots::kMaxSamples))
      ->capture_default_str();
  cmd->add_option("--entropy", o->entropy, "challenge entropy (field element, decimal or 0x hex)")
      ->required();
  cmd->add_option("--depth", o->depth, "circuit maxDepth")
      ->check(base::cli::UnsignedRange(0, std::numeric_limits<unsigned>::max()))
      ->capture_default_str();
  cmd->add_option("--maxslots", o->maxslots, "circuit maximum slot count (2^maxLog2NSlots)")
      ->check(base::cli::UnsignedRange())
      ->capture_default_str();
  cmd->add_option("--cellsize", o->cellsize, "cell size in bytes")
      ->check(base::cli::UnsignedRange())
      ->capture_default_str();
  cmd->add_option("--blocksize", o->blocksize, "block size in bytes")
      ->check(base::cli::UnsignedRange())
      ->capture_default_str();
  cmd->add_option("--threads", o->threads, "hashing threads (0 = all cores)")
      ->check(base::cli::UnsignedRange(0, std::numeric_limits<unsigned>::max()))
      ->capture_default_str();
  cmd->add_option("--out", o->out, "output file (default: standard output)");
  cmd->add_flag("--quiet", o->quiet, "print no summary on standard error");
  cmd->callback([o, cmd] {
    if (!o->fake && o->blocks_dir.empty()) throw InvalidInput("give --fake-data or --blocks DIR");
    run(*o, *cmd);
  });
}

}  // namespace codex::prover::cli
