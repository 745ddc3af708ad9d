#pragma once
// The node's link to the marketplace (--persistence): the chain's JSON-RPC
// endpoint, the account's key, the transaction journal in the node's database
// (reconciled with the chain before anything new is sent) and the contract as
// MarketApi. Built once at start; a chain that cannot be reached, a key file
// others can read, a key that is not --eth-account's, or an address without
// the marketplace stops the node with the reason.
#include <memory>

#include "agent/config/node_config.h"

namespace codex::base::sqlite {
class Database;
}
namespace codex::market {
class MarketApi;
}
namespace codex::eth {
class HttpRpcClient;
class TxSender;
class EthClient;
}  // namespace codex::eth

namespace codex::agent {

class MarketConnection {
 public:
  // Throws std::runtime_error naming the option at fault.
  MarketConnection(const NodeConfig& config, base::sqlite::Database& db);
  ~MarketConnection();
  MarketConnection(const MarketConnection&) = delete;
  MarketConnection& operator=(const MarketConnection&) = delete;

  market::MarketApi& market();
  eth::EthClient& eth();
  // For metrics: the JSON-RPC client's counters, the sender's journal and gas.
  const eth::HttpRpcClient& rpc() const;
  eth::TxSender& sender();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace codex::agent
