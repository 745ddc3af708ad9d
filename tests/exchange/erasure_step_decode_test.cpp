// decode_step: one step of a stepped layout restored from a partial set of
// its blocks (what a network download has), padding positions known zero,
// too many losses and blocks of another codeword refused clearly.
#include <gtest/gtest.h>

#include <random>

#include "exchange/erasure/errors.h"
#include "exchange/erasure/step_decode.h"

namespace codex::erasure {
namespace {

constexpr size_t kBlock = 256;

// The K + M blocks of `step` for random data of `original` blocks (padding
// positions zero), as strings.
std::vector<std::optional<std::string>> codeword(const ReedSolomonCodec& codec,
                                                 const SteppedLayout& layout, uint64_t step,
                                                 std::mt19937_64& rng) {
  const uint32_t k = layout.k(), n = layout.params().slots();
  std::vector<std::optional<std::string>> out(n);
  std::vector<const uint8_t*> data;
  std::vector<uint8_t*> parity;
  for (uint32_t p = 0; p < n; ++p) {
    out[p].emplace(kBlock, '\0');
    if (p < k && !layout.is_padding(layout.index(step, p)))
      for (auto& c : *out[p])
        c = char(rng());
    auto* ptr = reinterpret_cast<uint8_t*>(out[p]->data());
    if (p < k)
      data.push_back(ptr);
    else
      parity.push_back(ptr);
  }
  codec.encode(data, parity);
  return out;
}

TEST(ErasureStepDecode, EveryLossOfAtMostMRestoresTheData) {
  const SteppedLayout layout({3, 2}, 8, kBlock);  // 3 steps, index 8 is padding
  const ReedSolomonCodec codec({3, 2}, kBlock);
  std::mt19937_64 rng(1);
  for (uint64_t step = 0; step < layout.steps(); ++step) {
    const auto full = codeword(codec, layout, step, rng);
    for (uint32_t mask = 0; mask < 32; ++mask) {
      if (__builtin_popcount(mask) > 2) continue;
      auto partial = full;
      for (uint32_t p = 0; p < 5; ++p)
        if (mask & (1u << p)) partial[p].reset();
      decode_step(codec, layout, step, partial);
      for (uint32_t p = 0; p < 3; ++p)
        EXPECT_EQ(partial[p], full[p]) << "step " << step << " mask " << mask << " p " << p;
    }
  }
}

TEST(ErasureStepDecode, PaddingCountsAsKnownAndNeedsNoBlock) {
  const SteppedLayout layout({3, 2}, 8, kBlock);
  const ReedSolomonCodec codec({3, 2}, kBlock);
  std::mt19937_64 rng(2);
  // Step 2: positions 0, 1 data (indices 2, 5), position 2 padding (index 8).
  ASSERT_TRUE(layout.is_padding(layout.index(2, 2)));
  const auto full = codeword(codec, layout, 2, rng);
  auto partial = full;
  partial[0].reset();
  partial[2].reset();  // padding, not fetched
  partial[4].reset();
  decode_step(codec, layout, 2, partial);
  EXPECT_EQ(partial[0], full[0]);
  EXPECT_EQ(partial[2], std::string(kBlock, '\0'));
}

TEST(ErasureStepDecode, MoreThanMLostNamesTheStepAndIndices) {
  const SteppedLayout layout({3, 2}, 9, kBlock);
  const ReedSolomonCodec codec({3, 2}, kBlock);
  std::mt19937_64 rng(3);
  auto partial = codeword(codec, layout, 1, rng);
  partial[0].reset();
  partial[1].reset();
  partial[3].reset();
  try {
    decode_step(codec, layout, 1, partial);
    FAIL() << "decoded with 2 of 5 blocks";
  } catch (const TooManyLossesError& e) {
    EXPECT_EQ(e.step(), 1u);
    EXPECT_EQ(e.lost_indices(), (std::vector<uint64_t>{1, 4, 10}));
    EXPECT_NE(std::string(e.what()).find("at most M=2"), std::string::npos) << e.what();
  }
}

TEST(ErasureStepDecode, ABlockOfAnotherCodewordIsRefused) {
  const SteppedLayout layout({3, 2}, 9, kBlock);
  const ReedSolomonCodec codec({3, 2}, kBlock);
  std::mt19937_64 rng(4);
  auto partial = codeword(codec, layout, 0, rng);
  const auto other = codeword(codec, layout, 1, rng);
  partial[0].reset();
  partial[1] = other[1];  // four blocks at hand, one of them foreign
  EXPECT_THROW(decode_step(codec, layout, 0, partial), ErasureError);
  // A wrong size is refused before decoding.
  auto sized = codeword(codec, layout, 0, rng);
  sized[0].reset();
  sized[3]->pop_back();
  EXPECT_THROW(decode_step(codec, layout, 0, sized), ErasureError);
}

}  // namespace
}  // namespace codex::erasure
