#include "agent/devnet/chain_reader.h"

#include <algorithm>

namespace codex::devnet {

ChainReader::ChainReader(const std::string& rpc_url, const market::Address& marketplace,
                         const std::filesystem::path& db_path, const std::string& stream) {
  eth::HttpRpcOptions o;
  o.url = rpc_url;
  rpc = std::make_unique<eth::HttpRpcClient>(o);
  eth = std::make_unique<eth::EthClient>(*rpc);
  db = base::sqlite::Database::open(db_path);
  market = std::make_unique<market::Marketplace>(*eth, marketplace);
  token = std::make_unique<market::Token>(*eth, market->token());
  config = market->configuration();
  period_len = std::max<uint64_t>(1, config.proofs.period);
  events = std::make_unique<market::EventWatcher>(*eth, *db, *market, stream, eth->block_number());
}

const char* request_state_name(market::RequestState s) {
  switch (s) {
    case market::RequestState::New:
      return "new";
    case market::RequestState::Started:
      return "started";
    case market::RequestState::Cancelled:
      return "cancelled";
    case market::RequestState::Finished:
      return "finished";
    case market::RequestState::Failed:
      return "failed";
  }
  return "?";
}

}  // namespace codex::devnet
