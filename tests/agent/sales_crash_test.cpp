// Crash safety of the roles, by killing processes (issue: marketplace, "must
// show"). One provider process is killed in every sales state in turn —
// Preparing, SlotReserving, Downloading, InitialProving, Filling, Filled,
// Proving, Payout — each time right after the state is committed and before
// its action (the node kills itself with SIGKILL there when
// CODEX_TEST_CRASH_IN_SALE_STATE names the state; the kill is real, only its
// moment is chosen), and started again. The client is killed with SIGKILL
// once the request has started and started again. On a real anvil with real
// proofs: the request finishes, the crashed provider is paid exactly
// (endsAt − filledAt) · pricePerSlotPerSecond with its collateral back, no
// transaction of it reached the chain twice, it proved after its restarts,
// and the client's purchase finished (withdrawn).
#include <gtest/gtest.h>
#include <httplib.h>
#include <stdlib.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "agent/market/chain_market.h"
#include "base/hex.h"
#include "tests/agent/support/agent_node.h"
#include "tests/agent/support/chain_node.h"
#include "tests/agent/support/market_env.h"
#include "tests/agent/support/market_model_world.h"
#include "tests/agent/support/small_circuit.h"
#include "tests/support/require_tool.h"
#include "tests/support/temp_dir.h"

namespace codex::agent {
namespace {

using json = nlohmann::json;
using test::AgentNode;
using test::http;

const std::string kBase = "/api/codex/v1";
constexpr const char* kCrashVar = "CODEX_TEST_CRASH_IN_SALE_STATE";

size_t count_in(const std::filesystem::path& log, const std::string& text) {
  std::ifstream in(log);
  size_t n = 0;
  for (std::string l; std::getline(in, l);)
    n += l.find(text) != std::string::npos ? 1 : 0;
  return n;
}

TEST(SalesCrash, AProviderKilledInEverySaleStateAndAKilledClientStillFinishTheRequest) {
  CODEX_REQUIRE_TOOL(codex::testing::executable(test::anvil_binary()),
                     "anvil at " << test::anvil_binary());
  codex::testing::TempDir tmp("sales_crash");
  const auto circuits = tmp.path() / "circuits";
  market::DeploymentPlan plan;
  plan.config = test::devnet_config();  // 10 s periods
  plan.verification_key_json = test::make_circuit_dir(circuits, "sales-crash");
  test::MarketEnv env(plan);

  AgentNode client(tmp.path() / "client", test::chain_args(env, tmp.path(), 1));
  const std::string spr = json::parse(http(client).Get(kBase + "/spr")->body)["spr"];
  auto provider_args = [&](int account) {
    auto args = test::chain_args(env, tmp.path(), account);
    for (const std::string& x :
         std::vector<std::string>{"--prover", "--circuit-dir", circuits.string(),
                                  "--bootstrap-node", spr, "--log-level", "info"})
      args.push_back(x);
    return args;
  };
  const std::vector<std::string> states = {
      "SalePreparing", "SaleSlotReserving", "SaleDownloading", "SaleInitialProving",
      "SaleFilling",   "SaleFilled",        "SaleProving",     "SalePayout"};
  size_t crashes = 0;
  ::setenv(kCrashVar, states[0].c_str(), 1);
  auto crasher = std::make_unique<AgentNode>(tmp.path() / "crasher", provider_args(2));
  ::unsetenv(kCrashVar);
  AgentNode p3(tmp.path() / "provider3", provider_args(3));
  AgentNode p4(tmp.path() / "provider4", provider_args(4));
  const eth::Uint256 crasher_start = env.balance(2);

  std::string data(5 * 65536 - 333, '\0');
  std::mt19937_64 rng(8);
  for (auto& b : data)
    b = char(rng());
  auto up = http(client).Post(kBase + "/data", data, "application/octet-stream");
  ASSERT_TRUE(up && up->status == 200);
  auto req =
      http(client).Post(kBase + "/storage/request/" + up->body,
                        R"({"duration": 90, "proofProbability": "1", "pricePerBytePerSecond": "1",
                         "collateralPerByte": "1", "expiry": 80, "nodes": 3, "tolerance": 1})",
                        "application/json");
  ASSERT_TRUE(req && req->status == 200) << (req ? req->body : "no answer");
  const std::string id = req->body;
  market::RequestId request{};
  base::from_hex_exact(id, request);
  const uint64_t slot_size = json::parse(
      http(client).Get(kBase + "/storage/purchases/" + id)->body)["request"]["ask"]["slotSize"];
  // The crasher offers room for one slot first; the others follow.
  for (AgentNode* p : {crasher.get(), &p3, &p4}) {
    const json offer = {{"totalSize", slot_size},
                        {"duration", 10000},
                        {"minPricePerBytePerSecond", "1"},
                        {"totalCollateral", "1000000000000"}};
    auto r = http(*p).Post(kBase + "/sales/availability", offer.dump(), "application/json");
    ASSERT_TRUE(r && r->status == 201) << (r ? r->body : "no answer");
    if (p == crasher.get()) std::this_thread::sleep_for(std::chrono::seconds(2));
  }

  const auto crasher_log = tmp.path() / "crasher.log";
  auto watcher = env.chain_market(0);
  bool client_killed = false;
  std::string state;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(420);
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    if (crasher->exited()) {
      ++crashes;
      ASSERT_EQ(count_in(crasher_log, "killing this process (crash test)"), crashes)
          << "the node died otherwise than by its crash point";
      if (crashes < states.size()) ::setenv(kCrashVar, states[crashes].c_str(), 1);
      try {
        crasher->start();
      } catch (const std::exception&) {
        // killed itself before its API answered: seen on the next round
      }
      ::unsetenv(kCrashVar);
      continue;
    }
    auto p = http(client).Get(kBase + "/storage/purchases/" + id);
    if (p && p->status == 200) state = json::parse(p->body)["state"];
    if (state == "started" && !client_killed) {
      client.stop(SIGKILL);
      client.start();
      client_killed = true;
    }
    if (state == "finished" && crashes == states.size() &&
        watcher->request_state(request) == market::RequestState::Finished) {
      bool paid = true;
      for (uint64_t i = 0; i < 3; ++i)
        paid = paid && watcher->slot_state(market::slot_id(request, i)) == market::SlotState::Paid;
      if (paid) break;
    }
  }
  EXPECT_EQ(crashes, states.size()) << "killed in every sale state";
  for (const auto& s : states)
    EXPECT_EQ(count_in(crasher_log, "entered " + s + ": killing this process"), 1u) << s;
  EXPECT_TRUE(client_killed);
  ASSERT_EQ(state, "finished") << "the restarted client finished (withdrew) its purchase";

  // The crasher's slot and what the contract owes for it.
  std::optional<uint64_t> index, filled_at;
  auto events = watcher->events("crash");
  events->poll([&](const market::DecodedEvent& e, base::sqlite::WriteTxn*) {
    if (auto* f = std::get_if<market::SlotFilled>(&e.event);
        f && f->request_id == request &&
        watcher->get_host(market::slot_id(request, f->slot_index)) == env.address(2)) {
      index = f->slot_index;
      filled_at = env.eth().block(eth::BlockTag::at(e.block_number)).timestamp;
    }
  });
  ASSERT_TRUE(index) << "the crasher filled a slot";
  for (uint64_t i = 0; i < 3; ++i)
    EXPECT_EQ(watcher->slot_state(market::slot_id(request, i)), market::SlotState::Paid) << i;
  const uint64_t end = watcher->request_end(request);
  EXPECT_EQ(env.balance(2),
            crasher_start + eth::Uint256(slot_size) * eth::Uint256(end - *filled_at))
      << "paid (endsAt - filledAt) * pricePerSlotPerSecond, collateral back";

  // No transaction of the crasher reached the chain twice.
  auto lower = [](std::string t) {
    for (char& c : t)
      c = char(std::tolower(uint8_t(c)));
    return t;
  };
  const std::string from = lower(env.address(2).hex());
  std::map<std::string, int> sent;
  const uint64_t head = env.eth().block_number();
  for (uint64_t n = 0; n <= head; ++n) {
    const json b = env.anvil().rpc("eth_getBlockByNumber", json::array({eth::quantity(n), true}));
    for (const json& tx : b["transactions"])
      if (lower(tx["from"].get<std::string>()) == from)
        ++sent[tx["to"].get<std::string>() + tx["input"].get<std::string>()];
  }
  EXPECT_GE(sent.size(), 5u) << "reserve, approve, fill, proofs, free";
  for (const auto& [tx, n] : sent)
    EXPECT_EQ(n, 1) << "sent " << n << " times: " << tx.substr(0, 60);
  // It proved after it was killed in Proving (the payout came after more proofs).
  EXPECT_GE(count_in(crasher_log, "proof submitted"), 2u);
}

}  // namespace
}  // namespace codex::agent
