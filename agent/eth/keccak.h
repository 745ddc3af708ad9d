// Keccak-256 as used by Ethereum: the original Keccak padding (0x01), not the
// FIPS-202 SHA3-256 padding (0x06). Built on nettle's Keccak-f[1600] permutation.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace codex::eth {

// Returns the 32-byte Keccak-256 digest of `data`. Pure; thread-safe.
std::array<uint8_t, 32> keccak256(std::span<const uint8_t> data);

// Same, over the bytes of `text` (no terminator, no encoding conversion).
std::array<uint8_t, 32> keccak256(std::string_view text);

}  // namespace codex::eth
