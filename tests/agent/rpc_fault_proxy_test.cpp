// The stress runs' JSON-RPC fault proxy in front of a real anvil: requests
// pass unchanged outside fault windows and fail inside them (refused, slowed,
// or forwarded with the answer lost), and the transaction journal sends every
// intent exactly once through it although a third of the answers are lost.
#include "agent/devnet/rpc_fault_proxy.h"

#include <gtest/gtest.h>

#include <chrono>

#include "agent/eth/http_rpc_client.h"
#include "agent/eth/rpc_error.h"
#include "agent/eth/tx_sender.h"
#include "base/sqlite/database.h"
#include "tests/agent/support/anvil.h"
#include "tests/agent/support/test_contract.h"
#include "tests/support/temp_dir.h"

namespace codex::devnet {
namespace {

using namespace std::chrono_literals;

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

eth::HttpRpcOptions once(const std::string& url) {
  eth::HttpRpcOptions o{url};
  o.max_attempts = 1;  // see every failure
  return o;
}

TEST(RpcFaultProxy, PassesRequestsOutsideItsWindows) {
  test::Anvil anvil;
  RpcFaultProxy proxy(anvil.url(), 1);
  eth::HttpRpcClient direct(once(anvil.url())), via(once(proxy.url()));
  eth::EthClient a(direct), b(via);
  test::send_from_dev0(anvil,
                       {{"to", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"}, {"value", "0x1"}});
  EXPECT_EQ(b.block_number(), a.block_number());
  EXPECT_EQ(b.block(eth::BlockTag::latest()).timestamp, a.block(eth::BlockTag::latest()).timestamp);
  EXPECT_EQ(proxy.counts().requests, 2u);
  EXPECT_EQ(proxy.counts().refused + proxy.counts().lost + proxy.counts().slowed, 0u);
  EXPECT_FALSE(proxy.failing_between(0, wall_ms()));
}

TEST(RpcFaultProxy, FailsEveryRequestOfAWindowAtRateOne) {
  test::Anvil anvil;
  RpcFaultProxy proxy(anvil.url(), 2);
  eth::HttpRpcClient via(once(proxy.url()));
  eth::EthClient b(via);
  const int64_t before = wall_ms();
  proxy.fail_for(30, 1.0);
  EXPECT_TRUE(proxy.failing_between(before, before + 1));
  EXPECT_FALSE(proxy.failing_between(0, before - 1000));
  int failed = 0, answered = 0;
  for (int i = 0; i < 12; ++i) {
    try {
      b.block_number();
      ++answered;  // a slowed request is answered, late
    } catch (const eth::RpcError&) {
      ++failed;
    }
  }
  const RpcFaultCounts c = proxy.counts();
  EXPECT_EQ(c.requests, 12u);
  EXPECT_EQ(c.refused + c.lost, uint64_t(failed));
  EXPECT_EQ(c.slowed, uint64_t(answered));
  EXPECT_GT(c.refused, 0u);
  EXPECT_GT(c.lost, 0u);
}

TEST(RpcFaultProxy, TheJournalSendsEachIntentOnceThoughAnswersAreLost) {
  test::Anvil anvil;
  codex::testing::TempDir tmp("rpc-fault");
  RpcFaultProxy proxy(anvil.url(), 3);
  eth::HttpRpcClient via(eth::HttpRpcOptions{proxy.url()});  // the node's retries
  eth::EthClient eth(via);
  const auto key = eth::PrivateKey::from_hex(test::kDevKeys[3]);
  auto db = base::sqlite::Database::open(tmp.path() / "agent.db");
  eth::TxOptions o;
  o.poll_interval = 20ms;
  o.wait_timeout = 60s;
  eth::TxSender sender(eth, key, *db, o);
  eth::HttpRpcClient direct(eth::HttpRpcOptions{anvil.url()});
  eth::EthClient chain(direct);
  const auto bob = eth::Address::parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
  const eth::Uint256 before = chain.balance(bob);

  proxy.fail_for(600, 0.35);
  constexpr int kIntents = 8;
  int errors = 0;
  for (int i = 0; i < kIntents; ++i) {
    eth::TxRequest r;
    r.to = bob;
    r.value = eth::Uint256(1000 + i);
    r.key = "transfer/" + std::to_string(i);
    // A caller retries an intent that failed on the way (as the roles do):
    // the journal makes every retry the same transaction.
    for (int attempt = 0;; ++attempt) {
      ASSERT_LT(attempt, 40) << r.key;
      try {
        EXPECT_TRUE(sender.send(r).success);
        break;
      } catch (const std::exception&) {
        ++errors;
      }
    }
  }
  EXPECT_GT(proxy.counts().lost, 0u) << "the test lost no answer";
  EXPECT_EQ(chain.transaction_count(key.address()), uint64_t(kIntents));
  eth::Uint256 sent;
  for (int i = 0; i < kIntents; ++i)
    sent = sent + eth::Uint256(1000 + i);
  EXPECT_EQ(chain.balance(bob), before + sent);
  RecordProperty("caller_retries", errors);
}

}  // namespace
}  // namespace codex::devnet
