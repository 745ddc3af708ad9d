// MarketApi on an anvil for one account, through today's facades
// (the embedded TestMarketplace and TestToken ABIs, the revert decoder, a
// journaled TxSender per account): the chain side of the model's differential
// test until ChainMarket replaces it. Views are eth_calls at `latest` (through
// an optional CallCache that batches them) or `pending`;
// transactions are sent at once (no WriteTxn) with the intent key as the
// journal key; a revert (at estimation: anvil estimates in the next block's
// context, so nothing is mined) throws MarketError with the decoded error name
// and its arguments formatted as the model formats them ("0x…, 5, 10"). Events
// come from eth_getLogs. Test-only extras: forcibly_free_slot and mint.
//
// Thread-safety: none (one test thread).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "agent/eth/eth_client.h"
#include "agent/eth/revert.h"
#include "agent/eth/rpc_error.h"
#include "agent/eth/tx_sender.h"
#include "agent/market/abi_mapping.h"
#include "agent/market/contract_io.h"
#include "agent/market/deployment.h"
#include "agent/market/events.h"
#include "agent/market/market_api.h"
#include "base/clock.h"
#include "tests/agent/support/call_cache.h"

namespace codex::test {

// An error's arguments as the model's reverts list them: addresses in 0x hex,
// integers in decimal, ", " between (empty for none and for panics).
inline std::string revert_args(const eth::DecodedRevert& d) {
  if (d.panic_code || d.reason) return "";
  std::string out;
  for (const auto& a : d.args) {
    if (!out.empty()) out += ", ";
    if (auto* addr = std::get_if<eth::Address>(&a.v))
      out += addr->hex();
    else if (auto* u = std::get_if<eth::Uint256>(&a.v))
      out += u->to_dec();
    else
      out += "?";
  }
  return out;
}

class AnvilMarket final : public market::MarketApi {
 public:
  // `eth`, `sender` (signing as `account`) and `cache` must outlive this
  // object; `config` is the deployed configuration. With a cache, views at
  // latest are read through it.
  AnvilMarket(eth::EthClient& eth, eth::TxSender& sender, market::Address account,
              market::Deployment deployment, market::MarketplaceConfig config,
              std::shared_ptr<CallCache> cache = nullptr)
      : eth_(eth),
        sender_(sender),
        account_(account),
        deployment_(deployment),
        config_(std::move(config)),
        market_abi_(eth::ContractAbi::parse(market::artifact_json("TestMarketplace"))),
        token_abi_(eth::ContractAbi::parse(market::artifact_json("TestToken"))),
        clock_(eth),
        cache_(std::move(cache)) {}

  market::Address account() const override { return account_; }
  market::Address marketplace_address() const override { return deployment_.marketplace; }
  market::Address token_address() const override { return deployment_.token; }
  const market::MarketplaceConfig& configuration() const override { return config_; }
  base::Clock& clock() override { return clock_; }
  uint64_t block_number(market::At at) override {
    return eth_.block_number() + (at == market::At::kPending ? 1 : 0);
  }

  // ---- views ----------------------------------------------------------------
  std::optional<market::Request> get_request(const market::RequestId& id, market::At at) override {
    try {
      return market::request_from_abi(view("getRequest", {h(id)}, at).at(0));
    } catch (const market::MarketError& e) {
      if (e.name() != "Marketplace_UnknownRequest") throw;
      return std::nullopt;
    }
  }
  market::RequestState request_state(const market::RequestId& id, market::At at) override {
    return market::RequestState(u64(view("requestState", {h(id)}, at)));
  }
  uint64_t request_end(const market::RequestId& id, market::At at) override {
    return u64(view("requestEnd", {h(id)}, at));
  }
  uint64_t request_expiry(const market::RequestId& id, market::At at) override {
    return u64(view("requestExpiry", {h(id)}, at));
  }
  market::SlotState slot_state(const market::SlotId& id, market::At at) override {
    return market::SlotState(u64(view("slotState", {h(id)}, at)));
  }
  market::Address get_host(const market::SlotId& id, market::At at) override {
    return view("getHost", {h(id)}, at).at(0).as_address();
  }
  market::Uint256 current_collateral(const market::SlotId& id, market::At at) override {
    return view("currentCollateral", {h(id)}, at).at(0).as_uint();
  }
  std::optional<std::pair<market::Request, uint64_t>> get_active_slot(const market::SlotId& id,
                                                                      market::At at) override {
    try {
      auto out = view("getActiveSlot", {h(id)}, at);
      return std::pair{market::request_from_abi(out.at(0)[0]), out.at(0)[1].as_uint().to_u64()};
    } catch (const market::MarketError& e) {
      if (e.name() != "Marketplace_SlotIsFree") throw;
      return std::nullopt;
    }
  }
  bool can_reserve_slot(const market::RequestId& id, uint64_t slot_index, market::At at) override {
    return view("canReserveSlot", {h(id), slot_index}, at).at(0).as_bool();
  }
  std::vector<market::RequestId> my_requests(market::At at) override {
    return hashes(view("myRequests", {}, at));
  }
  std::vector<market::SlotId> my_slots(market::At at) override {
    return hashes(view("mySlots", {}, at));
  }
  bool is_proof_required(const market::SlotId& id, market::At at) override {
    return view("isProofRequired", {h(id)}, at).at(0).as_bool();
  }
  bool will_proof_be_required(const market::SlotId& id, market::At at) override {
    return view("willProofBeRequired", {h(id)}, at).at(0).as_bool();
  }
  market::Hash get_challenge(const market::SlotId& id, market::At at) override {
    return hash(view("getChallenge", {h(id)}, at).at(0));
  }
  uint8_t get_pointer(const market::SlotId& id, market::At at) override {
    return uint8_t(u64(view("getPointer", {h(id)}, at)));
  }
  uint64_t missing_proofs(const market::SlotId& id, market::At at) override {
    return u64(view("missingProofs", {h(id)}, at));
  }
  market::Uint256 slot_probability(const market::SlotId& id, market::At at) override {
    return view("slotProbability", {h(id)}, at).at(0).as_uint();
  }
  std::optional<std::string> can_mark_proof_as_missing(const market::SlotId& id, uint64_t period,
                                                       market::At at) override {
    try {
      view("canMarkProofAsMissing", {h(id), period}, at);
      return std::nullopt;
    } catch (const market::MarketError& e) {
      return e.name();
    }
  }
  market::Uint256 token_balance(const market::Address& who, market::At at) override {
    return call(token_abi_, token_address(), "balanceOf", {who}, at).at(0).as_uint();
  }
  market::Uint256 token_allowance(const market::Address& owner, const market::Address& spender,
                                  market::At at) override {
    return call(token_abi_, token_address(), "allowance", {owner, spender}, at).at(0).as_uint();
  }

  // ---- transactions -----------------------------------------------------------
  market::PendingTx submit(const market::MarketAction& action, std::string key,
                           base::sqlite::WriteTxn* txn) override {
    if (txn) throw std::logic_error("AnvilMarket: no WriteTxn support (ChainMarket has it)");
    if (key.empty()) key = market::intent_key(action);
    if (auto it = results_.find(key); it != results_.end()) return {key, it->second.tx_hash};
    auto [to, data, margin] = encode(action);
    market::TxResult r = send(to, std::move(data), margin, key, market::function_name(action));
    results_[key] = r;
    return {key, r.tx_hash};
  }
  market::TxResult wait(const market::PendingTx& tx) override { return results_.at(tx.key); }

  std::unique_ptr<market::EventStream> events(std::string name,
                                              std::optional<uint64_t> from_block) override {
    (void)name;  // positions are not kept across streams here
    return std::make_unique<Stream>(*this, from_block.value_or(deployment_.block));
  }

  // TestMarketplace.forciblyFreeSlot and TestToken.mint, signed by this account.
  market::TxResult forcibly_free_slot(const market::SlotId& id, const std::string& key) {
    return send(marketplace_address(), market_abi_.encode_call("forciblyFreeSlot", {h(id)}), 100,
                key, "forciblyFreeSlot");
  }
  market::TxResult mint(const market::Address& to, const market::Uint256& amount,
                        const std::string& key) {
    return send(token_address(), token_abi_.encode_call("mint", {to, amount}), 100, key, "mint");
  }

 private:
  // Chain time: the latest block's timestamp.
  class AnvilClock final : public base::Clock {
   public:
    explicit AnvilClock(eth::EthClient& eth) : eth_(eth) {}
    base::Millis now() const override {
      return base::Millis(eth_.block(eth::BlockTag::latest()).timestamp * 1000);
    }
    void sleep_until(base::Millis) override {
      throw std::logic_error("AnvilClock: the test steps anvil's time itself");
    }

   private:
    eth::EthClient& eth_;
  };

  class Stream final : public market::EventStream {
   public:
    Stream(AnvilMarket& m, uint64_t from) : m_(m), next_(from) {}
    size_t poll(const Handler& handler) override {
      const uint64_t head = m_.eth_.block_number();
      if (head < next_) return 0;
      eth::LogFilter f;
      f.addresses = {m_.marketplace_address()};
      size_t n = 0;
      for (const eth::Log& l : m_.eth_.logs(f, next_, head))
        if (auto d = market::decode_event(m_.market_abi_, l)) {
          handler(*d, nullptr);
          ++n;
        }
      next_ = head + 1;
      return n;
    }

   private:
    AnvilMarket& m_;
    uint64_t next_;
  };

  static eth::BlockTag tag(market::At at) {
    return at == market::At::kPending ? eth::BlockTag::pending() : eth::BlockTag::latest();
  }
  static eth::AbiValue h(const market::Hash& x) {
    return eth::AbiValue(eth::Bytes(x.begin(), x.end()));
  }
  static market::Hash hash(const eth::AbiValue& v) {
    market::Hash out;
    const auto& b = v.as_bytes();
    std::copy(b.begin(), b.end(), out.begin());
    return out;
  }
  static uint64_t u64(const std::vector<eth::AbiValue>& out) {
    return out.at(0).as_uint().to_u64();
  }
  static std::vector<market::Hash> hashes(const std::vector<eth::AbiValue>& out) {
    std::vector<market::Hash> ids;
    for (const auto& v : out.at(0).as_list())
      ids.push_back(hash(v));
    return ids;
  }

  // eth_call from this account; a revert throws MarketError as the model names it.
  std::vector<eth::AbiValue> call(const eth::ContractAbi& abi, const market::Address& to,
                                  std::string_view fn, const std::vector<eth::AbiValue>& args,
                                  market::At at) const {
    eth::CallRequest c;
    c.from = account();
    c.to = to;
    c.data = abi.encode_call(fn, args);
    eth::Bytes out;
    try {
      out = at == market::At::kLatest && cache_ ? cache_->call(c) : eth_.call(c, tag(at));
    } catch (const eth::RpcError& e) {
      if (e.kind() != eth::RpcErrorKind::Reverted) throw;
      throw_revert(e.revert_data(), std::string(fn));
    }
    return abi.decode_output(fn, out);
  }
  std::vector<eth::AbiValue> view(std::string_view fn, const std::vector<eth::AbiValue>& args,
                                  market::At at) const {
    return call(market_abi_, marketplace_address(), fn, args, at);
  }
  [[noreturn]] void throw_revert(const eth::Bytes& data, const std::string& function) const {
    auto d = eth::decode_revert(data, {&market_abi_, &market::erc20_abi()});
    throw market::MarketError(d.reason || d.panic_code ? d.describe() : d.name, function,
                              revert_args(d));
  }

  struct Encoded {
    market::Address to;
    eth::Bytes data;
    unsigned margin;
  };
  Encoded encode(const market::MarketAction& action) const {
    // Generous gas margins: a transaction must never run out of gas where the
    // model would pass (the reference client's margins are 10-200 %).
    const market::Address m = marketplace_address();
    return std::visit(
        [&](const auto& a) -> Encoded {
          using A = std::decay_t<decltype(a)>;
          if constexpr (std::is_same_v<A, market::RequestStorage>)
            return {m, market_abi_.encode_call("requestStorage", {market::to_abi(a.request)}), 100};
          else if constexpr (std::is_same_v<A, market::ReserveSlot>)
            return {m, market_abi_.encode_call("reserveSlot", {h(a.request_id), a.slot_index}),
                    100};
          else if constexpr (std::is_same_v<A, market::FillSlot>)
            return {m,
                    market_abi_.encode_call(
                        "fillSlot", {h(a.request_id), a.slot_index, market::to_abi(a.proof)}),
                    100};
          else if constexpr (std::is_same_v<A, market::SubmitProof>)
            return {m,
                    market_abi_.encode_call("submitProof", {h(a.slot_id), market::to_abi(a.proof)}),
                    100};
          else if constexpr (std::is_same_v<A, market::MarkProofAsMissing>)
            return {m, market_abi_.encode_call("markProofAsMissing", {h(a.slot_id), a.period}),
                    100};
          else if constexpr (std::is_same_v<A, market::FreeSlot>)
            return a.recipients
                       ? Encoded{m,
                                 market_abi_.encode_call(
                                     "freeSlot(bytes32,address,address)",
                                     {h(a.slot_id), a.recipients->first, a.recipients->second}),
                                 300}
                       : Encoded{m, market_abi_.encode_call("freeSlot(bytes32)", {h(a.slot_id)}),
                                 300};
          else if constexpr (std::is_same_v<A, market::WithdrawFunds>)
            return a.recipient ? Encoded{m,
                                         market_abi_.encode_call("withdrawFunds(bytes32,address)",
                                                                 {h(a.request_id), *a.recipient}),
                                         100}
                               : Encoded{m,
                                         market_abi_.encode_call("withdrawFunds(bytes32)",
                                                                 {h(a.request_id)}),
                                         100};
          else
            return {token_address(), token_abi_.encode_call("approve", {a.spender, a.amount}), 100};
        },
        action);
  }

  market::TxResult send(const market::Address& to, eth::Bytes data, unsigned margin,
                        const std::string& key, const std::string& function) {
    eth::TxRequest req;
    req.to = to;
    req.data = std::move(data);
    req.gas_margin_percent = margin;
    req.key = key;
    eth::SignedTx tx;
    try {
      tx = sender_.submit(req);
    } catch (const eth::RpcError& e) {
      if (e.kind() != eth::RpcErrorKind::Reverted) throw;
      throw_revert(e.revert_data(), function);
    }
    // anvil mines at once but, on a loaded machine, may serve the receipt a
    // little after the account's nonce moved on, which TxSender::wait takes
    // for a transaction from elsewhere after three polls: wait for the receipt.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!eth_.receipt(tx.hash)) {
      if (std::chrono::steady_clock::now() > deadline)
        throw std::runtime_error("AnvilMarket: no receipt for " + eth::to_hex(tx.hash));
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    const eth::Receipt r = sender_.wait(tx.hash);
    if (!r.success)
      throw std::runtime_error("AnvilMarket: " + function +
                               " passed estimation but reverted in block " +
                               std::to_string(r.block_number));
    market::TxResult out;
    out.tx_hash = r.transaction_hash;
    out.block_number = r.block_number;
    out.gas_used = r.gas_used;
    for (const auto& l : r.logs)
      if (l.address == marketplace_address())
        if (auto d = market::decode_event(market_abi_, l)) out.events.push_back(d->event);
    return out;
  }

  eth::EthClient& eth_;
  eth::TxSender& sender_;
  market::Address account_;
  market::Deployment deployment_;
  market::MarketplaceConfig config_;
  eth::ContractAbi market_abi_, token_abi_;
  AnvilClock clock_;
  std::shared_ptr<CallCache> cache_;
  std::map<std::string, market::TxResult> results_;
};

}  // namespace codex::test
