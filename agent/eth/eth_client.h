// Typed Ethereum JSON-RPC calls over an RpcClient. Parses every reply strictly and
// throws RpcError(Malformed) for replies of the wrong shape. Thread-safety is that
// of the underlying RpcClient.
#pragma once

#include <optional>
#include <vector>

#include "agent/eth/chain_types.h"
#include "agent/eth/rpc_client.h"

namespace codex::eth {

class EthClient {
 public:
  // `rpc` must outlive this object.
  explicit EthClient(RpcClient& rpc) : rpc_(rpc) {}

  uint64_t chain_id();
  uint64_t block_number();
  // Throws RpcError(Node) if the block does not exist.
  BlockHeader block(const BlockTag& tag);
  Uint256 balance(const Address& who, const BlockTag& tag = BlockTag::latest());
  uint64_t transaction_count(const Address& who, const BlockTag& tag = BlockTag::latest());
  Uint256 gas_price();
  // eth_maxPriorityFeePerGas; nullopt when the node lacks it.
  std::optional<Uint256> max_priority_fee();

  // eth_call; throws RpcError(Reverted) carrying the revert data.
  Bytes call(const CallRequest& req, const BlockTag& tag = BlockTag::latest());
  // Several eth_calls in one batch (one HTTP request), all at `tag`; each
  // result is the return data, or the error. Throws RpcError only when the
  // batch as a whole fails (transport, malformed reply).
  struct CallResult {
    std::optional<Bytes> output;
    std::optional<std::string> error;  // message when the call failed
    bool reverted = false;             // the failure was an execution revert
    Bytes revert_data;                 // when it reverted (may be empty)
  };
  std::vector<CallResult> call_batch(const std::vector<CallRequest>& reqs,
                                     const BlockTag& tag = BlockTag::latest());
  uint64_t estimate_gas(const CallRequest& req);

  // Returns the transaction hash the node reports.
  Hash send_raw_transaction(const Bytes& raw);
  std::optional<Receipt> receipt(const Hash& tx_hash);
  // True when the node knows the transaction (pending or mined).
  bool transaction_known(const Hash& tx_hash);
  std::vector<Log> logs(const LogFilter& filter, uint64_t from_block, uint64_t to_block);

  RpcClient& rpc() { return rpc_; }

 private:
  RpcClient& rpc_;
};

// Parsers for reply objects, exposed for tests and for the log watcher.
// Throw RpcError(Malformed) naming the bad field.
Log parse_log(const nlohmann::json& j);
Receipt parse_receipt(const nlohmann::json& j);
BlockHeader parse_block(const nlohmann::json& j);

}  // namespace codex::eth
