// The marketplace end to end on anvil with real proofs (issue: negotiation):
// a client node and three provider nodes, each its own process; the client
// uploads a file and requests storage; the providers fetch their slots from
// the client over the block exchange, build them, prove them with a
// development key of a small storage circuit (the on-chain Groth16 verifier
// holds its verification key) and fill them; the request starts and the
// providers submit periodic proofs that the verifier accepts. One provider
// sends every second proof invalid (rejected and reported); one is killed
// with SIGKILL while proving and goes on proving after its restart.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "agent/market/chain_market.h"
#include "base/hex.h"
#include "tests/agent/support/agent_node.h"
#include "tests/agent/support/chain_node.h"
#include "tests/agent/support/market_env.h"
#include "tests/agent/support/market_model_world.h"
#include "tests/agent/support/small_market.h"
#include "tests/support/require_tool.h"
#include "tests/support/temp_dir.h"

namespace codex::agent {
namespace {

using json = nlohmann::json;
using test::AgentNode;
using test::http;

const std::string kBase = "/api/codex/v1";

TEST(MarketplaceE2e, ClientAndThreeProvidersFillProveAndStart) {
  CODEX_REQUIRE_TOOL(codex::testing::executable(test::anvil_binary()),
                     "anvil at " << test::anvil_binary());
  test::SmallMarket net("market_e2e");
  auto& env = net.env();
  auto cc = http(net.client());
  std::vector<std::unique_ptr<AgentNode>> providers;
  // Account 3: a short store TTL; the slot's blocks must stay until the
  // request ends (it proves them after 20 s, and again after its restart).
  providers.push_back(net.provider("provider2", 2));
  providers.push_back(net.provider("provider3", 3, {"--block-ttl", "20s", "--block-mi", "1s"}));
  // Account 4: every second required proof is sent invalid.
  providers.push_back(net.provider("provider4", 4, {"--simulate-proof-failures", "2"}));

  const std::string cid = net.upload(5 * 65536 - 333, 21);
  const std::string id =
      net.request(cid, R"({"duration": 300, "proofProbability": "1", "pricePerBytePerSecond": "1",
               "collateralPerByte": "1", "expiry": 120, "nodes": 3, "tolerance": 1})");
  // Each provider has room for one slot: one slot each.
  for (auto& p : providers)
    test::SmallMarket::offer(*p, net.slot_size(id));

  std::string state;
  // Three fills one after the other, each proved in its own period: slow on
  // two loaded cores.
  for (int i = 0; i < 2400 && state != "started"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto p = cc.Get(kBase + "/storage/purchases/" + id);
    if (p && p->status == 200) state = json::parse(p->body)["state"];
  }
  if (state != "started") {
    for (const char* name : {"client", "provider2", "provider3", "provider4"}) {
      std::ifstream log(net.log(name));
      std::vector<std::string> lines;
      for (std::string l; std::getline(log, l);)
        lines.push_back(l);
      std::string tail;
      for (size_t i = lines.size() > 25 ? lines.size() - 25 : 0; i < lines.size(); ++i)
        tail += lines[i] + "\n";
      ADD_FAILURE() << name << ".log:\n" << tail;
    }
  }
  ASSERT_EQ(state, "started") << "the request did not start";

  // Every provider holds one slot; the chain has a proof of each fill.
  size_t slots = 0;
  for (auto& p : providers) {
    auto pc = http(*p);
    const json mine = json::parse(pc.Get(kBase + "/sales/slots")->body);
    slots += mine.size();
  }
  EXPECT_EQ(slots, 3u);

  // Proofs arrive and the verifier accepts them (a rejected proof reverts:
  // no ProofSubmitted): the three fills and periodic ones after the start.
  auto watcher = env.chain_market(0);
  auto events = watcher->events("e2e");
  size_t proofs = 0, filled = 0;
  for (int i = 0; i < 600 && proofs < 5; ++i) {
    events->poll([&](const market::DecodedEvent& e, base::sqlite::WriteTxn*) {
      proofs += std::holds_alternative<market::ProofSubmitted>(e.event) ? 1 : 0;
      filled += std::holds_alternative<market::SlotFilled>(e.event) ? 1 : 0;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(filled, 3u);
  EXPECT_GE(proofs, 5u) << "periodic proofs after the three fills";

  // The provider simulating failures reports its invalid proofs as rejected.
  const auto log4 = net.log("provider4");
  auto rejected = [&] {
    std::ifstream in(log4);
    for (std::string l; std::getline(in, l);)
      if (l.find("simulated proof failure") != std::string::npos &&
          l.find("Proofs_InvalidProof") != std::string::npos)
        return true;
    return false;
  };
  for (int i = 0; i < 300 && !rejected(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_TRUE(rejected()) << "an invalid proof rejected by the verifier and reported";

  // A provider killed with SIGKILL while proving and started again goes on
  // proving its slot (from its database: nothing to catch up from events).
  AgentNode& p3 = *providers[1];
  const json slots3 = json::parse(http(p3).Get(kBase + "/sales/slots")->body);
  ASSERT_EQ(slots3.size(), 1u);
  market::SlotId slot3;
  base::from_hex_exact(slots3[0]["id"].get<std::string>(), slot3);
  p3.stop(SIGKILL);
  events->poll([](const market::DecodedEvent&, base::sqlite::WriteTxn*) {});  // up to now
  p3.start();
  size_t after_restart = 0;
  for (int i = 0; i < 600 && after_restart < 2; ++i) {
    events->poll([&](const market::DecodedEvent& e, base::sqlite::WriteTxn*) {
      if (const auto* ps = std::get_if<market::ProofSubmitted>(&e.event))
        after_restart += ps->slot_id == slot3 ? 1 : 0;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_GE(after_restart, 2u) << "the restarted provider proves again";
  EXPECT_EQ(json::parse(http(p3).Get(kBase + "/sales/slots")->body), slots3) << "still its slot";
  auto sale = http(p3).Get(kBase + "/sales/slots/" + slots3[0]["id"].get<std::string>());
  ASSERT_TRUE(sale && sale->status == 200);
  EXPECT_EQ(json::parse(sale->body)["state"], "SaleProving");

  // Its store loses the slot's leaves while it is down (its index rows go;
  // a fault the store cannot be made to produce, so the rows are deleted
  // with SQLite's own tool): the first proof after the restart finds the
  // slot incomplete, fetches it again from the client and proving goes on.
  p3.stop(SIGTERM);
  const std::string db = (net.dir() / "provider3" / "codex.sqlite3").string();
  ASSERT_EQ(
      std::system(("/usr/bin/python3 -c \"import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); "
                   "c.execute('DELETE FROM store_leaves'); c.commit()\" " +
                   db)
                      .c_str()),
      0);
  events->poll([](const market::DecodedEvent&, base::sqlite::WriteTxn*) {});  // up to now
  p3.start();
  size_t after_loss = 0;
  for (int i = 0; i < 600 && after_loss < 2; ++i) {
    events->poll([&](const market::DecodedEvent& e, base::sqlite::WriteTxn*) {
      if (const auto* ps = std::get_if<market::ProofSubmitted>(&e.event))
        after_loss += ps->slot_id == slot3 ? 1 : 0;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_GE(after_loss, 2u) << "proofs go on after the slot's data was lost";
  EXPECT_EQ(net.logged("provider3", "were missing here and were fetched again"), 1u);
}

// The slot queue lives in memory: a provider killed after it heard of a
// request, and started again, queues the request's slots again from the
// requests it recorded (with the event stream's position, in one commit),
// and fills them once it has room (the reference forgets them).
TEST(MarketplaceE2e, ARestartedProviderQueuesAgainTheRequestsItHeardOfBefore) {
  CODEX_REQUIRE_TOOL(codex::testing::executable(test::anvil_binary()),
                     "anvil at " << test::anvil_binary());
  test::SmallMarket net("market_catchup");
  auto cc = http(net.client());
  auto provider_ptr = net.provider("provider", 2, {"--log-level", "info"});
  AgentNode& provider = *provider_ptr;
  const std::string id =
      net.request(net.upload(3 * 65536, 5),
                  R"({"duration": 300, "proofProbability": "1", "pricePerBytePerSecond": "1",
          "collateralPerByte": "1", "expiry": 200, "nodes": 3, "tolerance": 1})");
  const uint64_t slot_size = net.slot_size(id);

  auto logged = [&](const std::string& text) { return net.logged("provider", text) > 0; };
  for (int i = 0; i < 300 && !logged("sales: heard of request"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_TRUE(logged("sales: heard of request")) << "the provider saw the request";
  provider.stop(SIGKILL);
  provider.start();
  // The node answers its API before its log line reaches the file.
  for (int i = 0; i < 100 && !logged("looking again at 1 requests"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_TRUE(logged("looking again at 1 requests heard of before the restart"))
      << net.tail("provider");

  // Room for the three slots now.
  test::SmallMarket::offer(provider, 3 * slot_size);
  std::string state;
  // Three fills one after the other, each proved in its own period: slow on
  // two loaded cores.
  for (int i = 0; i < 2400 && state != "started"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto p = cc.Get(kBase + "/storage/purchases/" + id);
    if (p && p->status == 200) state = json::parse(p->body)["state"];
  }
  ASSERT_EQ(state, "started") << "the restarted provider filled the slots of the request it "
                                 "had heard of before\n"
                              << net.tail("provider", 150);
  EXPECT_EQ(json::parse(http(provider).Get(kBase + "/sales/slots")->body).size(), 3u);
}

// An expired request (spec marketplace.md §8): two of three slots filled
// when the expiry passes; the request is cancelled, each of the two
// providers is paid (expiresAt − filledAt) · pricePerSlotPerSecond with its
// collateral back, and the client gets back everything else.
TEST(MarketplaceE2e, AnExpiredRequestPaysForTheStoredTimeAndReturnsTheRest) {
  CODEX_REQUIRE_TOOL(codex::testing::executable(test::anvil_binary()),
                     "anvil at " << test::anvil_binary());
  test::SmallMarket net("market_expiry");
  auto& env = net.env();
  auto cc = http(net.client());
  std::vector<std::unique_ptr<AgentNode>> providers;
  providers.push_back(net.provider("provider2", 2));
  providers.push_back(net.provider("provider3", 3));
  const eth::Uint256 start1 = env.balance(1), start2 = env.balance(2), start3 = env.balance(3);
  const eth::Uint256 market_start = env.market_balance();

  const std::string id =
      net.request(net.upload(5 * 65536 - 333, 3),
                  R"({"duration": 200, "proofProbability": "1", "pricePerBytePerSecond": "3",
          "collateralPerByte": "1", "expiry": 45, "nodes": 3, "tolerance": 1})");
  market::RequestId request{};
  base::from_hex_exact(id, request);
  const uint64_t slot_size = net.slot_size(id);
  for (auto& p : providers)
    test::SmallMarket::offer(*p, slot_size);

  auto watcher = env.chain_market(0);
  json purchase;
  for (int i = 0; i < 1500; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto p = cc.Get(kBase + "/storage/purchases/" + id);
    if (p && p->status == 200) purchase = json::parse(p->body);
    if (purchase.value("state", "") != "errored") continue;
    bool paid = true;
    for (uint64_t s = 0; s < 3; ++s) {
      const auto st = watcher->slot_state(market::slot_id(request, s));
      paid = paid && st != market::SlotState::Filled && st != market::SlotState::Cancelled;
    }
    if (paid) break;
  }
  ASSERT_EQ(purchase.value("state", ""), "errored") << purchase.dump();
  EXPECT_EQ(purchase.value("error", ""), "Purchase cancelled: Timeout");
  EXPECT_EQ(watcher->request_state(request), market::RequestState::Cancelled);

  // Who filled which slot, and when.
  std::map<int, uint64_t> filled_at;  // account → timestamp
  auto events = watcher->events("expiry");
  events->poll([&](const market::DecodedEvent& e, base::sqlite::WriteTxn*) {
    if (auto* f = std::get_if<market::SlotFilled>(&e.event); f && f->request_id == request) {
      const auto host = watcher->get_host(market::slot_id(request, f->slot_index));
      for (int a : {2, 3})
        if (host == env.address(a))
          filled_at[a] = env.eth().block(eth::BlockTag::at(e.block_number)).timestamp;
    }
  });
  ASSERT_EQ(filled_at.size(), 2u) << "each provider filled one slot";
  const uint64_t expires_at = watcher->request_expiry(request);
  const eth::Uint256 price_per_slot_second = eth::Uint256(3) * eth::Uint256(slot_size);
  const eth::Uint256 pay2 = price_per_slot_second * eth::Uint256(expires_at - filled_at[2]);
  const eth::Uint256 pay3 = price_per_slot_second * eth::Uint256(expires_at - filled_at[3]);
  EXPECT_EQ(env.balance(2), start2 + pay2) << "stored time paid, collateral back";
  EXPECT_EQ(env.balance(3), start3 + pay3) << "stored time paid, collateral back";
  EXPECT_EQ(env.balance(1) + pay2 + pay3, start1) << "the client got everything else back";
  EXPECT_EQ(env.market_balance(), market_start) << "nothing of the request left in the marketplace";
}

// A provider whose proving key is not the one the marketplace's verifier
// holds would have every proof rejected: it refuses to start and says why;
// one with the right key says it matches.
TEST(MarketplaceE2e, AProvingKeyThatIsNotTheVerifiersIsRefusedAtStart) {
  CODEX_REQUIRE_TOOL(codex::testing::executable(test::anvil_binary()),
                     "anvil at " << test::anvil_binary());
  test::SmallMarket net("market_key");
  auto good = net.provider("good", 2, {"--log-level", "info"});
  EXPECT_EQ(net.logged("good", "matches the marketplace's verifier"), 1u);

  const auto other = net.dir() / "other-circuit";
  test::make_circuit_dir(other, "another-seed");
  auto args = test::chain_args(net.env(), net.dir(), 3);
  for (const std::string& x : std::vector<std::string>{"--prover", "--circuit-dir", other.string()})
    args.push_back(x);
  EXPECT_THROW(AgentNode(net.dir() / "wrong", args), std::runtime_error);
  EXPECT_EQ(net.logged("wrong", "does not match the marketplace's Groth16 verifier"), 1u);
  EXPECT_EQ(net.logged("wrong", "every proof would be rejected on chain"), 1u);
}

}  // namespace
}  // namespace codex::agent
