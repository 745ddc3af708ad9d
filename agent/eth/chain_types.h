// Plain values the chain returns: blocks, logs, receipts; and what calls send.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agent/eth/address.h"
#include "agent/eth/hex.h"
#include "agent/eth/uint256.h"

namespace codex::eth {

using Hash = std::array<uint8_t, 32>;

// A block selector: a number, or a tag ("latest", "pending", "safe", "finalized").
struct BlockTag {
  std::optional<uint64_t> number;
  std::string tag = "latest";
  static BlockTag latest() { return {}; }
  static BlockTag pending() { return {std::nullopt, "pending"}; }
  static BlockTag at(uint64_t n) { return {n, ""}; }
  std::string to_param() const { return number ? quantity(*number) : tag; }
};

struct BlockHeader {
  uint64_t number = 0;
  Hash hash{};
  Hash parent_hash{};
  uint64_t timestamp = 0;
  std::optional<Uint256> base_fee_per_gas;  // absent before London / on legacy nodes
};

struct Log {
  Address address;
  std::vector<Hash> topics;
  Bytes data;
  uint64_t block_number = 0;
  Hash block_hash{};
  Hash transaction_hash{};
  uint64_t log_index = 0;
  bool removed = false;  // true when re-delivered because a reorg dropped it
};

struct Receipt {
  Hash transaction_hash{};
  bool success = false;  // status 1
  uint64_t block_number = 0;
  Hash block_hash{};
  uint64_t gas_used = 0;
  Uint256 effective_gas_price;
  std::optional<Address> contract_address;
  std::vector<Log> logs;
};

struct CallRequest {
  std::optional<Address> from;  // needed for sender-dependent views
  std::optional<Address> to;    // empty for contract creation (estimate only)
  Bytes data;
  Uint256 value;
  std::optional<uint64_t> gas;
};

struct LogFilter {
  std::vector<Address> addresses;  // empty = any
  // Position i matches topic i; an empty alternative list matches anything.
  std::vector<std::vector<Hash>> topics;
};

}  // namespace codex::eth
