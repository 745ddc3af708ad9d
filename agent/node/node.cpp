#include "agent/node/node.h"

#include <arpa/inet.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "agent/api/api_token.h"
#include "agent/api/metrics_server.h"
#include "agent/api/rest_server.h"
#include "agent/config/version.h"
#include "agent/market/market_api.h"
#include "agent/market/verifier_key.h"
#include "agent/node/circuit_dir.h"
#include "agent/node/market_connection.h"
#include "agent/node/node_metrics.h"
#include "agent/node/node_slot_work.h"
#include "agent/node/role_runner.h"
#include "agent/purchasing/purchasing.h"
#include "agent/sales/availabilities.h"
#include "agent/sales/heard_requests.h"
#include "agent/sales/sales.h"
#include "agent/sales/slot_work.h"
#include "agent/slots/slot_prover.h"
#include "agent/validator/validator.h"
#include "base/clock.h"
#include "base/metrics/registry.h"
#include "exchange/net/kad/dht.h"
#include "exchange/net/multiaddr.h"
#include "exchange/net/network.h"
#include "exchange/net/node_key.h"
#include "exchange/store/data_dir.h"
#include "exchange/store/repo.h"
#include "prover/groth16/zkey_file.h"

namespace codex::agent {

namespace {

bool is_loopback(const std::string& host) {
  if (host == "localhost" || host == "::1") return true;
  in_addr a{};
  return ::inet_pton(AF_INET, host.c_str(), &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

// Files of an older build's database may have been created 0644; they hold
// the node's private data, like the key. (New files are 0600: the node runs
// with umask 077.)
void make_private(const std::filesystem::path& db) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    auto p = db.string() + suffix;
    struct stat st {};
    if (::stat(p.c_str(), &st) == 0 && (st.st_mode & 077)) ::chmod(p.c_str(), st.st_mode & 0700);
  }
}

// A provider whose proving key is not the one the marketplace's verifier
// holds would have every proof rejected: refuse to start.
void check_proving_key(MarketConnection& chain, const std::filesystem::path& zkey) {
  const auto vk = prover::groth16::ZkeyReader(zkey.string()).verification_key();
  const auto check =
      market::check_verifier_key(chain.eth(), chain.market().marketplace_address(), vk);
  switch (check.result) {
    case market::VerifierKeyCheck::Result::kMatch:
      spdlog::info("prover: the proving key {} matches the marketplace's verifier {}",
                   zkey.string(), check.verifier.hex());
      return;
    case market::VerifierKeyCheck::Result::kMismatch:
      throw std::runtime_error("--circuit-dir: the proving key " + zkey.string() +
                               " does not match the marketplace's Groth16 verifier " +
                               check.verifier.hex() + " (" + check.detail +
                               "): every proof would be rejected on chain");
    case market::VerifierKeyCheck::Result::kNoGroth16Verifier:
      spdlog::warn("prover: the proving key was not checked against the chain: {}", check.detail);
      return;
  }
}

}  // namespace

// The provider's slot work until a prover is configured (the reference's
// answer without one). Sales are not driven without it.
class ProverNotEnabled final : public sales::SlotWork {
 public:
  void store(const market::Request&, uint64_t, bool,
             const std::function<void(uint64_t)>&) override {
    throw std::runtime_error("Prover not enabled");
  }
  market::Groth16Proof prove(const market::Request&, uint64_t, const market::Hash&) override {
    throw std::runtime_error("Prover not enabled");
  }
};

struct Node::Impl {
  NodeConfig config;
  // Declared first, destroyed last: every component below uses its database.
  // The transaction journal and the log watcher take data->database() too.
  std::unique_ptr<store::DataDir> data;
  // --metrics: declared before everything that counts into it (the REST
  // server, the slot work), so destroyed after them; null without --metrics.
  std::unique_ptr<base::metrics::Registry> metrics;
  std::optional<ProvingMetrics> proving_metrics;
  std::unique_ptr<net::NodeKey> key;
  std::unique_ptr<store::Repo> repo;
  // The marketplace roles (--persistence); null without them.
  std::unique_ptr<MarketConnection> chain;
  std::unique_ptr<sales::Availabilities> availabilities;
  std::unique_ptr<sales::SaleRecords> sale_records;
  std::unique_ptr<sales::HeardRequests> heard_requests;
  std::unique_ptr<slots::SlotProver> prover;
  std::unique_ptr<sales::SlotWork> slot_work;
  std::unique_ptr<sales::SalesContext> sales_ctx;
  std::unique_ptr<sales::Sales> sales;
  std::unique_ptr<purchasing::PurchaseRecords> purchase_records;
  std::unique_ptr<purchasing::PurchasingContext> purchasing_ctx;
  std::unique_ptr<purchasing::Purchasing> purchasing;
  std::unique_ptr<validator::Validator> validator;  // --validator
  base::SystemClock clock;
  std::unique_ptr<net::Network> network;
  // After network: destroyed (stopped) before it.
  std::unique_ptr<net::kad::Dht> dht;
  std::unique_ptr<RestServer> api;
  // After the roles: stopped before them.
  std::unique_ptr<RoleRunner> roles;
  uint16_t port = 0;
  // Last: its scrapes read the components above, so it goes first.
  std::unique_ptr<MetricsServer> metrics_server;
  uint16_t metrics_port = 0;

  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::thread maintenance;

  // Joins the DHT through the peers we reached, then announces every local
  // dataset (each again every 30 minutes).
  void join_dht() {
    try {
      const size_t known = dht->bootstrap();
      size_t announced = 0;
      for (const Cid& m : repo->manifests()) {
        dht->announce(m);
        ++announced;
      }
      spdlog::info("dht: {} peers in the routing table, {} datasets announced", known, announced);
    } catch (const std::exception& e) {
      spdlog::warn("dht: joining failed: {}", e.what());
    }
  }

  // The marketplace roles' state (--persistence): the chain, the provider's
  // availabilities and sales, the client's purchases.
  void start_roles_state(const NodeConfig& c) {
    base::sqlite::Database& db = data->database();
    chain = std::make_unique<MarketConnection>(c, db);
    market::MarketApi& market = chain->market();
    availabilities = std::make_unique<sales::Availabilities>(db, *repo);
    sale_records = std::make_unique<sales::SaleRecords>(db);
    heard_requests = std::make_unique<sales::HeardRequests>(db);
    if (c.prover) {
      const CircuitDir files =
          load_circuit_dir(c.circuit_dir.empty() ? c.data_dir / "circuits" : c.circuit_dir);
      check_proving_key(*chain, files.zkey);
      prover = std::make_unique<slots::SlotProver>(files.zkey,
                                                   slots::SlotProverOptions{files.params, 0, 8});
      slot_work = std::make_unique<NodeSlotWork>(*repo, *network, dht.get(), *prover,
                                                 proving_metrics ? &*proving_metrics : nullptr);
    } else {
      slot_work = std::make_unique<ProverNotEnabled>();
    }
    sales_ctx.reset(
        new sales::SalesContext{market, *availabilities, *sale_records, *slot_work, db});
    sales_ctx->simulate_proof_failures = c.simulate_proof_failures;
    // Crash tests (tests/agent/sales_crash_test.cpp): the process kills
    // itself the first time a sale enters the named state, right after the
    // state is committed and before its action, where a crash hurts most.
    if (const char* s = std::getenv("CODEX_TEST_CRASH_IN_SALE_STATE"); s && *s) {
      const auto state = sales::sale_state_from(s);
      if (!state) throw std::invalid_argument(std::string("CODEX_TEST_CRASH_IN_SALE_STATE: ") + s);
      spdlog::warn("sales: this node kills itself when a sale enters {} (a crash test)", s);
      sales_ctx->entered = [state](const sales::SaleRecord& r) {
        if (r.state != *state) return;
        spdlog::warn("sales: slot {} entered {}: killing this process (crash test)", r.slot_index,
                     sales::to_string(r.state));
        spdlog::default_logger()->flush();
        ::raise(SIGKILL);
      };
    }
    if (c.simulate_proof_failures > 0)
      spdlog::warn(
          "sales: every {}th required proof will be sent invalid (--simulate-proof-failures)",
          c.simulate_proof_failures);
    sales = std::make_unique<sales::Sales>(*sales_ctx);
    purchase_records = std::make_unique<purchasing::PurchaseRecords>(db);
    purchasing_ctx.reset(new purchasing::PurchasingContext{market, *purchase_records, db});
    purchasing =
        std::make_unique<purchasing::Purchasing>(*purchasing_ctx, *repo, [this](const Cid& m) {
          try {
            if (dht) dht->announce(m);
          } catch (const std::exception& e) {
            spdlog::warn("dht: announcing {}: {}", m.to_string(), e.what());
          }
        });
    if (c.validator) {
      validator::ValidatorOptions vo;
      vo.max_slots = c.validator_max_slots;
      vo.groups = c.validator_groups;
      vo.group_index = c.validator_groups ? c.validator_group_index : 0;
      validator = std::make_unique<validator::Validator>(market, db, vo);
    }
  }

  // --metrics: what the node's components keep, read at each scrape, on a
  // listener of its own (a taken port stops the start).
  void serve_metrics(const NodeConfig& c) {
    add_store_metrics(*metrics, *repo);
    add_network_metrics(*metrics, *network);
    if (chain) {
      add_chain_metrics(*metrics, *chain, data->database(), RoleRunnerOptions{}.stream_name);
      add_role_metrics(*metrics, *sale_records, *purchase_records, *chain);
      if (validator) add_validator_metrics(*metrics, *validator);
    }
    metrics_server = std::make_unique<MetricsServer>(*metrics);
    metrics_port = metrics_server->bind(c.metrics_address, c.metrics_port);
  }

  void maintenance_loop() {
    join_dht();
    std::unique_lock lock(mu);
    while (!cv.wait_for(lock, config.block_maintenance_interval, [this] { return stopping; })) {
      lock.unlock();
      try {
        size_t n = repo->run_maintenance(config.block_maintenance_count);
        if (n > 0) spdlog::info("maintenance: removed {} expired blocks", n);
      } catch (const std::exception& e) {
        spdlog::error("maintenance: {}", e.what());
      }
      lock.lock();
    }
  }
};

Node::Node(NodeConfig config) : impl_(std::make_unique<Impl>()) {
  impl_->config = std::move(config);
  const auto& c = impl_->config;
  impl_->data = store::DataDir::open(c.data_dir);
  if (impl_->data->upgraded_layout())
    spdlog::info("data dir: moved the block index of an older build into {}",
                 impl_->data->database().path().string());
  make_private(impl_->data->database().path());
  impl_->key = std::make_unique<net::NodeKey>(net::NodeKey::load_or_create(
      c.net_privkey.is_absolute() ? c.net_privkey : c.data_dir / c.net_privkey));
  store::RepoOptions ro;
  ro.dir = impl_->data->repo_dir();
  ro.quota_bytes = c.storage_quota;
  ro.default_ttl = c.block_ttl;
  ro.durability =
      c.power_loss_durability ? store::Durability::kPowerLoss : store::Durability::kProcessCrash;
  impl_->repo = store::Repo::open(impl_->data->database(), ro);
  net::NetworkConfig nc;
  for (const auto& a : c.listen_addrs) {
    try {
      nc.listen.push_back(net::Multiaddr::parse(a));
    } catch (const std::exception& e) {
      throw std::invalid_argument("--listen-addrs " + a + ": " + e.what());
    }
  }
  nc.bootstrap = c.bootstrap_nodes;
  nc.repo = impl_->repo.get();
  nc.block_retries = int(c.block_retries);
  nc.max_peers = c.max_peers;
  nc.agent_version = c.agent_string;
  nc.diagnostic = [](const std::string& what) { spdlog::debug("net: {}", what); };
  impl_->network = std::make_unique<net::Network>(*impl_->key, std::move(nc));
  impl_->dht = std::make_unique<net::kad::Dht>(*impl_->network, impl_->clock);
  impl_->dht->start();
  if (c.metrics) {
    impl_->metrics =
        std::make_unique<base::metrics::Registry>("codex_metrics_collector_errors_total");
    if (c.prover) impl_->proving_metrics.emplace(add_proving_metrics(*impl_->metrics));
  }
  if (c.persistence) impl_->start_roles_state(c);
  if (c.metrics) impl_->serve_metrics(c);
  if (c.api_bindaddr.empty()) return;  // no API, as in the reference
  ApiContext ctx{*impl_->repo, *impl_->key,  version(),         ro.dir.string(),
                 {},           c.block_size, c.api_cors_origin, std::nullopt};
  ctx.network = impl_->network.get();
  ctx.dht = impl_->dht.get();
  ctx.availabilities = impl_->availabilities.get();
  ctx.sales = impl_->sales.get();
  ctx.purchasing = impl_->purchasing.get();
  ctx.market = impl_->chain ? &impl_->chain->market() : nullptr;
  ctx.validator = impl_->validator.get();
  ctx.metrics = impl_->metrics.get();
  for (const auto& a : impl_->network->addresses())
    ctx.listen_addrs.push_back(a.to_string());
  if (c.api_token_file) ctx.api_token = read_api_token(*c.api_token_file);
  impl_->api = std::make_unique<RestServer>(std::move(ctx));
  impl_->port = impl_->api->bind(c.api_bindaddr, c.api_port);
}

Node::~Node() {
  stop();
}

void Node::start() {
  for (const auto& a : impl_->network->addresses())
    spdlog::info("node {} listening for peers on {}", impl_->key->peer_id(), a.to_string());
  spdlog::info("node {} signed peer record: {}", impl_->key->peer_id(), impl_->network->spr());
  impl_->maintenance = std::thread([this] { impl_->maintenance_loop(); });
  if (impl_->purchasing) {
    // Purchases resume; sales run only with a prover (a slot it could not
    // prove would cost its collateral).
    impl_->purchasing->start();
    sales::Sales* sales = impl_->prover ? impl_->sales.get() : nullptr;
    if (sales) {
      // The requests heard of before a restart whose slots may still be
      // filled go back into the slot queue.
      const auto heard = impl_->heard_requests->open(impl_->chain->market().clock().seconds());
      if (!heard.empty())
        spdlog::info("sales: looking again at {} requests heard of before the restart",
                     heard.size());
      sales->start(heard);
    }
    RoleRunnerOptions ro;
    ro.heard = impl_->heard_requests.get();
    impl_->roles =
        std::make_unique<RoleRunner>(impl_->chain->market(), sales, impl_->purchasing.get(), ro);
    impl_->roles->start();
  }
  if (impl_->validator) impl_->validator->start();
  const auto& c = impl_->config;
  if (impl_->metrics_server) {
    impl_->metrics_server->start();
    spdlog::info("node {} serving metrics on http://{}:{}/metrics", impl_->key->peer_id(),
                 c.metrics_address, impl_->metrics_port);
  }
  if (!impl_->api) {
    spdlog::info("node {}: REST API disabled (empty --api-bindaddr), data dir {}",
                 impl_->key->peer_id(), c.data_dir.string());
    return;
  }
  impl_->api->start();
  spdlog::info("node {} serving the API on http://{}:{}/api/codex/v1 (data dir {})",
               impl_->key->peer_id(), c.api_bindaddr, impl_->port, c.data_dir.string());
  if (!c.api_token_file && !is_loopback(c.api_bindaddr))
    spdlog::warn(
        "the REST API listens on {} without --api-token-file: anyone who can reach it may "
        "upload, download and delete data",
        c.api_bindaddr);
}

void Node::stop() {
  if (!impl_) return;
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->stopping) return;
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  // Scrapes read the network and the roles' tables: they end first.
  if (impl_->metrics_server) impl_->metrics_server->stop();
  if (impl_->validator) impl_->validator->stop();
  if (impl_->roles) impl_->roles->stop();
  if (impl_->api) impl_->api->stop();
  // The maintenance thread uses the DHT (joining it): it ends first.
  if (impl_->maintenance.joinable()) impl_->maintenance.join();
  impl_->dht.reset();
  impl_->network.reset();
}

uint16_t Node::api_port() const {  // 0 when the API is disabled
  return impl_->port;
}
uint16_t Node::metrics_port() const {  // 0 without --metrics
  return impl_->metrics_port;
}
const NodeConfig& Node::config() const {
  return impl_->config;
}
base::sqlite::Database& Node::database() const {
  return impl_->data->database();
}

}  // namespace codex::agent
