// Turns revert data into an error name: a contract's custom errors (from its ABI),
// Solidity's Error(string) and Panic(uint256).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "agent/eth/contract_abi.h"

namespace codex::eth {

struct DecodedRevert {
  std::string name;       // "Marketplace_SlotNotFree", "Error", "Panic", or "" when unknown
  std::string signature;  // e.g. "ERC20InsufficientBalance(address,uint256,uint256)"
  std::vector<AbiValue> args;
  std::optional<std::string> reason;   // Error(string)
  std::optional<uint64_t> panic_code;  // Panic(uint256)

  // "Marketplace_SlotNotFree", "Error(\"...\")", "Panic(0x11)", or "unknown revert 0x…".
  std::string describe() const;
};

// Decodes `data` against the errors of `abis` (first match wins) and the two
// built-in errors. Never throws: arguments that fail to decode are left empty and
// empty or unknown data yields an empty name. Thread-safe.
DecodedRevert decode_revert(std::span<const uint8_t> data,
                            const std::vector<const ContractAbi*>& abis);

}  // namespace codex::eth
