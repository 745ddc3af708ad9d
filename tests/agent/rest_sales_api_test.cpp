// /sales/availability through a real node process (spec node.md §10.1): 503
// without the marketplace roles; with --persistence on anvil every rule of
// §5.1 answered with its status, state kept across a restart; and a node
// whose chain options are wrong refuses to start and says why.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/agent/support/agent_node.h"
#include "tests/agent/support/market_env.h"
#include "tests/support/require_tool.h"
#include "tests/support/temp_dir.h"

namespace codex::agent {
namespace {

using json = nlohmann::json;
using test::AgentNode;

const std::string kBase = "/api/codex/v1";
const std::string kList = kBase + "/sales/availability";

httplib::Client http(const AgentNode& n) {
  httplib::Client c("127.0.0.1", n.port());
  c.set_read_timeout(10, 0);
  return c;
}

std::filesystem::path key_file(const std::filesystem::path& dir, const char* hex, int mode) {
  const auto p = dir / "eth.key";
  std::ofstream(p) << hex << "\n";
  ::chmod(p.c_str(), mode);
  return p;
}

std::vector<std::string> persistence(test::MarketEnv& env, const std::filesystem::path& key) {
  return {"--persistence",
          "--eth-provider",
          env.anvil().url(),
          "--eth-private-key",
          key.string(),
          "--marketplace-address",
          env.deployment().marketplace.hex(),
          "-q",
          "10MiB"};
}

std::pair<int, std::string> run(const std::string& args, const std::filesystem::path& out) {
  const std::string cmd =
      "timeout -s KILL 60 " + test::agent_binary() + " " + args + " > " + out.string() + " 2>&1";
  const int status = std::system(cmd.c_str());
  std::ifstream in(out);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text};
}

const char* kOffer =
    R"({"totalSize": 1000000, "duration": 3600, "minPricePerBytePerSecond": "2",
        "totalCollateral": "1000000000000000000000"})";

TEST(RestSalesApi, WithoutPersistenceEveryEndpointAnswers503) {
  codex::testing::TempDir tmp("rest_sales");
  AgentNode node(tmp.path() / "node");
  auto c = http(node);
  const std::string id = "/0x" + std::string(64, '1');
  auto get = c.Get(kList);
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 503);
  EXPECT_EQ(get->body, "Persistence is not enabled");
  EXPECT_EQ(c.Post(kList, kOffer, "application/json")->status, 503);
  EXPECT_EQ(c.Patch(kList + id, R"({"duration": 5})", "application/json")->status, 503);
  EXPECT_EQ(c.Get(kList + id + "/reservations")->status, 503);
}

TEST(RestSalesApi, AvailabilityRulesAndStateAcrossARestart) {
  CODEX_REQUIRE_TOOL(codex::testing::executable(test::anvil_binary()),
                     "anvil at " << test::anvil_binary());
  test::MarketEnv env;
  codex::testing::TempDir tmp("rest_sales");
  const auto key = key_file(tmp.path(), test::kDevKeys[1], 0600);
  auto node = std::make_unique<AgentNode>(tmp.path() / "node", persistence(env, key));
  auto c = http(*node);

  auto created = c.Post(kList, kOffer, "application/json");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  const json a = json::parse(created->body);
  const std::string id = a["id"];
  EXPECT_EQ(id.size(), 66u);
  EXPECT_EQ(a["freeSize"], 1000000);
  EXPECT_EQ(a["totalRemainingCollateral"], "1000000000000000000000");
  EXPECT_EQ(a["enabled"], true);
  EXPECT_EQ(a["until"], 0);
  EXPECT_EQ(json::parse(c.Get(kBase + "/space")->body)["quotaReservedBytes"], 1000000)
      << "the availability holds its bytes in the quota";

  // Creation: 400 for what is not a well-formed request, 422 for what the rules refuse.
  struct Case {
    const char* body;
    int status;
  } creates[] = {
      {"not json", 400},
      {"[1, 2]", 400},
      {R"({"duration": 1, "minPricePerBytePerSecond": "1", "totalCollateral": "1"})", 400},
      {R"({"totalSize": -5, "duration": 1, "minPricePerBytePerSecond": "1",
           "totalCollateral": "1"})",
       400},
      {R"({"totalSize": 1.5, "duration": 1, "minPricePerBytePerSecond": "1",
           "totalCollateral": "1"})",
       400},
      {R"({"totalSize": 100, "duration": 1, "minPricePerBytePerSecond": "0x",
           "totalCollateral": "1"})",
       400},
      {R"({"totalSize": 100, "duration": 1, "minPricePerBytePerSecond": "1",
           "totalCollateral": "1", "enabled": "yes"})",
       400},
      {R"({"totalSize": 0, "duration": 1, "minPricePerBytePerSecond": "1",
           "totalCollateral": "1"})",
       422},
      {R"({"totalSize": 100, "duration": 0, "minPricePerBytePerSecond": "1",
           "totalCollateral": "1"})",
       422},
      {R"({"totalSize": 100, "duration": 1, "minPricePerBytePerSecond": "0",
           "totalCollateral": "1"})",
       422},
      {R"({"totalSize": 100, "duration": 1, "minPricePerBytePerSecond": "1",
           "totalCollateral": "0"})",
       422},
      {R"({"totalSize": 100, "duration": 1, "minPricePerBytePerSecond": "1",
           "totalCollateral": "1", "until": -1})",
       422},
      {R"({"totalSize": "20000000", "duration": 1, "minPricePerBytePerSecond": "1",
           "totalCollateral": "1"})",
       422},  // more than the 10 MiB quota
  };
  for (const Case& k : creates) {
    auto r = c.Post(kList, k.body, "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, k.status) << k.body << " → " << r->body;
  }
  auto huge = c.Post(kList, std::string(100 << 10, ' '), "application/json");
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->status, 413);

  // Updates.
  Case patches[] = {
      {R"({"freeSize": 5})", 422},
      {R"({"totalSize": 0})", 422},
      {R"({"totalSize": 20000000})", 422},
      {R"({"until": -3})", 422},
      {R"({"duration": "x"})", 400},
      {"{", 400},
      {R"({"totalSize": 2000000, "duration": 7200, "enabled": false})", 204},
  };
  for (const Case& k : patches) {
    auto r = c.Patch(kList + "/" + id, k.body, "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, k.status) << k.body << " → " << r->body;
  }
  EXPECT_EQ(c.Patch(kList + "/0x" + std::string(64, 'a'), R"({"duration": 5})", "application/json")
                ->status,
            404);
  EXPECT_EQ(c.Patch(kList + "/nothex", R"({"duration": 5})", "application/json")->status, 400);
  EXPECT_EQ(c.Get(kList + "/0x12/reservations")->status, 400);
  EXPECT_EQ(c.Get(kList + "/0x" + std::string(64, 'a') + "/reservations")->status, 404);
  auto res = c.Get(kList + "/" + id + "/reservations");
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(json::parse(res->body), json::array());

  // A restart keeps the availability and its quota.
  node.reset();
  node = std::make_unique<AgentNode>(tmp.path() / "node", persistence(env, key));
  auto c2 = http(*node);
  const json list = json::parse(c2.Get(kList)->body);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["id"], id);
  EXPECT_EQ(list[0]["totalSize"], 2000000);
  EXPECT_EQ(list[0]["freeSize"], 2000000);
  EXPECT_EQ(list[0]["duration"], 7200);
  EXPECT_EQ(list[0]["enabled"], false);
  EXPECT_EQ(json::parse(c2.Get(kBase + "/space")->body)["quotaReservedBytes"], 2000000);
}

TEST(RestSalesApi, WrongChainOptionsStopTheNodeWithTheReason) {
  CODEX_REQUIRE_TOOL(codex::testing::executable(test::anvil_binary()),
                     "anvil at " << test::anvil_binary());
  test::MarketEnv env;
  codex::testing::TempDir tmp("rest_sales");
  const std::string dir = " -d " + (tmp.path() / "node").string() + " -p 0";
  const std::string market = " --marketplace-address " + env.deployment().marketplace.hex();
  const std::string chain = " --eth-provider " + env.anvil().url();

  auto open_key = key_file(tmp.path(), test::kDevKeys[1], 0644);
  auto [rc, text] =
      run("node --persistence" + dir + chain + market + " --eth-private-key " + open_key.string(),
          tmp.path() / "a.out");
  EXPECT_NE(rc, 0);
  EXPECT_NE(text.find("--eth-private-key"), std::string::npos) << text;
  EXPECT_EQ(text.find(std::string(test::kDevKeys[1]).substr(2)), std::string::npos)
      << "the key is never printed";

  const auto key = key_file(tmp.path(), test::kDevKeys[1], 0600);
  std::tie(rc, text) =
      run("node --persistence" + dir + chain + " --eth-private-key " + key.string(),
          tmp.path() / "b.out");
  EXPECT_NE(rc, 0);
  EXPECT_NE(text.find("--marketplace-address"), std::string::npos) << text;

  std::tie(rc, text) = run("node --persistence" + dir + chain + " --eth-private-key " +
                               key.string() + " --marketplace-address 0x" + std::string(40, '4'),
                           tmp.path() / "c.out");
  EXPECT_NE(rc, 0);
  EXPECT_NE(text.find("--marketplace-address 0x4444"), std::string::npos) << text;

  std::tie(rc, text) = run("node --persistence" + dir + " --eth-provider http://127.0.0.1:1" +
                               market + " --eth-private-key " + key.string(),
                           tmp.path() / "d.out");
  EXPECT_NE(rc, 0);
  EXPECT_NE(text.find("cannot reach the chain"), std::string::npos) << text;

  std::tie(rc, text) = run("node --persistence" + dir + chain + market + " --eth-private-key " +
                               key.string() + " --eth-account " + env.address(2).hex(),
                           tmp.path() / "e.out");
  EXPECT_NE(rc, 0);
  EXPECT_NE(text.find("is not the address of --eth-private-key"), std::string::npos) << text;
}

}  // namespace
}  // namespace codex::agent
