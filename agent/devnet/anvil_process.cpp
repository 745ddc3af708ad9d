#include "agent/devnet/anvil_process.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "agent/devnet/free_port.h"
#include "agent/devnet/project_files.h"
#include "agent/eth/http_rpc_client.h"

namespace codex::devnet {
namespace fs = std::filesystem;

AnvilProcess start_anvil(const fs::path& dir, size_t accounts, bool survive_parent) {
  const fs::path bin = anvil_binary();
  const fs::path config_out = dir / "anvil-accounts.json";
  std::string last_error;
  for (int attempt = 0; attempt < 3; ++attempt) {
    fs::remove(config_out);
    const std::string port = std::to_string(free_port());
    AnvilProcess a;
    a.url = "http://127.0.0.1:" + port;
    a.process = std::make_unique<ChildProcess>(
        std::vector<std::string>{bin.string(), "--host", "127.0.0.1", "--port", port, "--chain-id",
                                 "31337", "--accounts", std::to_string(accounts), "--balance",
                                 "10000", "--config-out", config_out.string(),
                                 // Anvil otherwise writes old blocks' states to
                                 // ~/.foundry/anvil/tmp and never removes them when
                                 // killed (79 GB on this machine before we noticed);
                                 // reads never go further back than a few blocks.
                                 "--prune-history", "512"},
        dir / "anvil.log", survive_parent);
    eth::HttpRpcOptions o;
    o.url = a.url;
    o.max_attempts = 1;
    o.timeout = std::chrono::milliseconds(2000);
    eth::HttpRpcClient rpc(o);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    bool up = false;
    while (std::chrono::steady_clock::now() < deadline) {
      if (auto st = a.process->exited()) {
        last_error = "anvil " + describe_status(*st) + " at start (see " +
                     (dir / "anvil.log").string() + ")";
        break;
      }
      try {
        rpc.call("eth_chainId", nlohmann::json::array());
        if (fs::exists(config_out)) {
          up = true;
          break;
        }
      } catch (const std::exception&) {
        // not listening yet
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!up) {
      if (last_error.empty()) last_error = "anvil did not answer within 15 s";
      a.process->stop(std::chrono::seconds(2));
      continue;
    }
    std::ifstream in(config_out);
    nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
    fs::remove(config_out);  // private keys: the caller keeps them where it wants
    if (!j.is_object() || !j.contains("private_keys") || !j["private_keys"].is_array())
      throw std::runtime_error("anvil wrote no private_keys in its --config-out");
    for (const auto& k : j["private_keys"])
      a.private_keys.push_back(k.get<std::string>());
    return a;
  }
  throw std::runtime_error(last_error);
}

}  // namespace codex::devnet
