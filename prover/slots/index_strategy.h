// Block indexing strategies (node.md §2.1): which dataset block indices belong
// to each iteration (an erasure-coding step, or a slot).
//   step = ceil((last − first + 1) / iterations)
//   Linear:  iteration i → first + i·step … min(first + i·step + step − 1, last)
//   Stepped: iteration i → first + i, first + i + iterations, … ≤ last
// followed, when pad_block_count > 0, by the pad indices
//   last + (i + 1) + j·group_count, j < pad_block_count
// (indices past `last`, which the slot builder reads as all-zero blocks).
#pragma once

#include <cstdint>
#include <vector>

namespace codex::prover::slots {

enum class StrategyType { kLinear, kStepped };

class IndexingStrategy {
 public:
  // Throws InvalidInput if first > last, iterations == 0 or group_count == 0.
  IndexingStrategy(StrategyType type, uint64_t first, uint64_t last, uint64_t iterations,
                   uint64_t group_count = 1, uint64_t pad_block_count = 0);

  // Throws InvalidInput if iteration ≥ iterations().
  std::vector<uint64_t> indices(uint64_t iteration) const;

  StrategyType type() const { return type_; }
  uint64_t iterations() const { return iterations_; }
  uint64_t step() const { return step_; }

 private:
  StrategyType type_;
  uint64_t first_, last_, iterations_, group_count_, pad_block_count_, step_;
};

}  // namespace codex::prover::slots
