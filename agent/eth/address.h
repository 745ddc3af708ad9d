// A 20-byte Ethereum account address.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace codex::eth {

struct Address {
  std::array<uint8_t, 20> bytes{};

  // Parses "0x" + 40 hex digits. All-lower or all-upper case is accepted as is;
  // mixed case must carry a valid EIP-55 checksum. Throws std::invalid_argument.
  static Address parse(std::string_view text);

  // Lower-case "0x..." form (what JSON-RPC expects).
  std::string hex() const;
  // EIP-55 mixed-case checksum form.
  std::string checksummed() const;
  bool is_zero() const;

  friend auto operator<=>(const Address&, const Address&) = default;
};

}  // namespace codex::eth
