#include "agent/eth/address.h"

#include <cctype>
#include <stdexcept>

#include "agent/eth/hex.h"
#include "agent/eth/keccak.h"

namespace codex::eth {

Address Address::parse(std::string_view text) {
  if (text.size() != 42 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X'))
    throw std::invalid_argument("address: expected 0x + 40 hex digits, got '" +
                                std::string(text.substr(0, 60)) + "'");
  Address a;
  from_hex_exact(text, a.bytes);
  std::string_view digits = text.substr(2);
  bool has_lower = false, has_upper = false;
  for (char c : digits) {
    has_lower |= (c >= 'a' && c <= 'f');
    has_upper |= (c >= 'A' && c <= 'F');
  }
  if (has_lower && has_upper && a.checksummed().substr(2) != digits)
    throw std::invalid_argument("address: bad EIP-55 checksum in '" + std::string(text) + "'");
  return a;
}

std::string Address::hex() const {
  return to_hex(bytes);
}

std::string Address::checksummed() const {
  std::string lower = to_hex(bytes, false);
  auto h = keccak256(lower);
  std::string out = "0x";
  for (size_t i = 0; i < lower.size(); ++i) {
    unsigned nib = (h[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 15;
    char c = lower[i];
    out.push_back(nib >= 8 ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
  }
  return out;
}

bool Address::is_zero() const {
  for (auto b : bytes)
    if (b) return false;
  return true;
}

}  // namespace codex::eth
