// The log watcher against a real anvil: bounded ranges, restarts, exactly-once
// delivery with handler effects written in the delivery's transaction (also
// across SIGKILL), a reorg made with anvil_reorg, confirmations; and the chain
// clock (block timestamps, extrapolation and sleeping on a virtual local clock).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "agent/eth/chain_clock.h"
#include "agent/eth/http_rpc_client.h"
#include "agent/eth/log_watcher.h"
#include "base/sqlite/database.h"
#include "tests/agent/support/anvil.h"
#include "tests/agent/support/test_contract.h"
#include "tests/support/temp_dir.h"

namespace codex::eth {
namespace {

using base::sqlite::Database;
using base::sqlite::WriteTxn;
using nlohmann::json;

std::string topic_hex(uint8_t tag) {
  return std::string(62, '0') + to_hex(Bytes{tag}, false);
}

class WatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    emitter_ = test::deploy_emitter(anvil_);
    rpc_ = std::make_unique<HttpRpcClient>(HttpRpcOptions{anvil_.url()});
    eth_ = std::make_unique<EthClient>(*rpc_);
  }
  // One transaction (one block) emitting a log tagged `tag`.
  void emit(uint8_t tag) {
    test::send_from_dev0(anvil_, {{"to", emitter_.hex()}, {"data", "0x" + topic_hex(tag)}});
  }
  LogWatcherOptions options(uint64_t max_range = 1000) {
    LogWatcherOptions o;
    o.name = "test";
    o.filter.addresses = {emitter_};
    o.max_range = max_range;
    return o;
  }
  static uint8_t tag_of(const Log& l) { return l.topics.at(0)[31]; }

  std::unique_ptr<Database> open_db() { return Database::open(tmp_.path() / "agent.db"); }

  test::Anvil anvil_;
  Address emitter_;
  std::unique_ptr<HttpRpcClient> rpc_;
  std::unique_ptr<EthClient> eth_;
  codex::testing::TempDir tmp_{"eth-watch"};
};

TEST_F(WatcherTest, DeliversInOrderInBoundedRanges) {
  for (uint8_t i = 1; i <= 5; ++i)
    emit(i);
  auto db = open_db();
  std::vector<uint8_t> got;
  LogWatcherOptions o = options(2);
  o.max_ranges_per_poll = 100;
  LogWatcher w(*eth_, *db, o);
  auto handler = [&](const Log& l, WriteTxn&) { got.push_back(tag_of(l)); };
  EXPECT_EQ(w.poll(handler), 5u);
  EXPECT_EQ(got, (std::vector<uint8_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(w.next_block(), eth_->block_number() + 1);
  EXPECT_EQ(w.poll(handler), 0u);
  emit(6);
  EXPECT_EQ(w.poll(handler), 1u);
  EXPECT_EQ(got.back(), 6);
}

TEST_F(WatcherTest, RestartContinuesWithoutSkippingOrRepeating) {
  for (uint8_t i = 1; i <= 6; ++i)
    emit(i);
  std::vector<uint8_t> got;
  auto handler = [&](const Log& l, WriteTxn&) { got.push_back(tag_of(l)); };
  {
    auto db = open_db();
    LogWatcherOptions o = options(2);
    o.max_ranges_per_poll = 1;  // stop part-way
    LogWatcher w(*eth_, *db, o);
    w.poll(handler);
    w.poll(handler);
  }
  EXPECT_LT(got.size(), 6u);
  auto db = open_db();
  LogWatcherOptions o = options(2);
  o.max_ranges_per_poll = 100;
  LogWatcher w(*eth_, *db, o);
  w.poll(handler);
  EXPECT_EQ(got, (std::vector<uint8_t>{1, 2, 3, 4, 5, 6}));
}

// Handler effects written through the delivery's transaction commit with the position.
void create_effects(Database& db) {
  db.write([](WriteTxn& t) {
    t.exec("CREATE TABLE IF NOT EXISTS effects (tag INTEGER, removed INTEGER)");
  });
}

void record_effect(WriteTxn& txn, const Log& l) {
  txn.cached("INSERT INTO effects VALUES (?, ?)")
      .bind(1, static_cast<int64_t>(l.topics.at(0)[31]))
      .bind(2, static_cast<int64_t>(l.removed))
      .run();
}

std::multiset<int64_t> effects(Database& db) {
  std::multiset<int64_t> out;
  auto r = db.read();
  auto& s = r.cached("SELECT tag FROM effects WHERE removed = 0");
  base::sqlite::Reset reset(s);
  while (s.step())
    out.insert(s.int64(0));
  return out;
}

TEST_F(WatcherTest, ThrowingHandlerRollsBackAndIsRedelivered) {
  for (uint8_t i = 1; i <= 4; ++i)
    emit(i);
  auto db = open_db();
  create_effects(*db);
  bool fail_once = true;
  LogWatcher w(*eth_, *db, options());
  auto handler = [&](const Log& l, WriteTxn& txn) {
    record_effect(txn, l);
    if (tag_of(l) == 3 && fail_once) {
      fail_once = false;
      throw std::runtime_error("handler failed");
    }
  };
  uint64_t before = w.next_block();
  EXPECT_THROW(w.poll(handler), std::runtime_error);
  EXPECT_EQ(w.next_block(), before);
  EXPECT_TRUE(effects(*db).empty()) << "partial effects rolled back";
  EXPECT_EQ(w.poll(handler), 4u);
  EXPECT_EQ(effects(*db), (std::multiset<int64_t>{1, 2, 3, 4}));
}

TEST_F(WatcherTest, KilledMidRangeDeliversEachLogExactlyOnce) {
  for (uint8_t i = 1; i <= 5; ++i)
    emit(i);
  pid_t pid = ::fork();
  if (pid == 0) {
    try {
      HttpRpcClient rpc(HttpRpcOptions{anvil_.url()});
      EthClient eth(rpc);
      auto db = open_db();
      create_effects(*db);
      LogWatcherOptions o = options(3);  // ranges [.., ..] so the kill lands inside the second
      o.max_ranges_per_poll = 100;
      LogWatcher w(eth, *db, o);
      w.poll([&](const Log& l, WriteTxn& txn) {
        record_effect(txn, l);
        if (tag_of(l) == 4) ::raise(SIGKILL);
      });
    } catch (...) {
    }
    ::_exit(3);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  auto db = open_db();
  auto partial = effects(*db);
  EXPECT_FALSE(partial.count(4)) << "the killed range left no effect";
  LogWatcherOptions o = options(3);
  o.max_ranges_per_poll = 100;
  LogWatcher w(*eth_, *db, o);
  w.poll([&](const Log& l, WriteTxn& txn) { record_effect(txn, l); });
  EXPECT_EQ(effects(*db), (std::multiset<int64_t>{1, 2, 3, 4, 5}));
}

TEST_F(WatcherTest, ReorgReplaysRemovedLogsThenNewChain) {
  for (uint8_t i = 1; i <= 4; ++i)
    emit(i);  // one block each
  auto db = open_db();
  std::vector<std::pair<uint8_t, bool>> got;
  LogWatcher w(*eth_, *db, options());
  auto handler = [&](const Log& l, WriteTxn&) { got.emplace_back(tag_of(l), l.removed); };
  EXPECT_EQ(w.poll(handler), 4u);
  got.clear();
  const uint64_t head = eth_->block_number();
  // Replace the last two blocks (logs 3 and 4) with a chain where block offset 0
  // carries a transaction emitting log 9.
  json tx = {{"from", test::kDev0}, {"to", emitter_.hex()}, {"data", "0x" + topic_hex(9)}};
  anvil_.rpc("anvil_reorg", json::array({2, json::array({json::array({tx, 0})})}));
  EXPECT_EQ(eth_->block_number(), head);
  w.poll(handler);
  EXPECT_EQ(w.reorgs(), 1u);
  std::vector<std::pair<uint8_t, bool>> expected{{4, true}, {3, true}, {9, false}};
  EXPECT_EQ(got, expected);
  got.clear();
  EXPECT_EQ(w.poll(handler), 0u);
  emit(10);
  w.poll(handler);
  EXPECT_EQ(got, (std::vector<std::pair<uint8_t, bool>>{{10, false}}));
}

TEST_F(WatcherTest, ConfirmationsHoldBackRecentBlocks) {
  for (uint8_t i = 1; i <= 3; ++i)
    emit(i);
  auto db = open_db();
  std::vector<uint8_t> got;
  LogWatcherOptions o = options();
  o.confirmations = 2;
  LogWatcher w(*eth_, *db, o);
  auto handler = [&](const Log& l, WriteTxn&) { got.push_back(tag_of(l)); };
  w.poll(handler);
  EXPECT_EQ(got, (std::vector<uint8_t>{1}));
  anvil_.rpc("anvil_mine", json::array({"0x2"}));
  w.poll(handler);
  EXPECT_EQ(got, (std::vector<uint8_t>{1, 2, 3}));
}

TEST_F(WatcherTest, ChainClockFollowsBlockTimestamps) {
  base::ManualClock local(base::Millis(0));
  // Anchored on the latest block, never refreshed behind the test's back: the
  // exact values below. The pending anchor is checked at the end.
  ChainClockOptions frozen;
  frozen.extrapolate = false;
  frozen.pending = false;
  frozen.refresh_interval = std::chrono::milliseconds(0);
  ChainClockOptions latest_only;
  latest_only.pending = false;
  latest_only.refresh_interval = std::chrono::milliseconds(0);
  ChainClock clock(*eth_, local, frozen);
  const uint64_t t0 = clock.seconds();
  EXPECT_EQ(t0, eth_->block(BlockTag::latest()).timestamp);
  EXPECT_EQ(clock.now().count() % 1000, 0) << "whole seconds";
  anvil_.rpc("evm_setNextBlockTimestamp", json::array({t0 + 1000}));
  anvil_.rpc("evm_mine");
  EXPECT_EQ(clock.seconds(), t0) << "unchanged until updated";
  clock.update();
  EXPECT_EQ(clock.seconds(), t0 + 1000);
  EXPECT_EQ(clock.last_block_number(), eth_->block_number());
  BlockHeader stale;
  stale.number = 0;
  stale.timestamp = 1;
  clock.observe(stale);
  EXPECT_EQ(clock.seconds(), t0 + 1000) << "never goes backwards";

  // Extrapolated between blocks with the local clock, never back when a block
  // arrives behind it.
  ChainClock live(*eth_, local, latest_only);
  EXPECT_EQ(live.seconds(), t0 + 1000);
  local.advance(base::Millis(2500));
  EXPECT_EQ(live.seconds(), t0 + 1002);
  anvil_.rpc("evm_setNextBlockTimestamp", json::array({t0 + 1001}));
  anvil_.rpc("evm_mine");
  live.update();
  EXPECT_EQ(live.seconds(), t0 + 1002);

  // A quiet chain polled often: reading the same block again must not
  // re-anchor, or the clock stands still until the next transaction.
  anvil_.rpc("evm_setNextBlockTimestamp", json::array({t0 + 2000}));
  anvil_.rpc("evm_mine");
  live.update();
  EXPECT_EQ(live.seconds(), t0 + 2000);
  for (int i = 0; i < 5; ++i) {
    local.advance(base::Millis(600));
    live.update();
  }
  EXPECT_EQ(live.seconds(), t0 + 2003) << "3 s of polls of one block";

  // sleep_until polls the chain each poll interval of local time: a chain
  // that jumps past the target wakes the sleeper at its next poll.
  base::ManualClock polls(base::Millis(0), base::ManualClock::Mode::kBlockOnSleep);
  ChainClockOptions every_second;
  every_second.extrapolate = false;
  every_second.pending = false;
  every_second.refresh_interval = std::chrono::milliseconds(0);
  every_second.poll_interval = base::Millis(1000);
  ChainClock waiter(*eth_, polls, every_second);
  const base::Millis target(static_cast<int64_t>(t0 + 5000) * 1000);
  std::thread sleeper([&] { waiter.sleep_until(target); });
  while (polls.sleeps() < 1)
    std::this_thread::yield();  // the sleeper polled once and waits for local time
  EXPECT_LT(waiter.now(), target);
  anvil_.rpc("evm_setNextBlockTimestamp", json::array({t0 + 5000}));
  anvil_.rpc("evm_mine");
  polls.advance(base::Millis(1000));
  sleeper.join();
  EXPECT_GE(waiter.now(), target);
  EXPECT_EQ(polls.sleeps(), 1u);

  // On a quiet chain the latest block is old: chain time has moved on (here
  // by 100 s without a block) and only the pending block says so. The
  // default clock anchors there, and its thread re-reads the chain.
  anvil_.rpc("evm_increaseTime", json::array({100}));
  const uint64_t last = eth_->block(BlockTag::latest()).timestamp;
  base::ManualClock quiet(base::Millis(0));
  ChainClockOptions often;
  often.refresh_interval = std::chrono::milliseconds(50);
  ChainClock pending(*eth_, quiet, often);
  EXPECT_GE(pending.seconds(), last + 100);
  EXPECT_LT(pending.seconds(), last + 200);
  ChainClock behind(*eth_, quiet, latest_only);
  EXPECT_EQ(behind.seconds(), last);
  anvil_.rpc("evm_increaseTime", json::array({100}));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (pending.seconds() < last + 200 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_GE(pending.seconds(), last + 200) << "read again by its thread";
  EXPECT_EQ(behind.seconds(), last) << "never refreshed";
}

}  // namespace
}  // namespace codex::eth
