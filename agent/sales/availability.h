#pragma once
// What a provider offers (an availability) and what it has set aside for one
// slot (a reservation), spec node.md §5.1. Sizes are bytes, times unix
// seconds, amounts token units.
#include <array>
#include <cstdint>
#include <optional>

#include "agent/eth/uint256.h"
#include "agent/market/types.h"

namespace codex::sales {

using eth::Uint256;
using Id = std::array<uint8_t, 32>;  // random

struct Availability {
  Id id{};
  uint64_t total_size = 0;
  uint64_t free_size = 0;
  uint64_t duration = 0;  // longest request duration accepted
  Uint256 min_price_per_byte_per_second;
  Uint256 total_collateral;
  Uint256 total_remaining_collateral;
  bool enabled = true;
  int64_t until = 0;  // requests must end by then; 0 = no limit

  // totalRemainingCollateral / freeSize (all of it when freeSize is 0).
  Uint256 max_collateral_per_byte() const;
  friend bool operator==(const Availability&, const Availability&) = default;
};

struct Reservation {
  Id id{};
  Id availability_id{};
  uint64_t size = 0;  // bytes of the slot not stored yet
  market::RequestId request_id{};
  uint64_t slot_index = 0;
  int64_t valid_until = 0;  // the request's end
  friend bool operator==(const Reservation&, const Reservation&) = default;
};

// POST /sales/availability.
struct NewAvailability {
  uint64_t total_size = 0;
  uint64_t duration = 0;
  Uint256 min_price_per_byte_per_second;
  Uint256 total_collateral;
  bool enabled = true;
  int64_t until = 0;
};

// PATCH /sales/availability/{id}: the fields to change.
struct AvailabilityPatch {
  std::optional<uint64_t> total_size;
  std::optional<uint64_t> duration;
  std::optional<Uint256> min_price_per_byte_per_second;
  std::optional<Uint256> total_collateral;
  std::optional<bool> enabled;
  std::optional<int64_t> until;
};

// What a slot asks of an availability.
struct SlotAsk {
  uint64_t slot_size = 0;
  uint64_t duration = 0;
  Uint256 price_per_byte_per_second;
  Uint256 collateral_per_byte;
  int64_t request_end = 0;
};

}  // namespace codex::sales
