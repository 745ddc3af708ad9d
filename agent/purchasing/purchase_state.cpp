#include "agent/purchasing/purchase_state.h"

#include <array>

namespace codex::purchasing {
namespace {

// Finished and Completed show as "finished" (the withdrawal is internal);
// the database keeps them apart with these names.
constexpr std::array<const char*, 9> kStored = {"pending",  "submitted", "started",
                                                "finished", "failed",    "cancelled",
                                                "errored",  "completed", "unknown"};

}  // namespace

const char* to_string(PurchaseState s) {
  if (s == PurchaseState::Completed) return "finished";
  const auto i = static_cast<size_t>(s);
  return i < kStored.size() ? kStored[i] : "?";
}

const char* stored_name(PurchaseState s) {
  const auto i = static_cast<size_t>(s);
  return i < kStored.size() ? kStored[i] : "?";
}

std::optional<PurchaseState> purchase_state_from(std::string_view name) {
  for (size_t i = 0; i < kStored.size(); ++i)
    if (name == kStored[i]) return static_cast<PurchaseState>(i);
  return std::nullopt;
}

}  // namespace codex::purchasing
