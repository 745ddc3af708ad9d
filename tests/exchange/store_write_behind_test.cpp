// WriteBehind: committed pack bytes are handed to the disk per chunk, what is
// started and not yet waited for stays within the window, removed packs are
// forgotten, and write-back never changes a pack's bytes.
#include <gtest/gtest.h>

#include <numeric>

#include "exchange/store/pack_files.h"
#include "exchange/store/write_behind.h"
#include "tests/exchange/support/store_test_support.h"

namespace codex::store {
namespace {

using testing::TempDir;

class WriteBehindTest : public ::testing::Test {
 protected:
  WriteBehindTest() : packs_(tmp_.path() / "packs") {}

  // Appends n bytes to pack id at its end; returns the range.
  std::pair<uint64_t, uint64_t> append(int64_t id, size_t n) {
    if (!packs_.file_size(id)) packs_.create(id);
    uint64_t at = *packs_.file_size(id);
    std::vector<uint8_t> b(n);
    std::iota(b.begin(), b.end(), static_cast<uint8_t>(at));
    packs_.write(id, at, b);
    return {at, at + n};
  }

  TempDir tmp_{"write_behind"};
  PackFiles packs_;
};

TEST_F(WriteBehindTest, StartsPerChunkAndStaysWithinTheWindow) {
  WriteBehind wb(packs_, /*chunk=*/4096, /*window=*/16384);
  auto [a, b] = append(1, 1000);
  wb.committed(1, a, b);
  EXPECT_EQ(wb.in_flight(), 0u);  // less than a chunk: not started yet
  for (int i = 0; i < 40; ++i) {
    auto [from, to] = append(1, 1000);
    wb.committed(1, from, to);
    EXPECT_LE(wb.in_flight(), 16384u);
  }
  EXPECT_GT(wb.in_flight(), 8192u);
  // The bytes are untouched.
  std::vector<uint8_t> got(1000);
  ASSERT_TRUE(packs_.read(1, 5000, got));
  EXPECT_EQ(got[0], static_cast<uint8_t>(5000));
}

TEST_F(WriteBehindTest, ANewPackStartsTheRestOfTheLastOne) {
  WriteBehind wb(packs_, 4096, 1 << 20);
  auto [a, b] = append(1, 3000);
  wb.committed(1, a, b);
  EXPECT_EQ(wb.in_flight(), 0u);
  auto [c, d] = append(2, 100);
  wb.committed(2, c, d);
  EXPECT_EQ(wb.in_flight(), 3000u);  // pack 1's tail started; pack 2's pending
}

TEST_F(WriteBehindTest, ForgottenPacksLeaveTheWindow) {
  WriteBehind wb(packs_, 1024, 1 << 20);
  auto [a, b] = append(1, 4096);
  wb.committed(1, a, b);
  auto [c, d] = append(2, 4096);
  wb.committed(2, c, d);
  EXPECT_EQ(wb.in_flight(), 8192u);
  wb.forget(1);
  packs_.remove(1);
  EXPECT_EQ(wb.in_flight(), 4096u);
  // A removed pack is no error for write-back either.
  WriteBehind other(packs_, 1, 1);
  other.committed(1, 0, 4096);
  other.committed(2, 0, 4096);
  EXPECT_LE(other.in_flight(), 4096u);
}

TEST_F(WriteBehindTest, EmptyAndBackwardRangesAreIgnored) {
  WriteBehind wb(packs_, 1, 1 << 20);
  append(1, 100);
  wb.committed(1, 50, 50);
  wb.committed(1, 60, 10);
  EXPECT_EQ(wb.in_flight(), 0u);
}

}  // namespace
}  // namespace codex::store
