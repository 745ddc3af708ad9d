// Slot repair end to end on anvil with real proofs (spec marketplace.md
// §8.3, node.md §2.3): a request with 3 nodes and tolerance 1 (K = 2, M = 1)
// is filled by three providers; then, one at a time, a host frees its
// filled slot (freeSlot with its own key: a forcible free, the slot goes to
// Repair) and the slot is filled again by a host that rebuilds it:
//   (a) from peers only: a fourth provider with an empty store, while the
//       freed host is down;
//   (b) from its own store: the freed host takes its slot back;
//   (c) mixed: a host that lost a leaf of its slot while down takes it back,
//       decoding the lost block from the other slots.
// Each time the repairing host pays the collateral less the repair reward,
// and proofs of the repaired slots go on.
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string>
#include <thread>

#include "agent/market/chain_market.h"
#include "agent/market/market_error.h"
#include "base/hex.h"
#include "tests/agent/support/agent_node.h"
#include "tests/agent/support/market_env.h"
#include "tests/agent/support/small_market.h"
#include "tests/support/require_tool.h"

namespace codex::agent {
namespace {

using json = nlohmann::json;
using test::AgentNode;
using test::http;
using namespace std::chrono_literals;

const std::string kBase = "/api/codex/v1";

bool eventually(const std::function<bool()>& cond, std::chrono::seconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(200ms);
  }
  return cond();
}

// The last lines of a node's log, for a failure message.
std::string tail(const test::SmallMarket& net, const std::string& name, size_t n = 30) {
  std::ifstream in(net.log(name));
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);)
    lines.push_back(l);
  std::string out = name + ".log:\n";
  for (size_t i = lines.size() > n ? lines.size() - n : 0; i < lines.size(); ++i)
    out += lines[i] + "\n";
  return out;
}

// The figures of the node's last "repaired:" line: blocks here, fetched,
// steps decoded; none without one.
std::optional<std::array<uint64_t, 3>> repaired(const test::SmallMarket& net,
                                                const std::string& name) {
  std::ifstream in(net.log(name));
  static const std::regex re(R"(repaired: (\d+) blocks here, (\d+) fetched, (\d+) steps decoded)");
  std::optional<std::array<uint64_t, 3>> out;
  std::smatch m;
  for (std::string l; std::getline(in, l);)
    if (std::regex_search(l, m, re))
      out = std::array<uint64_t, 3>{std::stoull(m[1]), std::stoull(m[2]), std::stoull(m[3])};
  if (out)
    std::printf("%s: repaired: %llu blocks here, %llu fetched, %llu steps decoded\n", name.c_str(),
                (unsigned long long)(*out)[0], (unsigned long long)(*out)[1],
                (unsigned long long)(*out)[2]);
  return out;
}

TEST(SlotRepairE2e, AFreedSlotIsRepairedFromPeersFromItsOwnStoreAndMixed) {
  CODEX_REQUIRE_TOOL(codex::testing::executable(test::anvil_binary()),
                     "anvil at " << test::anvil_binary());
  const auto t0 = std::chrono::steady_clock::now();
  auto stage = [&](const char* what) {
    std::printf("%5.1f s: %s\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), what);
  };
  test::SmallMarket net("slot_repair_e2e");
  auto& env = net.env();
  // Accounts 2, 3, 4 fill the request; 5 comes for case (a).
  std::map<int, std::unique_ptr<AgentNode>> p;
  for (int a : {2, 3, 4, 5})
    p[a] = net.provider("provider" + std::to_string(a), a, {"--log-level", "info"});
  auto name = [](int a) { return "provider" + std::to_string(a); };

  // 5 blocks: K = 2 gives 3 steps (one padding block), 9 blocks in all.
  const std::string id =
      net.request(net.upload(5 * 65536 - 333, 14),
                  R"({"duration": 900, "proofProbability": "1", "pricePerBytePerSecond": "1",
          "collateralPerByte": "1", "expiry": 120, "nodes": 3, "tolerance": 1})");
  market::RequestId request{};
  base::from_hex_exact(id, request);
  const uint64_t slot_size = net.slot_size(id);
  for (int a : {2, 3, 4})
    test::SmallMarket::offer(*p[a], slot_size);

  auto watcher = env.chain_market(0);
  auto slot_of = [&](int account) -> std::optional<uint64_t> {
    for (uint64_t s = 0; s < 3; ++s)
      if (watcher->get_host(market::slot_id(request, s)) == env.address(account)) return s;
    return std::nullopt;
  };
  // The client journals requestStorage and sends it after answering.
  const bool started = eventually(
      [&] {
        try {
          return watcher->request_state(request) == market::RequestState::Started;
        } catch (const market::MarketError&) {
          return false;  // not on chain yet
        }
      },
      150s);
  if (!started)
    for (int a : {2, 3, 4})
      ADD_FAILURE() << tail(net, name(a));
  ASSERT_TRUE(started) << "the three providers did not fill the request";
  stage("started");

  const eth::Uint256 collateral = eth::Uint256(slot_size);  // collateralPerByte 1
  const uint8_t pct = watcher->configuration().collateral.repair_reward_percentage;
  const eth::Uint256 repair_collateral = collateral - (collateral * eth::Uint256(pct)).div_u64(100);
  // Proofs of each refilled slot since its refill.
  auto events = watcher->events("slot-repair-e2e");
  std::map<market::SlotId, size_t> proofs;
  auto poll = [&] {
    events->poll([&](const market::DecodedEvent& e, base::sqlite::WriteTxn*) {
      if (const auto* ps = std::get_if<market::ProofSubmitted>(&e.event))
        if (auto it = proofs.find(ps->slot_id); it != proofs.end()) ++it->second;
    });
  };

  // Frees `account`'s slot with its key and waits until `by` fills it again
  // paying the collateral less the repair reward.
  auto free_and_refill = [&](int account, int by, const std::function<void()>& after_free) {
    const std::optional<uint64_t> slot = slot_of(account);
    ASSERT_TRUE(slot) << "account " << account << " holds no slot";
    const market::SlotId sid = market::slot_id(request, *slot);
    const eth::Uint256 before = env.balance(by);
    env.chain_market(account)->execute(market::FreeSlot{sid, std::nullopt});
    ASSERT_EQ(watcher->slot_state(sid), market::SlotState::Repair);
    if (after_free) after_free();
    const bool refilled = eventually(
        [&] {
          return watcher->slot_state(sid) == market::SlotState::Filled &&
                 watcher->get_host(sid) == env.address(by);
        },
        90s);
    if (!refilled) ADD_FAILURE() << tail(net, name(by));
    ASSERT_TRUE(refilled) << "slot " << *slot << " was not filled again by account " << by;
    EXPECT_EQ(watcher->request_state(request), market::RequestState::Started);
    EXPECT_EQ(before - env.balance(by), repair_collateral)
        << "the repair host pays the collateral less " << int(pct) << "%";
    poll();  // up to the refill
    proofs[sid] = 0;
  };

  // (a) From peers only: the freed host is down, account 5 has an empty store.
  test::SmallMarket::offer(*p[5], slot_size);
  p[2]->stop(SIGTERM);
  ASSERT_NO_FATAL_FAILURE(free_and_refill(2, 5, nullptr));
  stage("(a) refilled");
  const auto a = repaired(net, name(5));
  ASSERT_TRUE(a) << tail(net, name(5));
  EXPECT_EQ((*a)[0], 0u) << "nothing was held here";
  EXPECT_GT((*a)[1], 0u);
  EXPECT_EQ((*a)[2], 3u) << "every step decoded";

  // (b) From its own store: account 3 takes back the slot freed under it.
  ASSERT_NO_FATAL_FAILURE(free_and_refill(3, 3, nullptr));
  stage("(b) refilled");
  const auto b = repaired(net, name(3));
  ASSERT_TRUE(b) << tail(net, name(3));
  EXPECT_EQ((*b)[1], 0u) << "nothing fetched";
  EXPECT_EQ((*b)[2], 0u) << "nothing decoded";

  // (c) Mixed: account 4 loses the leaf of its slot's first block while it
  // is down, and every leaf of other slots it may have fetched while the
  // providers raced for the slots; the slot is freed meanwhile; restarted,
  // it takes it back.
  const std::optional<uint64_t> slot4 = slot_of(4);
  ASSERT_TRUE(slot4);
  p[4]->stop(SIGTERM);
  const std::string db = (net.dir() / name(4) / "codex.sqlite3").string();
  // 3 steps: slot j holds 3j, 3j + 1, 3j + 2; 3j is lost.
  const std::string kept = std::to_string(*slot4 * 3 + 1) + ", " + std::to_string(*slot4 * 3 + 2);
  ASSERT_EQ(
      std::system(("/usr/bin/python3 -c \"import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); "
                   "c.execute('DELETE FROM store_leaves WHERE idx NOT IN (" +
                   kept + ")'); c.commit()\" " + db)
                      .c_str()),
      0);
  ASSERT_NO_FATAL_FAILURE(free_and_refill(4, 4, [&] { p[4]->start(); }));
  stage("(c) refilled");
  const auto c = repaired(net, name(4));
  ASSERT_TRUE(c) << tail(net, name(4));
  EXPECT_GT((*c)[0], 0u) << "blocks of its slot were still here";
  EXPECT_GT((*c)[1], 0u) << "others were fetched";
  EXPECT_GT((*c)[2], 0u);

  // Proofs of the three repaired slots go on.
  eventually(
      [&] {
        poll();
        return std::all_of(proofs.begin(), proofs.end(), [](auto& p) { return p.second > 0; });
      },
      40s);
  stage("proofs of the repaired slots");
  EXPECT_EQ(proofs.size(), 3u);
  for (const auto& [sid, n] : proofs)
    EXPECT_GT(n, 0u) << "a repaired slot is proven";
}

}  // namespace
}  // namespace codex::agent
