#pragma once
// Settings of the validator role (spec node.md §7): which slots it watches.
#include <chrono>
#include <cstdint>
#include <string>

#include "agent/market/types.h"

namespace codex::validator {

struct ValidatorOptions {
  // Most slots watched at once; 0 = no limit (the reference's default 1000).
  uint64_t max_slots = 1000;
  // 0 = no groups: every slot. Else 2 … 65535, and this validator watches the
  // slots whose group (market::slot_group) is group_index.
  uint64_t groups = 0;
  uint64_t group_index = 0;
  // Where the event position is kept, and how often events are polled.
  std::string stream_name = "node/validator";
  std::chrono::milliseconds poll_interval{1000};

  // Throws std::invalid_argument naming the option for a bad combination.
  void validate() const;
  // Whether a slot belongs to this validator's group.
  bool observes(const market::SlotId& slot) const;
};

}  // namespace codex::validator
