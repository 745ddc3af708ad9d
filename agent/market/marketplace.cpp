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

MarketplaceConfig Marketplace::configuration() {
  return config_from_abi(view("configuration", {}, Tag::latest()).at(0));
}
Address Marketplace::token() {
  return view("token", {}, Tag::latest()).at(0).as_address();
}
Request Marketplace::get_request(const RequestId& id, const Tag& tag) {
  return request_from_abi(view("getRequest", {h(id)}, tag).at(0));
}
RequestState Marketplace::request_state(const RequestId& id, const Tag& tag) {
  return static_cast<RequestState>(view("requestState", {h(id)}, tag).at(0).as_uint().to_u64());
}
SlotState Marketplace::slot_state(const SlotId& id, const Tag& tag) {
  return static_cast<SlotState>(view("slotState", {h(id)}, tag).at(0).as_uint().to_u64());
}
uint64_t Marketplace::request_end(const RequestId& id, const Tag& tag) {
  return view("requestEnd", {h(id)}, tag).at(0).as_uint().to_u64();
}
uint64_t Marketplace::request_expiry(const RequestId& id, const Tag& tag) {
  return view("requestExpiry", {h(id)}, tag).at(0).as_uint().to_u64();
}
Address Marketplace::get_host(const SlotId& id, const Tag& tag) {
  return view("getHost", {h(id)}, tag).at(0).as_address();
}
Uint256 Marketplace::current_collateral(const SlotId& id, const Tag& tag) {
  return view("currentCollateral", {h(id)}, tag).at(0).as_uint();
}
bool Marketplace::is_proof_required(const SlotId& id, const Tag& tag) {
  return view("isProofRequired", {h(id)}, tag).at(0).as_bool();
}
bool Marketplace::will_proof_be_required(const SlotId& id, const Tag& tag) {
  return view("willProofBeRequired", {h(id)}, tag).at(0).as_bool();
}
Hash Marketplace::get_challenge(const SlotId& id, const Tag& tag) {
  return to_hash(view("getChallenge", {h(id)}, tag).at(0));
}
uint8_t Marketplace::get_pointer(const SlotId& id, const Tag& tag) {
  return static_cast<uint8_t>(view("getPointer", {h(id)}, tag).at(0).as_uint().to_u64());
}
uint64_t Marketplace::missing_proofs(const SlotId& id, const Tag& tag) {
  return view("missingProofs", {h(id)}, tag).at(0).as_uint().to_u64();
}
Uint256 Marketplace::slot_probability(const SlotId& id, const Tag& tag) {
  return view("slotProbability", {h(id)}, tag).at(0).as_uint();
}
std::pair<Request, uint64_t> Marketplace::get_active_slot(const SlotId& id, const Tag& tag) {
  auto out = view("getActiveSlot", {h(id)}, tag);
  const auto& slot = out.at(0);
  return {request_from_abi(slot[0]), slot[1].as_uint().to_u64()};
}

bool Marketplace::can_reserve_slot(const RequestId& id, uint64_t slot_index, const Address& from,
                                   const Tag& tag) {
  return view("canReserveSlot", {h(id), slot_index}, tag, from).at(0).as_bool();
}

std::vector<RequestId> Marketplace::my_requests(const Address& from, const Tag& tag) {
  std::vector<RequestId> out;
  auto result = view("myRequests", {}, tag, from);  // keeps the list alive for the loop
  for (const auto& v : result.at(0).as_list())
    out.push_back(to_hash(v));
  return out;
}

std::vector<SlotId> Marketplace::my_slots(const Address& from, const Tag& tag) {
  std::vector<SlotId> out;
  auto result = view("mySlots", {}, tag, from);  // keeps the list alive for the loop
  for (const auto& v : result.at(0).as_list())
    out.push_back(to_hash(v));
  return out;
}

std::optional<std::string> Marketplace::can_mark_proof_as_missing(const SlotId& id, uint64_t period,
                                                                  const Address& from,
                                                                  const Tag& tag) {
  try {
    view("canMarkProofAsMissing", {h(id), period}, tag, from);
    return std::nullopt;
  } catch (const MarketError& e) {
    return e.name();
  }
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
