#pragma once
// The node's figures for Prometheus (--metrics; README "Metrics" lists them).
// Figures something else keeps already are read at each scrape (pull
// collectors): the store's usage from the repo, sales and purchases by state
// from their tables, transactions from the journal, the RPC client's and the
// block exchange's counters. Only what nothing keeps is counted here:
// proving time and failed proofs (ProvingMetrics), and the REST API's
// requests (agent/api/rest_server.cpp).
#include <string>

#include "agent/node/node_slot_work.h"

namespace codex::base::metrics {
class Registry;
}
namespace codex::base::sqlite {
class Database;
}
namespace codex::store {
class Repo;
}
namespace codex::net {
class Network;
}
namespace codex::sales {
class SaleRecords;
}
namespace codex::purchasing {
class PurchaseRecords;
}
namespace codex::validator {
class Validator;
}

namespace codex::agent {

class MarketConnection;

// Each registers on `registry` what reads its sources at a scrape; the
// sources must outlive the registry's use (the metrics server stops first).
void add_store_metrics(base::metrics::Registry& registry, const store::Repo& repo);
void add_network_metrics(base::metrics::Registry& registry, const net::Network& network);
// `watcher`: the log watcher whose position says which blocks were seen.
void add_chain_metrics(base::metrics::Registry& registry, MarketConnection& chain,
                       base::sqlite::Database& db, std::string watcher);
void add_role_metrics(base::metrics::Registry& registry, const sales::SaleRecords& sales,
                      const purchasing::PurchaseRecords& purchases, MarketConnection& chain);
void add_validator_metrics(base::metrics::Registry& registry, const validator::Validator& v);
// Registers the proving histogram and failure counter.
ProvingMetrics add_proving_metrics(base::metrics::Registry& registry);

}  // namespace codex::agent
