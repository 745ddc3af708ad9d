#include "agent/market/marketplace.h"

#include <stdexcept>

#include "agent/market/abi_mapping.h"
#include "agent/market/overloaded.h"

namespace codex::market {
namespace {

using eth::AbiValue;

// Gas margins of the reference client (spec §15), in percent over the estimate.
constexpr unsigned kDefaultMargin = 20;
constexpr unsigned kFillSlotMargin = 10;
constexpr unsigned kReserveSlotMargin = 25;
constexpr unsigned kMarkMissingMargin = 50;
constexpr unsigned kFreeSlotMargin = 200;  // x3
constexpr unsigned kSubmitProofMargin = 10;

AbiValue h(const Hash& x) {
  return AbiValue(Bytes(x.begin(), x.end()));
}

Hash to_hash(const AbiValue& v) {
  const Bytes& b = v.as_bytes();
  if (b.size() != 32) throw eth::AbiError("market: expected bytes32");
  Hash out;
  std::copy(b.begin(), b.end(), out.begin());
  return out;
}

// A call of the marketplace: function (by full signature when overloaded),
// arguments and gas margin.
struct Call {
  const char* fn;
  std::vector<AbiValue> args;
  unsigned margin;
};

Call call_of(const MarketAction& action) {
  return std::visit(
      Overloaded{
          [](const RequestStorage& a) {
            return Call{"requestStorage", {to_abi(a.request)}, kDefaultMargin};
          },
          [](const ReserveSlot& a) {
            return Call{"reserveSlot", {h(a.request_id), a.slot_index}, kReserveSlotMargin};
          },
          [](const FillSlot& a) {
            return Call{
                "fillSlot", {h(a.request_id), a.slot_index, to_abi(a.proof)}, kFillSlotMargin};
          },
          [](const SubmitProof& a) {
            return Call{"submitProof", {h(a.slot_id), to_abi(a.proof)}, kSubmitProofMargin};
          },
          [](const MarkProofAsMissing& a) {
            return Call{"markProofAsMissing", {h(a.slot_id), a.period}, kMarkMissingMargin};
          },
          [](const FreeSlot& a) {
            if (!a.recipients) return Call{"freeSlot(bytes32)", {h(a.slot_id)}, kFreeSlotMargin};
            return Call{"freeSlot(bytes32,address,address)",
                        {h(a.slot_id), a.recipients->first, a.recipients->second},
                        kFreeSlotMargin};
          },
          [](const WithdrawFunds& a) {
            if (!a.recipient)
              return Call{"withdrawFunds(bytes32)", {h(a.request_id)}, kDefaultMargin};
            return Call{
                "withdrawFunds(bytes32,address)", {h(a.request_id), *a.recipient}, kDefaultMargin};
          },
          [](const ApproveTokens&) -> Call {
            throw std::invalid_argument(
                "market: approve is a token transaction, not a marketplace one");
          },
      },
      action);
}

}  // namespace

Marketplace::Marketplace(eth::EthClient& eth, Address address, eth::TxSender* sender,
                         std::string_view abi_json)
    : eth_(eth),
      address_(address),
      sender_(sender),
      abi_(eth::ContractAbi::parse(abi_json.empty() ? artifact_json("Marketplace")
                                                    : std::string(abi_json))) {}

// ---- views as values ---------------------------------------------------------

namespace {

std::vector<AbiValue> view_args(const ViewCall& v) {
  return std::visit(
      Overloaded{
          [](const views::CanReserveSlot& x) -> std::vector<AbiValue> {
            return {h(x.id), x.slot_index};
          },
          [](const views::CanMarkProofAsMissing& x) -> std::vector<AbiValue> {
            return {h(x.id), x.period};
          },
          [](const views::MyRequests&) -> std::vector<AbiValue> { return {}; },
          [](const views::MySlots&) -> std::vector<AbiValue> { return {}; },
          [](const views::TokenBalance&) -> std::vector<AbiValue> {
            throw std::invalid_argument("market: balanceOf is a token view, not a marketplace one");
          },
          [](const views::TokenAllowance&) -> std::vector<AbiValue> {
            throw std::invalid_argument("market: allowance is a token view, not a marketplace one");
          },
          [](const auto& x) -> std::vector<AbiValue> { return {h(x.id)}; },
      },
      v);
}

std::vector<Hash> hashes(const AbiValue& list) {
  std::vector<Hash> out;
  for (const auto& v : list.as_list())
    out.push_back(to_hash(v));
  return out;
}

// The view's value from the function's outputs.
ViewValue decode_view(const ViewCall& v, const std::vector<AbiValue>& out) {
  auto u64 = [&] { return out.at(0).as_uint().to_u64(); };
  return std::visit(
      Overloaded{
          [&](const views::GetRequest&) -> ViewValue {
            return std::optional<Request>(request_from_abi(out.at(0)));
          },
          [&](const views::RequestState&) -> ViewValue { return RequestState(u64()); },
          [&](const views::RequestEnd&) -> ViewValue { return u64(); },
          [&](const views::RequestExpiry&) -> ViewValue { return u64(); },
          [&](const views::SlotState&) -> ViewValue { return SlotState(u64()); },
          [&](const views::GetHost&) -> ViewValue { return out.at(0).as_address(); },
          [&](const views::CurrentCollateral&) -> ViewValue { return out.at(0).as_uint(); },
          [&](const views::GetActiveSlot&) -> ViewValue {
            const AbiValue& slot = out.at(0);
            return std::optional<std::pair<Request, uint64_t>>(
                std::pair{request_from_abi(slot[0]), slot[1].as_uint().to_u64()});
          },
          [&](const views::CanReserveSlot&) -> ViewValue { return out.at(0).as_bool(); },
          [&](const views::MyRequests&) -> ViewValue { return hashes(out.at(0)); },
          [&](const views::MySlots&) -> ViewValue { return hashes(out.at(0)); },
          [&](const views::IsProofRequired&) -> ViewValue { return out.at(0).as_bool(); },
          [&](const views::WillProofBeRequired&) -> ViewValue { return out.at(0).as_bool(); },
          [&](const views::GetChallenge&) -> ViewValue { return to_hash(out.at(0)); },
          [&](const views::GetPointer&) -> ViewValue { return uint8_t(u64()); },
          [&](const views::MissingProofs&) -> ViewValue { return u64(); },
          [&](const views::SlotProbability&) -> ViewValue { return out.at(0).as_uint(); },
          [&](const views::CanMarkProofAsMissing&) -> ViewValue {
            return std::optional<std::string>();  // it returns nothing when marking would pass
          },
          [&](const auto&) -> ViewValue {
            throw std::invalid_argument("market: a token view, not a marketplace one");
          },
      },
      v);
}

// The value a revert stands for, for the views where it is an answer.
std::optional<ViewValue> answer_of(const ViewCall& v, const MarketError& e) {
  // (in_place: an empty optional<Request> would otherwise convert to an empty optional)
  if (std::holds_alternative<views::GetRequest>(v) && e.name() == "Marketplace_UnknownRequest")
    return std::optional<ViewValue>(std::in_place, std::optional<Request>());
  if (std::holds_alternative<views::GetActiveSlot>(v) && e.name() == "Marketplace_SlotIsFree")
    return std::optional<ViewValue>(std::in_place, std::optional<std::pair<Request, uint64_t>>());
  if (std::holds_alternative<views::CanMarkProofAsMissing>(v))
    return std::optional<ViewValue>(std::in_place, std::optional<std::string>(e.name()));
  return std::nullopt;
}

}  // namespace

eth::CallRequest Marketplace::view_request(const ViewCall& v, std::optional<Address> from) const {
  return io().call_request(function_name(v), view_args(v), from);
}

ViewResult Marketplace::view_result(const ViewCall& v,
                                    const eth::EthClient::CallResult& answer) const {
  try {
    return ViewResult(decode_view(v, io().outputs(function_name(v), answer)));
  } catch (const MarketError& e) {
    if (auto value = answer_of(v, e)) return ViewResult(std::move(*value));
    return ViewResult(e);
  }
}

ViewResult Marketplace::read(const ViewCall& v, std::optional<Address> from, const Tag& tag) const {
  const ContractIo c = io();
  return view_result(v, c.call(view_request(v, from), tag));
}

// ---- typed views ---------------------------------------------------------------

MarketplaceConfig Marketplace::configuration() {
  return config_from_abi(io().view("configuration", {}, Tag::latest()).at(0));
}
Address Marketplace::token() {
  return io().view("token", {}, Tag::latest()).at(0).as_address();
}
std::optional<Request> Marketplace::get_request(const RequestId& id, const Tag& tag) {
  return get(views::GetRequest{id}, tag);
}
RequestState Marketplace::request_state(const RequestId& id, const Tag& tag) {
  return get(views::RequestState{id}, tag);
}
SlotState Marketplace::slot_state(const SlotId& id, const Tag& tag) {
  return get(views::SlotState{id}, tag);
}
uint64_t Marketplace::request_end(const RequestId& id, const Tag& tag) {
  return get(views::RequestEnd{id}, tag);
}
uint64_t Marketplace::request_expiry(const RequestId& id, const Tag& tag) {
  return get(views::RequestExpiry{id}, tag);
}
Address Marketplace::get_host(const SlotId& id, const Tag& tag) {
  return get(views::GetHost{id}, tag);
}
Uint256 Marketplace::current_collateral(const SlotId& id, const Tag& tag) {
  return get(views::CurrentCollateral{id}, tag);
}
bool Marketplace::is_proof_required(const SlotId& id, const Tag& tag) {
  return get(views::IsProofRequired{id}, tag);
}
bool Marketplace::will_proof_be_required(const SlotId& id, const Tag& tag) {
  return get(views::WillProofBeRequired{id}, tag);
}
Hash Marketplace::get_challenge(const SlotId& id, const Tag& tag) {
  return get(views::GetChallenge{id}, tag);
}
uint8_t Marketplace::get_pointer(const SlotId& id, const Tag& tag) {
  return get(views::GetPointer{id}, tag);
}
uint64_t Marketplace::missing_proofs(const SlotId& id, const Tag& tag) {
  return get(views::MissingProofs{id}, tag);
}
Uint256 Marketplace::slot_probability(const SlotId& id, const Tag& tag) {
  return get(views::SlotProbability{id}, tag);
}
std::optional<std::pair<Request, uint64_t>> Marketplace::get_active_slot(const SlotId& id,
                                                                         const Tag& tag) {
  return get(views::GetActiveSlot{id}, tag);
}
bool Marketplace::can_reserve_slot(const RequestId& id, uint64_t slot_index, const Address& from,
                                   const Tag& tag) {
  return get(views::CanReserveSlot{id, slot_index}, tag, from);
}
std::vector<RequestId> Marketplace::my_requests(const Address& from, const Tag& tag) {
  return get(views::MyRequests{}, tag, from);
}
std::vector<SlotId> Marketplace::my_slots(const Address& from, const Tag& tag) {
  return get(views::MySlots{}, tag, from);
}
std::optional<std::string> Marketplace::can_mark_proof_as_missing(const SlotId& id, uint64_t period,
                                                                  const Address& from,
                                                                  const Tag& tag) {
  return get(views::CanMarkProofAsMissing{id, period}, tag, from);
}

eth::TxRequest Marketplace::transaction(const MarketAction& action, std::string key) const {
  Call c = call_of(action);
  if (key.empty()) key = intent_key(action);
  return io().request(c.fn, c.args, c.margin, std::move(key));
}

eth::Receipt Marketplace::execute(const MarketAction& action, std::string key) {
  if (!sender_) throw std::logic_error("market: transactions need a TxSender");
  return send_checked(*sender_, transaction(action, std::move(key)), abi_, function_name(action));
}

eth::Receipt Marketplace::request_storage(const Request& r, std::string key) {
  return execute(RequestStorage{r}, std::move(key));
}
eth::Receipt Marketplace::reserve_slot(const RequestId& id, uint64_t slot_index, std::string key) {
  return execute(ReserveSlot{id, slot_index}, std::move(key));
}
eth::Receipt Marketplace::fill_slot(const RequestId& id, uint64_t slot_index,
                                    const Groth16Proof& proof, std::string key) {
  return execute(FillSlot{id, slot_index, proof}, std::move(key));
}
eth::Receipt Marketplace::submit_proof(const SlotId& id, const Groth16Proof& proof, uint64_t period,
                                       std::string key) {
  return execute(SubmitProof{id, proof, period}, std::move(key));
}
eth::Receipt Marketplace::mark_proof_as_missing(const SlotId& id, uint64_t period,
                                                std::string key) {
  return execute(MarkProofAsMissing{id, period}, std::move(key));
}
eth::Receipt Marketplace::free_slot(const SlotId& id, std::string key) {
  return execute(FreeSlot{id, std::nullopt}, std::move(key));
}
eth::Receipt Marketplace::free_slot(const SlotId& id, const Address& reward,
                                    const Address& collateral, std::string key) {
  return execute(FreeSlot{id, std::make_pair(reward, collateral)}, std::move(key));
}
eth::Receipt Marketplace::withdraw_funds(const RequestId& id, std::string key) {
  return execute(WithdrawFunds{id, std::nullopt}, std::move(key));
}
eth::Receipt Marketplace::withdraw_funds(const RequestId& id, const Address& recipient,
                                         std::string key) {
  return execute(WithdrawFunds{id, recipient}, std::move(key));
}

}  // namespace codex::market
