#pragma once
// A running storage node: the data directory (its lock and its one
// database, exchange/store/data_dir.h), its identity key, the block
// repository with its maintenance loop, the REST API and, with --metrics,
// Prometheus metrics on a listener of their own.
#include <cstdint>
#include <memory>

#include "agent/config/node_config.h"

namespace codex::base::sqlite {
class Database;
}

namespace codex::agent {

class Node {
 public:
  // Opens <data-dir> (creating it with mode 0700; upgrading the layout of an
  // older build), loads or creates the node key, opens the repo, binds the
  // API (none when api_bindaddr is empty; a taken port is an error, never
  // shared) and the metrics listener (with config.metrics; the same).
  // Throws std::runtime_error (or the store's errors) with the reason when
  // any step fails, e.g. when another process has the data directory.
  explicit Node(NodeConfig config);
  ~Node();  // stop()
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Starts serving and the maintenance loop.
  void start();
  // Stops the API and maintenance; idempotent.
  void stop();

  uint16_t api_port() const;
  uint16_t metrics_port() const;
  const NodeConfig& config() const;
  // The data directory's one database, shared by the store and the node's
  // other components (journal, log watcher, roles), which may write in one
  // transaction with the store (Repo::in).
  base::sqlite::Database& database() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace codex::agent
