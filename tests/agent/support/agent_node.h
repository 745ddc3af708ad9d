// A real `codex-agent node` process on loopback for REST tests.
#pragma once

#include <algorithm>
#include <filesystem>
#include <string>
#include <thread>

#include "agent/client/rest_client.h"
#include "tests/agent/support/anvil.h"
#include "tests/support/child_process.h"

namespace codex::test {

inline std::string agent_binary() {
  return std::string(CODEX_BINARY_DIR) + "/agent/codex-agent";
}

class AgentNode {
 public:
  // Starts a node on a free port with the given data dir and extra options,
  // and waits until its API answers (throws after 20 s).
  AgentNode(std::filesystem::path data_dir, std::vector<std::string> extra = {})
      : dir_(std::move(data_dir)), extra_(std::move(extra)) {
    start();
  }

  void start() {
    port_ = free_port();
    std::vector<std::string> argv{agent_binary(), "node", "-d",
                                  dir_.string(),  "-p",   std::to_string(port_)};
    if (std::find(extra_.begin(), extra_.end(), "--log-level") == extra_.end()) {
      argv.push_back("--log-level");
      argv.push_back("warn");
    }
    // Peers on loopback only, unless the test says where.
    if (std::find(extra_.begin(), extra_.end(), "--listen-addrs") == extra_.end()) {
      argv.push_back("--listen-addrs");
      argv.push_back("/ip4/127.0.0.1/tcp/0");
    }
    argv.insert(argv.end(), extra_.begin(), extra_.end());
    proc_ = std::make_unique<ChildProcess>(
        argv, (dir_.parent_path() / (dir_.filename().string() + ".log")).string());
    agent::RestClient c(base());
    for (int i = 0; i < 400; ++i) {
      try {
        c.get("/peerid");
        return;
      } catch (const agent::HttpError&) {
        return;  // it answers (e.g. 401 with --api-token-file)
      } catch (const std::exception&) {
        if (proc_->wait_exit(std::chrono::milliseconds(0)) != -1)
          throw std::runtime_error("codex-agent node exited at start");
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    throw std::runtime_error("codex-agent node did not answer");
  }
  // SIGTERM (graceful) or SIGKILL; returns the wait status.
  int stop(int sig = SIGTERM) { return proc_ ? proc_->kill(sig) : -1; }
  // True once the process has ended by itself (reaps it); start() again.
  bool exited() {
    return !proc_ || !proc_->running() || proc_->wait_exit(std::chrono::milliseconds(0)) != -1;
  }

  int port() const { return port_; }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_) + "/api/codex/v1"; }
  agent::RestClient client() const { return agent::RestClient(base()); }

 private:
  std::filesystem::path dir_;
  std::vector<std::string> extra_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> proc_;
};

}  // namespace codex::test
