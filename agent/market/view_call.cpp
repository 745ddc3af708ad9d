#include "agent/market/view_call.h"

#include "agent/market/overloaded.h"

namespace codex::market {

const char* function_name(const ViewCall& v) {
  return std::visit(Overloaded{
                        [](const views::GetRequest&) { return "getRequest"; },
                        [](const views::RequestState&) { return "requestState"; },
                        [](const views::RequestEnd&) { return "requestEnd"; },
                        [](const views::RequestExpiry&) { return "requestExpiry"; },
                        [](const views::SlotState&) { return "slotState"; },
                        [](const views::GetHost&) { return "getHost"; },
                        [](const views::CurrentCollateral&) { return "currentCollateral"; },
                        [](const views::GetActiveSlot&) { return "getActiveSlot"; },
                        [](const views::CanReserveSlot&) { return "canReserveSlot"; },
                        [](const views::MyRequests&) { return "myRequests"; },
                        [](const views::MySlots&) { return "mySlots"; },
                        [](const views::IsProofRequired&) { return "isProofRequired"; },
                        [](const views::WillProofBeRequired&) { return "willProofBeRequired"; },
                        [](const views::GetChallenge&) { return "getChallenge"; },
                        [](const views::GetPointer&) { return "getPointer"; },
                        [](const views::MissingProofs&) { return "missingProofs"; },
                        [](const views::SlotProbability&) { return "slotProbability"; },
                        [](const views::CanMarkProofAsMissing&) { return "canMarkProofAsMissing"; },
                        [](const views::TokenBalance&) { return "balanceOf"; },
                        [](const views::TokenAllowance&) { return "allowance"; },
                    },
                    v);
}

const ViewValue& ViewResult::value() const {
  if (const MarketError* e = error()) throw *e;
  return std::get<ViewValue>(v_);
}

}  // namespace codex::market
