// The log watcher against a real anvil: bounded ranges, restarts, exactly-once
// delivery with handler effects in the same database (also across SIGKILL), a
// reorg made with anvil_reorg, confirmations; and the chain clock.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "agent/eth/chain_clock.h"
#include "agent/eth/http_rpc_client.h"
#include "agent/eth/log_watcher.h"
#include "tests/agent/support/anvil.h"
#include "tests/agent/support/test_contract.h"

namespace codex::eth {
namespace {

using nlohmann::json;

struct TempDb {
  std::filesystem::path dir;
  TempDb() {
    char tmpl[] = "/tmp/eth_watch_XXXXXX";
    dir = mkdtemp(tmpl);
  }
  ~TempDb() { std::filesystem::remove_all(dir); }
  std::string path() const { return (dir / "agent.db").string(); }
};

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

  test::Anvil anvil_;
  Address emitter_;
  std::unique_ptr<HttpRpcClient> rpc_;
  std::unique_ptr<EthClient> eth_;
  TempDb tmp_;
};

TEST_F(WatcherTest, DeliversInOrderInBoundedRanges) {
  for (uint8_t i = 1; i <= 5; ++i)
    emit(i);
  Database db(tmp_.path());
  std::vector<uint8_t> got;
  LogWatcherOptions o = options(2);
  o.max_ranges_per_poll = 100;
  LogWatcher w(*eth_, db.handle(), o, [&](const Log& l) { got.push_back(tag_of(l)); });
  EXPECT_EQ(w.poll(), 5u);
  EXPECT_EQ(got, (std::vector<uint8_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(w.next_block(), eth_->block_number() + 1);
  EXPECT_EQ(w.poll(), 0u);
  emit(6);
  EXPECT_EQ(w.poll(), 1u);
  EXPECT_EQ(got.back(), 6);
}

TEST_F(WatcherTest, RestartContinuesWithoutSkippingOrRepeating) {
  for (uint8_t i = 1; i <= 6; ++i)
    emit(i);
  std::vector<uint8_t> got;
  {
    Database db(tmp_.path());
    LogWatcherOptions o = options(2);
    o.max_ranges_per_poll = 1;  // stop part-way
    LogWatcher w(*eth_, db.handle(), o, [&](const Log& l) { got.push_back(tag_of(l)); });
    w.poll();
    w.poll();
  }
  EXPECT_LT(got.size(), 6u);
  Database db(tmp_.path());
  LogWatcherOptions o = options(2);
  o.max_ranges_per_poll = 100;
  LogWatcher w(*eth_, db.handle(), o, [&](const Log& l) { got.push_back(tag_of(l)); });
  w.poll();
  EXPECT_EQ(got, (std::vector<uint8_t>{1, 2, 3, 4, 5, 6}));
}

// Handler effects written through the same connection commit with the position.
void record_effect(sqlite3* db, const Log& l) {
  exec(db, "CREATE TABLE IF NOT EXISTS effects (tag INTEGER, removed INTEGER)");
  Statement(db, "INSERT INTO effects VALUES (?, ?)")
      .bind(1, static_cast<int64_t>(l.topics.at(0)[31]))
      .bind(2, static_cast<int64_t>(l.removed))
      .run();
}

std::multiset<int64_t> effects(sqlite3* db) {
  std::multiset<int64_t> out;
  Statement s(db, "SELECT tag FROM effects WHERE removed = 0");
  while (s.step())
    out.insert(s.int64(0));
  return out;
}

TEST_F(WatcherTest, ThrowingHandlerRollsBackAndIsRedelivered) {
  for (uint8_t i = 1; i <= 4; ++i)
    emit(i);
  Database db(tmp_.path());
  exec(db.handle(), "CREATE TABLE IF NOT EXISTS effects (tag INTEGER, removed INTEGER)");
  bool fail_once = true;
  LogWatcher w(*eth_, db.handle(), options(), [&](const Log& l) {
    record_effect(db.handle(), l);
    if (tag_of(l) == 3 && fail_once) {
      fail_once = false;
      throw std::runtime_error("handler failed");
    }
  });
  uint64_t before = w.next_block();
  EXPECT_THROW(w.poll(), std::runtime_error);
  EXPECT_EQ(w.next_block(), before);
  EXPECT_TRUE(effects(db.handle()).empty()) << "partial effects rolled back";
  EXPECT_EQ(w.poll(), 4u);
  EXPECT_EQ(effects(db.handle()), (std::multiset<int64_t>{1, 2, 3, 4}));
}

TEST_F(WatcherTest, KilledMidRangeDeliversEachLogExactlyOnce) {
  for (uint8_t i = 1; i <= 5; ++i)
    emit(i);
  pid_t pid = ::fork();
  if (pid == 0) {
    try {
      HttpRpcClient rpc(HttpRpcOptions{anvil_.url()});
      EthClient eth(rpc);
      Database db(tmp_.path());
      exec(db.handle(), "CREATE TABLE IF NOT EXISTS effects (tag INTEGER, removed INTEGER)");
      LogWatcherOptions o = options(3);  // ranges [.., ..] so the kill lands inside the second
      o.max_ranges_per_poll = 100;
      LogWatcher w(eth, db.handle(), o, [&](const Log& l) {
        record_effect(db.handle(), l);
        if (tag_of(l) == 4) ::raise(SIGKILL);
      });
      w.poll();
    } catch (...) {
    }
    ::_exit(3);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  Database db(tmp_.path());
  auto partial = effects(db.handle());
  EXPECT_FALSE(partial.count(4)) << "the killed range left no effect";
  LogWatcherOptions o = options(3);
  o.max_ranges_per_poll = 100;
  LogWatcher w(*eth_, db.handle(), o, [&](const Log& l) { record_effect(db.handle(), l); });
  w.poll();
  EXPECT_EQ(effects(db.handle()), (std::multiset<int64_t>{1, 2, 3, 4, 5}));
}

TEST_F(WatcherTest, ReorgReplaysRemovedLogsThenNewChain) {
  for (uint8_t i = 1; i <= 4; ++i)
    emit(i);  // one block each
  Database db(tmp_.path());
  std::vector<std::pair<uint8_t, bool>> got;
  LogWatcher w(*eth_, db.handle(), options(),
               [&](const Log& l) { got.emplace_back(tag_of(l), l.removed); });
  EXPECT_EQ(w.poll(), 4u);
  got.clear();
  const uint64_t head = eth_->block_number();
  // Replace the last two blocks (logs 3 and 4) with a chain where block offset 0
  // carries a transaction emitting log 9.
  json tx = {{"from", test::kDev0}, {"to", emitter_.hex()}, {"data", "0x" + topic_hex(9)}};
  anvil_.rpc("anvil_reorg", json::array({2, json::array({json::array({tx, 0})})}));
  EXPECT_EQ(eth_->block_number(), head);
  w.poll();
  EXPECT_EQ(w.reorgs(), 1u);
  std::vector<std::pair<uint8_t, bool>> expected{{4, true}, {3, true}, {9, false}};
  EXPECT_EQ(got, expected);
  got.clear();
  EXPECT_EQ(w.poll(), 0u);
  emit(10);
  w.poll();
  EXPECT_EQ(got, (std::vector<std::pair<uint8_t, bool>>{{10, false}}));
}

TEST_F(WatcherTest, ConfirmationsHoldBackRecentBlocks) {
  for (uint8_t i = 1; i <= 3; ++i)
    emit(i);
  Database db(tmp_.path());
  std::vector<uint8_t> got;
  LogWatcherOptions o = options();
  o.confirmations = 2;
  LogWatcher w(*eth_, db.handle(), o, [&](const Log& l) { got.push_back(tag_of(l)); });
  w.poll();
  EXPECT_EQ(got, (std::vector<uint8_t>{1}));
  anvil_.rpc("anvil_mine", json::array({"0x2"}));
  w.poll();
  EXPECT_EQ(got, (std::vector<uint8_t>{1, 2, 3}));
}

TEST_F(WatcherTest, ChainClockFollowsBlockTimestamps) {
  ChainClock clock(*eth_, /*extrapolate=*/false);
  uint64_t t0 = clock.now();
  EXPECT_EQ(t0, eth_->block(BlockTag::latest()).timestamp);
  anvil_.rpc("evm_setNextBlockTimestamp", json::array({t0 + 1000}));
  anvil_.rpc("evm_mine");
  EXPECT_EQ(clock.now(), t0) << "unchanged until updated";
  clock.update();
  EXPECT_EQ(clock.now(), t0 + 1000);
  EXPECT_EQ(clock.last_block_number(), eth_->block_number());
  BlockHeader stale;
  stale.number = 0;
  stale.timestamp = 1;
  clock.observe(stale);
  EXPECT_EQ(clock.now(), t0 + 1000) << "never goes backwards";
  ChainClock live(*eth_);
  EXPECT_GE(live.now(), t0 + 1000);
  ManualClock m(5);
  m.advance(10);
  EXPECT_EQ(m.now(), 15u);
  EXPECT_THROW(m.set(3), std::invalid_argument);
}

}  // namespace
}  // namespace codex::eth
