// The geometry of a dataset's slots (node.md §3.1, proofs.md §2): blocks of
// block_size bytes made of cells of cell_size bytes; num_slots slots; slot j
// holds the Linear-strategy blocks of iteration j, extended with pad blocks
// (all zero) up to a power-of-two number of cells.
#pragma once

#include <cstdint>
#include <vector>

#include "base/indexing_strategy.h"

namespace codex::prover::slots {

inline constexpr uint64_t kDefaultBlockSize = 65536;
inline constexpr uint64_t kDefaultCellSize = 2048;

class SlotLayout {
 public:
  // Throws InvalidInput unless: blocks_count ≥ 1, num_slots ≥ 1,
  // blocks_count % num_slots == 0, cell_size ≥ 1, block_size % cell_size == 0,
  // and block_size / cell_size is a power of two.
  SlotLayout(uint64_t blocks_count, uint64_t num_slots, uint64_t block_size = kDefaultBlockSize,
             uint64_t cell_size = kDefaultCellSize);

  uint64_t blocks_count() const { return blocks_count_; }
  uint64_t num_slots() const { return num_slots_; }
  uint64_t block_size() const { return block_size_; }
  uint64_t cell_size() const { return cell_size_; }
  uint64_t cells_per_block() const { return block_size_ / cell_size_; }
  // log2(cells_per_block): 5 for 64 KiB blocks of 2 KiB cells.
  unsigned block_tree_depth() const;
  // Field elements per cell: (cell_size + 30) / 31.
  uint64_t field_elements_per_cell() const;

  // Data blocks per slot (blocks_count / num_slots).
  uint64_t slot_data_blocks() const { return blocks_count_ / num_slots_; }
  // Blocks per slot including pad blocks (a power-of-two cell count).
  uint64_t slot_blocks() const { return slot_blocks_; }
  uint64_t slot_cells() const { return slot_blocks_ * cells_per_block(); }
  uint64_t slot_size_bytes() const { return slot_blocks_ * block_size_; }

  // Dataset block indices of a slot, pads included (pad indices are ≥
  // blocks_count). Throws InvalidInput if slot ≥ num_slots.
  std::vector<uint64_t> slot_block_indices(uint64_t slot) const;
  bool is_pad(uint64_t block_index) const { return block_index >= blocks_count_; }

 private:
  uint64_t blocks_count_, num_slots_, block_size_, cell_size_, slot_blocks_;
  base::IndexingStrategy strategy_;
};

bool is_power_of_two(uint64_t x);
// Smallest power of two ≥ x (x ≥ 1).
uint64_t next_power_of_two(uint64_t x);
unsigned log2_exact(uint64_t power_of_two);

}  // namespace codex::prover::slots
