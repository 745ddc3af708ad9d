#include <gtest/gtest.h>

#include <numeric>

#include "exchange/chunker/chunker.h"

using namespace codex;

TEST(Chunker, FixedBlocksWithZeroPaddedTail) {
  for (size_t total : {0u, 1u, 63u, 64u, 65u, 200u, 256u}) {
    for (size_t piece : {1u, 7u, 64u, 100u, 1000u}) {
      std::vector<uint8_t> input(total);
      std::iota(input.begin(), input.end(), uint8_t(1));
      std::string joined;
      std::vector<size_t> data_bytes;
      Chunker c(64, [&](std::span<const uint8_t> b, size_t n) {
        ASSERT_EQ(b.size(), 64u);
        joined.append(reinterpret_cast<const char*>(b.data()), b.size());
        data_bytes.push_back(n);
      });
      for (size_t off = 0; off < total; off += piece)
        c.write({input.data() + off, std::min(piece, total - off)});
      c.finish();
      EXPECT_EQ(c.bytes_in(), total);
      EXPECT_EQ(data_bytes.size(), (total + 63) / 64);
      EXPECT_EQ(c.blocks_out(), data_bytes.size());
      ASSERT_EQ(joined.size(), data_bytes.size() * 64);
      EXPECT_EQ(joined.substr(0, total), std::string(input.begin(), input.end()));
      EXPECT_EQ(joined.substr(total), std::string(joined.size() - total, '\0'));
      if (!data_bytes.empty()) EXPECT_EQ(data_bytes.back(), total % 64 ? total % 64 : 64);
    }
  }
}

TEST(Chunker, RejectsZeroBlockSize) {
  EXPECT_THROW(Chunker(0, [](auto, auto) {}), std::invalid_argument);
}
