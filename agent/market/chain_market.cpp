#include "agent/market/chain_market.h"

#include <algorithm>
#include <stdexcept>

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

bool is_token_view(const ViewCall& v) {
  return std::holds_alternative<views::TokenBalance>(v) ||
         std::holds_alternative<views::TokenAllowance>(v);
}

}  // namespace

TxResult tx_result(const eth::Receipt& receipt, const Marketplace& market) {
  TxResult out;
  out.tx_hash = receipt.transaction_hash;
  out.block_number = receipt.block_number;
  out.gas_used = receipt.gas_used;
  for (const auto& log : receipt.logs)
    if (log.address == market.address())
      if (auto e = decode_event(market.abi(), log)) out.events.push_back(std::move(e->event));
  return out;
}

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
  if (opt_.max_batch_calls == 0)
    throw std::invalid_argument("ChainMarket: max_batch_calls must be > 0");
  sender_.recover();
}

uint64_t ChainMarket::block_number(At at) {
  if (at == At::kLatest) return eth_.block_number();
  return eth_.block(eth::BlockTag::pending()).number;
}

// ---- views ---------------------------------------------------------------------

ViewResult ChainMarket::read_one(const ViewCall& v, At at) {
  return is_token_view(v) ? token_.read(v, account(), tag(at))
                          : market_.read(v, account(), tag(at));
}

ViewReads ChainMarket::read(std::span<const ViewCall> calls, At at) {
  const uint64_t latest = eth_.block_number();
  const eth::BlockTag where = at == At::kLatest ? eth::BlockTag::at(latest) : tag(at);
  ViewReads out;
  out.block = at == At::kLatest ? latest : latest + 1;
  out.results.reserve(calls.size());
  for (size_t begin = 0; begin < calls.size(); begin += opt_.max_batch_calls) {
    const auto batch = calls.subspan(begin, std::min(opt_.max_batch_calls, calls.size() - begin));
    std::vector<eth::CallRequest> reqs;
    reqs.reserve(batch.size());
    for (const ViewCall& v : batch)
      reqs.push_back(is_token_view(v) ? token_.view_request(v, account())
                                      : market_.view_request(v, account()));
    const auto answers = eth_.call_batch(reqs, where);
    for (size_t i = 0; i < batch.size(); ++i)
      out.results.push_back(is_token_view(batch[i]) ? token_.view_result(batch[i], answers[i])
                                                    : market_.view_result(batch[i], answers[i]));
  }
  return out;
}

std::optional<Request> ChainMarket::get_request(const RequestId& id, At at) {
  return one(views::GetRequest{id}, at);
}
RequestState ChainMarket::request_state(const RequestId& id, At at) {
  return one(views::RequestState{id}, at);
}
uint64_t ChainMarket::request_end(const RequestId& id, At at) {
  return one(views::RequestEnd{id}, at);
}
uint64_t ChainMarket::request_expiry(const RequestId& id, At at) {
  return one(views::RequestExpiry{id}, at);
}
SlotState ChainMarket::slot_state(const SlotId& id, At at) {
  return one(views::SlotState{id}, at);
}
Address ChainMarket::get_host(const SlotId& id, At at) {
  return one(views::GetHost{id}, at);
}
Uint256 ChainMarket::current_collateral(const SlotId& id, At at) {
  return one(views::CurrentCollateral{id}, at);
}
std::optional<std::pair<Request, uint64_t>> ChainMarket::get_active_slot(const SlotId& id, At at) {
  return one(views::GetActiveSlot{id}, at);
}
bool ChainMarket::can_reserve_slot(const RequestId& id, uint64_t slot_index, At at) {
  return one(views::CanReserveSlot{id, slot_index}, at);
}
std::vector<RequestId> ChainMarket::my_requests(At at) {
  return one(views::MyRequests{}, at);
}
std::vector<SlotId> ChainMarket::my_slots(At at) {
  return one(views::MySlots{}, at);
}
bool ChainMarket::is_proof_required(const SlotId& id, At at) {
  return one(views::IsProofRequired{id}, at);
}
bool ChainMarket::will_proof_be_required(const SlotId& id, At at) {
  return one(views::WillProofBeRequired{id}, at);
}
Hash ChainMarket::get_challenge(const SlotId& id, At at) {
  return one(views::GetChallenge{id}, at);
}
uint8_t ChainMarket::get_pointer(const SlotId& id, At at) {
  return one(views::GetPointer{id}, at);
}
uint64_t ChainMarket::missing_proofs(const SlotId& id, At at) {
  return one(views::MissingProofs{id}, at);
}
Uint256 ChainMarket::slot_probability(const SlotId& id, At at) {
  return one(views::SlotProbability{id}, at);
}
std::optional<std::string> ChainMarket::can_mark_proof_as_missing(const SlotId& id, uint64_t period,
                                                                  At at) {
  return one(views::CanMarkProofAsMissing{id, period}, at);
}
Uint256 ChainMarket::token_balance(const Address& who, At at) {
  return one(views::TokenBalance{who}, at);
}
Uint256 ChainMarket::token_allowance(const Address& owner, const Address& spender, At at) {
  return one(views::TokenAllowance{owner, spender}, at);
}

// ---- transactions --------------------------------------------------------------

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
  return tx_result(r, market_);
}

std::unique_ptr<EventStream> ChainMarket::events(std::string name,
                                                 std::optional<uint64_t> from_block) {
  return std::make_unique<EventWatcher>(eth_, db_, market_, std::move(name),
                                        from_block.value_or(opt_.deployment_block),
                                        opt_.event_confirmations);
}

}  // namespace codex::market
