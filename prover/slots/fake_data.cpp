#include "prover/slots/fake_data.h"

#include <string>

#include "prover/error.h"

namespace codex::prover::slots {

void fake_cell(uint64_t seed, uint64_t slot, uint64_t cell, std::span<uint8_t> out) {
  const uint64_t slot_seed = seed + 72 + 1001 * slot;
  const uint64_t seed1 = slot_seed + 0xdeadcafeull;
  const uint64_t seed2 = cell + 0x98765432ull;
  uint64_t state = 1;
  for (auto& byte : out) {
    state = state * (state + seed1) * (state + seed2) + state * (state ^ 0x5a5a5a5aull) +
            seed1 * state + seed2 + 17;
    state %= 1698428844001831ull;
    byte = uint8_t(state & 0xff);
  }
}

SlotLayout fake_dataset_layout(uint64_t num_slots, uint64_t cells_per_slot, uint64_t block_size,
                               uint64_t cell_size) {
  if (cell_size == 0 || block_size % cell_size != 0) {
    throw InvalidInput("block size " + std::to_string(block_size) +
                       " is not a positive multiple of the cell size " + std::to_string(cell_size));
  }
  uint64_t cells_per_block = block_size / cell_size;
  if (cells_per_slot == 0 || cells_per_slot % cells_per_block != 0) {
    throw InvalidInput("cells per slot (" + std::to_string(cells_per_slot) +
                       ") must be a positive multiple of the cells per block (" +
                       std::to_string(cells_per_block) + ")");
  }
  return SlotLayout(num_slots * (cells_per_slot / cells_per_block), num_slots, block_size,
                    cell_size);
}

BlockReader fake_block_reader(const SlotLayout& layout, uint64_t seed) {
  const uint64_t per_slot = layout.slot_data_blocks();
  const uint64_t cells_per_block = layout.cells_per_block();
  const uint64_t cell_size = layout.cell_size();
  return [=](uint64_t index, std::span<uint8_t> out) {
    uint64_t slot = index / per_slot;
    uint64_t first_cell = (index % per_slot) * cells_per_block;
    for (uint64_t c = 0; c < cells_per_block; ++c) {
      fake_cell(seed, slot, first_cell + c, out.subspan(c * cell_size, cell_size));
    }
  };
}

}  // namespace codex::prover::slots
