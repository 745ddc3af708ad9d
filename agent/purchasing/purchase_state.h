#pragma once
// The states of a purchase (spec node.md §6.2), by their JSON names.
#include <cstdint>
#include <optional>
#include <string_view>

namespace codex::purchasing {

enum class PurchaseState : uint8_t {
  Pending,    // journaled, requestStorage not mined yet
  Submitted,  // on chain, waiting for hosts
  Started,    // every slot filled
  Finished,   // ran to its end; funds to withdraw
  Failed,     // too many slots lost; funds to withdraw
  Cancelled,  // expired unfilled; funds to withdraw
  Errored,    // over, with an error
  Completed,  // over: finished and withdrawn (JSON "finished")
  Unknown,
};

// The REST API's name ("pending", "submitted", ...; Completed is "finished").
const char* to_string(PurchaseState s);
// The database's name (one per state) and back.
const char* stored_name(PurchaseState s);
std::optional<PurchaseState> purchase_state_from(std::string_view stored);

inline bool is_over(PurchaseState s) {
  return s == PurchaseState::Errored || s == PurchaseState::Completed;
}

}  // namespace codex::purchasing
