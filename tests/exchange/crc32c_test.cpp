// CRC32C against the check value of the CRC catalogue and the test vectors
// of RFC 3720 (iSCSI) appendix B.4: an independent source for the checksum
// the store records per block.
#include "exchange/crypto/crc32c.h"

#include <numeric>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace codex {
namespace {

uint32_t crc(std::string_view s) {
  return crc32c({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
}

TEST(Crc32c, KnownAnswers) {
  EXPECT_EQ(crc(""), 0u);
  EXPECT_EQ(crc("123456789"), 0xE3069283u);  // the catalogue's check value
  std::vector<uint8_t> b(32, 0);
  EXPECT_EQ(crc32c(b), 0x8A9136AAu);  // RFC 3720 B.4: 32 bytes of zeros
  std::fill(b.begin(), b.end(), 0xFF);
  EXPECT_EQ(crc32c(b), 0x62A8AB43u);  // 32 bytes of ones
  std::iota(b.begin(), b.end(), 0);
  EXPECT_EQ(crc32c(b), 0x46DD794Eu);  // 32 incrementing bytes
  std::iota(b.rbegin(), b.rend(), 0);
  EXPECT_EQ(crc32c(b), 0x113FDB5Cu);  // 32 decrementing bytes
}

TEST(Crc32c, OneFlippedBitChangesIt) {
  std::vector<uint8_t> block(64 * 1024);
  std::iota(block.begin(), block.end(), 7);
  const uint32_t good = crc32c(block);
  for (size_t at : {size_t(0), size_t(777), block.size() - 1}) {
    block[at] ^= 0x40;
    EXPECT_NE(crc32c(block), good) << at;
    block[at] ^= 0x40;
  }
  EXPECT_EQ(crc32c(block), good);
}

}  // namespace
}  // namespace codex
