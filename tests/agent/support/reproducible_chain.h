// A marketplace on a fresh anvil whose every block is reproducible: the
// genesis at a fixed time and, until the deployment is done, each block one
// second after the last (anvil's timestamp interval), so the block hashes — and
// with them challenges and proof requirements — are the same in every run. The
// test then sets each later block's time itself (evm_setNextBlockTimestamp).
// Like MarketEnv otherwise: dev accounts 1.. with 1e15 tokens and journaled
// senders, TestToken + TestVerifier + TestMarketplace (or as `plan` says).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "agent/eth/http_rpc_client.h"
#include "agent/eth/private_key.h"
#include "agent/eth/tx_sender.h"
#include "agent/market/contract_io.h"
#include "agent/market/deployment.h"
#include "base/sqlite/database.h"
#include "tests/agent/support/anvil.h"

namespace codex::test {

class ReproducibleChain {
 public:
  static constexpr int kAccounts = static_cast<int>(std::size(kDevKeys));
  static constexpr uint64_t kGenesis = 1'800'000'000;

  explicit ReproducibleChain(market::DeploymentPlan plan)
      : anvil_({"--timestamp", std::to_string(kGenesis)}) {
    char tmpl[] = "/tmp/reproducible_chain_XXXXXX";
    dir_ = mkdtemp(tmpl);
    rpc_ = std::make_unique<eth::HttpRpcClient>(eth::HttpRpcOptions{anvil_.url()});
    eth_ = std::make_unique<eth::EthClient>(*rpc_);
    db_ = base::sqlite::Database::open(dir_ / "agent.db");
    eth::TxOptions o;
    o.poll_interval = std::chrono::milliseconds(5);
    for (int i = 0; i < kAccounts; ++i) {
      keys_.push_back(std::make_unique<eth::PrivateKey>(eth::PrivateKey::from_hex(kDevKeys[i])));
      senders_.push_back(std::make_unique<eth::TxSender>(*eth_, *keys_.back(), *db_, o));
    }
    anvil_.rpc("anvil_setBlockTimestampInterval", nlohmann::json::array({1}));
    anvil_.rpc("anvil_mine", nlohmann::json::array({eth::quantity(257)}));  // §5.5
    for (int i = 1; i < kAccounts; ++i)
      plan.mint_to.push_back(address(i));
    deployment_ = market::deploy_marketplace(*senders_[0], plan);
    anvil_.rpc("anvil_removeBlockTimestampInterval");
  }
  ~ReproducibleChain() {
    senders_.clear();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  ReproducibleChain(const ReproducibleChain&) = delete;
  ReproducibleChain& operator=(const ReproducibleChain&) = delete;

  Anvil& anvil() { return anvil_; }
  eth::EthClient& eth() { return *eth_; }
  eth::TxSender& sender(int who) { return *senders_.at(size_t(who)); }
  eth::Address address(int who) const { return keys_.at(size_t(who))->address(); }
  const market::Deployment& deployment() const { return deployment_; }

 private:
  Anvil anvil_;
  std::filesystem::path dir_;
  std::unique_ptr<eth::HttpRpcClient> rpc_;
  std::unique_ptr<eth::EthClient> eth_;
  std::unique_ptr<base::sqlite::Database> db_;
  std::vector<std::unique_ptr<eth::PrivateKey>> keys_;
  std::vector<std::unique_ptr<eth::TxSender>> senders_;
  market::Deployment deployment_;
};

}  // namespace codex::test
