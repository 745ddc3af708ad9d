// The typed marketplace facade: views (eth_call) and transactions (through the
// journaled TxSender, each under an idempotency key) of spec/marketplace.md §5,
// with the reference client's gas margins (§15). Views take the block tag;
// the defaults are the reference client's (`pending` for time-dependent
// views). Reverts surface as MarketError carrying the custom error name of §7
// and its arguments.
//
// The marketplace's views as values (view_call.h) are implemented here once:
// view_request/view_result (for a batch: ChainMarket::read) and read (one
// eth_call), under the typed views below and ChainMarket's.
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
#include "agent/market/market_api.h"
#include "agent/market/market_error.h"
#include "agent/market/types.h"
#include "agent/market/view_call.h"

namespace codex::market {

class Marketplace {
 public:
  using Tag = eth::BlockTag;

  // `eth` (and `sender` when given) must outlive this object. `abi_json` is the
  // Marketplace ABI or artifact; empty = the embedded artifact. Transactions need a
  // sender (std::logic_error otherwise). Thread-safety is that of eth/sender.
  Marketplace(eth::EthClient& eth, Address address, eth::TxSender* sender = nullptr,
              std::string_view abi_json = {});

  const eth::ContractAbi& abi() const { return abi_; }
  const Address& address() const { return address_; }

  // ---- views as values (view_call.h), for every view but the token's -------
  // The eth_call of `v` from `from` (the reader: msg.sender of myRequests,
  // mySlots, canReserveSlot, canMarkProofAsMissing). Throws
  // std::invalid_argument for a token view (Token's).
  eth::CallRequest view_request(const ViewCall& v, std::optional<Address> from = {}) const;
  // The result of `v` from the node's answer to view_request: the value, or
  // the MarketError it reverted with (a revert that answers the view, such as
  // getRequest's for an unknown request, is the value). Throws eth::RpcError
  // for a call that failed without reverting, eth::AbiError for return data
  // that does not decode.
  ViewResult view_result(const ViewCall& v, const eth::EthClient::CallResult& answer) const;
  // Both, with one eth_call at `tag`; also throws eth::RpcError on transport failure.
  ViewResult read(const ViewCall& v, std::optional<Address> from, const Tag& tag) const;

  // ---- typed views ----------------------------------------------------------
  MarketplaceConfig configuration();
  Address token();
  // nullopt for an unknown request.
  std::optional<Request> get_request(const RequestId& id, const Tag& tag = Tag::latest());
  RequestState request_state(const RequestId& id, const Tag& tag = Tag::pending());
  SlotState slot_state(const SlotId& id, const Tag& tag = Tag::pending());
  uint64_t request_end(const RequestId& id, const Tag& tag = Tag::pending());
  uint64_t request_expiry(const RequestId& id, const Tag& tag = Tag::latest());
  Address get_host(const SlotId& id, const Tag& tag = Tag::latest());
  Uint256 current_collateral(const SlotId& id, const Tag& tag = Tag::latest());
  bool is_proof_required(const SlotId& id, const Tag& tag = Tag::pending());
  bool will_proof_be_required(const SlotId& id, const Tag& tag = Tag::pending());
  Hash get_challenge(const SlotId& id, const Tag& tag = Tag::pending());
  uint8_t get_pointer(const SlotId& id, const Tag& tag = Tag::pending());
  uint64_t missing_proofs(const SlotId& id, const Tag& tag = Tag::latest());
  Uint256 slot_probability(const SlotId& id, const Tag& tag = Tag::latest());
  // The request and index of a slot; nullopt for a free slot.
  std::optional<std::pair<Request, uint64_t>> get_active_slot(const SlotId& id,
                                                              const Tag& tag = Tag::latest());
  bool can_reserve_slot(const RequestId& id, uint64_t slot_index, const Address& from,
                        const Tag& tag = Tag::pending());
  std::vector<RequestId> my_requests(const Address& from, const Tag& tag = Tag::latest());
  std::vector<SlotId> my_slots(const Address& from, const Tag& tag = Tag::latest());
  // nullopt when markProofAsMissing would pass now; else the error name.
  std::optional<std::string> can_mark_proof_as_missing(const SlotId& id, uint64_t period,
                                                       const Address& from,
                                                       const Tag& tag = Tag::pending());

  // The transaction for `action` under `key` (intent_key(action) when empty):
  // the call, its gas margin (§15). Throws std::invalid_argument for
  // ApproveTokens (a token transaction: Token::approve_request).
  eth::TxRequest transaction(const MarketAction& action, std::string key = {}) const;
  // Sends transaction(action, key) and waits (with the sender's
  // confirmations). Exactly once per key: a key journaled before returns that
  // transaction's receipt. Throws MarketError on a revert (at estimation, or
  // mined with status 0).
  eth::Receipt execute(const MarketAction& action, std::string key = {});

  // Typed shorthands of execute.
  eth::Receipt request_storage(const Request& r, std::string key = {});
  eth::Receipt reserve_slot(const RequestId& id, uint64_t slot_index, std::string key = {});
  eth::Receipt fill_slot(const RequestId& id, uint64_t slot_index, const Groth16Proof& proof,
                         std::string key = {});
  // `period` is the period the proof answers (it names the intent).
  eth::Receipt submit_proof(const SlotId& id, const Groth16Proof& proof, uint64_t period,
                            std::string key = {});
  eth::Receipt mark_proof_as_missing(const SlotId& id, uint64_t period, std::string key = {});
  eth::Receipt free_slot(const SlotId& id, std::string key = {});
  eth::Receipt free_slot(const SlotId& id, const Address& reward_recipient,
                         const Address& collateral_recipient, std::string key = {});
  eth::Receipt withdraw_funds(const RequestId& id, std::string key = {});
  eth::Receipt withdraw_funds(const RequestId& id, const Address& recipient, std::string key = {});

 private:
  ContractIo io() const { return ContractIo(eth_, abi_, address_, sender_); }
  template <class V>
  typename V::Result get(const V& v, const Tag& tag,
                         std::optional<Address> from = std::nullopt) const {
    return read(v, from, tag).template get<V>();
  }

  eth::EthClient& eth_;
  Address address_;
  eth::TxSender* sender_;
  eth::ContractAbi abi_;
};

}  // namespace codex::market
