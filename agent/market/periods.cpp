#include "agent/market/periods.h"

#include <algorithm>

namespace codex::market {

uint64_t slot_group(const SlotId& slot, uint64_t groups) {
  if (groups == 0) throw std::invalid_argument("slot_group: zero groups");
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v = v << 8 | slot[static_cast<size_t>(i)];
  return v % groups;
}

Uint256 challenge_to_field(const Hash& challenge) {
  std::array<uint8_t, 31> be{};
  std::reverse_copy(challenge.begin(), challenge.begin() + 31, be.begin());
  return Uint256::from_be_bytes(be);
}

Uint256 merkle_root_to_field(const Hash& root) {
  Hash be;
  std::reverse_copy(root.begin(), root.end(), be.begin());
  return Uint256::from_be_bytes(be);
}

}  // namespace codex::market
