#include "agent/devnet/node_process.h"

#include <sstream>
#include <stdexcept>
#include <thread>

#include "agent/client/rest_client.h"
#include "agent/devnet/free_port.h"
#include "agent/devnet/run_files.h"

namespace codex::devnet {
namespace fs = std::filesystem;

namespace {
constexpr const char* kApi = "/api/codex/v1";
}

std::string NodeProcess::api() const {
  return "http://127.0.0.1:" + std::to_string(port) + kApi;
}
std::string NodeProcess::metrics() const {
  return "http://127.0.0.1:" + std::to_string(metrics_port);
}

bool wait_api(NodeProcess& n, const std::function<bool()>& stop, std::chrono::seconds timeout) {
  agent::RestClient c(n.api());
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end && !stop()) {
    if (!n.process || n.process->exited()) return false;
    try {
      c.get("/peerid");
      return true;
    } catch (const std::exception&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  return false;
}

std::optional<NodeProcess> start_node(const NodeLaunch& l, const NodeSpec& s,
                                      const std::function<bool()>& stop) {
  NodeProcess n;
  n.name = s.name;
  n.role = s.role;
  n.dir = l.run_dir / s.name;
  n.address = s.address;
  n.data_dir = s.data_dir.empty() ? n.dir / "data" : s.data_dir;
  fs::create_directories(n.dir);
  write_private(n.dir / "eth.key", s.private_key + "\n");
  const bool provider = s.role == NodeRole::kProvider;
  for (int attempt = 0;; ++attempt) {
    n.port = free_port();
    n.metrics_port = free_port();
    std::ostringstream cfg;
    cfg << "# " << s.name << " of the " << l.run_name << " in " << l.run_dir.string() << "\n"
        << "data-dir = " << toml_string(n.data_dir.string()) << "\n"
        << "api-port = " << n.port << "\n"
        << "listen-addrs = [\"/ip4/127.0.0.1/tcp/0\"]\n"
        << "persistence = true\n"
        << "eth-provider = " << toml_string(l.rpc_url) << "\n"
        << "eth-private-key = " << toml_string((n.dir / "eth.key").string()) << "\n"
        << "marketplace-address = " << toml_string(l.marketplace.hex()) << "\n"
        << "log-level = \"info\"\n"
        << "log-format = \"nocolors\"\n"
        << "metrics = true\n"
        << "metrics-port = " << n.metrics_port << "\n";
    if (!s.bootstrap.empty()) cfg << "bootstrap-node = [" << toml_string(s.bootstrap) << "]\n";
    if (provider)
      cfg << "prover = true\n"
          << "circuit-dir = " << toml_string(l.circuit_dir.string()) << "\n";
    if (s.role == NodeRole::kValidator) cfg << "validator = true\n";
    cfg << s.extra_config;
    write_private(n.dir / "node.toml", cfg.str());
    n.argv = s.wrapper;
    for (std::string a : {l.agent.string(), std::string("node"), std::string("--config-file"),
                          (n.dir / "node.toml").string()})
      n.argv.push_back(a);
    n.process = std::make_unique<ChildProcess>(n.argv, n.log(), l.survive_parent);
    if (wait_api(n, stop)) return n;
    if (stop()) {  // Ctrl-C while it started: not a failure
      n.process->stop(std::chrono::seconds(10));
      return std::nullopt;
    }
    const auto st = n.process->exited();
    n.process->stop(std::chrono::seconds(2));
    if (attempt < 2 && st && last_lines(n.log(), 3).find("in use") != std::string::npos)
      continue;  // the port was taken between our pick and its bind
    throw std::runtime_error(s.name + " did not start (" +
                             (st ? describe_status(*st) : std::string("no answer in 60 s")) +
                             "); the end of " + n.log().string() + ":\n" + last_lines(n.log(), 8));
  }
}

bool restart_node(NodeProcess& n, bool survive_parent, const std::function<bool()>& stop) {
  n.process = std::make_unique<ChildProcess>(n.argv, n.log(), survive_parent);
  n.killed = false;
  return wait_api(n, stop);
}

}  // namespace codex::devnet
