// Marketplace values as C++ structs (spec/marketplace.md §2), ids (§4) and the
// derived amounts (§2.2). Field order is ABI tuple order.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "agent/eth/address.h"
#include "agent/eth/hex.h"
#include "agent/eth/uint256.h"

namespace codex::market {

using eth::Address;
using eth::Bytes;
using eth::Uint256;
using Hash = std::array<uint8_t, 32>;
using RequestId = Hash;
using SlotId = Hash;

struct Ask {
  Uint256 proof_probability;
  Uint256 price_per_byte_per_second;
  Uint256 collateral_per_byte;
  uint64_t slots = 0;
  uint64_t slot_size = 0;
  uint64_t duration = 0;
  uint64_t max_slot_loss = 0;
  friend bool operator==(const Ask&, const Ask&) = default;
};

struct Content {
  Bytes cid;
  Hash merkle_root{};
  friend bool operator==(const Content&, const Content&) = default;
};

struct Request {
  Address client;
  Ask ask;
  Content content;
  uint64_t expiry = 0;  // seconds after the request's block (relative)
  Hash nonce{};
  friend bool operator==(const Request&, const Request&) = default;
};

struct G1Point {
  Uint256 x, y;
};
struct Fp2Element {
  Uint256 real, imag;
};
struct G2Point {
  Fp2Element x, y;
};
struct Groth16Proof {
  G1Point a;
  G2Point b;
  G1Point c;
};

enum class RequestState : uint8_t { New = 0, Started = 1, Cancelled = 2, Finished = 3, Failed = 4 };
enum class SlotState : uint8_t {
  Free = 0,
  Filled = 1,
  Finished = 2,
  Failed = 3,
  Paid = 4,
  Cancelled = 5,
  Repair = 6
};

struct MarketplaceConfig {
  struct Collateral {
    uint8_t repair_reward_percentage = 10;
    uint8_t max_number_of_slashes = 2;
    uint8_t slash_percentage = 20;
    uint8_t validator_reward_percentage = 20;
  } collateral;
  struct Proofs {
    uint64_t period = 120;
    uint64_t timeout = 30;
    uint8_t downtime = 64;
    uint8_t downtime_product = 67;
    std::string zkey_hash;
  } proofs;
  uint8_t max_reservations = 3;
  uint64_t request_duration_limit = 2592000;
};

// requestId = keccak256(abi.encode(request)) (§4).
RequestId request_id(const Request& r);
// slotId = keccak256(requestId ‖ uint256(slotIndex)) (§4).
SlotId slot_id(const RequestId& id, uint64_t slot_index);

// §2.2; throw std::overflow_error on 256-bit overflow.
Uint256 price_per_slot_per_second(const Ask& a);
Uint256 collateral_per_slot(const Ask& a);
Uint256 max_price(const Ask& a);

}  // namespace codex::market
