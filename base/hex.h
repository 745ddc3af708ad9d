#pragma once
// Hex text ↔ bytes: the one codec of the project (Ethereum data and ids, key
// files, command-line byte strings, file names).
//
// Encoding is lower case. Decoding is strict: two digits per byte (an odd
// count is refused), digits 0-9 a-f A-F only (no whitespace), and a "0x" or
// "0X" prefix accepted, required or refused as asked. Errors throw
// base::InvalidInput naming the problem and quoting (the start of) the text;
// callers decoding secrets catch it and throw a message without the text.
//
// All functions are pure and thread-safe.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace codex::base {

enum class HexPrefix {
  kOptional,  // "0x…" or "…"
  kRequired,  // "0x…" only
  kNone,      // "…" only
};

inline constexpr char kHexDigits[] = "0123456789abcdef";

// The value of one hex digit (either case), or -1 if c is not one.
constexpr int hex_digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Lower-case hex of `data`, "0x"-prefixed when `prefix` is true.
std::string to_hex(std::span<const uint8_t> data, bool prefix = true);

// The bytes of `text`. Throws InvalidInput on a prefix that breaks `prefix`,
// an odd number of digits, or a character that is not a hex digit.
std::vector<uint8_t> from_hex(std::string_view text, HexPrefix prefix = HexPrefix::kOptional);

// Decodes exactly out.size() bytes into `out`. Throws InvalidInput as
// from_hex does, and when the text holds another number of bytes (`out` is
// then left unchanged).
void from_hex_exact(std::string_view text, std::span<uint8_t> out,
                    HexPrefix prefix = HexPrefix::kOptional);

}  // namespace codex::base
