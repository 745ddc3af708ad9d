// A marketplace on anvil for end-to-end tests of the roles: the contracts
// with a Groth16 verifier holding the small circuit's development key
// (10 s periods), a client node process (account 1) and helpers to start
// provider processes, upload, request storage and offer space through the
// REST API, as a user would.
#pragma once

#include <httplib.h>

#include <deque>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "tests/agent/support/agent_node.h"
#include "tests/agent/support/chain_node.h"
#include "tests/agent/support/market_env.h"
#include "tests/agent/support/market_model_world.h"
#include "tests/agent/support/small_circuit.h"
#include "tests/support/temp_dir.h"

namespace codex::test {

class SmallMarket {
 public:
  static constexpr const char* kBase = "/api/codex/v1";

  explicit SmallMarket(const std::string& name, const std::string& seed = "marketplace-e2e")
      : tmp_(name), circuits_(tmp_.path() / "circuits"), env_(plan(circuits_, seed)) {
    client_ = std::make_unique<AgentNode>(tmp_.path() / "client", chain_args(env_, tmp_.path(), 1));
    spr_ = nlohmann::json::parse(http(*client_).Get(std::string(kBase) + "/spr")->body)["spr"];
  }

  MarketEnv& env() { return env_; }
  AgentNode& client() { return *client_; }
  const std::filesystem::path& dir() const { return tmp_.path(); }
  // <dir>/<name>.log: a node's log (AgentNode writes it beside its data dir).
  std::filesystem::path log(const std::string& name) const { return dir() / (name + ".log"); }

  // The options of a provider of account `account` that proves with the
  // small circuit and knows the client.
  std::vector<std::string> provider_args(int account, std::vector<std::string> extra = {}) {
    auto args = chain_args(env_, tmp_.path(), account);
    for (const std::string& x : std::vector<std::string>{
             "--prover", "--circuit-dir", circuits_.string(), "--bootstrap-node", spr_})
      args.push_back(x);
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  std::unique_ptr<AgentNode> provider(const std::string& name, int account,
                                      std::vector<std::string> extra = {}) {
    return std::make_unique<AgentNode>(tmp_.path() / name, provider_args(account, extra));
  }

  // Uploads `bytes` random bytes to the client; returns the CID.
  std::string upload(size_t bytes, uint64_t seed) {
    std::string data(bytes, '\0');
    std::mt19937_64 rng(seed);
    for (auto& b : data)
      b = char(rng());
    auto up = http(*client_).Post(std::string(kBase) + "/data", data, "application/octet-stream");
    if (!up || up->status != 200) throw std::runtime_error("upload failed");
    return up->body;
  }
  // POST /storage/request/{cid} with `params` (JSON); returns the request id.
  std::string request(const std::string& cid, const std::string& params) {
    auto r = http(*client_).Post(std::string(kBase) + "/storage/request/" + cid, params,
                                 "application/json");
    if (!r || r->status != 200)
      throw std::runtime_error("storage request refused: " + (r ? r->body : "no answer"));
    return r->body;
  }
  nlohmann::json purchase(const std::string& id) {
    auto p = http(*client_).Get(std::string(kBase) + "/storage/purchases/" + id);
    return p && p->status == 200 ? nlohmann::json::parse(p->body) : nlohmann::json::object();
  }
  uint64_t slot_size(const std::string& id) { return purchase(id)["request"]["ask"]["slotSize"]; }
  // The provider offers `total_size` bytes (at a price of 1 per byte-second).
  static void offer(AgentNode& provider, uint64_t total_size) {
    const nlohmann::json o = {{"totalSize", total_size},
                              {"duration", 10000},
                              {"minPricePerBytePerSecond", "1"},
                              {"totalCollateral", "1000000000000"}};
    auto r = http(provider).Post(std::string(kBase) + "/sales/availability", o.dump(),
                                 "application/json");
    if (!r || r->status != 201)
      throw std::runtime_error("availability refused: " + (r ? r->body : "no answer"));
  }
  // The last `lines` lines of a node's log: what a failing test prints.
  std::string tail(const std::string& name, size_t lines = 60) const {
    std::ifstream in(log(name));
    std::deque<std::string> last;
    for (std::string l; std::getline(in, l);) {
      last.push_back(std::move(l));
      if (last.size() > lines) last.pop_front();
    }
    std::string out = name + ".log, last lines:\n";
    for (const auto& l : last)
      out += l + "\n";
    return out;
  }
  // Lines of a node's log that contain `text`.
  size_t logged(const std::string& name, const std::string& text) const {
    std::ifstream in(log(name));
    size_t n = 0;
    for (std::string l; std::getline(in, l);)
      n += l.find(text) != std::string::npos ? 1 : 0;
    return n;
  }

 private:
  static market::DeploymentPlan plan(const std::filesystem::path& circuits,
                                     const std::string& seed) {
    market::DeploymentPlan p;
    p.config = devnet_config();  // 10 s periods
    p.verification_key_json = make_circuit_dir(circuits, seed);
    return p;
  }

  codex::testing::TempDir tmp_;
  std::filesystem::path circuits_;
  MarketEnv env_;
  std::unique_ptr<AgentNode> client_;
  std::string spr_;
};

}  // namespace codex::test
