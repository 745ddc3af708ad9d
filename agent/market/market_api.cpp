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

}  // namespace codex::market
