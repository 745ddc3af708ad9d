#include "base/hex.h"

#include "base/error.h"

namespace codex::base {
namespace {

constexpr size_t kQuoted = 40;  // characters of the input an error quotes

std::string quote(std::string_view text) {
  return "'" + std::string(text.substr(0, kQuoted)) + (text.size() > kQuoted ? "…'" : "'");
}

bool has_0x(std::string_view t) {
  return t.size() >= 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X');
}

// The digits of `text` after the prefix rule; throws InvalidInput.
std::string_view digits_of(std::string_view text, HexPrefix prefix) {
  const bool with = has_0x(text);
  if (prefix == HexPrefix::kRequired && !with)
    throw InvalidInput("hex: missing 0x prefix in " + quote(text));
  if (prefix == HexPrefix::kNone && with)
    throw InvalidInput("hex: unexpected 0x prefix in " + quote(text));
  std::string_view d = with ? text.substr(2) : text;
  if (d.size() % 2 != 0)
    throw InvalidInput("hex: odd number of digits (" + std::to_string(d.size()) + ") in " +
                       quote(text));
  return d;
}

// Decodes the digits d (an even number) into out[0, d.size() / 2), checking
// them all first so that nothing is written on an error (no temporary copy
// either: the bytes may be a secret).
void decode(std::string_view text, std::string_view d, uint8_t* out) {
  for (size_t i = 0; i < d.size(); ++i)
    if (hex_digit_value(d[i]) < 0)
      throw InvalidInput("hex: bad digit at offset " + std::to_string(text.size() - d.size() + i) +
                         " in " + quote(text));
  for (size_t i = 0; i < d.size(); i += 2)
    out[i / 2] = uint8_t(hex_digit_value(d[i]) << 4 | hex_digit_value(d[i + 1]));
}

}  // namespace

std::string to_hex(std::span<const uint8_t> data, bool prefix) {
  std::string s;
  s.reserve(data.size() * 2 + 2);
  if (prefix) s = "0x";
  for (uint8_t b : data) {
    s.push_back(kHexDigits[b >> 4]);
    s.push_back(kHexDigits[b & 15]);
  }
  return s;
}

std::vector<uint8_t> from_hex(std::string_view text, HexPrefix prefix) {
  const std::string_view d = digits_of(text, prefix);
  std::vector<uint8_t> out(d.size() / 2);
  decode(text, d, out.data());
  return out;
}

void from_hex_exact(std::string_view text, std::span<uint8_t> out, HexPrefix prefix) {
  const std::string_view d = digits_of(text, prefix);
  if (d.size() / 2 != out.size())
    throw InvalidInput("hex: expected " + std::to_string(out.size()) + " bytes, got " +
                       std::to_string(d.size() / 2) + " in " + quote(text));
  decode(text, d, out.data());
}

}  // namespace codex::base
