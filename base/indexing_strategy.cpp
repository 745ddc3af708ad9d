#include "base/indexing_strategy.h"

#include <string>

#include "base/error.h"

namespace codex::base {
namespace {

// Appends begin, begin + stride, … up to and including `end`, with no sum
// past `end` (so none can wrap at UINT64_MAX). REQUIRES: begin ≤ end.
void append_run(std::vector<uint64_t>& out, uint64_t begin, uint64_t end, uint64_t stride) {
  for (uint64_t i = begin;; i += stride) {
    out.push_back(i);
    if (end - i < stride) break;
  }
}

}  // namespace

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
  if (type != StrategyType::kLinear && type != StrategyType::kStepped)
    throw InvalidInput("indexing: unknown strategy type " + std::to_string(uint32_t(type)));
  if (first > last)
    throw InvalidInput("indexing: first index " + std::to_string(first) +
                       " is greater than last index " + std::to_string(last));
  if (iterations == 0) throw InvalidInput("indexing: iterations must be at least 1");
  if (group_count == 0) throw InvalidInput("indexing: group count must be at least 1");
  // ceil((last − first + 1) / iterations) without forming last − first + 1,
  // which wraps to 0 for the whole 64-bit range.
  step_ = (last - first) / iterations + 1;
  if (pad_block_count > 0) {
    // The largest pad index: last + iterations + (pad_block_count − 1)·group_count.
    uint64_t first_pad = 0, spread = 0, top = 0;
    if (__builtin_add_overflow(last, iterations, &first_pad) ||
        __builtin_mul_overflow(pad_block_count - 1, group_count, &spread) ||
        __builtin_add_overflow(first_pad, spread, &top))
      throw InvalidInput("indexing: pad indices past last index " + std::to_string(last) +
                         " exceed 64 bits");
  }
}

std::vector<uint64_t> IndexingStrategy::indices(uint64_t iteration) const {
  if (iteration >= iterations_)
    throw InvalidInput("indexing: iteration " + std::to_string(iteration) +
                       " out of range (iterations " + std::to_string(iterations_) + ")");
  const uint64_t span = last_ - first_;  // offsets run over [0, span]
  std::vector<uint64_t> out;
  if (type_ == StrategyType::kLinear) {
    // iteration·step ≤ span exactly when iteration ≤ span / step.
    if (iteration <= span / step_) {
      const uint64_t begin = iteration * step_;
      const uint64_t end = span - begin < step_ - 1 ? span : begin + step_ - 1;
      out.reserve(end - begin + 1 + pad_block_count_);
      append_run(out, first_ + begin, first_ + end, 1);
    }
  } else if (iteration <= span) {
    out.reserve((span - iteration) / iterations_ + 1 + pad_block_count_);
    append_run(out, first_ + iteration, last_, iterations_);
  }
  for (uint64_t j = 0; j < pad_block_count_; ++j)
    out.push_back(last_ + (iteration + 1) + j * group_count_);
  return out;
}

}  // namespace codex::base
