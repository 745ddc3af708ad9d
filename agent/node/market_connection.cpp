#include "agent/node/market_connection.h"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "agent/eth/eth_client.h"
#include "agent/eth/http_rpc_client.h"
#include "agent/eth/private_key.h"
#include "agent/eth/tx_sender.h"
#include "agent/market/chain_market.h"

namespace codex::agent {

struct MarketConnection::Impl {
  std::unique_ptr<eth::HttpRpcClient> rpc;
  std::unique_ptr<eth::EthClient> eth;
  std::unique_ptr<eth::PrivateKey> key;
  std::unique_ptr<eth::TxSender> sender;
  std::unique_ptr<market::ChainMarket> market;
};

MarketConnection::MarketConnection(const NodeConfig& c, base::sqlite::Database& db)
    : impl_(std::make_unique<Impl>()) {
  if (!c.eth_private_key || !c.marketplace_address)
    throw std::invalid_argument("--persistence needs --eth-private-key and --marketplace-address");
  try {
    impl_->key = std::make_unique<eth::PrivateKey>(eth::PrivateKey::load_file(*c.eth_private_key));
  } catch (const std::exception& e) {
    throw std::runtime_error("--eth-private-key: " + std::string(e.what()));
  }
  const eth::Address account = impl_->key->address();
  if (c.eth_account) {
    eth::Address expected;
    try {
      expected = eth::Address::parse(*c.eth_account);
    } catch (const std::exception& e) {
      throw std::runtime_error("--eth-account: " + std::string(e.what()));
    }
    if (expected != account)
      throw std::runtime_error("--eth-account " + expected.hex() +
                               " is not the address of --eth-private-key (" + account.hex() + ")");
  }
  market::ChainMarketOptions mo;
  try {
    mo.marketplace = eth::Address::parse(*c.marketplace_address);
  } catch (const std::exception& e) {
    throw std::runtime_error("--marketplace-address: " + std::string(e.what()));
  }
  eth::HttpRpcOptions ro;
  ro.url = c.eth_provider;
  impl_->rpc = std::make_unique<eth::HttpRpcClient>(ro);
  impl_->eth = std::make_unique<eth::EthClient>(*impl_->rpc);
  eth::TxOptions to;
  try {
    to.chain_id = impl_->eth->chain_id();
  } catch (const std::exception& e) {
    throw std::runtime_error("--eth-provider: cannot reach the chain at " + c.eth_provider + ": " +
                             e.what());
  }
  impl_->sender = std::make_unique<eth::TxSender>(*impl_->eth, *impl_->key, db, to);
  try {
    impl_->market = std::make_unique<market::ChainMarket>(*impl_->eth, *impl_->sender, db, mo);
  } catch (const std::exception& e) {
    throw std::runtime_error("--marketplace-address " + mo.marketplace.hex() + ": " + e.what());
  }
  spdlog::info("marketplace {} on chain {} at {}, account {} (token balance {})",
               mo.marketplace.hex(), to.chain_id, c.eth_provider, account.hex(),
               impl_->market->token_balance(account).to_dec());
}

MarketConnection::~MarketConnection() = default;

market::MarketApi& MarketConnection::market() {
  return *impl_->market;
}

const eth::HttpRpcClient& MarketConnection::rpc() const {
  return *impl_->rpc;
}

eth::EthClient& MarketConnection::eth() {
  return *impl_->eth;
}

eth::TxSender& MarketConnection::sender() {
  return *impl_->sender;
}

}  // namespace codex::agent
