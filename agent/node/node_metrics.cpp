#include "agent/node/node_metrics.h"

#include <array>
#include <string>
#include <utility>

#include "agent/eth/http_rpc_client.h"
#include "agent/eth/log_watcher.h"
#include "agent/eth/rpc_error.h"
#include "agent/eth/tx_sender.h"
#include "agent/node/market_connection.h"
#include "agent/purchasing/purchase_records.h"
#include "agent/sales/sale_records.h"
#include "agent/validator/validator.h"
#include "base/metrics/registry.h"
#include "exchange/net/blockexc/engine.h"
#include "exchange/net/network.h"
#include "exchange/store/repo.h"

namespace codex::agent {

using base::metrics::Collection;

void add_store_metrics(base::metrics::Registry& registry, const store::Repo& repo) {
  registry.add_collector([&repo](Collection& c) {
    const store::Usage u = repo.usage();
    c.gauge("codex_store_blocks", "Blocks in the node's store.", {}, double(u.total_blocks));
    c.gauge("codex_store_bytes", "Bytes of the blocks in the node's store.", {}, double(u.used));
    c.gauge("codex_store_quota_bytes", "The store's quota (--storage-quota).", {},
            double(u.quota_max));
    c.gauge("codex_store_reserved_bytes",
            "Bytes of the quota promised to availabilities and not yet filled.", {},
            double(u.reserved));
  });
}

void add_network_metrics(base::metrics::Registry& registry, const net::Network& network) {
  registry.add_collector([&network](Collection& c) {
    const net::blockexc::EngineStats s = network.exchange_stats();
    c.counter("codex_exchange_blocks_sent_total", "Blocks sent to peers (block exchange).", {},
              double(s.blocks_sent));
    c.counter("codex_exchange_blocks_received_total",
              "Blocks received from peers, verified and stored (block exchange).", {},
              double(s.blocks_received));
    c.counter("codex_exchange_bytes_sent_total", "Bytes of the blocks sent to peers.", {},
              double(s.bytes_sent));
    c.counter("codex_exchange_bytes_received_total",
              "Bytes of the blocks received from peers, verified and stored.", {},
              double(s.bytes_received));
    c.gauge("codex_exchange_pending_wants", "Blocks wanted from peers and not yet received.", {},
            double(s.pending));
    c.gauge("codex_net_peers", "Peers connected.", {}, double(network.peers().size()));
  });
}

void add_chain_metrics(base::metrics::Registry& registry, MarketConnection& chain,
                       base::sqlite::Database& db, std::string watcher) {
  registry.add_collector([&chain, &db, watcher](Collection& c) {
    const eth::HttpRpcClient& rpc = chain.rpc();
    c.counter("codex_chain_rpc_requests_total",
              "JSON-RPC requests sent to the chain node (each attempt).", {},
              double(rpc.attempts()));
    c.counter("codex_chain_rpc_retries_total", "JSON-RPC requests sent again after a failure.", {},
              double(rpc.retries()));
    const std::array<std::pair<eth::RpcErrorKind, const char*>, 4> kinds = {{
        {eth::RpcErrorKind::Transport, "transport"},
        {eth::RpcErrorKind::Malformed, "malformed"},
        {eth::RpcErrorKind::Node, "node"},
        {eth::RpcErrorKind::Reverted, "reverted"},
    }};
    for (const auto& [kind, label] : kinds)
      c.counter("codex_chain_rpc_errors_total",
                "JSON-RPC calls that failed after their retries, by kind (transport, malformed "
                "reply, node error, reverted).",
                {{"kind", label}}, double(rpc.errors(kind)));
    if (auto next = eth::LogWatcher::stored_next_block(db, watcher); next && *next > 0)
      c.gauge("codex_chain_processed_block",
              "The newest block whose marketplace events the node has processed.", {},
              double(*next - 1));
    // Counted from the journal: they survive restarts, and settled states
    // (mined, replaced, rejected) never change.
    const auto n = chain.sender().journal().count_by_state();
    auto count = [&n](eth::TxState s) {
      auto it = n.find(s);
      return it == n.end() ? 0.0 : double(it->second);
    };
    using eth::TxState;
    c.counter("codex_chain_transactions_sent_total",
              "Transactions the chain node accepted (mined, replaced or waiting).", {},
              count(TxState::Sent) + count(TxState::Mined) + count(TxState::Replaced));
    c.counter("codex_chain_transactions_mined_total", "Transactions mined.", {},
              count(TxState::Mined));
    c.counter("codex_chain_transactions_replaced_total",
              "Transactions superseded by a fee-bumped attempt that was mined.", {},
              count(TxState::Replaced));
    c.counter("codex_chain_transactions_rejected_total",
              "Transactions the chain node refused for good.", {}, count(TxState::Rejected));
    c.gauge("codex_chain_transactions_pending", "Transactions signed or sent, not yet mined.", {},
            count(TxState::Signed) + count(TxState::Sent));
    c.counter("codex_chain_gas_used_total",
              "Gas used by the node's transactions mined since it started.", {},
              double(chain.sender().gas_used()));
  });
}

void add_role_metrics(base::metrics::Registry& registry, const sales::SaleRecords& sales,
                      const purchasing::PurchaseRecords& purchases, MarketConnection& chain) {
  registry.add_collector([&sales, &chain](Collection& c) {
    for (const auto& [state, n] : sales.count_by_state())
      c.gauge("codex_sales_slots", "The node's sales (one per slot), by state.",
              {{"state", sales::to_string(state)}}, double(n));
    c.counter("codex_sales_proofs_required_total",
              "Proofs the marketplace asked of the node's slots (periods that required one).", {},
              double(sales.proofs_required()));
    const auto proofs = chain.sender().journal().count_by_state("submitProof/");
    const auto mined = proofs.find(eth::TxState::Mined);
    c.counter("codex_sales_proofs_submitted_total", "Proofs submitted and mined.", {},
              mined == proofs.end() ? 0.0 : double(mined->second));
  });
  registry.add_collector([&purchases](Collection& c) {
    for (const auto& [state, n] : purchases.count_by_state())
      c.gauge("codex_purchases", "The node's purchases (storage requests), by state.",
              {{"state", purchasing::stored_name(state)}}, double(n));
  });
}

void add_validator_metrics(base::metrics::Registry& registry, const validator::Validator& v) {
  registry.add_collector([&v](Collection& c) {
    const validator::ValidatorStatus st = v.status();
    c.gauge("codex_validator_watched_slots", "Filled slots the validator watches.", {},
            double(st.watched));
    c.counter("codex_validator_marks_total", "Missing proofs the validator marked (mined).", {},
              double(st.totals.marks));
    // Token units can pass 2^53; a double is what Prometheus takes.
    c.counter("codex_validator_rewards_total",
              "Tokens the validator earned for marking missing proofs.", {},
              std::stod(st.totals.rewards.to_dec()));
    if (st.last_check)
      c.gauge("codex_validator_check_seconds",
              "Time the last period's check took to read every watched slot.", {},
              st.last_check->read_seconds);
  });
}

ProvingMetrics add_proving_metrics(base::metrics::Registry& registry) {
  return ProvingMetrics{
      registry.histogram("codex_sales_proving_seconds",
                         "Time to make one storage proof (blocks, witness and Groth16).",
                         {0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600}),
      registry.counter("codex_sales_proofs_failed_total",
                       "Proofs the node could not make (the prover or the slot's blocks failed).")};
}

}  // namespace codex::agent
