// The typed marketplace facade: views (eth_call) and transactions (through the
// journaled TxSender) of spec/marketplace.md §5, with the reference client's gas
// margins (§15) and block tag `pending` for time-dependent views. Reverts surface
// as MarketError carrying the custom error name of §7.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/eth/contract_abi.h"
#include "agent/eth/eth_client.h"
#include "agent/eth/tx_sender.h"
#include "agent/market/contract_io.h"
#include "agent/market/market_error.h"
#include "agent/market/types.h"

namespace codex::market {

class Marketplace {
 public:
  // `eth` (and `sender` when given) must outlive this object. `abi_json` is the
  // Marketplace ABI or artifact; empty = the embedded artifact. Transactions need a
  // sender (std::logic_error otherwise). Thread-safety is that of eth/sender.
  Marketplace(eth::EthClient& eth, Address address, eth::TxSender* sender = nullptr,
              std::string_view abi_json = {});

  const eth::ContractAbi& abi() const { return abi_; }
  const Address& address() const { return address_; }

  // Views. Time- or block-dependent ones use block tag `pending` (§15).
  MarketplaceConfig configuration();
  Address token();
  Request get_request(const RequestId& id);
  RequestState request_state(const RequestId& id);
  SlotState slot_state(const SlotId& id);
  uint64_t request_end(const RequestId& id);
  uint64_t request_expiry(const RequestId& id);
  Address get_host(const SlotId& id);
  Uint256 current_collateral(const SlotId& id);
  bool is_proof_required(const SlotId& id);
  bool will_proof_be_required(const SlotId& id);
  Hash get_challenge(const SlotId& id);
  uint8_t get_pointer(const SlotId& id);
  uint64_t missing_proofs(const SlotId& id);
  Uint256 slot_probability(const SlotId& id);
  // The request and index of a slot; MarketError "Marketplace_SlotIsFree" for a free slot.
  std::pair<Request, uint64_t> get_active_slot(const SlotId& id);
  bool can_reserve_slot(const RequestId& id, uint64_t slot_index, const Address& from);
  std::vector<RequestId> my_requests(const Address& from);
  std::vector<SlotId> my_slots(const Address& from);
  // nullopt when markProofAsMissing would pass now; else the error name.
  std::optional<std::string> can_mark_proof_as_missing(const SlotId& id, uint64_t period,
                                                       const Address& from);

  // Transactions: wait for the receipt (with the sender's confirmations). Throw
  // MarketError on a revert (at estimation, or mined with status 0).
  eth::Receipt request_storage(const Request& r);
  eth::Receipt reserve_slot(const RequestId& id, uint64_t slot_index);
  eth::Receipt fill_slot(const RequestId& id, uint64_t slot_index, const Groth16Proof& proof);
  eth::Receipt submit_proof(const SlotId& id, const Groth16Proof& proof);
  eth::Receipt mark_proof_as_missing(const SlotId& id, uint64_t period);
  eth::Receipt free_slot(const SlotId& id);
  eth::Receipt free_slot(const SlotId& id, const Address& reward_recipient,
                         const Address& collateral_recipient);
  eth::Receipt withdraw_funds(const RequestId& id);
  eth::Receipt withdraw_funds(const RequestId& id, const Address& recipient);

 private:
  ContractIo io() const { return ContractIo(eth_, abi_, address_, sender_); }
  std::vector<eth::AbiValue> view(std::string_view fn, const std::vector<eth::AbiValue>& args,
                                  const eth::BlockTag& tag = eth::BlockTag::latest(),
                                  std::optional<Address> from = std::nullopt) {
    return io().view(fn, args, tag, from);
  }
  eth::Receipt transact(std::string_view fn, const std::vector<eth::AbiValue>& args,
                        unsigned gas_margin_percent) {
    return io().transact(fn, args, gas_margin_percent);
  }

  eth::EthClient& eth_;
  Address address_;
  eth::TxSender* sender_;
  eth::ContractAbi abi_;
};

}  // namespace codex::market
