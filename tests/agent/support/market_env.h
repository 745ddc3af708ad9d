// A marketplace on a fresh anvil for chain tests: dev accounts with journaled
// senders (one database, as a data directory has), the contracts deployed from
// C++ (agent/market/deployment.h), ChainMarket per account, and chain-time
// control (evm_setNextBlockTimestamp + evm_mine). Optionally reproducible:
// every block hash the same in every run (MarketEnvOptions::genesis_time).
#pragma once

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "agent/eth/http_rpc_client.h"
#include "agent/eth/private_key.h"
#include "agent/eth/tx_sender.h"
#include "agent/market/chain_market.h"
#include "agent/market/config_json.h"
#include "agent/market/deployment.h"
#include "agent/market/marketplace.h"
#include "agent/market/token.h"
#include "base/sqlite/database.h"
#include "tests/agent/support/anvil.h"

namespace codex::test {

// The "marketplace" object of configs/chain-<name>.json.
inline market::MarketplaceConfig chain_preset(const std::string& name) {
  std::ifstream in(std::string(CODEX_SOURCE_DIR) + "/configs/chain-" + name + ".json");
  std::stringstream ss;
  ss << in.rdbuf();
  return market::config_from_json(nlohmann::json::parse(ss.str()).at("marketplace"));
}

// TestMarketplace with 60 s periods and a 30 s validation window: room for a
// few process starts inside one period.
inline market::DeploymentPlan roomy_plan() {
  market::DeploymentPlan p;
  p.test_marketplace = true;
  p.config.proofs.period = 60;
  p.config.proofs.timeout = 30;
  return p;
}

// A request of `client` for one 1 KiB slot for 1200 s, a proof every period
// (probability 1), expiry 600 s; `nonce` tells requests apart.
inline market::Request one_slot_request(const eth::Address& client, uint8_t nonce) {
  market::Request r;
  r.client = client;
  r.ask = {eth::Uint256(1), eth::Uint256(1), eth::Uint256(1), 1, 1024, 1200, 0};
  const std::string cid = "zDvZRwzm-one-slot";
  r.content.cid.assign(cid.begin(), cid.end());
  r.content.merkle_root.fill(0x22);
  r.expiry = 600;
  r.nonce.fill(nonce);
  return r;
}

struct MarketEnvOptions {
  market::DeploymentPlan plan;
  // false: the chain stays at block 0 until deploy() is called.
  bool deploy = true;
  // A reproducible chain: anvil's genesis at this time (seconds) and, until
  // the deployment is done, each block one second after the last (anvil's
  // timestamp interval), so the block hashes — and with them challenges and
  // proof requirements — are the same in every run; the test then sets each
  // later block's time itself (set_time, set_next_block_time). Without it
  // block times follow the wall clock.
  std::optional<uint64_t> genesis_time;
};

class MarketEnv {
 public:
  static constexpr int kAccounts = static_cast<int>(std::size(kDevKeys));

  // Accounts 1.. receive 1e15 tokens; account 0 deploys and holds none.
  explicit MarketEnv(market::DeploymentPlan plan = {}, bool deploy = true)
      : MarketEnv(MarketEnvOptions{std::move(plan), deploy, std::nullopt}) {}
  explicit MarketEnv(MarketEnvOptions options)
      : anvil_(anvil_args(options)), genesis_time_(options.genesis_time) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "market_env_XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
    rpc_ = std::make_unique<eth::HttpRpcClient>(eth::HttpRpcOptions{anvil_.url()});
    eth_ = std::make_unique<eth::EthClient>(*rpc_);
    db_ = base::sqlite::Database::open(dir_ / "agent.db");
    eth::TxOptions o;
    o.poll_interval = std::chrono::milliseconds(5);
    for (int i = 0; i < kAccounts; ++i) {
      keys_.push_back(std::make_unique<eth::PrivateKey>(eth::PrivateKey::from_hex(kDevKeys[i])));
      senders_.push_back(std::make_unique<eth::TxSender>(*eth_, *keys_.back(), *db_, o));
    }
    if (options.deploy) deploy(std::move(options.plan));
  }
  // Mines past block 256 (§5.5) when needed and deploys from account 0.
  void deploy(market::DeploymentPlan plan) {
    if (genesis_time_) anvil_.rpc("anvil_setBlockTimestampInterval", nlohmann::json::array({1}));
    uint64_t n = eth_->block_number();
    if (n < 257) mine(257 - n);
    for (int i = 1; i < kAccounts; ++i)
      plan.mint_to.push_back(address(i));
    deployment_ = market::deploy_marketplace(*senders_[0], plan);
    if (genesis_time_) anvil_.rpc("anvil_removeBlockTimestampInterval");
  }
  ~MarketEnv() {
    senders_.clear();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  MarketEnv(const MarketEnv&) = delete;
  MarketEnv& operator=(const MarketEnv&) = delete;

  Anvil& anvil() { return anvil_; }
  eth::EthClient& eth() { return *eth_; }
  // The client under eth() (its attempts() count round trips).
  eth::HttpRpcClient& rpc() { return *rpc_; }
  eth::TxSender& sender(int who) { return *senders_.at(who); }
  base::sqlite::Database& db() { return *db_; }
  eth::Address address(int who) const { return keys_.at(who)->address(); }
  const market::Deployment& deployment() const { return deployment_; }

  market::Marketplace market(int who) {
    return market::Marketplace(*eth_, deployment_.marketplace, senders_.at(who).get());
  }
  market::Token token(int who) {
    return market::Token(*eth_, deployment_.token, senders_.at(who).get());
  }
  // The marketplace as MarketApi for account `who`: its sender, this env's
  // database, chain time extrapolated with `local` (null = the system clock).
  std::unique_ptr<market::ChainMarket> chain_market(int who, base::Clock* local = nullptr) {
    market::ChainMarketOptions o;
    o.marketplace = deployment_.marketplace;
    o.deployment_block = deployment_.block;
    o.local_clock = local;
    return std::make_unique<market::ChainMarket>(*eth_, *senders_.at(who), *db_, o);
  }
  eth::Uint256 balance(int who) { return token(0).balance_of(address(who)); }
  eth::Uint256 market_balance() { return token(0).balance_of(deployment_.marketplace); }

  void mine(uint64_t blocks = 1) {
    anvil_.rpc("anvil_mine", nlohmann::json::array({eth::quantity(blocks)}));
  }
  uint64_t now() { return eth_->block(eth::BlockTag::latest()).timestamp; }
  // The time a transaction sent now would get (anvil: the wall clock).
  uint64_t pending_now() { return eth_->block(eth::BlockTag::pending()).timestamp; }
  uint64_t block_time(const eth::Receipt& r) {
    return eth_->block(eth::BlockTag::at(r.block_number)).timestamp;
  }
  // The next block (mined now) gets timestamp `t` (> the latest one).
  void set_time(uint64_t t) {
    anvil_.rpc("evm_setNextBlockTimestamp", nlohmann::json::array({t}));
    anvil_.rpc("evm_mine");
  }
  // The next transaction's block gets timestamp `t`, nothing is mined now.
  void set_next_block_time(uint64_t t) {
    anvil_.rpc("evm_setNextBlockTimestamp", nlohmann::json::array({t}));
  }

 private:
  static std::vector<std::string> anvil_args(const MarketEnvOptions& o) {
    if (!o.genesis_time) return {};
    return {"--timestamp", std::to_string(*o.genesis_time)};
  }

  Anvil anvil_;
  std::optional<uint64_t> genesis_time_;
  std::filesystem::path dir_;
  std::unique_ptr<eth::HttpRpcClient> rpc_;
  std::unique_ptr<eth::EthClient> eth_;
  std::unique_ptr<base::sqlite::Database> db_;
  std::vector<std::unique_ptr<eth::PrivateKey>> keys_;
  std::vector<std::unique_ptr<eth::TxSender>> senders_;
  market::Deployment deployment_;
};

}  // namespace codex::test
