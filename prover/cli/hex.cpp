#include "prover/cli/hex.h"

#include <string>

#include "prover/error.h"

namespace codex::prover::cli {

std::vector<uint8_t> parse_hex_bytes(std::string_view s) {
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
  if (s.size() % 2 != 0) {
    throw InvalidInput("hex byte string has an odd number of digits (" + std::to_string(s.size()) +
                       ")");
  }
  auto nibble = [&](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw InvalidInput(std::string("invalid hex digit '") + c + "' in byte string");
  };
  std::vector<uint8_t> out(s.size() / 2);
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = uint8_t(nibble(s[2 * i]) << 4 | nibble(s[2 * i + 1]));
  return out;
}

}  // namespace codex::prover::cli
