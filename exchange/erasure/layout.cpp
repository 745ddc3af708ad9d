#include "exchange/erasure/layout.h"

#include <bit>
#include <stdexcept>
#include <string>

namespace codex::erasure {

SteppedLayout::SteppedLayout(ErasureParams params, uint64_t original_blocks, uint64_t block_size)
    : params_(params), original_blocks_(original_blocks) {
  params_.validate();
  params_.require_blocks(original_blocks, block_size);
  rounded_ = (original_blocks + params_.k - 1) / params_.k * params_.k;
  steps_ = rounded_ / params_.k;
}

uint64_t SteppedLayout::index(uint64_t step, uint32_t position) const {
  if (step >= steps_ || position >= params_.slots())
    throw std::out_of_range("layout: step " + std::to_string(step) + " position " +
                            std::to_string(position) + " out of range");
  return position * steps_ + step;
}

std::vector<uint64_t> SteppedLayout::step_indices(uint64_t step) const {
  std::vector<uint64_t> out(params_.slots());
  for (uint32_t p = 0; p < params_.slots(); ++p)
    out[p] = index(step, p);
  return out;
}

uint64_t SteppedLayout::step_of(uint64_t index) const {
  if (index >= encoded_blocks())
    throw std::out_of_range("layout: index " + std::to_string(index) + " out of range");
  return index % steps_;
}

uint32_t SteppedLayout::position_of(uint64_t index) const {
  if (index >= encoded_blocks())
    throw std::out_of_range("layout: index " + std::to_string(index) + " out of range");
  return static_cast<uint32_t>(index / steps_);
}

base::IndexingStrategy SteppedLayout::encoding_strategy() const {
  return base::IndexingStrategy(base::StrategyType::kStepped, 0, rounded_ - 1, steps_);
}

base::IndexingStrategy SteppedLayout::slot_strategy(uint64_t pad_blocks) const {
  return base::IndexingStrategy(base::StrategyType::kLinear, 0, encoded_blocks() - 1,
                                params_.slots(), params_.slots(), pad_blocks);
}

std::vector<uint64_t> SteppedLayout::slot_indices(uint32_t slot, uint64_t pad_blocks) const {
  return slot_strategy(pad_blocks).indices(slot);
}

uint64_t slot_pad_blocks(uint64_t slot_blocks, uint64_t cells_per_block) {
  if (slot_blocks == 0) throw std::invalid_argument("slot padding: a slot has at least 1 block");
  if (!std::has_single_bit(cells_per_block))
    throw std::invalid_argument("slot padding: cells per block must be a power of two");
  uint64_t cells = slot_blocks * cells_per_block;
  return std::bit_ceil(cells) / cells_per_block - slot_blocks;
}

}  // namespace codex::erasure
