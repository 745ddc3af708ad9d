#pragma once
// Indexing strategies (spec node.md §2.1): how a range of block indices
// [first, last] is split into `iterations` groups. Erasure coding uses Stepped
// (one group per codeword), slots use Linear (one contiguous run per slot) with
// pad indices appended (§3.1). Plain value; pure functions; thread-safe.
#include <cstdint>
#include <vector>

#include "exchange/manifest/manifest.h"

namespace codex::erasure {

class IndexingStrategy {
 public:
  // Requires first ≤ last, iterations ≥ 1 and group_count ≥ 1; throws
  // std::invalid_argument otherwise. step = ceil((last − first + 1) / iterations).
  // (Same argument order as prover/slots/index_strategy.h, which the layer
  // rules keep separate.)
  IndexingStrategy(StrategyType type, uint64_t first, uint64_t last, uint64_t iterations,
                   uint64_t group_count = 1, uint64_t pad_block_count = 0);

  // The indices of iteration i (0 ≤ i < iterations, else std::out_of_range):
  //   Linear:  first + i·step … min(first + i·step + step − 1, last) (may be empty)
  //   Stepped: first + i, first + i + iterations, … while ≤ last
  // followed by pad_block_count pad indices last + (i+1) + j·group_count.
  std::vector<uint64_t> indices(uint64_t iteration) const;

  StrategyType type() const { return type_; }
  uint64_t first() const { return first_; }
  uint64_t last() const { return last_; }
  uint64_t iterations() const { return iterations_; }
  uint64_t step() const { return step_; }

 private:
  StrategyType type_;
  uint64_t first_, last_, iterations_, step_, pad_block_count_, group_count_;
};

}  // namespace codex::erasure
