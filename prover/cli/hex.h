// Hex strings on the command line.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace codex::prover::cli {

// Optional 0x prefix, an even number of hex digits (empty allowed). Throws
// InvalidInput otherwise.
std::vector<uint8_t> parse_hex_bytes(std::string_view s);

}  // namespace codex::prover::cli
