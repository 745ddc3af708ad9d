#include "agent/devnet/anvil_process.h"

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "agent/devnet/free_port.h"
#include "agent/devnet/project_files.h"
#include "agent/eth/http_rpc_client.h"

namespace codex::devnet {
namespace fs = std::filesystem;

namespace {

// Waits until anvil at `url` answers eth_chainId (and `ready` holds); false
// when it exits or 15 s pass (`error` says which).
bool wait_answer(ChildProcess& p, const std::string& url, const fs::path& dir,
                 const std::function<bool()>& ready, std::string& error) {
  eth::HttpRpcOptions o;
  o.url = url;
  o.max_attempts = 1;
  o.timeout = std::chrono::milliseconds(2000);
  eth::HttpRpcClient rpc(o);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto st = p.exited()) {
      error =
          "anvil " + describe_status(*st) + " at start (see " + (dir / "anvil.log").string() + ")";
      return false;
    }
    try {
      rpc.call("eth_chainId", nlohmann::json::array());
      if (ready()) return true;
    } catch (const std::exception&) {
      // not listening yet
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  error = "anvil did not answer within 15 s";
  return false;
}

std::vector<std::string> anvil_args(const fs::path& bin, const std::string& port) {
  return {bin.string(), "--host", "127.0.0.1", "--port", port, "--chain-id", "31337",
          // Anvil otherwise writes old blocks' states to ~/.foundry/anvil/tmp
          // and never removes them when killed (79 GB on this machine before
          // we noticed); reads never go further back than a few blocks.
          "--prune-history", "512"};
}

}  // namespace

void restart_anvil(AnvilProcess& a, const fs::path& dir, bool survive_parent,
                   std::chrono::milliseconds down) {
  a.process->stop(std::chrono::seconds(10));  // SIGTERM: it writes dir/state.json
  std::this_thread::sleep_for(down);
  const std::string port = a.url.substr(a.url.rfind(':') + 1);
  auto args = anvil_args(anvil_binary(), port);
  for (const char* x : {"--load-state", "--dump-state"}) {
    args.push_back(x);
    args.push_back((dir / "state.json").string());
  }
  a.process = std::make_unique<ChildProcess>(args, dir / "anvil.log", survive_parent);
  std::string error;
  if (!wait_answer(
          *a.process, a.url, dir, [] { return true; }, error))
    throw std::runtime_error("restarting the chain: " + error);
}

AnvilProcess start_anvil(const fs::path& dir, size_t accounts, bool survive_parent,
                         bool keep_state) {
  const fs::path bin = anvil_binary();
  const fs::path config_out = dir / "anvil-accounts.json";
  std::string last_error;
  for (int attempt = 0; attempt < 3; ++attempt) {
    fs::remove(config_out);
    const std::string port = std::to_string(free_port());
    AnvilProcess a;
    a.url = "http://127.0.0.1:" + port;
    auto args = anvil_args(bin, port);
    for (const std::string& x :
         {std::string("--accounts"), std::to_string(accounts), std::string("--balance"),
          std::string("10000"), std::string("--config-out"), config_out.string()})
      args.push_back(x);
    if (keep_state) {
      args.push_back("--dump-state");
      args.push_back((dir / "state.json").string());
    }
    a.process = std::make_unique<ChildProcess>(args, dir / "anvil.log", survive_parent);
    if (!wait_answer(
            *a.process, a.url, dir, [&] { return fs::exists(config_out); }, last_error)) {
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
