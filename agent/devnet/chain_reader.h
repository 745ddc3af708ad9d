#pragma once
// What a local run's watch reads the chain with (NetworkWatch for the
// devnet, StressWatch for stress runs): JSON-RPC to anvil, the marketplace
// and its token, the contract's configuration, and a marketplace event
// stream whose position is kept in the run's own database.
#include <filesystem>
#include <memory>
#include <string>

#include "agent/eth/eth_client.h"
#include "agent/eth/http_rpc_client.h"
#include "agent/market/event_watcher.h"
#include "agent/market/marketplace.h"
#include "agent/market/token.h"
#include "base/sqlite/database.h"

namespace codex::devnet {

struct ChainReader {
  // Events are read from the current block on, under `stream`. Throws what
  // the RPC and the database throw.
  ChainReader(const std::string& rpc_url, const market::Address& marketplace,
              const std::filesystem::path& db, const std::string& stream);

  std::unique_ptr<eth::HttpRpcClient> rpc;
  std::unique_ptr<eth::EthClient> eth;
  std::unique_ptr<base::sqlite::Database> db;
  std::unique_ptr<market::Marketplace> market;
  std::unique_ptr<market::Token> token;
  std::unique_ptr<market::EventWatcher> events;
  market::MarketplaceConfig config;
  uint64_t period_len = 1;
};

// "new", "started", "cancelled", "finished", "failed".
const char* request_state_name(market::RequestState s);

}  // namespace codex::devnet
