// Protocol arithmetic that needs no chain access (spec/marketplace.md §4, §9, §11):
// periods, validator groups, and the proof's public-input conversions.
#pragma once

#include <cstdint>
#include <stdexcept>

#include "agent/market/types.h"

namespace codex::market {

class Periods {
 public:
  // Throws std::invalid_argument for a zero period length.
  explicit Periods(uint64_t seconds_per_period) : len_(seconds_per_period) {
    if (len_ == 0) throw std::invalid_argument("periods: zero period length");
  }
  uint64_t period_of(uint64_t timestamp) const { return timestamp / len_; }
  uint64_t start(uint64_t period) const { return period * len_; }
  uint64_t end(uint64_t period) const { return (period + 1) * len_; }
  uint64_t length() const { return len_; }

 private:
  uint64_t len_;
};

// Validator partition of a slot: the first 8 bytes of the slot id, big-endian,
// modulo `groups` (> 0; throws std::invalid_argument otherwise).
uint64_t slot_group(const SlotId& slot, uint64_t groups);

// Public input "entropy": bytes 0..30 of the challenge read little-endian (§11).
Uint256 challenge_to_field(const Hash& challenge);
// Public input "dataSetRoot": all 32 bytes of the merkle root read little-endian (§11).
Uint256 merkle_root_to_field(const Hash& root);

}  // namespace codex::market
