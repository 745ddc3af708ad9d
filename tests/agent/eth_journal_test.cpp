// The transaction journal and sender against a real anvil, including processes
// killed with SIGKILL between signing and sending and between sending and the receipt.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "agent/eth/http_rpc_client.h"
#include "agent/eth/rpc_error.h"
#include "agent/eth/tx_sender.h"
#include "tests/agent/support/anvil.h"
#include "tests/agent/support/test_contract.h"

namespace codex::eth {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const Address kBob = Address::parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");

struct TempDb {
  std::filesystem::path dir;
  TempDb() {
    char tmpl[] = "/tmp/eth_journal_XXXXXX";
    dir = mkdtemp(tmpl);
  }
  ~TempDb() { std::filesystem::remove_all(dir); }
  std::string path() const { return (dir / "agent.db").string(); }
};

struct Stack {
  HttpRpcClient rpc;
  EthClient eth;
  PrivateKey key;
  Database db;
  TxSender sender;
  Stack(const test::Anvil& a, const std::string& db_path, TxOptions o = fast())
      : rpc(HttpRpcOptions{a.url()}),
        eth(rpc),
        key(PrivateKey::from_hex(test::kDevKeys[2])),
        db(db_path),
        sender(eth, key, db.handle(), o) {}
  static TxOptions fast() {
    TxOptions o;
    o.poll_interval = 20ms;
    o.wait_timeout = 20s;
    return o;
  }
  uint64_t nonce() { return eth.transaction_count(key.address()); }
};

TxRequest transfer(uint64_t wei, std::string key = "") {
  TxRequest r;
  r.to = kBob;
  r.value = Uint256(wei);
  r.key = std::move(key);
  return r;
}

// Runs a child process that submits `req` and is SIGKILLed right after `stage`.
// Returns the hash of the transaction it signed.
Hash run_and_kill(const test::Anvil& anvil, const std::string& db_path, const TxRequest& req,
                  TxSender::Stage stage) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    try {
      Stack s(anvil, db_path);
      s.sender.set_hook([&](TxSender::Stage st, const SignedTx& tx) {
        if (st != stage) return;
        (void)!::write(fds[1], tx.hash.data(), tx.hash.size());
        for (;;)
          ::pause();  // wait for SIGKILL
      });
      s.sender.submit(req);
    } catch (...) {
    }
    ::_exit(3);  // the hook never returns; reaching here is a failure
  }
  ::close(fds[1]);
  Hash h{};
  ssize_t got = ::read(fds[0], h.data(), h.size());
  ::close(fds[0]);
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_EQ(got, 32) << "child did not reach the stage";
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  return h;
}

TEST(TxSender, SendsAndJournalsATransfer) {
  test::Anvil anvil;
  TempDb tmp;
  Stack s(anvil, tmp.path());
  Uint256 before = s.eth.balance(kBob);
  Receipt r = s.sender.send(transfer(12345));
  EXPECT_TRUE(r.success);
  EXPECT_EQ(s.eth.balance(kBob), before + Uint256(12345));
  auto e = s.sender.journal().by_hash(r.transaction_hash);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->state, TxState::Mined);
  EXPECT_EQ(e->nonce, 0u);
  EXPECT_EQ(s.sender.send(transfer(1)).block_number, r.block_number + 1);
  EXPECT_EQ(s.nonce(), 2u);
}

TEST(TxSender, IdempotencyKeyNeverSendsTwice) {
  test::Anvil anvil;
  TempDb tmp;
  Stack s(anvil, tmp.path());
  SignedTx a = s.sender.submit(transfer(5, "request-42"));
  SignedTx b = s.sender.submit(transfer(5, "request-42"));
  EXPECT_EQ(a.hash, b.hash);
  s.sender.wait(a.hash);
  EXPECT_EQ(s.nonce(), 1u);
}

TEST(TxSender, RevertingCallSignsNothing) {
  test::Anvil anvil;
  TempDb tmp;
  Stack s(anvil, tmp.path());
  Address c = test::deploy_emitter(anvil);
  TxRequest r;
  r.to = c;
  r.data = {0xff, 0x55, 0x6a, 0xcf};  // reverts in estimateGas
  try {
    s.sender.submit(r);
    FAIL();
  } catch (const RpcError& e) {
    EXPECT_EQ(e.kind(), RpcErrorKind::Reverted);
  }
  EXPECT_FALSE(s.sender.journal().max_nonce(s.key.address()));
  EXPECT_EQ(s.sender.send(transfer(1)).success, true);
  EXPECT_EQ(s.nonce(), 1u);
}

TEST(TxSender, MinedFailureIsReplayedForItsRevertData) {
  test::Anvil anvil;
  TempDb tmp;
  Stack s(anvil, tmp.path());
  Address c = test::deploy_emitter(anvil);
  TxRequest r;
  r.to = c;
  r.data = {0xff, 0x55, 0x6a, 0xcf};  // Marketplace_SlotNotFree()
  r.gas_limit = 100000;               // skip estimation so that it is mined and fails
  Receipt rc = s.sender.send(r);
  EXPECT_FALSE(rc.success);
  EXPECT_EQ(s.sender.revert_data(rc), r.data);
  EXPECT_EQ(s.nonce(), 1u) << "a failed transaction still uses its nonce";
}

TEST(TxSender, FeeCapBelowBaseFeeRefusesToSign) {
  test::Anvil anvil;
  TempDb tmp;
  TxOptions o = Stack::fast();
  o.max_fee_cap = Uint256(1000);  // far below anvil's 1 gwei base fee
  Stack s(anvil, tmp.path(), o);
  EXPECT_THROW(s.sender.submit(transfer(1)), TxError);
  EXPECT_FALSE(s.sender.journal().max_nonce(s.key.address()));
}

TEST(TxJournalKill, KilledBetweenSignAndSendIsSentOnceAfterRestart) {
  test::Anvil anvil;
  TempDb tmp;
  Hash h = run_and_kill(anvil, tmp.path(), transfer(777, "k1"), TxSender::Stage::Journaled);
  Stack s(anvil, tmp.path());
  EXPECT_EQ(s.nonce(), 0u) << "nothing was sent before the kill";
  auto e = s.sender.journal().by_hash(h);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->state, TxState::Signed);
  s.sender.recover();
  Receipt r = s.sender.wait(h);
  EXPECT_TRUE(r.success);
  EXPECT_EQ(r.transaction_hash, h);
  // The same intent again returns the same transaction; a new one takes the next nonce.
  EXPECT_EQ(s.sender.submit(transfer(777, "k1")).hash, h);
  SignedTx next = s.sender.submit(transfer(1, "k2"));
  EXPECT_EQ(next.nonce, 1u);
  s.sender.wait(next.hash);
  EXPECT_EQ(s.nonce(), 2u);
}

TEST(TxJournalKill, KilledAfterSendBeforeReceiptIsMinedOnce) {
  test::Anvil anvil;
  TempDb tmp;
  anvil.rpc("evm_setAutomine", json::array({false}));
  Hash h = run_and_kill(anvil, tmp.path(), transfer(888, "k1"), TxSender::Stage::Sent);
  Stack s(anvil, tmp.path());
  EXPECT_TRUE(s.eth.transaction_known(h)) << "the node has it pending";
  s.sender.recover();  // rebroadcast is harmless: "already known"
  anvil.rpc("evm_mine");
  Receipt r = s.sender.wait(h);
  EXPECT_EQ(r.transaction_hash, h);
  EXPECT_EQ(s.nonce(), 1u);
  anvil.rpc("evm_setAutomine", json::array({true}));
  EXPECT_EQ(s.sender.send(transfer(1, "k2")).success, true);
  EXPECT_EQ(s.nonce(), 2u);
}

TEST(TxJournalKill, KilledAfterSendAndDroppedFromPoolIsRebroadcast) {
  test::Anvil anvil;
  TempDb tmp;
  anvil.rpc("evm_setAutomine", json::array({false}));
  Hash h = run_and_kill(anvil, tmp.path(), transfer(999), TxSender::Stage::Sent);
  anvil.rpc("anvil_dropAllTransactions");  // e.g. the node restarted meanwhile
  Stack s(anvil, tmp.path());
  EXPECT_FALSE(s.eth.transaction_known(h));
  s.sender.recover();
  EXPECT_TRUE(s.eth.transaction_known(h));
  anvil.rpc("evm_mine");
  EXPECT_EQ(s.sender.wait(h).transaction_hash, h);
  EXPECT_EQ(s.nonce(), 1u);
}

TEST(TxSender, StuckTransactionIsReplacedWithHigherFee) {
  test::Anvil anvil;
  TempDb tmp;
  TxOptions o = Stack::fast();
  o.stuck_after = 200ms;
  Stack s(anvil, tmp.path(), o);
  anvil.rpc("evm_setAutomine", json::array({false}));
  SignedTx first = s.sender.submit(transfer(4242));
  std::thread miner([&] {
    std::this_thread::sleep_for(700ms);  // a few replacement rounds happen meanwhile
    anvil.rpc("evm_mine");
  });
  Receipt r = s.sender.wait(first.hash);
  miner.join();
  EXPECT_TRUE(r.success);
  EXPECT_NE(r.transaction_hash, first.hash) << "a fee-bumped replacement was mined";
  auto attempts = s.sender.journal().attempts(s.key.address(), 0);
  ASSERT_GE(attempts.size(), 2u);
  EXPECT_EQ(attempts.front().state, TxState::Replaced);
  int mined = 0;
  for (const auto& a : attempts)
    mined += a.state == TxState::Mined;
  EXPECT_EQ(mined, 1);
  EXPECT_EQ(s.nonce(), 1u);
  EXPECT_GT(r.effective_gas_price, Uint256(0));
}

TEST(TxSender, LegacyTransactionsWork) {
  test::Anvil anvil;
  TempDb tmp;
  TxOptions o = Stack::fast();
  o.legacy = true;
  Stack s(anvil, tmp.path(), o);
  EXPECT_TRUE(s.sender.send(transfer(3)).success);
}

TEST(TxSender, WaitsForConfirmations) {
  test::Anvil anvil;
  TempDb tmp;
  TxOptions o = Stack::fast();
  o.confirmations = 3;
  Stack s(anvil, tmp.path(), o);
  SignedTx tx = s.sender.submit(transfer(3));
  std::atomic<bool> done{false};
  std::thread waiter([&] {
    s.sender.wait(tx.hash);
    done = true;
  });
  std::this_thread::sleep_for(200ms);
  EXPECT_FALSE(done) << "one block is not three confirmations";
  anvil.rpc("anvil_mine", json::array({"0x2"}));
  waiter.join();
  EXPECT_TRUE(done);
}

}  // namespace
}  // namespace codex::eth
