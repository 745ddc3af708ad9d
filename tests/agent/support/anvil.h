// RAII anvil process for tests: starts anvil on 127.0.0.1 at a free port, waits
// until it answers JSON-RPC, and kills it (SIGKILL + waitpid) on destruction.
// The child also dies with the test process (PR_SET_PDEATHSIG).
#pragma once

#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "agent/eth/http_rpc_client.h"

namespace codex::test {

// anvil's well-known dev accounts (mnemonic "test test ... junk").
inline constexpr const char* kDevKeys[] = {
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
    "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
    "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
};

// Returns a currently free TCP port on 127.0.0.1 (bind to port 0, read, close).
inline int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("free_port: bind failed");
  }
  int port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

// The anvil binary: $CODEX_ANVIL if set, else node_modules/.bin/anvil of the source
// tree (CODEX_SOURCE_DIR in tests; derived from this header's path elsewhere, e.g. benchmarks).
inline std::string anvil_binary() {
  if (const char* env = std::getenv("CODEX_ANVIL")) return env;
#ifdef CODEX_SOURCE_DIR
  return std::string(CODEX_SOURCE_DIR) + "/node_modules/.bin/anvil";
#else
  std::string here = __FILE__;
  auto pos = here.rfind("tests/agent/support/anvil.h");
  std::string root = pos == std::string::npos ? std::string(".") : here.substr(0, pos);
  return root + "node_modules/.bin/anvil";
#endif
}

class Anvil {
 public:
  explicit Anvil(std::vector<std::string> extra_args = {}) {
    if (::access(anvil_binary().c_str(), X_OK) != 0)
      throw std::runtime_error("anvil not found at " + anvil_binary() +
                               " (scripts/setup installs it; or set CODEX_ANVIL)");
    for (int attempt = 0; attempt < 3; ++attempt) {
      port_ = free_port();
      start(extra_args);
      if (wait_ready()) return;
      stop();
    }
    throw std::runtime_error("anvil did not start");
  }
  ~Anvil() { stop(); }
  Anvil(const Anvil&) = delete;
  Anvil& operator=(const Anvil&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Direct JSON-RPC to anvil (test control: anvil_mine, anvil_reorg, evm_setAutomine...).
  nlohmann::json rpc(const std::string& method, nlohmann::json params = nlohmann::json::array()) {
    return client_->call(method, params);
  }

 private:
  void start(const std::vector<std::string>& extra) {
    std::string bin = anvil_binary();
    // Old blocks' states are not written to ~/.foundry/anvil/tmp (a killed
    // anvil never removes them: they had filled this machine's disk, 79 GB).
    std::vector<std::string> args{
        bin,        "--host",          "127.0.0.1", "--port", std::to_string(port_),
        "--silent", "--prune-history", "512"};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      std::vector<char*> argv;
      for (auto& a : args)
        argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    eth::HttpRpcOptions o;
    o.url = url();
    o.max_attempts = 1;
    o.timeout = std::chrono::milliseconds(2000);
    client_ = std::make_unique<eth::HttpRpcClient>(o);
  }

  bool wait_ready() {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;  // exited (port taken?)
      }
      try {
        client_->call("eth_chainId", nlohmann::json::array());
        return true;
      } catch (const std::exception&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
      }
    }
    return false;
  }

  void stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }

  int port_ = 0;
  pid_t pid_ = -1;
  std::unique_ptr<eth::HttpRpcClient> client_;
};

}  // namespace codex::test
