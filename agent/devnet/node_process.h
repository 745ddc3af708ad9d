#pragma once
// One `codex-agent node` of a local network run (devnet, stress): its own
// directory under the run's (node.toml, eth.key 0600, node.log, data/), its
// REST API and metrics on free loopback ports, started as a child process and
// waited for until its API answers.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/devnet/child_process.h"
#include "agent/eth/address.h"

namespace codex::devnet {

enum class NodeRole { kClient, kProvider, kValidator };

struct NodeProcess {
  std::string name;
  NodeRole role = NodeRole::kProvider;
  std::filesystem::path dir;
  uint16_t port = 0;
  uint16_t metrics_port = 0;
  eth::Address address;
  std::unique_ptr<ChildProcess> process;  // null once reaped or killed
  std::vector<std::string> argv;          // to start it again
  bool killed = false;                    // by fault injection: not a failure

  std::string api() const;  // http://127.0.0.1:PORT/api/codex/v1
  std::string metrics() const;
  std::filesystem::path data_dir;  // dir/data, or where NodeSpec put it
  std::filesystem::path log() const { return dir / "node.log"; }
  std::filesystem::path database() const { return data_dir / "codex.sqlite3"; }
};

// What every node of one run shares.
struct NodeLaunch {
  std::filesystem::path run_dir;  // nodes go to run_dir/NAME
  std::filesystem::path agent;    // the codex-agent program
  std::string rpc_url;
  eth::Address marketplace;
  std::filesystem::path circuit_dir;  // providers' --circuit-dir
  bool survive_parent = false;        // --keep
  std::string run_name = "devnet";    // for the config's first comment
};

struct NodeSpec {
  std::string name;
  NodeRole role = NodeRole::kProvider;
  std::string private_key;  // 0x hex
  eth::Address address;
  std::string bootstrap;             // a signed peer record, or "" (the client)
  std::string extra_config;          // TOML lines appended (validator groups, proof failures)
  std::filesystem::path data_dir;    // empty: <run_dir>/<name>/data
  std::vector<std::string> wrapper;  // runs the node inside it (nsenter …), or empty
};

// Writes the node's files, starts it and waits until its API answers (60 s);
// picks other ports when the ones picked were taken meanwhile. nullopt when
// stop() became true while it started (the node is stopped). Throws
// std::runtime_error with the end of its log when it does not start.
std::optional<NodeProcess> start_node(const NodeLaunch& l, const NodeSpec& s,
                                      const std::function<bool()>& stop);

// Waits until the node's API answers; false when it exits, `timeout` passes
// or stop() becomes true.
bool wait_api(NodeProcess& n, const std::function<bool()>& stop,
              std::chrono::seconds timeout = std::chrono::seconds(60));

// Starts a killed node again from the same config and data; true once it
// answers. Throws std::runtime_error when the program cannot be started.
bool restart_node(NodeProcess& n, bool survive_parent, const std::function<bool()>& stop);

}  // namespace codex::devnet
