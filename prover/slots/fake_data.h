// The fake-data rule of the reference input generators (proofs.md §4), for
// test data only: slot s uses seed' = seed + 72 + 1001·s; cell idx (index in
// the slot) is cell_size bytes of a 64-bit state machine with
// seed1 = seed' + 0xdeadcafe, seed2 = idx + 0x98765432, state = 1, per byte
//   state ← state·(state+seed1)·(state+seed2) + state·(state ⊕ 0x5a5a5a5a)
//           + seed1·state + seed2 + 17   (mod 2^64)
//   state ← state mod 1698428844001831;  byte = state mod 256.
#pragma once

#include <cstdint>
#include <span>

#include "prover/slots/builder.h"

namespace codex::prover::slots {

// Fills out (the cell's bytes; any length) for cell `cell` of slot `slot`.
void fake_cell(uint64_t seed, uint64_t slot, uint64_t cell, std::span<uint8_t> out);

// A fake dataset of num_slots slots of cells_per_slot cells each, laid out as
// the Linear slot strategy expects: dataset block i belongs to slot
// i / blocks_per_slot. REQUIRES: cells_per_slot is a multiple of
// layout.cells_per_block() — use fake_dataset_layout.
SlotLayout fake_dataset_layout(uint64_t num_slots, uint64_t cells_per_slot,
                               uint64_t block_size = kDefaultBlockSize,
                               uint64_t cell_size = kDefaultCellSize);
// The reader of such a dataset (thread-safe).
BlockReader fake_block_reader(const SlotLayout& layout, uint64_t seed);

}  // namespace codex::prover::slots
