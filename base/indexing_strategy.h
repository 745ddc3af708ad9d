#pragma once
// Block indexing strategies (spec node.md §2.1, §2.2, §3.1): which dataset
// block indices belong to each iteration of a range [first, last] — an
// erasure-coding step (Stepped) or a slot (Linear).
//
//   step = ceil((last − first + 1) / iterations)
//   Linear:  iteration i → first + i·step … min(first + i·step + step − 1, last)
//            (empty when first + i·step > last)
//   Stepped: iteration i → first + i, first + i + iterations, … while ≤ last
//
// followed, when pad_block_count > 0, by the pad indices
//   last + (i + 1) + j·group_count, j < pad_block_count
// (indices past `last`, which readers treat as all-zero blocks).
//
// Every index is computed without overflow up to last = UINT64_MAX.
// Immutable value; thread-safe.
#include <cstdint>
#include <vector>

namespace codex::base {

// The values are the manifest's wire encoding (node.md §1.4).
enum class StrategyType : uint32_t { kLinear = 0, kStepped = 1 };

class IndexingStrategy {
 public:
  // Throws InvalidInput if first > last, iterations == 0, group_count == 0,
  // the type is unknown, or a pad index would exceed UINT64_MAX.
  IndexingStrategy(StrategyType type, uint64_t first, uint64_t last, uint64_t iterations,
                   uint64_t group_count = 1, uint64_t pad_block_count = 0);

  // The indices of iteration i, pads last. Throws InvalidInput if
  // i ≥ iterations() (and std::length_error if they cannot fit in memory).
  std::vector<uint64_t> indices(uint64_t iteration) const;

  StrategyType type() const { return type_; }
  uint64_t first() const { return first_; }
  uint64_t last() const { return last_; }
  uint64_t iterations() const { return iterations_; }
  uint64_t step() const { return step_; }
  uint64_t group_count() const { return group_count_; }
  uint64_t pad_block_count() const { return pad_block_count_; }

 private:
  StrategyType type_;
  uint64_t first_, last_, iterations_, group_count_, pad_block_count_, step_;
};

}  // namespace codex::base
