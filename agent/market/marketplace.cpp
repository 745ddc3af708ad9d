#include "agent/market/marketplace.h"

#include "agent/market/abi_mapping.h"

namespace codex::market {
namespace {

using eth::AbiValue;
using eth::BlockTag;

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

}  // namespace

Marketplace::Marketplace(eth::EthClient& eth, Address address, eth::TxSender* sender,
                         std::string_view abi_json)
    : eth_(eth),
      address_(address),
      sender_(sender),
      abi_(eth::ContractAbi::parse(abi_json.empty() ? artifact_json("Marketplace")
                                                    : std::string(abi_json))) {}

MarketplaceConfig Marketplace::configuration() {
  return config_from_abi(view("configuration", {}).at(0));
}
Address Marketplace::token() {
  return view("token", {}).at(0).as_address();
}
Request Marketplace::get_request(const RequestId& id) {
  return request_from_abi(view("getRequest", {h(id)}).at(0));
}

RequestState Marketplace::request_state(const RequestId& id) {
  return static_cast<RequestState>(
      view("requestState", {h(id)}, BlockTag::pending()).at(0).as_uint().to_u64());
}
SlotState Marketplace::slot_state(const SlotId& id) {
  return static_cast<SlotState>(
      view("slotState", {h(id)}, BlockTag::pending()).at(0).as_uint().to_u64());
}
uint64_t Marketplace::request_end(const RequestId& id) {
  return view("requestEnd", {h(id)}, BlockTag::pending()).at(0).as_uint().to_u64();
}
uint64_t Marketplace::request_expiry(const RequestId& id) {
  return view("requestExpiry", {h(id)}).at(0).as_uint().to_u64();
}
Address Marketplace::get_host(const SlotId& id) {
  return view("getHost", {h(id)}).at(0).as_address();
}
Uint256 Marketplace::current_collateral(const SlotId& id) {
  return view("currentCollateral", {h(id)}).at(0).as_uint();
}
bool Marketplace::is_proof_required(const SlotId& id) {
  return view("isProofRequired", {h(id)}, BlockTag::pending()).at(0).as_bool();
}
bool Marketplace::will_proof_be_required(const SlotId& id) {
  return view("willProofBeRequired", {h(id)}, BlockTag::pending()).at(0).as_bool();
}
Hash Marketplace::get_challenge(const SlotId& id) {
  return to_hash(view("getChallenge", {h(id)}, BlockTag::pending()).at(0));
}
uint8_t Marketplace::get_pointer(const SlotId& id) {
  return static_cast<uint8_t>(
      view("getPointer", {h(id)}, BlockTag::pending()).at(0).as_uint().to_u64());
}
uint64_t Marketplace::missing_proofs(const SlotId& id) {
  return view("missingProofs", {h(id)}).at(0).as_uint().to_u64();
}
Uint256 Marketplace::slot_probability(const SlotId& id) {
  return view("slotProbability", {h(id)}).at(0).as_uint();
}
std::pair<Request, uint64_t> Marketplace::get_active_slot(const SlotId& id) {
  auto out = view("getActiveSlot", {h(id)});
  const auto& slot = out.at(0);
  return {request_from_abi(slot[0]), slot[1].as_uint().to_u64()};
}

bool Marketplace::can_reserve_slot(const RequestId& id, uint64_t slot_index, const Address& from) {
  return view("canReserveSlot", {h(id), slot_index}, BlockTag::pending(), from).at(0).as_bool();
}

std::vector<RequestId> Marketplace::my_requests(const Address& from) {
  std::vector<RequestId> out;
  auto result =
      view("myRequests", {}, BlockTag::latest(), from);  // keeps the list alive for the loop
  for (const auto& v : result.at(0).as_list())
    out.push_back(to_hash(v));
  return out;
}

std::vector<SlotId> Marketplace::my_slots(const Address& from) {
  std::vector<SlotId> out;
  auto result = view("mySlots", {}, BlockTag::latest(), from);  // keeps the list alive for the loop
  for (const auto& v : result.at(0).as_list())
    out.push_back(to_hash(v));
  return out;
}

std::optional<std::string> Marketplace::can_mark_proof_as_missing(const SlotId& id, uint64_t period,
                                                                  const Address& from) {
  try {
    view("canMarkProofAsMissing", {h(id), period}, BlockTag::pending(), from);
    return std::nullopt;
  } catch (const MarketError& e) {
    return e.name();
  }
}

eth::Receipt Marketplace::request_storage(const Request& r) {
  return transact("requestStorage", {to_abi(r)}, kDefaultMargin);
}
eth::Receipt Marketplace::reserve_slot(const RequestId& id, uint64_t slot_index) {
  return transact("reserveSlot", {h(id), slot_index}, kReserveSlotMargin);
}
eth::Receipt Marketplace::fill_slot(const RequestId& id, uint64_t slot_index,
                                    const Groth16Proof& proof) {
  return transact("fillSlot", {h(id), slot_index, to_abi(proof)}, kFillSlotMargin);
}
eth::Receipt Marketplace::submit_proof(const SlotId& id, const Groth16Proof& proof) {
  return transact("submitProof", {h(id), to_abi(proof)}, kSubmitProofMargin);
}
eth::Receipt Marketplace::mark_proof_as_missing(const SlotId& id, uint64_t period) {
  return transact("markProofAsMissing", {h(id), period}, kMarkMissingMargin);
}
eth::Receipt Marketplace::free_slot(const SlotId& id) {
  return transact("freeSlot(bytes32)", {h(id)}, kFreeSlotMargin);
}
eth::Receipt Marketplace::free_slot(const SlotId& id, const Address& reward,
                                    const Address& collateral) {
  return transact("freeSlot(bytes32,address,address)", {h(id), reward, collateral},
                  kFreeSlotMargin);
}
eth::Receipt Marketplace::withdraw_funds(const RequestId& id) {
  return transact("withdrawFunds(bytes32)", {h(id)}, kDefaultMargin);
}
eth::Receipt Marketplace::withdraw_funds(const RequestId& id, const Address& recipient) {
  return transact("withdrawFunds(bytes32,address)", {h(id), recipient}, kDefaultMargin);
}

}  // namespace codex::market
