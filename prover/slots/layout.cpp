#include "prover/slots/layout.h"

#include <bit>
#include <string>

#include "prover/error.h"
#include "prover/poseidon2/bytes.h"

namespace codex::prover::slots {
namespace {

uint64_t checked_slot_blocks(uint64_t blocks_count, uint64_t num_slots, uint64_t block_size,
                             uint64_t cell_size) {
  if (blocks_count == 0) throw InvalidInput("dataset has no blocks");
  if (num_slots == 0) throw InvalidInput("number of slots must be at least 1");
  if (blocks_count % num_slots != 0) {
    throw InvalidInput("block count " + std::to_string(blocks_count) +
                       " is not a multiple of the slot count " + std::to_string(num_slots));
  }
  if (cell_size == 0) throw InvalidInput("cell size must be positive");
  if (block_size == 0 || block_size % cell_size != 0) {
    throw InvalidInput("block size " + std::to_string(block_size) +
                       " is not a positive multiple of the cell size " + std::to_string(cell_size));
  }
  if (!is_power_of_two(block_size / cell_size)) {
    throw InvalidInput("cells per block (" + std::to_string(block_size / cell_size) +
                       ") must be a power of two");
  }
  uint64_t cells_per_block = block_size / cell_size;
  uint64_t slot_cells = (blocks_count / num_slots) * cells_per_block;
  return next_power_of_two(slot_cells) / cells_per_block;
}

}  // namespace

bool is_power_of_two(uint64_t x) {
  return x != 0 && (x & (x - 1)) == 0;
}

uint64_t next_power_of_two(uint64_t x) {
  return x <= 1 ? 1 : std::bit_ceil(x);
}

unsigned log2_exact(uint64_t x) {
  return unsigned(std::countr_zero(x));
}

SlotLayout::SlotLayout(uint64_t blocks_count, uint64_t num_slots, uint64_t block_size,
                       uint64_t cell_size)
    : blocks_count_(blocks_count),
      num_slots_(num_slots),
      block_size_(block_size),
      cell_size_(cell_size),
      slot_blocks_(checked_slot_blocks(blocks_count, num_slots, block_size, cell_size)),
      strategy_(base::StrategyType::kLinear, 0, blocks_count - 1, num_slots, num_slots,
                slot_blocks_ - blocks_count / num_slots) {}

unsigned SlotLayout::block_tree_depth() const {
  return log2_exact(cells_per_block());
}

uint64_t SlotLayout::field_elements_per_cell() const {
  return poseidon2::field_elements_for_bytes(cell_size_);
}

std::vector<uint64_t> SlotLayout::slot_block_indices(uint64_t slot) const {
  if (slot >= num_slots_) {
    throw InvalidInput("slot index " + std::to_string(slot) + " out of range (" +
                       std::to_string(num_slots_) + " slots)");
  }
  return strategy_.indices(slot);
}

}  // namespace codex::prover::slots
