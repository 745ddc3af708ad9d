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
#include "tests/agent/support/small_market.h"
#include "tests/support/require_tool.h"

namespace codex::agent {
namespace {

using json = nlohmann::json;
using test::AgentNode;
using test::http;

constexpr const char* kCrashVar = "CODEX_TEST_CRASH_IN_SALE_STATE";

TEST(SalesCrash, AProviderKilledInEverySaleStateAndAKilledClientStillFinishTheRequest) {
  CODEX_REQUIRE_TOOL(codex::testing::executable(test::anvil_binary()),
                     "anvil at " << test::anvil_binary());
  test::SmallMarket net("sales_crash", "sales-crash");
  auto& env = net.env();
  AgentNode& client = net.client();
  const std::vector<std::string> states = {
      "SalePreparing", "SaleSlotReserving", "SaleDownloading", "SaleInitialProving",
      "SaleFilling",   "SaleFilled",        "SaleProving",     "SalePayout"};
  size_t crashes = 0;
  ::setenv(kCrashVar, states[0].c_str(), 1);
  const std::vector<std::string> info = {"--log-level", "info"};
  auto crasher = net.provider("crasher", 2, info);
  ::unsetenv(kCrashVar);
  auto p3 = net.provider("provider3", 3, info);
  auto p4 = net.provider("provider4", 4, info);
  const eth::Uint256 crasher_start = env.balance(2);

  const std::string id =
      net.request(net.upload(5 * 65536 - 333, 8),
                  R"({"duration": 90, "proofProbability": "1", "pricePerBytePerSecond": "1",
          "collateralPerByte": "1", "expiry": 80, "nodes": 3, "tolerance": 1})");
  market::RequestId request{};
  base::from_hex_exact(id, request);
  const uint64_t slot_size = net.slot_size(id);
  // The crasher offers room for one slot first; the others follow.
  test::SmallMarket::offer(*crasher, slot_size);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  test::SmallMarket::offer(*p3, slot_size);
  test::SmallMarket::offer(*p4, slot_size);

  auto watcher = env.chain_market(0);
  bool client_killed = false;
  std::string state;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(420);
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    if (crasher->exited()) {
      ++crashes;
      ASSERT_EQ(net.logged("crasher", "killing this process (crash test)"), crashes)
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
    state = net.purchase(id).value("state", state);
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
    EXPECT_EQ(net.logged("crasher", "entered " + s + ": killing this process"), 1u) << s;
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
  EXPECT_GE(net.logged("crasher", "proof submitted"), 2u);
}

}  // namespace
}  // namespace codex::agent
