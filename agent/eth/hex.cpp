#include "agent/eth/hex.h"

#include <stdexcept>

namespace codex::eth {
namespace {

int nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string_view strip(std::string_view t) {
  if (t.size() >= 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) t.remove_prefix(2);
  return t;
}

std::string excerpt(std::string_view t) {
  return std::string(t.substr(0, 40)) + (t.size() > 40 ? "..." : "");
}

}  // namespace

std::string to_hex(std::span<const uint8_t> data, bool prefix) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  s.reserve(data.size() * 2 + 2);
  if (prefix) s = "0x";
  for (uint8_t b : data) {
    s.push_back(kDigits[b >> 4]);
    s.push_back(kDigits[b & 15]);
  }
  return s;
}

Bytes from_hex(std::string_view text) {
  std::string_view t = strip(text);
  if (t.size() % 2 != 0)
    throw std::invalid_argument("hex: odd number of digits in '" + excerpt(text) + "'");
  Bytes out(t.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = nibble(t[2 * i]), lo = nibble(t[2 * i + 1]);
    if (hi < 0 || lo < 0) throw std::invalid_argument("hex: bad digit in '" + excerpt(text) + "'");
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

void from_hex_exact(std::string_view text, std::span<uint8_t> out) {
  Bytes b = from_hex(text);
  if (b.size() != out.size())
    throw std::invalid_argument("hex: expected " + std::to_string(out.size()) + " bytes, got " +
                                std::to_string(b.size()) + " in '" + excerpt(text) + "'");
  std::copy(b.begin(), b.end(), out.begin());
}

std::string quantity(uint64_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  if (v == 0) return "0x0";
  std::string s;
  while (v) {
    s.insert(s.begin(), kDigits[v & 15]);
    v >>= 4;
  }
  return "0x" + s;
}

uint64_t parse_quantity(std::string_view text) {
  if (text.size() < 3 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X'))
    throw std::invalid_argument("quantity: expected 0x-prefixed hex, got '" + excerpt(text) + "'");
  std::string_view t = text.substr(2);
  while (t.size() > 1 && t[0] == '0')
    t.remove_prefix(1);
  if (t.size() > 16)
    throw std::invalid_argument("quantity: exceeds 64 bits: '" + excerpt(text) + "'");
  uint64_t v = 0;
  for (char c : t) {
    int n = nibble(c);
    if (n < 0) throw std::invalid_argument("quantity: bad digit in '" + excerpt(text) + "'");
    v = v << 4 | static_cast<uint64_t>(n);
  }
  return v;
}

}  // namespace codex::eth
