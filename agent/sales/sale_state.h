#pragma once
// The states of one sale (spec node.md §5.3), by their JSON names.
#include <cstdint>
#include <optional>
#include <string_view>

namespace codex::sales {

enum class SaleState : uint8_t {
  Preparing,
  SlotReserving,
  Downloading,
  InitialProving,
  Filling,
  Filled,
  Proving,
  Payout,
  Finished,
  Cancelled,
  Failed,
  Errored,
  Ignored,
  Unknown,
};

// "SalePreparing", "SaleSlotReserving", ...
const char* to_string(SaleState s);
std::optional<SaleState> sale_state_from(std::string_view name);

// States whose clean-up ends the sale: nothing follows them.
inline bool ends_sale(SaleState s) {
  return s == SaleState::Finished || s == SaleState::Cancelled || s == SaleState::Errored ||
         s == SaleState::Ignored;
}

}  // namespace codex::sales
