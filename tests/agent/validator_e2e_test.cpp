// Validators end to end on anvil with real proofs (spec node.md §11,
// "Validation" and "Proofs"): three providers that send every proof invalid,
// two validator nodes splitting the slots into groups 0 and 1 of 2, and a
// third validator started after the request started, which finds the filled
// slots in the chain's history. The validators mark the missing proofs until
// the slots are freed and the request fails; each earns the contract's reward
// for each of its marks, to the token unit, and GET /validation says so.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "agent/market/chain_market.h"
#include "base/hex.h"
#include "tests/agent/support/agent_node.h"
#include "tests/agent/support/chain_node.h"
#include "tests/agent/support/small_market.h"
#include "tests/support/require_tool.h"

namespace codex::agent {
namespace {

using json = nlohmann::json;
using market::Uint256;
using test::AgentNode;
using test::http;

const std::string kBase = "/api/codex/v1";

json validation(AgentNode& n) {
  auto r = http(n).Get(kBase + "/validation");
  return r && r->status == 200 ? json::parse(r->body) : json::object();
}

template <class F>
bool wait_for(F done, std::chrono::seconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return true;
}

TEST(ValidatorE2e, ValidatorsWithGroupsMarkMissingProofsUntilTheRequestFails) {
  CODEX_REQUIRE_TOOL(codex::testing::executable(test::anvil_binary()),
                     "anvil at " << test::anvil_binary());
  test::SmallMarket net("validator_e2e");
  auto& env = net.env();
  auto validator = [&](const std::string& name, int account, std::vector<std::string> extra) {
    auto args = test::chain_args(env, net.dir(), account);
    args.push_back("--validator");
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<AgentNode>(net.dir() / name, args);
  };
  std::vector<std::unique_ptr<AgentNode>> providers;
  for (int a : {2, 3, 4})
    providers.push_back(
        net.provider("provider" + std::to_string(a), a, {"--simulate-proof-failures", "1"}));
  std::vector<std::unique_ptr<AgentNode>> validators;
  validators.push_back(validator("validator0", 5, {"--validator-groups", "2"}));
  validators.push_back(
      validator("validator1", 6, {"--validator-groups", "2", "--validator-group-index", "1"}));
  auto reader = env.chain_market(0);
  std::vector<Uint256> before;
  // Accounts 5 and 6, and 0 (the deployer; anvil's dev keys end at 6) for
  // the late one.
  const int accounts[] = {5, 6, 0};
  for (int a : accounts)
    before.push_back(reader->token_balance(env.address(a)));

  const std::string cid = net.upload(4 * 65536, 5);
  const std::string id =
      net.request(cid, R"({"duration": 400, "proofProbability": "1", "pricePerBytePerSecond": "1",
               "collateralPerByte": "1", "expiry": 120, "nodes": 3, "tolerance": 1})");
  for (auto& p : providers)
    test::SmallMarket::offer(*p, net.slot_size(id));
  market::RequestId rid{};
  base::from_hex_exact(id, rid);
  // The client sends requestStorage after answering: unknown until mined.
  auto state = [&] {
    try {
      return reader->request_state(rid);
    } catch (const market::MarketError&) {
      return market::RequestState::New;
    }
  };
  ASSERT_TRUE(
      wait_for([&] { return state() == market::RequestState::Started; }, std::chrono::seconds(150)))
      << "the request did not start";

  // Each slot in exactly one group (before the first is freed and dropped).
  EXPECT_TRUE(wait_for(
      [&] {
        return validation(*validators[0]).value("watchedSlots", 0) +
                   validation(*validators[1]).value("watchedSlots", 0) ==
               3;
      },
      std::chrono::seconds(10)))
      << validation(*validators[0]).dump() << validation(*validators[1]).dump();
  // Started after the fills: the history gives it every filled slot.
  validators.push_back(validator("validator-late", accounts[2], {}));
  EXPECT_TRUE(wait_for([&] { return validation(*validators[2]).value("watchedSlots", 0) == 3; },
                       std::chrono::seconds(20)))
      << validation(*validators[2]).dump();
  // It has shown the history; it stops so that the grouped validators are
  // the only ones marking (watching every slot, it would race them for each
  // mark, and on loaded cores could win them all).
  const json late = validation(*validators[2]);
  validators[2]->stop();
  validators.pop_back();

  // Every proof is invalid: the slots are freed after maxNumberOfSlashes
  // marks, and with two lost (tolerance 1) the request fails.
  ASSERT_TRUE(
      wait_for([&] { return state() == market::RequestState::Failed; }, std::chrono::seconds(150)))
      << "the request did not fail";
  // The marks of the period the request failed in are being mined.
  std::this_thread::sleep_for(std::chrono::seconds(3));
  const Uint256 collateral = Uint256(net.slot_size(id));  // collateralPerByte 1
  const Uint256 reward = (collateral * Uint256(20)).div_u64(100) * Uint256(20);
  const Uint256 per_mark = reward.div_u64(100);
  uint64_t marks = late.value("marksSent", uint64_t(0));
  for (size_t v = 0; v < validators.size(); ++v) {
    const json st = validation(*validators[v]);
    const uint64_t sent = st.value("marksSent", uint64_t(0));
    marks += sent;
    const Uint256 earned = reader->token_balance(env.address(accounts[v])) - before[v];
    EXPECT_EQ(earned, Uint256(sent) * per_mark) << "validator " << v << ": " << st.dump();
    EXPECT_EQ(st.value("rewardsEarned", std::string()), earned.to_dec()) << st.dump();
  }
  EXPECT_GE(marks, 4u) << "two slots freed, two marks each";
  EXPECT_GT(validation(*validators[0]).value("marksSent", 0) +
                validation(*validators[1]).value("marksSent", 0),
            0);
  // A node without --validator says so.
  auto r = http(net.client()).Get(kBase + "/validation");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_NE(r->body.find("--validator"), std::string::npos);
}

}  // namespace
}  // namespace codex::agent
