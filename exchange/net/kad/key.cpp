#include "exchange/net/kad/key.h"

#include <bit>

#include "exchange/crypto/sha256.h"

namespace codex::net::kad {

Point point_of(std::span<const uint8_t> key) {
  return sha256(key);
}

Point point_of(const PeerId& peer) {
  return sha256(peer.bytes());
}

std::vector<uint8_t> provider_key(const Cid& cid) {
  // The binary CID is <varint version><varint codec><multihash>: skip the two varints.
  const std::string& b = cid.bytes();
  size_t i = 0;
  for (int varints = 0; varints < 2; ++varints) {
    while (i < b.size() && (uint8_t(b[i]) & 0x80))
      ++i;
    ++i;
  }
  return {b.begin() + std::ptrdiff_t(i), b.end()};
}

Point distance(const Point& a, const Point& b) {
  Point d;
  for (size_t i = 0; i < d.size(); ++i)
    d[i] = a[i] ^ b[i];
  return d;
}

int common_prefix_length(const Point& a, const Point& b) {
  for (size_t i = 0; i < a.size(); ++i)
    if (const uint8_t x = a[i] ^ b[i]) return int(i) * 8 + std::countl_zero(x);
  return 256;
}

}  // namespace codex::net::kad
