#pragma once
// A running storage node: the data directory, its identity key, the block
// repository with its maintenance loop, and the REST API.
#include <cstdint>
#include <memory>

#include "agent/config/node_config.h"

namespace codex::agent {

class Node {
 public:
  // Creates <data-dir> (mode 0700) and <data-dir>/repo, loads or creates the
  // node key, opens the repo, binds the API. Throws std::runtime_error (or the
  // store's errors) with the reason when any step fails.
  explicit Node(NodeConfig config);
  ~Node();  // stop()
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Starts serving and the maintenance loop.
  void start();
  // Stops the API and maintenance; idempotent.
  void stop();

  uint16_t api_port() const;
  const NodeConfig& config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace codex::agent
