#include "agent/market/market_api.h"

#include <stdexcept>

#include "agent/eth/hex.h"
#include "agent/market/overloaded.h"

namespace codex::market {
namespace {

std::string hex(const Hash& h) {
  return eth::to_hex(h);
}

}  // namespace

const char* function_name(const MarketAction& a) {
  return std::visit(Overloaded{
                        [](const RequestStorage&) { return "requestStorage"; },
                        [](const ReserveSlot&) { return "reserveSlot"; },
                        [](const FillSlot&) { return "fillSlot"; },
                        [](const SubmitProof&) { return "submitProof"; },
                        [](const MarkProofAsMissing&) { return "markProofAsMissing"; },
                        [](const FreeSlot&) { return "freeSlot"; },
                        [](const WithdrawFunds&) { return "withdrawFunds"; },
                        [](const ApproveTokens&) { return "approve"; },
                    },
                    a);
}

std::string intent_key(const MarketAction& a) {
  return std::visit(
      Overloaded{
          [](const RequestStorage& x) { return "requestStorage/" + hex(request_id(x.request)); },
          [](const ReserveSlot& x) {
            return "reserveSlot/" + hex(slot_id(x.request_id, x.slot_index));
          },
          [](const FillSlot& x) { return "fillSlot/" + hex(slot_id(x.request_id, x.slot_index)); },
          [](const SubmitProof& x) {
            return "submitProof/" + hex(x.slot_id) + "/" + std::to_string(x.period);
          },
          [](const MarkProofAsMissing& x) {
            return "markProofAsMissing/" + hex(x.slot_id) + "/" + std::to_string(x.period);
          },
          [](const FreeSlot& x) { return "freeSlot/" + hex(x.slot_id); },
          [](const WithdrawFunds& x) { return "withdrawFunds/" + hex(x.request_id); },
          [](const ApproveTokens&) -> std::string {
            throw std::invalid_argument(
                "approve needs an intent key naming what it pays for (e.g. "
                "\"approve/fillSlot/<slotId>\")");
          },
      },
      a);
}

ViewReads MarketApi::read(std::span<const ViewCall> calls, At at) {
  ViewReads out;
  out.block = block_number(at);
  out.results.reserve(calls.size());
  for (const ViewCall& call : calls) {
    try {
      out.results.emplace_back(std::visit(
          Overloaded{
              [&](const views::GetRequest& v) -> ViewValue { return get_request(v.id, at); },
              [&](const views::RequestState& v) -> ViewValue { return request_state(v.id, at); },
              [&](const views::RequestEnd& v) -> ViewValue { return request_end(v.id, at); },
              [&](const views::RequestExpiry& v) -> ViewValue { return request_expiry(v.id, at); },
              [&](const views::SlotState& v) -> ViewValue { return slot_state(v.id, at); },
              [&](const views::GetHost& v) -> ViewValue { return get_host(v.id, at); },
              [&](const views::CurrentCollateral& v) -> ViewValue {
                return current_collateral(v.id, at);
              },
              [&](const views::GetActiveSlot& v) -> ViewValue { return get_active_slot(v.id, at); },
              [&](const views::CanReserveSlot& v) -> ViewValue {
                return can_reserve_slot(v.id, v.slot_index, at);
              },
              [&](const views::MyRequests&) -> ViewValue { return my_requests(at); },
              [&](const views::MySlots&) -> ViewValue { return my_slots(at); },
              [&](const views::IsProofRequired& v) -> ViewValue {
                return is_proof_required(v.id, at);
              },
              [&](const views::WillProofBeRequired& v) -> ViewValue {
                return will_proof_be_required(v.id, at);
              },
              [&](const views::GetChallenge& v) -> ViewValue { return get_challenge(v.id, at); },
              [&](const views::GetPointer& v) -> ViewValue { return get_pointer(v.id, at); },
              [&](const views::MissingProofs& v) -> ViewValue { return missing_proofs(v.id, at); },
              [&](const views::SlotProbability& v) -> ViewValue {
                return slot_probability(v.id, at);
              },
              [&](const views::CanMarkProofAsMissing& v) -> ViewValue {
                return can_mark_proof_as_missing(v.id, v.period, at);
              },
              [&](const views::TokenBalance& v) -> ViewValue { return token_balance(v.who, at); },
              [&](const views::TokenAllowance& v) -> ViewValue {
                return token_allowance(v.owner, v.spender, at);
              },
          },
          call));
    } catch (const MarketError& e) {
      out.results.emplace_back(e);
    }
  }
  return out;
}

}  // namespace codex::market
