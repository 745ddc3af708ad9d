// Hex for Ethereum: the project's hex codec (base/hex.h) under this
// namespace's names, and JSON-RPC "quantity" helpers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/hex.h"

namespace codex::eth {

using Bytes = std::vector<uint8_t>;

// to_hex(data, prefix = true), from_hex(text) and from_hex_exact(text, out):
// lower-case output, strict input with an optional 0x; errors throw
// base::InvalidInput (a std::invalid_argument).
using base::from_hex;
using base::from_hex_exact;
using base::to_hex;

// JSON-RPC quantity ("0x1a", no leading zeros; "0x0" for zero).
std::string quantity(uint64_t v);

// Parses a JSON-RPC quantity that must fit 64 bits. Throws std::invalid_argument.
uint64_t parse_quantity(std::string_view text);

}  // namespace codex::eth
