#include "exchange/crypto/crc32c.h"

#include <isa-l/crc.h>

#include <algorithm>
#include <climits>

namespace codex {

uint32_t crc32c(std::span<const uint8_t> data) {
  // crc32_iscsi takes an int length and neither inverts its input nor its
  // result: chain pieces of at most INT_MAX bytes on the raw register.
  unsigned int crc = 0xFFFFFFFFu;
  const uint8_t* p = data.data();
  size_t left = data.size();
  do {
    int n = static_cast<int>(std::min<size_t>(left, INT_MAX));
    crc = crc32_iscsi(const_cast<unsigned char*>(p), n, crc);
    p += n;
    left -= static_cast<size_t>(n);
  } while (left > 0);
  return ~crc;
}

}  // namespace codex
