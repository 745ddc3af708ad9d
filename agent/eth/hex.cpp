#include "agent/eth/hex.h"

#include <stdexcept>

namespace codex::eth {
namespace {

std::string excerpt(std::string_view t) {
  return std::string(t.substr(0, 40)) + (t.size() > 40 ? "..." : "");
}

}  // namespace

std::string quantity(uint64_t v) {
  if (v == 0) return "0x0";
  std::string s;
  while (v) {
    s.insert(s.begin(), base::kHexDigits[v & 15]);
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
    int n = base::hex_digit_value(c);
    if (n < 0) throw std::invalid_argument("quantity: bad digit in '" + excerpt(text) + "'");
    v = v << 4 | static_cast<uint64_t>(n);
  }
  return v;
}

}  // namespace codex::eth
