// Parameters of a circuit input as the command line gives them
// (`codex-prover input`), validated in one place, and the input built from the
// fake dataset of the reference generators (proofs.md §4).
#pragma once

#include <cstdint>

#include "prover/slots/circuit_input.h"
#include "prover/slots/layout.h"
#include "prover/slots/sampler.h"

namespace codex::prover::slots {

inline constexpr uint64_t kMaxSamples = 1 << 16;
inline constexpr uint64_t kMaxBlockSize = uint64_t(1) << 30;

struct InputParams {
  uint64_t nslots = 0;  // slots in the dataset
  uint64_t slot = 0;    // slot to prove
  uint64_t ncells = 0;  // cells per slot (fake data; a power of two)
  uint64_t nsamples = 5;
  Fr entropy;
  unsigned depth = 32;      // circuit maxDepth
  uint64_t maxslots = 256;  // circuit 2^maxLog2NSlots
  uint64_t cellsize = kDefaultCellSize;
  uint64_t blocksize = kDefaultBlockSize;
};

// Throws InvalidInput with a clear message unless: cellsize ≥ 1, blocksize a
// multiple of cellsize with a power-of-two quotient, maxslots a power of two,
// blocksize ≤ kMaxBlockSize, 1 ≤ nslots ≤ maxslots, slot < nslots,
// 1 ≤ nsamples ≤ kMaxSamples, 1 ≤ depth ≤ 64, and
// (when check_ncells) ncells a power of two with
// cells-per-block ≤ ncells ≤ 2^depth.
void validate(const InputParams& p, bool check_ncells);

CircuitParams circuit_params(const InputParams& p);

// Peak bytes per block (pads included) of build_dataset: the block indices
// (per slot and all together, the latter grown by doubling), the block roots
// (all, then per slot) and each slot tree's layers (2 roots per block): about
// 144, rounded up.
inline constexpr uint64_t kBuildBytesPerBlock = 160;

// Peak memory of building the trees of nslots slots of slot_blocks blocks
// each; saturates at UINT64_MAX (so sizes beyond 64 bits compare as too big).
uint64_t dataset_build_bytes(uint64_t nslots, uint64_t slot_blocks);

// Builds the fake dataset (seed), its slot and dataset trees, samples and
// assembles the circuit input. Validates p first.
ProofInput fake_proof_input(const InputParams& p, uint64_t seed, const BuildOptions& options = {});

}  // namespace codex::prover::slots
