#include "exchange/erasure/indexing.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace codex::erasure {

IndexingStrategy::IndexingStrategy(StrategyType type, uint64_t first, uint64_t last,
                                   uint64_t iterations, uint64_t group_count,
                                   uint64_t pad_block_count)
    : type_(type),
      first_(first),
      last_(last),
      iterations_(iterations),
      step_(0),
      pad_block_count_(pad_block_count),
      group_count_(group_count) {
  if (first > last)
    throw std::invalid_argument("indexing: first index " + std::to_string(first) +
                                " is greater than last index " + std::to_string(last));
  if (iterations == 0) throw std::invalid_argument("indexing: iterations must be at least 1");
  if (group_count == 0) throw std::invalid_argument("indexing: group count must be at least 1");
  if (type != StrategyType::kLinear && type != StrategyType::kStepped)
    throw std::invalid_argument("indexing: unknown strategy type");
  uint64_t count = last - first + 1;
  step_ = count / iterations + (count % iterations != 0);
}

std::vector<uint64_t> IndexingStrategy::indices(uint64_t iteration) const {
  if (iteration >= iterations_)
    throw std::out_of_range("indexing: iteration " + std::to_string(iteration) +
                            " out of range (iterations = " + std::to_string(iterations_) + ")");
  std::vector<uint64_t> out;
  if (type_ == StrategyType::kLinear) {
    // Compare offsets, not sums, so huge ranges cannot overflow.
    uint64_t offset = iteration * step_;
    if (offset <= last_ - first_) {
      uint64_t begin = first_ + offset;
      uint64_t end = first_ + std::min(offset + step_ - 1, last_ - first_);
      out.reserve(end - begin + 1 + pad_block_count_);
      for (uint64_t i = begin; i <= end; ++i)
        out.push_back(i);
    }
  } else {
    out.reserve(step_ + pad_block_count_);
    for (uint64_t i = first_ + iteration; i <= last_; i += iterations_)
      out.push_back(i);
  }
  for (uint64_t j = 0; j < pad_block_count_; ++j)
    out.push_back(last_ + (iteration + 1) + j * group_count_);
  return out;
}

}  // namespace codex::erasure
