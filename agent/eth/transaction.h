// Transactions as plain values, signed once: EIP-1559 (type 2) and legacy
// EIP-155 (for nodes without EIP-1559). A SignedTx is what gets journaled and sent.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "agent/eth/address.h"
#include "agent/eth/hex.h"
#include "agent/eth/private_key.h"
#include "agent/eth/uint256.h"

namespace codex::eth {

using Hash = std::array<uint8_t, 32>;

struct Eip1559Tx {
  uint64_t chain_id = 0;
  uint64_t nonce = 0;
  Uint256 max_priority_fee_per_gas;
  Uint256 max_fee_per_gas;
  uint64_t gas_limit = 0;
  std::optional<Address> to;  // empty = contract creation
  Uint256 value;
  Bytes data;  // access lists are not used (always empty)
};

struct LegacyTx {
  uint64_t chain_id = 0;  // EIP-155 replay protection; always set
  uint64_t nonce = 0;
  Uint256 gas_price;
  uint64_t gas_limit = 0;
  std::optional<Address> to;
  Uint256 value;
  Bytes data;
};

struct SignedTx {
  Bytes raw;  // what eth_sendRawTransaction takes
  Hash hash;  // keccak256(raw): the transaction hash
  uint64_t nonce = 0;
  Address from;
};

// The hash the sender signs. Pure; thread-safe.
Hash signing_hash(const Eip1559Tx& tx);
Hash signing_hash(const LegacyTx& tx);

// Signs and serialises. Requires tx.max_priority_fee_per_gas <= tx.max_fee_per_gas
// (throws std::invalid_argument otherwise).
SignedTx sign(const Eip1559Tx& tx, const PrivateKey& key);
SignedTx sign(const LegacyTx& tx, const PrivateKey& key);

// Recovers the sender and nonce of a raw signed transaction (type 2 or legacy
// EIP-155). Throws rlp::DecodeError / std::invalid_argument on malformed input.
SignedTx parse_signed(std::span<const uint8_t> raw);

}  // namespace codex::eth
