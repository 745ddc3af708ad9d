#include "agent/validator/validator_options.h"

#include <stdexcept>

#include "agent/market/periods.h"

namespace codex::validator {

void ValidatorOptions::validate() const {
  if (groups == 0) return;
  if (groups < 2 || groups > 65535)
    throw std::invalid_argument("--validator-groups must be between 2 and 65535");
  if (group_index >= groups)
    throw std::invalid_argument("--validator-group-index must be below --validator-groups (" +
                                std::to_string(groups) + ")");
}

bool ValidatorOptions::observes(const market::SlotId& slot) const {
  return groups == 0 || market::slot_group(slot, groups) == group_index;
}

}  // namespace codex::validator
