#pragma once
// The stepped erasure-coding geometry of a dataset (spec node.md §2.1, §2.2)
// and the slot padding of §3.1. Pure functions of (K, M, blocksCount);
// immutable value; thread-safe.
//
// With B original blocks: rounded = roundUp(B, K), steps = rounded / K,
// encodedBlocks = steps · (K + M). Block index i belongs to step i mod steps at
// codeword position i div steps; positions 0..K−1 are data (indices ≥ B of
// those are padding: zero blocks with the empty CID), K..K+M−1 parity. Slot j
// holds position j of every step: indices j·steps … j·steps + steps − 1.
#include <cstdint>
#include <vector>

#include "base/indexing_strategy.h"
#include "exchange/erasure/params.h"

namespace codex::erasure {

class SteppedLayout {
 public:
  // Throws ErasureParamsError for invalid K/M and InsufficientBlocksError when
  // original_blocks < K (block_size only feeds that error's message).
  SteppedLayout(ErasureParams params, uint64_t original_blocks, uint64_t block_size);

  const ErasureParams& params() const { return params_; }
  uint32_t k() const { return params_.k; }
  uint32_t m() const { return params_.m; }
  uint64_t original_blocks() const { return original_blocks_; }
  uint64_t rounded() const { return rounded_; }
  uint64_t steps() const { return steps_; }
  uint64_t encoded_blocks() const { return steps_ * params_.slots(); }

  // Dataset index of codeword position `position` (0..K+M−1) of `step`
  // (= position · steps + step). Throws std::out_of_range on bad arguments.
  uint64_t index(uint64_t step, uint32_t position) const;
  // The K + M indices of a step in position order (data first, then parity).
  std::vector<uint64_t> step_indices(uint64_t step) const;
  // Inverse of index(); require index < encoded_blocks() (std::out_of_range).
  uint64_t step_of(uint64_t index) const;
  uint32_t position_of(uint64_t index) const;

  bool is_parity(uint64_t index) const { return index >= rounded_; }
  // A data position past the original blocks: an all-zero block, empty CID.
  bool is_padding(uint64_t index) const { return index >= original_blocks_ && index < rounded_; }

  // Stepped over [0, rounded − 1] with `steps` iterations: iteration s yields
  // the data indices of step s.
  base::IndexingStrategy encoding_strategy() const;

  // Blocks per slot before padding (numSlotBlocks = steps).
  uint64_t slot_blocks() const { return steps_; }
  // Linear over [0, encodedBlocks − 1] with K + M iterations; group count
  // K + M and `pad_blocks` pad indices per slot (§3.1).
  base::IndexingStrategy slot_strategy(uint64_t pad_blocks = 0) const;
  // The block indices of slot j, including pad indices (≥ encodedBlocks).
  std::vector<uint64_t> slot_indices(uint32_t slot, uint64_t pad_blocks = 0) const;

 private:
  ErasureParams params_;
  uint64_t original_blocks_;
  uint64_t rounded_;
  uint64_t steps_;
};

// §3.1: pad blocks to append to a slot of `slot_blocks` blocks so that it has
// a power-of-two number of cells (nextPow2(slot_blocks · cells_per_block) /
// cells_per_block − slot_blocks). Requires slot_blocks ≥ 1 and cells_per_block a
// power of two (std::invalid_argument otherwise).
uint64_t slot_pad_blocks(uint64_t slot_blocks, uint64_t cells_per_block);

}  // namespace codex::erasure
