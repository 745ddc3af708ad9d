#include "agent/market/chain_market.h"

#include "agent/eth/rpc_error.h"
#include "agent/market/contract_io.h"
#include "agent/market/event_watcher.h"

namespace codex::market {
namespace {

eth::BlockTag tag(At at) {
  return at == At::kPending ? eth::BlockTag::pending() : eth::BlockTag::latest();
}

// The name of the function `data` calls on a contract of `abi` ("" when unknown).
std::string function_called(const eth::ContractAbi& abi, const Bytes& data) {
  if (data.size() < 4) return "";
  for (const auto& f : abi.functions())
    if (std::equal(f.selector.begin(), f.selector.end(), data.begin())) return f.name;
  return "";
}

}  // namespace

ChainMarket::ChainMarket(eth::EthClient& eth, eth::TxSender& sender, base::sqlite::Database& db,
                         ChainMarketOptions options)
    : eth_(eth),
      sender_(sender),
      db_(db),
      opt_(std::move(options)),
      market_(eth, opt_.marketplace, &sender),
      token_(eth, market_.token(), &sender),
      config_(market_.configuration()),
      clock_(eth, opt_.local_clock ? *opt_.local_clock : system_clock_, opt_.clock) {
  sender_.recover();
}

uint64_t ChainMarket::block_number(At at) {
  if (at == At::kLatest) return eth_.block_number();
  return eth_.block(eth::BlockTag::pending()).number;
}

std::optional<Request> ChainMarket::get_request(const RequestId& id, At at) {
  try {
    return market_.get_request(id, tag(at));
  } catch (const MarketError& e) {
    if (e.name() == "Marketplace_UnknownRequest") return std::nullopt;
    throw;
  }
}
RequestState ChainMarket::request_state(const RequestId& id, At at) {
  return market_.request_state(id, tag(at));
}
uint64_t ChainMarket::request_end(const RequestId& id, At at) {
  return market_.request_end(id, tag(at));
}
uint64_t ChainMarket::request_expiry(const RequestId& id, At at) {
  return market_.request_expiry(id, tag(at));
}
SlotState ChainMarket::slot_state(const SlotId& id, At at) {
  return market_.slot_state(id, tag(at));
}
Address ChainMarket::get_host(const SlotId& id, At at) {
  return market_.get_host(id, tag(at));
}
Uint256 ChainMarket::current_collateral(const SlotId& id, At at) {
  return market_.current_collateral(id, tag(at));
}
std::optional<std::pair<Request, uint64_t>> ChainMarket::get_active_slot(const SlotId& id, At at) {
  try {
    return market_.get_active_slot(id, tag(at));
  } catch (const MarketError& e) {
    if (e.name() == "Marketplace_SlotIsFree") return std::nullopt;
    throw;
  }
}
bool ChainMarket::can_reserve_slot(const RequestId& id, uint64_t slot_index, At at) {
  return market_.can_reserve_slot(id, slot_index, account(), tag(at));
}
std::vector<RequestId> ChainMarket::my_requests(At at) {
  return market_.my_requests(account(), tag(at));
}
std::vector<SlotId> ChainMarket::my_slots(At at) {
  return market_.my_slots(account(), tag(at));
}
bool ChainMarket::is_proof_required(const SlotId& id, At at) {
  return market_.is_proof_required(id, tag(at));
}
bool ChainMarket::will_proof_be_required(const SlotId& id, At at) {
  return market_.will_proof_be_required(id, tag(at));
}
Hash ChainMarket::get_challenge(const SlotId& id, At at) {
  return market_.get_challenge(id, tag(at));
}
uint8_t ChainMarket::get_pointer(const SlotId& id, At at) {
  return market_.get_pointer(id, tag(at));
}
uint64_t ChainMarket::missing_proofs(const SlotId& id, At at) {
  return market_.missing_proofs(id, tag(at));
}
Uint256 ChainMarket::slot_probability(const SlotId& id, At at) {
  return market_.slot_probability(id, tag(at));
}
std::optional<std::string> ChainMarket::can_mark_proof_as_missing(const SlotId& id, uint64_t period,
                                                                  At at) {
  return market_.can_mark_proof_as_missing(id, period, account(), tag(at));
}
Uint256 ChainMarket::token_balance(const Address& who, At at) {
  return token_.balance_of(who, tag(at));
}
Uint256 ChainMarket::token_allowance(const Address& owner, const Address& spender, At at) {
  return token_.allowance(owner, spender, tag(at));
}

PendingTx ChainMarket::submit(const MarketAction& action, std::string key,
                              base::sqlite::WriteTxn* txn) {
  if (key.empty()) key = intent_key(action);
  const auto* approve = std::get_if<ApproveTokens>(&action);
  eth::TxRequest req = approve ? token_.approve_request(approve->spender, approve->amount, key)
                               : market_.transaction(action, key);
  try {
    eth::SignedTx tx = txn ? sender_.record(req, *txn) : sender_.submit(req);
    return PendingTx{std::move(key), tx.hash};
  } catch (const eth::RpcError& e) {
    if (e.kind() != eth::RpcErrorKind::Reverted) throw;
    throw decode_market_error(function_name(action), e.revert_data(),
                              approve ? token_.abi() : market_.abi(), "at gas estimation");
  }
}

TxResult ChainMarket::wait(const PendingTx& tx) {
  const eth::Receipt r = sender_.wait(tx.tx_hash);
  if (!r.success) {
    const eth::TxRequest req = sender_.request_of(r.transaction_hash);
    const eth::ContractAbi& abi = req.to == token_.address() ? token_.abi() : market_.abi();
    throw decode_market_error(
        function_called(abi, req.data), sender_.revert_data(r), abi,
        "mined with status 0 in block " + std::to_string(r.block_number) + ", key " + tx.key);
  }
  TxResult out;
  out.tx_hash = r.transaction_hash;
  out.block_number = r.block_number;
  out.gas_used = r.gas_used;
  for (const auto& log : r.logs)
    if (log.address == market_.address())
      if (auto e = decode_event(market_.abi(), log)) out.events.push_back(std::move(e->event));
  return out;
}

std::unique_ptr<EventStream> ChainMarket::events(std::string name,
                                                 std::optional<uint64_t> from_block) {
  return std::make_unique<EventWatcher>(eth_, db_, market_, std::move(name),
                                        from_block.value_or(opt_.deployment_block),
                                        opt_.event_confirmations);
}

}  // namespace codex::market
