// The marketplace contract on a real chain, as MarketApi (DESIGN.md): views by
// eth_call at the requested tag (pending/latest), many views in JSON-RPC
// batches pinned to one block (read(), below), transactions through the
// journaled TxSender under their intent keys (exactly once across kills, see
// eth/tx_sender.h), MarketError with the decoded custom error on a revert at
// estimation (nothing is journaled) or when mined (decoded by replaying the
// transaction), events from the persisted log watcher, and chain time from
// block timestamps.
//
// What survives a crash: the journal and the event streams' positions, in the
// data directory's database. A restart on the same database with the same
// intents re-issued reaches the same transactions (recover() runs at
// construction).
//
// Thread-safety: thread-safe (views and transactions may run concurrently;
// the RPC client and the TxSender are).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "agent/eth/chain_clock.h"
#include "agent/eth/eth_client.h"
#include "agent/eth/tx_sender.h"
#include "agent/market/market_api.h"
#include "agent/market/marketplace.h"
#include "agent/market/token.h"
#include "base/sqlite/database.h"

namespace codex::market {

struct ChainMarketOptions {
  Address marketplace;
  // Where event streams start by default: the marketplace's deployment block.
  uint64_t deployment_block = 0;
  // Event streams stay this many blocks behind the head.
  uint64_t event_confirmations = 0;
  // Local time for the chain clock (extrapolation between blocks and the
  // waits of sleep_until); null = the system clock. Must outlive the market.
  base::Clock* local_clock = nullptr;
  eth::ChainClockOptions clock;
  // eth_calls per JSON-RPC batch in read() (geth refuses batches of more than
  // 1,000 calls by default). Must be > 0.
  size_t max_batch_calls = 500;
};

// The result of a mined transaction: its block, gas and the marketplace events
// among its logs (those of `market`'s address), in log order. Throws
// eth::AbiError for a marketplace log that does not decode.
TxResult tx_result(const eth::Receipt& receipt, const Marketplace& market);

class ChainMarket final : public MarketApi {
 public:
  // `eth`, `sender` (which signs for account()) and `db` (the database of the
  // sender's journal) must outlive the market. Reads the configuration and the
  // token address, and runs sender.recover(). Throws eth::RpcError,
  // MarketError (no marketplace at that address), std::invalid_argument
  // (max_batch_calls 0). REQUIRES: the calling thread holds no WriteTxn.
  ChainMarket(eth::EthClient& eth, eth::TxSender& sender, base::sqlite::Database& db,
              ChainMarketOptions options);

  Address account() const override { return sender_.address(); }
  Address marketplace_address() const override { return market_.address(); }
  Address token_address() const override { return token_.address(); }
  const MarketplaceConfig& configuration() const override { return config_; }
  base::Clock& clock() override { return clock_; }
  uint64_t block_number(At at = At::kLatest) override;

  std::optional<Request> get_request(const RequestId& id, At at = At::kPending) override;
  RequestState request_state(const RequestId& id, At at = At::kPending) override;
  uint64_t request_end(const RequestId& id, At at = At::kPending) override;
  uint64_t request_expiry(const RequestId& id, At at = At::kPending) override;
  SlotState slot_state(const SlotId& id, At at = At::kPending) override;
  Address get_host(const SlotId& id, At at = At::kPending) override;
  Uint256 current_collateral(const SlotId& id, At at = At::kPending) override;
  std::optional<std::pair<Request, uint64_t>> get_active_slot(const SlotId& id,
                                                              At at = At::kPending) override;
  bool can_reserve_slot(const RequestId& id, uint64_t slot_index, At at = At::kPending) override;
  std::vector<RequestId> my_requests(At at = At::kPending) override;
  std::vector<SlotId> my_slots(At at = At::kPending) override;
  bool is_proof_required(const SlotId& id, At at = At::kPending) override;
  bool will_proof_be_required(const SlotId& id, At at = At::kPending) override;
  Hash get_challenge(const SlotId& id, At at = At::kPending) override;
  uint8_t get_pointer(const SlotId& id, At at = At::kPending) override;
  uint64_t missing_proofs(const SlotId& id, At at = At::kPending) override;
  Uint256 slot_probability(const SlotId& id, At at = At::kPending) override;
  std::optional<std::string> can_mark_proof_as_missing(const SlotId& id, uint64_t period,
                                                       At at = At::kPending) override;
  Uint256 token_balance(const Address& who, At at = At::kPending) override;
  Uint256 token_allowance(const Address& owner, const Address& spender,
                          At at = At::kPending) override;

  // Many views in a few round trips, at one block: one eth_blockNumber (n),
  // then the views' eth_calls in JSON-RPC batches of at most max_batch_calls,
  // from account(). At kLatest every batch reads block n by number, so all
  // views see one state even when blocks are mined meanwhile (block = n). At
  // kPending they read the `pending` tag (block = n + 1): the node's next
  // block has no number to pin, so a block mined between two batches moves
  // it; read at kLatest when many views must agree. A view that reverts
  // yields its MarketError (decoded name and arguments, as the single view
  // throws it) in its own result; the others are unaffected. Throws
  // eth::RpcError when a batch fails or a call in it fails without
  // reverting, eth::AbiError for return data that does not decode: then
  // nothing is returned. Thread-safe; a batch holds the RPC connection while
  // it runs (other calls go between batches).
  ViewReads read(std::span<const ViewCall> calls, At at = At::kPending) override;

  // Also throws eth::RpcError (transport), eth::TxError (fee cap, or a
  // definitive refusal by the node), base::StorageError. With `txn`, the
  // broadcast runs when txn commits, and a refusal by the node surfaces from
  // txn.commit() as eth::TxError (the commit stands).
  PendingTx submit(const MarketAction& action, std::string key = {},
                   base::sqlite::WriteTxn* txn = nullptr) override;
  // Also throws eth::TxError (timeout, nonce taken by a foreign transaction).
  TxResult wait(const PendingTx& tx) override;

  // REQUIRES: the calling thread holds no WriteTxn.
  std::unique_ptr<EventStream> events(std::string name,
                                      std::optional<uint64_t> from_block = {}) override;

  Marketplace& marketplace() { return market_; }
  Token& token() { return token_; }

 private:
  // One view by one eth_call, from account().
  ViewResult read_one(const ViewCall& v, At at);
  template <class V>
  typename V::Result one(const V& v, At at) {
    return read_one(v, at).template get<V>();
  }

  eth::EthClient& eth_;
  eth::TxSender& sender_;
  base::sqlite::Database& db_;
  ChainMarketOptions opt_;
  base::SystemClock system_clock_;
  Marketplace market_;
  Token token_;
  MarketplaceConfig config_;
  eth::ChainClock clock_;
};

}  // namespace codex::market
