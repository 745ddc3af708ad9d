// Hex text <-> bytes, and JSON-RPC "quantity" helpers.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace codex::eth {

using Bytes = std::vector<uint8_t>;

// Lower-case hex of `data`, with a "0x" prefix when `prefix` is true. Thread-safe.
std::string to_hex(std::span<const uint8_t> data, bool prefix = true);

// Parses hex with or without "0x"; an odd number of digits is refused.
// Throws std::invalid_argument naming the bad input on any non-hex character.
Bytes from_hex(std::string_view text);

// Parses exactly `N` bytes of hex into `out`; throws std::invalid_argument otherwise.
void from_hex_exact(std::string_view text, std::span<uint8_t> out);

// JSON-RPC quantity ("0x1a", no leading zeros; "0x0" for zero).
std::string quantity(uint64_t v);

// Parses a JSON-RPC quantity that must fit 64 bits. Throws std::invalid_argument.
uint64_t parse_quantity(std::string_view text);

}  // namespace codex::eth
