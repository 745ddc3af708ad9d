// The observable marketplace state through MarketApi, as labelled strings, so
// two implementations (ChainMarket on anvil, the model) can be compared view
// by view and a mismatch names the view, the id and both values. The views are
// read as values (MarketApi::read: one call per account, which ChainMarket
// answers with JSON-RPC batches at one block); a view that reverts reads as
// "revert <error>(<arguments>)".
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "agent/eth/hex.h"
#include "agent/market/market_api.h"
#include "agent/market/overloaded.h"

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

// A view's result as compared: its value, or "revert " + the error with its arguments.
inline std::string format(const market::ViewResult& r) {
  using namespace market;
  if (const MarketError* e = r.error()) return "revert " + e->reason();
  return std::visit(
      Overloaded{
          [](bool x) { return std::string(x ? "true" : "false"); },
          [](uint8_t x) { return std::to_string(int(x)); },
          [](uint64_t x) { return std::to_string(x); },
          [](const Uint256& x) { return x.to_dec(); },
          [](const Address& x) { return x.hex(); },
          [](const Hash& x) { return eth::to_hex(x); },
          [](RequestState x) { return "state " + std::to_string(int(x)); },
          [](SlotState x) { return "state " + std::to_string(int(x)); },
          [](const std::vector<Hash>& ids) {
            std::string s;
            for (const Hash& id : ids)
              s += eth::to_hex(id) + " ";
            return s;
          },
          [](const std::optional<Request>& q) {
            return q ? eth::to_hex(request_id(*q)) : std::string("none");
          },
          [](const std::optional<std::pair<Request, uint64_t>>& x) {
            return x ? eth::to_hex(request_id(x->first)) + "/" + std::to_string(x->second)
                     : std::string("none");
          },
          [](const std::optional<std::string>& error) { return error.value_or("ok"); },
      },
      r.value());
}

struct Observation {
  std::string label, value;
};

// What to read: `requests` and `slots` are the ids whose views are read.
struct Scope {
  std::vector<market::RequestId> requests;
  std::vector<market::SlotId> slots;
  bool full = false;  // also getRequest, getActiveSlot, slotProbability
};

struct Observed {
  std::vector<Observation> values;
  std::vector<uint64_t> blocks;  // the block each account's read reported
};

// Reads the scope through `apis` at `at`, one MarketApi::read per account:
// apis[0] reads the views of the requests and slots, the balances and the
// allowances (and its own lists), each other account its own myRequests and
// mySlots. `period_to_mark` is the period canMarkProofAsMissing is asked for.
inline Observed observe(const std::vector<market::MarketApi*>& apis, const Scope& scope,
                        market::At at, uint64_t period_to_mark) {
  using namespace market;
  struct Labelled {
    std::string label;
    ViewCall call;
  };
  std::vector<std::vector<Labelled>> reads(apis.size());
  auto add = [&](size_t reader, std::string label, ViewCall call) {
    reads[reader].push_back({std::move(label), std::move(call)});
  };
  for (const RequestId& id : scope.requests) {
    const std::string r = "request " + short_hex(id) + " ";
    add(0, r + "state", views::RequestState{id});
    add(0, r + "end", views::RequestEnd{id});
    add(0, r + "expiry", views::RequestExpiry{id});
    if (scope.full) add(0, r + "getRequest", views::GetRequest{id});
  }
  for (const SlotId& id : scope.slots) {
    const std::string s = "slot " + short_hex(id) + " ";
    add(0, s + "state", views::SlotState{id});
    add(0, s + "host", views::GetHost{id});
    add(0, s + "collateral", views::CurrentCollateral{id});
    add(0, s + "missingProofs", views::MissingProofs{id});
    add(0, s + "pointer", views::GetPointer{id});
    add(0, s + "challenge", views::GetChallenge{id});
    add(0, s + "isProofRequired", views::IsProofRequired{id});
    add(0, s + "willProofBeRequired", views::WillProofBeRequired{id});
    add(0, s + "canMarkProofAsMissing(" + std::to_string(period_to_mark) + ")",
        views::CanMarkProofAsMissing{id, period_to_mark});
    if (scope.full) {
      add(0, s + "activeSlot", views::GetActiveSlot{id});
      add(0, s + "slotProbability", views::SlotProbability{id});
    }
  }
  const Address market = apis.at(0)->marketplace_address();
  add(0, "marketplace balance", views::TokenBalance{market});
  for (size_t i = 0; i < apis.size(); ++i) {
    const Address who = apis[i]->account();
    const std::string label = "account " + who.hex() + " ";
    add(0, label + "balance", views::TokenBalance{who});
    add(0, label + "allowance", views::TokenAllowance{who, market});
    add(i, label + "myRequests", views::MyRequests{});
    add(i, label + "mySlots", views::MySlots{});
  }
  Observed out;
  for (size_t i = 0; i < apis.size(); ++i) {
    std::vector<ViewCall> calls;
    for (const Labelled& l : reads[i])
      calls.push_back(l.call);
    const ViewReads r = apis[i]->read(calls, at);
    out.blocks.push_back(r.block);
    for (size_t k = 0; k < calls.size(); ++k)
      out.values.push_back({reads[i][k].label, format(r.results.at(k))});
  }
  return out;
}

}  // namespace codex::test
