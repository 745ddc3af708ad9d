// The observable marketplace state through MarketApi, as labelled strings, so
// two implementations (the contract on anvil, the model) can be compared view
// by view and a mismatch names the view, the id and both values. A view that
// reverts reads as "revert <error name>".
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "agent/eth/hex.h"
#include "agent/market/market_api.h"

namespace codex::test {

inline std::string short_hex(const market::Hash& h) {
  return eth::to_hex(std::span<const uint8_t>(h.data(), 6)) + "…";
}

inline std::string describe(const market::MarketEvent& e) {
  using namespace market;
  return std::visit(
      [](const auto& x) -> std::string {
        using E = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<E, StorageRequested>)
          return "StorageRequested(" + eth::to_hex(x.request_id) + ", slots " +
                 std::to_string(x.ask.slots) + ", duration " + std::to_string(x.ask.duration) +
                 ", expiresAt " + std::to_string(x.expires_at) + ")";
        else if constexpr (std::is_same_v<E, RequestFulfilled>)
          return "RequestFulfilled(" + eth::to_hex(x.request_id) + ")";
        else if constexpr (std::is_same_v<E, RequestFailed>)
          return "RequestFailed(" + eth::to_hex(x.request_id) + ")";
        else if constexpr (std::is_same_v<E, RequestCancelled>)
          return "RequestCancelled(" + eth::to_hex(x.request_id) + ")";
        else if constexpr (std::is_same_v<E, SlotFilled>)
          return "SlotFilled(" + eth::to_hex(x.request_id) + ", " + std::to_string(x.slot_index) +
                 ")";
        else if constexpr (std::is_same_v<E, SlotFreed>)
          return "SlotFreed(" + eth::to_hex(x.request_id) + ", " + std::to_string(x.slot_index) +
                 ")";
        else if constexpr (std::is_same_v<E, SlotReservationsFull>)
          return "SlotReservationsFull(" + eth::to_hex(x.request_id) + ", " +
                 std::to_string(x.slot_index) + ")";
        else
          return "ProofSubmitted(" + eth::to_hex(x.slot_id) + ")";
      },
      e);
}

// StorageRequested carries the whole Ask: compare it too.
inline std::string describe_exact(const market::MarketEvent& e) {
  std::string s = describe(e);
  if (auto* r = std::get_if<market::StorageRequested>(&e))
    s += " ask(" + r->ask.proof_probability.to_dec() + "," +
         r->ask.price_per_byte_per_second.to_dec() + "," + r->ask.collateral_per_byte.to_dec() +
         "," + std::to_string(r->ask.slot_size) + "," + std::to_string(r->ask.max_slot_loss) + ")";
  return s;
}

inline std::string describe(const std::vector<market::MarketEvent>& events) {
  std::string s = "[";
  for (const auto& e : events)
    s += (s.size() > 1 ? ", " : "") + describe_exact(e);
  return s + "]";
}

inline std::string describe(const market::MarketAction& a) {
  using namespace market;
  return std::visit(
      [](const auto& x) -> std::string {
        using A = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<A, RequestStorage>)
          return "requestStorage(client " + x.request.client.hex() + ", slots " +
                 std::to_string(x.request.ask.slots) + ", duration " +
                 std::to_string(x.request.ask.duration) + ", expiry " +
                 std::to_string(x.request.expiry) + ", price " +
                 x.request.ask.price_per_byte_per_second.to_dec() + ") id " +
                 eth::to_hex(request_id(x.request));
        else if constexpr (std::is_same_v<A, ReserveSlot>)
          return "reserveSlot(" + eth::to_hex(x.request_id) + ", " + std::to_string(x.slot_index) +
                 ")";
        else if constexpr (std::is_same_v<A, FillSlot>)
          return "fillSlot(" + eth::to_hex(x.request_id) + ", " + std::to_string(x.slot_index) +
                 (x.proof.a.x.is_zero() ? ", zero proof)" : ", proof)");
        else if constexpr (std::is_same_v<A, SubmitProof>)
          return "submitProof(" + eth::to_hex(x.slot_id) +
                 (x.proof.a.x.is_zero() ? ", zero proof)" : ", proof)");
        else if constexpr (std::is_same_v<A, MarkProofAsMissing>)
          return "markProofAsMissing(" + eth::to_hex(x.slot_id) + ", " + std::to_string(x.period) +
                 ")";
        else if constexpr (std::is_same_v<A, FreeSlot>)
          return "freeSlot(" + eth::to_hex(x.slot_id) +
                 (x.recipients
                      ? ", " + x.recipients->first.hex() + ", " + x.recipients->second.hex()
                      : std::string()) +
                 ")";
        else if constexpr (std::is_same_v<A, WithdrawFunds>)
          return "withdrawFunds(" + eth::to_hex(x.request_id) +
                 (x.recipient ? ", " + x.recipient->hex() : std::string()) + ")";
        else
          return "approve(" + x.spender.hex() + ", " + x.amount.to_dec() + ")";
      },
      a);
}

// "value" or "revert <name>".
template <class F>
std::string outcome(F&& f) {
  try {
    return f();
  } catch (const market::MarketError& e) {
    return "revert " + e.name();
  }
}

struct Observation {
  std::string label, value;
};

// What to read: `accounts` sign the sender views (one MarketApi each, same
// order on both sides); `requests` and `slots` are the ids to read.
struct Scope {
  std::vector<market::RequestId> requests;
  std::vector<market::SlotId> slots;
  bool full = false;  // also getRequest, getActiveSlot, slotProbability
};

// Reads the scope through `apis` (apis[0] reads the sender-independent views)
// at `at`. `period_to_mark` is the period canMarkProofAsMissing is asked for.
inline std::vector<Observation> observe(const std::vector<market::MarketApi*>& apis,
                                        const Scope& scope, market::At at,
                                        uint64_t period_to_mark) {
  using namespace market;
  std::vector<Observation> out;
  MarketApi& a = *apis.at(0);
  auto add = [&](std::string label, std::string value) {
    out.push_back({std::move(label), std::move(value)});
  };
  auto u = [](const Uint256& x) { return x.to_dec(); };
  for (const RequestId& id : scope.requests) {
    const std::string r = "request " + short_hex(id) + " ";
    add(r + "state", outcome([&] { return std::to_string(int(a.request_state(id, at))); }));
    add(r + "end", outcome([&] { return std::to_string(a.request_end(id, at)); }));
    add(r + "expiry", outcome([&] { return std::to_string(a.request_expiry(id, at)); }));
    if (scope.full)
      add(r + "getRequest", outcome([&] {
            auto q = a.get_request(id, at);
            return q ? eth::to_hex(request_id(*q)) : std::string("none");
          }));
  }
  for (const SlotId& id : scope.slots) {
    const std::string s = "slot " + short_hex(id) + " ";
    add(s + "state", outcome([&] { return std::to_string(int(a.slot_state(id, at))); }));
    add(s + "host", outcome([&] { return a.get_host(id, at).hex(); }));
    add(s + "collateral", outcome([&] { return u(a.current_collateral(id, at)); }));
    add(s + "missingProofs", outcome([&] { return std::to_string(a.missing_proofs(id, at)); }));
    add(s + "pointer", outcome([&] { return std::to_string(a.get_pointer(id, at)); }));
    add(s + "challenge", outcome([&] { return eth::to_hex(a.get_challenge(id, at)); }));
    add(s + "isProofRequired",
        outcome([&] { return std::to_string(a.is_proof_required(id, at)); }));
    add(s + "willProofBeRequired",
        outcome([&] { return std::to_string(a.will_proof_be_required(id, at)); }));
    add(s + "canMarkProofAsMissing(" + std::to_string(period_to_mark) + ")", outcome([&] {
          return a.can_mark_proof_as_missing(id, period_to_mark, at).value_or("ok");
        }));
    if (scope.full) {
      add(s + "activeSlot", outcome([&] {
            auto x = a.get_active_slot(id, at);
            return x ? eth::to_hex(request_id(x->first)) + "/" + std::to_string(x->second)
                     : std::string("none");
          }));
      add(s + "slotProbability", outcome([&] { return u(a.slot_probability(id, at)); }));
    }
  }
  const Address market = a.marketplace_address();
  add("marketplace balance", outcome([&] { return u(a.token_balance(market, at)); }));
  for (MarketApi* x : apis) {
    const std::string who = "account " + x->account().hex() + " ";
    add(who + "balance", outcome([&] { return u(a.token_balance(x->account(), at)); }));
    add(who + "allowance", outcome([&] { return u(a.token_allowance(x->account(), market, at)); }));
    add(who + "myRequests", outcome([&] {
          std::string s;
          for (const auto& id : x->my_requests(at))
            s += eth::to_hex(id) + " ";
          return s;
        }));
    add(who + "mySlots", outcome([&] {
          std::string s;
          for (const auto& id : x->my_slots(at))
            s += eth::to_hex(id) + " ";
          return s;
        }));
  }
  return out;
}

}  // namespace codex::test
