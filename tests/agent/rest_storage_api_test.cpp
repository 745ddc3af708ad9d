// The client's REST endpoints through a node process on anvil (spec node.md
// §6.1, §10.1): a storage request from an uploaded file reaches the chain
// once (also across a SIGKILL), every rule answers with its status, and a
// node without the marketplace roles answers 503.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "agent/market/marketplace.h"
#include "base/hex.h"
#include "tests/agent/support/agent_node.h"
#include "tests/agent/support/chain_node.h"
#include "tests/agent/support/market_env.h"
#include "tests/support/require_tool.h"
#include "tests/support/temp_dir.h"

namespace codex::agent {
namespace {

using json = nlohmann::json;
using test::AgentNode;
using test::http;

const std::string kBase = "/api/codex/v1";

std::string upload(httplib::Client& c, size_t bytes) {
  std::string data(bytes, '\0');
  std::mt19937_64 rng(11);
  for (auto& b : data)
    b = char(rng());
  auto r = c.Post(kBase + "/data", data, "application/octet-stream");
  EXPECT_TRUE(r && r->status == 200);
  return r ? r->body : "";
}

const char* kParams =
    R"({"duration": 3600, "proofProbability": "2", "pricePerBytePerSecond": "1",
        "collateralPerByte": "1", "expiry": 600, "nodes": 3, "tolerance": 1})";

std::string state_of(httplib::Client& c, const std::string& id) {
  auto r = c.Get(kBase + "/storage/purchases/" + id);
  if (!r || r->status != 200) return "";
  return json::parse(r->body)["state"];
}

bool wait_state(httplib::Client& c, const std::string& id, const std::string& state) {
  for (int i = 0; i < 300; ++i) {
    if (state_of(c, id) == state) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

TEST(RestStorageApi, WithoutPersistenceTheClientEndpointsAnswer503) {
  codex::testing::TempDir tmp("rest_storage");
  AgentNode node(tmp.path() / "node");
  auto c = http(node);
  EXPECT_EQ(c.Post(kBase + "/storage/request/zdj7W", kParams, "application/json")->status, 503);
  EXPECT_EQ(c.Get(kBase + "/storage/purchases")->status, 503);
  EXPECT_EQ(c.Get(kBase + "/storage/purchases/" + std::string(64, 'a'))->status, 503);
  EXPECT_EQ(c.Get(kBase + "/sales/slots")->status, 503);
}

TEST(RestStorageApi, ARequestReachesTheChainOnceAndSurvivesAKill) {
  CODEX_REQUIRE_TOOL(codex::testing::executable(test::anvil_binary()),
                     "anvil at " << test::anvil_binary());
  test::MarketEnv env;
  codex::testing::TempDir tmp("rest_storage");
  const auto args = test::chain_args(env, tmp.path(), 1);
  auto node = std::make_unique<AgentNode>(tmp.path() / "node", args);
  auto c = http(*node);
  const std::string cid = upload(c, 5 * 65536 - 1000);

  auto r = c.Post(kBase + "/storage/request/" + cid, kParams, "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const std::string id = r->body;
  ASSERT_EQ(id.size(), 64u) << "hex without 0x, as the reference";
  // Ids in JSON are 0x-hex (spec §10.1); the POST's text answer has no 0x.
  EXPECT_EQ(json::parse(c.Get(kBase + "/storage/purchases")->body), json::array({"0x" + id}));
  EXPECT_EQ(c.Get(kBase + "/storage/purchases/0x" + id)->status, 200);
  ASSERT_TRUE(wait_state(c, id, "submitted")) << state_of(c, id);
  const json p = json::parse(c.Get(kBase + "/storage/purchases/" + id)->body);
  EXPECT_EQ(p["requestId"], "0x" + id);
  EXPECT_EQ(p["request"]["ask"]["slots"], 3);
  EXPECT_EQ(p["request"]["ask"]["maxSlotLoss"], 1);
  EXPECT_EQ(p["request"]["ask"]["proofProbability"], "2");
  EXPECT_EQ(p["request"]["client"], env.address(1).hex());
  EXPECT_EQ(p["request"]["id"], "0x" + id);

  market::RequestId rid;
  base::from_hex_exact(id, rid);
  market::Marketplace m = env.market(0);
  EXPECT_EQ(m.request_state(rid), market::RequestState::New) << "on chain";
  const uint64_t nonce = env.eth().transaction_count(env.address(1));

  // Killed and started again: the purchase is there and nothing is sent again.
  node->stop(SIGKILL);
  node = std::make_unique<AgentNode>(tmp.path() / "node", args);
  auto c2 = http(*node);
  EXPECT_EQ(state_of(c2, id), "submitted");
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(env.eth().transaction_count(env.address(1)), nonce) << "no transaction twice";
}

TEST(RestStorageApi, EveryRuleAnswersWithItsStatus) {
  CODEX_REQUIRE_TOOL(codex::testing::executable(test::anvil_binary()),
                     "anvil at " << test::anvil_binary());
  test::MarketEnv env;
  codex::testing::TempDir tmp("rest_storage");
  AgentNode node(tmp.path() / "node", test::chain_args(env, tmp.path(), 2));
  auto c = http(node);
  const std::string cid = upload(c, 5 * 65536);
  const std::string small = upload(c, 1000);
  struct Case {
    std::string cid;
    std::string body;
    int status;
  } cases[] = {
      {cid, "not json", 400},
      {cid, R"({"duration": 10})", 400},
      {"notacid", kParams, 400},
      {"zDvZRwzm4P9C4HwwvRZu8Z5rMhiAqaHDYsFwnF6qLgoH9HxwA7fp", kParams, 404},
      {cid, R"({"duration": 3600, "proofProbability": "2", "pricePerBytePerSecond": "1",
              "collateralPerByte": "1", "expiry": 0})",
       422},
      {cid, R"({"duration": 3600, "proofProbability": "2", "pricePerBytePerSecond": "1",
              "collateralPerByte": "1", "expiry": 3600})",
       422},
      {cid, R"({"duration": 3600, "proofProbability": "0", "pricePerBytePerSecond": "1",
              "collateralPerByte": "1", "expiry": 60})",
       422},
      {cid, R"({"duration": 3600, "proofProbability": "1", "pricePerBytePerSecond": "0",
              "collateralPerByte": "1", "expiry": 60})",
       422},
      {cid, R"({"duration": 3600, "proofProbability": "1", "pricePerBytePerSecond": "1",
              "collateralPerByte": "0", "expiry": 60})",
       422},
      {cid, R"({"duration": 99999999999, "proofProbability": "1", "pricePerBytePerSecond": "1",
              "collateralPerByte": "1", "expiry": 60})",
       422},
      {cid, R"({"duration": 3600, "proofProbability": "1", "pricePerBytePerSecond": "1",
              "collateralPerByte": "1", "expiry": 60, "tolerance": 0})",
       422},
      {cid, R"({"duration": 3600, "proofProbability": "1", "pricePerBytePerSecond": "1",
              "collateralPerByte": "1", "expiry": 60, "nodes": 2, "tolerance": 3})",
       422},
      {cid, R"({"duration": 3600, "proofProbability": "1", "pricePerBytePerSecond": "1",
              "collateralPerByte": "1", "expiry": 60, "nodes": 3, "tolerance": 2})",
       422},
      {cid, R"({"duration": 3600, "proofProbability": "1", "pricePerBytePerSecond": "1",
              "collateralPerByte": "1", "expiry": 60, "nodes": 1000})",
       422},
      {small, kParams, 422},
  };
  for (const Case& k : cases) {
    auto r = c.Post(kBase + "/storage/request/" + k.cid, k.body, "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, k.status) << k.body << " → " << r->body;
  }
  EXPECT_EQ(json::parse(c.Get(kBase + "/storage/purchases")->body), json::array());
  EXPECT_EQ(c.Get(kBase + "/storage/purchases/xyz")->status, 400);
  EXPECT_EQ(c.Get(kBase + "/storage/purchases/" + std::string(64, 'a'))->status, 404);
  EXPECT_EQ(json::parse(c.Get(kBase + "/sales/slots")->body), json::array());
  EXPECT_EQ(c.Get(kBase + "/sales/slots/0x" + std::string(64, 'b'))->status, 404);
  EXPECT_EQ(c.Get(kBase + "/sales/slots/0x12")->status, 400);
}

}  // namespace
}  // namespace codex::agent
