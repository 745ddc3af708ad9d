#include "prover/slots/index_strategy.h"

#include <algorithm>
#include <string>

#include "prover/error.h"

namespace codex::prover::slots {

IndexingStrategy::IndexingStrategy(StrategyType type, uint64_t first, uint64_t last,
                                   uint64_t iterations, uint64_t group_count,
                                   uint64_t pad_block_count)
    : type_(type),
      first_(first),
      last_(last),
      iterations_(iterations),
      group_count_(group_count),
      pad_block_count_(pad_block_count),
      step_(0) {
  if (first > last) {
    throw InvalidInput("indexing: first index " + std::to_string(first) +
                       " is greater than last index " + std::to_string(last));
  }
  if (iterations == 0) throw InvalidInput("indexing: iterations must be greater than zero");
  if (group_count == 0) throw InvalidInput("indexing: group count must be greater than zero");
  uint64_t count = last - first + 1;
  step_ = count / iterations + (count % iterations != 0);
}

std::vector<uint64_t> IndexingStrategy::indices(uint64_t iteration) const {
  if (iteration >= iterations_) {
    throw InvalidInput("indexing: iteration " + std::to_string(iteration) +
                       " out of range (iterations " + std::to_string(iterations_) + ")");
  }
  std::vector<uint64_t> out;
  if (type_ == StrategyType::kLinear) {
    uint64_t begin = first_ + iteration * step_;
    if (begin <= last_) {
      uint64_t end = std::min(begin + step_ - 1, last_);
      for (uint64_t i = begin; i <= end; ++i)
        out.push_back(i);
    }
  } else {
    for (uint64_t i = first_ + iteration; i <= last_; i += iterations_)
      out.push_back(i);
  }
  for (uint64_t j = 0; j < pad_block_count_; ++j) {
    out.push_back(last_ + (iteration + 1) + j * group_count_);
  }
  return out;
}

}  // namespace codex::prover::slots
