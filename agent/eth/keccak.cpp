#include "agent/eth/keccak.h"

#include <nettle/sha3.h>

#include <cstring>

namespace codex::eth {
namespace {

constexpr size_t kRate = 136;  // 1600 bits - 2 * 256 bits capacity, in bytes

// XORs one rate-sized block into the state; lanes are little-endian.
void absorb_block(sha3_state& state, const uint8_t* block) {
  for (size_t lane = 0; lane < kRate / 8; ++lane) {
    uint64_t v = 0;
    for (int b = 7; b >= 0; --b)
      v = (v << 8) | block[lane * 8 + b];
    state.a[lane] ^= v;
  }
}

}  // namespace

std::array<uint8_t, 32> keccak256(std::span<const uint8_t> data) {
  sha3_state state;
  std::memset(&state, 0, sizeof state);
  size_t off = 0;
  while (data.size() - off >= kRate) {
    absorb_block(state, data.data() + off);
    sha3_permute(&state);
    off += kRate;
  }
  uint8_t last[kRate] = {};
  const size_t rest = data.size() - off;
  if (rest > 0) std::memcpy(last, data.data() + off, rest);
  last[rest] ^= 0x01;  // Keccak padding, not SHA3's 0x06
  last[kRate - 1] ^= 0x80;
  absorb_block(state, last);
  sha3_permute(&state);

  std::array<uint8_t, 32> out;
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<uint8_t>(state.a[i / 8] >> (8 * (i % 8)));
  return out;
}

std::array<uint8_t, 32> keccak256(std::string_view text) {
  return keccak256(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

}  // namespace codex::eth
