#include "agent/node/node.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "agent/api/rest_server.h"
#include "agent/config/version.h"
#include "exchange/net/node_key.h"
#include "exchange/store/data_dir.h"
#include "exchange/store/repo.h"

namespace codex::agent {

struct Node::Impl {
  NodeConfig config;
  // Declared first, destroyed last: every component below uses its database.
  // The transaction journal and the log watcher take data->database() too.
  std::unique_ptr<store::DataDir> data;
  std::unique_ptr<net::NodeKey> key;
  std::unique_ptr<store::Repo> repo;
  std::unique_ptr<RestServer> api;
  uint16_t port = 0;

  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::thread maintenance;

  void maintenance_loop() {
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
  impl_->key = std::make_unique<net::NodeKey>(net::NodeKey::load_or_create(c.data_dir / "key"));
  store::RepoOptions ro;
  ro.dir = impl_->data->repo_dir();
  ro.quota_bytes = c.storage_quota;
  ro.default_ttl = c.block_ttl;
  ro.durability =
      c.power_loss_durability ? store::Durability::kPowerLoss : store::Durability::kProcessCrash;
  impl_->repo = store::Repo::open(impl_->data->database(), ro);
  ApiContext ctx{*impl_->repo, *impl_->key,  version(),        ro.dir.string(),
                 {},           c.block_size, c.api_cors_origin};
  impl_->api = std::make_unique<RestServer>(std::move(ctx));
  impl_->port = impl_->api->bind(c.api_bindaddr, c.api_port);
}

Node::~Node() {
  stop();
}

void Node::start() {
  impl_->api->start();
  impl_->maintenance = std::thread([this] { impl_->maintenance_loop(); });
  spdlog::info("node {} serving the API on http://{}:{}/api/codex/v1 (data dir {})",
               impl_->key->peer_id(), impl_->config.api_bindaddr, impl_->port,
               impl_->config.data_dir.string());
}

void Node::stop() {
  if (!impl_) return;
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->stopping) return;
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  if (impl_->api) impl_->api->stop();
  if (impl_->maintenance.joinable()) impl_->maintenance.join();
}

uint16_t Node::api_port() const {
  return impl_->port;
}
const NodeConfig& Node::config() const {
  return impl_->config;
}
base::sqlite::Database& Node::database() const {
  return impl_->data->database();
}

}  // namespace codex::agent
