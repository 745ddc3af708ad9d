// Views as values: each struct below names one view of MarketApi (the method of
// the same name) with its arguments, so that many can be read in one round
// trip at one block (MarketApi::read). A ViewResult holds what the view
// returns — V::Result, the type of the MarketApi method — or the MarketError
// it reverted with: exactly what the method would return or throw (getRequest
// of an unknown request is nullopt, canMarkProofAsMissing answers with the
// error name, requestState of an unknown request is an error).
//
//   std::vector<ViewCall> calls;
//   for (const SlotId& s : watched) calls.push_back(views::CanMarkProofAsMissing{s, period});
//   ViewReads r = market.read(calls, At::kPending);
//   for (size_t i = 0; i < calls.size(); ++i)
//     if (!r.results[i].get<views::CanMarkProofAsMissing>()) mark(watched[i]);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "agent/market/market_error.h"
#include "agent/market/types.h"

namespace codex::market {
namespace views {

struct GetRequest {
  RequestId id{};
  using Result = std::optional<Request>;  // nullopt for an unknown request
};
struct RequestState {
  RequestId id{};
  using Result = market::RequestState;
};
struct RequestEnd {
  RequestId id{};
  using Result = uint64_t;
};
struct RequestExpiry {
  RequestId id{};
  using Result = uint64_t;
};
struct SlotState {
  SlotId id{};
  using Result = market::SlotState;
};
struct GetHost {
  SlotId id{};
  using Result = Address;
};
struct CurrentCollateral {
  SlotId id{};
  using Result = Uint256;
};
struct GetActiveSlot {
  SlotId id{};
  using Result = std::optional<std::pair<Request, uint64_t>>;  // nullopt for a free slot
};
// The reader's own view (msg.sender is the reading account), as are MyRequests,
// MySlots and CanMarkProofAsMissing.
struct CanReserveSlot {
  RequestId id{};
  uint64_t slot_index = 0;
  using Result = bool;
};
struct MyRequests {
  using Result = std::vector<RequestId>;
};
struct MySlots {
  using Result = std::vector<SlotId>;
};
struct IsProofRequired {
  SlotId id{};
  using Result = bool;
};
struct WillProofBeRequired {
  SlotId id{};
  using Result = bool;
};
struct GetChallenge {
  SlotId id{};
  using Result = Hash;
};
struct GetPointer {
  SlotId id{};
  using Result = uint8_t;
};
struct MissingProofs {
  SlotId id{};
  using Result = uint64_t;
};
struct SlotProbability {
  SlotId id{};
  using Result = Uint256;
};
struct CanMarkProofAsMissing {
  SlotId id{};
  uint64_t period = 0;
  using Result = std::optional<std::string>;  // nullopt: would pass; else the error name
};
struct TokenBalance {
  Address who;
  using Result = Uint256;
};
struct TokenAllowance {
  Address owner, spender;
  using Result = Uint256;
};

}  // namespace views

using ViewCall =
    std::variant<views::GetRequest, views::RequestState, views::RequestEnd, views::RequestExpiry,
                 views::SlotState, views::GetHost, views::CurrentCollateral, views::GetActiveSlot,
                 views::CanReserveSlot, views::MyRequests, views::MySlots, views::IsProofRequired,
                 views::WillProofBeRequired, views::GetChallenge, views::GetPointer,
                 views::MissingProofs, views::SlotProbability, views::CanMarkProofAsMissing,
                 views::TokenBalance, views::TokenAllowance>;

// Every V::Result above, once.
using ViewValue =
    std::variant<bool, uint8_t, uint64_t, Uint256, Address, Hash, RequestState, SlotState,
                 std::vector<Hash>, std::optional<Request>,
                 std::optional<std::pair<Request, uint64_t>>, std::optional<std::string>>;

// The contract function a view calls ("slotState", "balanceOf", "allowance", ...).
const char* function_name(const ViewCall& v);

class ViewResult {
 public:
  ViewResult(ViewValue value) : v_(std::move(value)) {}    // NOLINT
  ViewResult(MarketError error) : v_(std::move(error)) {}  // NOLINT

  // The MarketError the view reverted with; null when it returned.
  const MarketError* error() const { return std::get_if<MarketError>(&v_); }
  // What the view returned. Throws the MarketError when it reverted.
  const ViewValue& value() const;
  // value() as the result of view V. Throws the MarketError when it reverted,
  // std::bad_variant_access when V::Result is not the type this result holds.
  template <class V>
  const typename V::Result& get() const {
    return std::get<typename V::Result>(value());
  }

 private:
  std::variant<ViewValue, MarketError> v_;
};

// What MarketApi::read returns: one result per call, in call order, and the
// number of the block the views read.
struct ViewReads {
  uint64_t block = 0;
  std::vector<ViewResult> results;
};

}  // namespace codex::market
