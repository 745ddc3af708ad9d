// The transaction journal and sender against a real anvil: idempotency keys,
// journaling inside a caller's transaction (broadcast after its commit, nonce
// freed by a rollback or a refusal), processes killed with SIGKILL between
// journal and send and between send and receipt, and the waiting loop driven by
// a virtual clock (replacement of a stuck transaction, confirmations, timeout).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "agent/eth/http_rpc_client.h"
#include "agent/eth/rpc_error.h"
#include "agent/eth/tx_sender.h"
#include "base/sqlite/database.h"
#include "tests/agent/support/anvil.h"
#include "tests/agent/support/test_contract.h"
#include "tests/support/temp_dir.h"

namespace codex::eth {
namespace {

using base::Millis;
using base::sqlite::WriteTxn;
using nlohmann::json;
using namespace std::chrono_literals;

const Address kBob = Address::parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");

struct Stack {
  HttpRpcClient rpc;
  EthClient eth;
  PrivateKey key;
  std::unique_ptr<base::sqlite::Database> db;
  TxSender sender;
  Stack(const test::Anvil& a, const std::filesystem::path& dir, TxOptions o = fast())
      : rpc(HttpRpcOptions{a.url()}),
        eth(rpc),
        key(PrivateKey::from_hex(test::kDevKeys[2])),
        db(base::sqlite::Database::open(dir / "agent.db")),
        sender(eth, key, *db, o) {}
  static TxOptions fast() {
    TxOptions o;
    o.poll_interval = 20ms;
    o.wait_timeout = 20s;
    return o;
  }
  uint64_t nonce() { return eth.transaction_count(key.address()); }
};

TxRequest transfer(uint64_t wei, std::string key) {
  TxRequest r;
  r.to = kBob;
  r.value = Uint256(wei);
  r.key = std::move(key);
  return r;
}

// Runs a child process that journals `req` (in its own transaction, or in a
// caller's transaction with a row of the caller's) and is SIGKILLed right after
// `stage`. Returns the hash of the transaction it signed.
Hash run_and_kill(const test::Anvil& anvil, const std::filesystem::path& dir, const TxRequest& req,
                  TxSender::Stage stage, bool in_caller_txn = false) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    try {
      Stack s(anvil, dir);
      s.sender.set_hook([&](TxSender::Stage st, const SignedTx& tx) {
        if (st != stage) return;
        (void)!::write(fds[1], tx.hash.data(), tx.hash.size());
        for (;;)
          ::pause();  // wait for SIGKILL
      });
      if (in_caller_txn) {
        s.db->write([&](WriteTxn& txn) {
          txn.exec("CREATE TABLE IF NOT EXISTS caller_state (key TEXT, hash BLOB)");
          SignedTx tx = s.sender.record(req, txn);
          txn.cached("INSERT INTO caller_state VALUES (?, ?)")
              .bind(1, req.key)
              .bind(2, tx.hash)
              .run();
        });
      } else {
        s.sender.submit(req);
      }
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
  codex::testing::TempDir tmp("eth-journal");
  Stack s(anvil, tmp.path());
  Uint256 before = s.eth.balance(kBob);
  Receipt r = s.sender.send(transfer(12345, "t1"));
  EXPECT_TRUE(r.success);
  EXPECT_EQ(s.eth.balance(kBob), before + Uint256(12345));
  auto e = s.sender.journal().by_hash(r.transaction_hash);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->state, TxState::Mined);
  EXPECT_EQ(e->nonce, 0u);
  EXPECT_EQ(e->key, "t1");
  EXPECT_EQ(s.sender.send(transfer(1, "t2")).block_number, r.block_number + 1);
  EXPECT_EQ(s.nonce(), 2u);
  // Metrics: entries by state (all, or by a part of their key), and the gas
  // of each mined transaction counted once, however often it is waited for.
  const auto n = s.sender.journal().count_by_state();
  EXPECT_EQ(n.size(), 1u);
  EXPECT_EQ(n.at(TxState::Mined), 2u);
  EXPECT_EQ(s.sender.journal().count_by_state("t1").at(TxState::Mined), 1u);
  EXPECT_TRUE(s.sender.journal().count_by_state("nothing").empty());
  EXPECT_EQ(s.sender.gas_used(), 2u * 21000);
  s.sender.wait(r.transaction_hash);
  EXPECT_EQ(s.sender.gas_used(), 2u * 21000);
}

TEST(TxSender, IdempotencyKeyNeverSendsTwice) {
  test::Anvil anvil;
  codex::testing::TempDir tmp("eth-journal");
  Stack s(anvil, tmp.path());
  SignedTx a = s.sender.submit(transfer(5, "request-42"));
  SignedTx b = s.sender.submit(transfer(5, "request-42"));
  EXPECT_EQ(a.hash, b.hash);
  s.sender.wait(a.hash);
  // Even once mined, and with other contents: the intent was served.
  EXPECT_EQ(s.sender.submit(transfer(6, "request-42")).hash, a.hash);
  EXPECT_EQ(s.nonce(), 1u);
  EXPECT_EQ(s.sender.journal().all_by_key(s.key.address(), "request-42").size(), 1u);
}

TEST(TxSender, EveryTransactionNeedsAKey) {
  test::Anvil anvil;
  codex::testing::TempDir tmp("eth-journal");
  Stack s(anvil, tmp.path());
  EXPECT_THROW(s.sender.submit(transfer(5, "")), std::invalid_argument);
  EXPECT_FALSE(s.sender.journal().max_nonce(s.key.address()));
}

TEST(TxSender, RevertingCallSignsNothing) {
  test::Anvil anvil;
  codex::testing::TempDir tmp("eth-journal");
  Stack s(anvil, tmp.path());
  Address c = test::deploy_emitter(anvil);
  TxRequest r;
  r.to = c;
  r.data = {0xff, 0x55, 0x6a, 0xcf};  // reverts in estimateGas
  r.key = "reverts";
  try {
    s.sender.submit(r);
    FAIL();
  } catch (const RpcError& e) {
    EXPECT_EQ(e.kind(), RpcErrorKind::Reverted);
  }
  EXPECT_FALSE(s.sender.journal().max_nonce(s.key.address()));
  EXPECT_EQ(s.sender.send(transfer(1, "t")).success, true);
  EXPECT_EQ(s.nonce(), 1u);
}

TEST(TxSender, MinedFailureIsReplayedForItsRevertData) {
  test::Anvil anvil;
  codex::testing::TempDir tmp("eth-journal");
  Stack s(anvil, tmp.path());
  Address c = test::deploy_emitter(anvil);
  TxRequest r;
  r.to = c;
  r.data = {0xff, 0x55, 0x6a, 0xcf};  // Marketplace_SlotNotFree()
  r.gas_limit = 100000;               // skip estimation so that it is mined and fails
  r.key = "fails";
  Receipt rc = s.sender.send(r);
  EXPECT_FALSE(rc.success);
  EXPECT_EQ(s.sender.revert_data(rc), r.data);
  TxRequest back = s.sender.request_of(rc.transaction_hash);
  EXPECT_EQ(back.to, r.to);
  EXPECT_EQ(back.data, r.data);
  EXPECT_EQ(back.gas_limit, r.gas_limit);
  EXPECT_EQ(back.key, "fails");
  EXPECT_EQ(s.nonce(), 1u) << "a failed transaction still uses its nonce";
}

TEST(TxSender, FeeCapBelowBaseFeeRefusesToSign) {
  test::Anvil anvil;
  codex::testing::TempDir tmp("eth-journal");
  TxOptions o = Stack::fast();
  o.max_fee_cap = Uint256(1000);  // far below anvil's 1 gwei base fee
  Stack s(anvil, tmp.path(), o);
  EXPECT_THROW(s.sender.submit(transfer(1, "t")), TxError);
  EXPECT_FALSE(s.sender.journal().max_nonce(s.key.address()));
}

TEST(TxSender, InCallerTransactionItCommitsWithTheCallerAndIsSentAfter) {
  test::Anvil anvil;
  codex::testing::TempDir tmp("eth-journal");
  Stack s(anvil, tmp.path());
  SignedTx tx;
  {
    WriteTxn txn = s.db->begin();
    txn.exec("CREATE TABLE sale (id INTEGER, tx BLOB)");
    tx = s.sender.record(transfer(7, "fill/1"), txn);
    txn.cached("INSERT INTO sale VALUES (1, ?)").bind(1, tx.hash).run();
    EXPECT_EQ(s.sender.journal().by_hash(tx.hash, &txn)->state, TxState::Signed);
    EXPECT_FALSE(s.sender.journal().by_hash(tx.hash)) << "not visible before the commit";
    EXPECT_FALSE(s.eth.transaction_known(tx.hash)) << "nothing leaves before the commit";
    EXPECT_EQ(s.sender.record(transfer(7, "fill/1"), txn).hash, tx.hash) << "same key, same tx";
    txn.commit();
  }
  EXPECT_TRUE(s.eth.transaction_known(tx.hash)) << "broadcast by the commit";
  EXPECT_TRUE(s.sender.wait(tx.hash).success);
  EXPECT_EQ(s.sender.journal().by_hash(tx.hash)->state, TxState::Mined);
  EXPECT_EQ(s.nonce(), 1u);
}

TEST(TxSender, RolledBackCallerTransactionFreesItsNonce) {
  test::Anvil anvil;
  codex::testing::TempDir tmp("eth-journal");
  Stack s(anvil, tmp.path());
  Hash dropped;
  {
    WriteTxn txn = s.db->begin();
    SignedTx tx = s.sender.record(transfer(7, "abandoned"), txn);
    EXPECT_EQ(tx.nonce, 0u);
    dropped = tx.hash;
  }  // rolled back
  EXPECT_FALSE(s.sender.journal().by_hash(dropped));
  EXPECT_FALSE(s.eth.transaction_known(dropped));
  SignedTx next = s.sender.submit(transfer(8, "next"));
  EXPECT_EQ(next.nonce, 0u) << "the nonce of a rolled-back entry is free again";
  EXPECT_TRUE(s.sender.wait(next.hash).success);
  EXPECT_EQ(s.nonce(), 1u);
}

TEST(TxSender, RefusedTransactionFreesItsNonceAndIsNotWaitedFor) {
  test::Anvil anvil;
  codex::testing::TempDir tmp("eth-journal");
  Stack s(anvil, tmp.path());
  TxRequest rich = transfer(0, "too-much");
  rich.value = s.eth.balance(s.key.address()) + Uint256(1);  // the node refuses it
  rich.gas_limit = 21000;                                    // estimation would refuse it too
  EXPECT_THROW(s.sender.submit(rich), TxError);
  EXPECT_FALSE(s.sender.journal().by_key(s.key.address(), "too-much")) << "still to be done";
  auto refused = s.sender.journal().all_by_key(s.key.address(), "too-much");
  ASSERT_EQ(refused.size(), 1u);
  auto e = refused.begin();
  EXPECT_EQ(e->state, TxState::Rejected);
  EXPECT_THROW(s.sender.wait(e->hash), TxError);
  SignedTx next = s.sender.submit(transfer(1, "fine"));
  EXPECT_EQ(next.nonce, e->nonce) << "a refused nonce is reused, not skipped";
  EXPECT_TRUE(s.sender.wait(next.hash).success);
  EXPECT_EQ(s.nonce(), 1u);
  const auto n = s.sender.journal().count_by_state();
  EXPECT_EQ(n.at(TxState::Rejected), 1u);
  EXPECT_EQ(n.at(TxState::Mined), 1u);
}

// A fee bump of `tx` (same nonce and call) at the given fees, signed but not sent.
SignedTx bump_of(const SignedTx& tx, const PrivateKey& key, uint64_t priority_gwei,
                 uint64_t max_gwei) {
  Eip1559Tx b{31337,
              tx.nonce,
              Uint256(priority_gwei * 1'000'000'000),
              Uint256(max_gwei * 1'000'000'000),
              21000,
              kBob,
              Uint256(5),
              {}};
  return sign(b, key);
}

TEST(TxSender, ARefusedReplacementNeverReopensTheIntent) {
  test::Anvil anvil;
  codex::testing::TempDir tmp("eth-journal");
  base::ManualClock clock(Millis(0));
  TxOptions o = Stack::fast();
  o.clock = &clock;
  o.wait_timeout = 1s;
  Stack s(anvil, tmp.path(), o);
  anvil.rpc("evm_setAutomine", json::array({false}));
  SignedTx first = s.sender.submit(transfer(5, "intent"));
  // A newer attempt of the same intent that the node refuses: priced below
  // the pending one, so it is no valid replacement.
  SignedTx low = bump_of(first, s.key, 0, 1);
  s.db->write([&](WriteTxn& t) { s.sender.journal().record(t, low, "intent"); });
  EXPECT_THROW(s.sender.wait(first.hash), TxError) << "times out: nothing is mined";
  EXPECT_EQ(s.sender.journal().by_hash(low.hash)->state, TxState::Rejected);
  EXPECT_EQ(s.sender.journal().by_hash(first.hash)->state, TxState::Sent)
      << "the refusal of the newest attempt leaves the older one pending";
  // The intent is still served by the first attempt: nothing new is signed.
  EXPECT_EQ(s.sender.submit(transfer(5, "intent")).hash, first.hash);
  EXPECT_EQ(s.sender.journal().all_by_key(s.key.address(), "intent").size(), 2u);
  anvil.rpc("evm_mine");
  EXPECT_EQ(s.sender.wait(first.hash).transaction_hash, first.hash);
  EXPECT_EQ(s.nonce(), 1u);
}

TEST(TxSender, ConcurrentSendersNeverShareANonce) {
  test::Anvil anvil;
  codex::testing::TempDir tmp("eth-journal");
  Stack s(anvil, tmp.path());
  std::vector<std::thread> threads;
  std::vector<std::vector<SignedTx>> sent(3);
  for (int t = 0; t < 3; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        const std::string key = "t" + std::to_string(t) + "/" + std::to_string(i);
        if (i % 2)
          sent[t].push_back(s.sender.submit(transfer(1, key)));
        else
          sent[t].push_back(
              s.db->write([&](WriteTxn& txn) { return s.sender.record(transfer(1, key), txn); }));
      }
    });
  for (auto& t : threads)
    t.join();
  std::set<uint64_t> nonces;
  for (const auto& v : sent)
    for (const auto& tx : v) {
      nonces.insert(tx.nonce);
      EXPECT_TRUE(s.sender.wait(tx.hash).success);
    }
  EXPECT_EQ(nonces.size(), 15u);
  EXPECT_EQ(*nonces.rbegin(), 14u);
  EXPECT_EQ(s.nonce(), 15u);
}

TEST(TxJournalKill, KilledBetweenSignAndSendIsSentOnceAfterRestart) {
  test::Anvil anvil;
  codex::testing::TempDir tmp("eth-journal");
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

TEST(TxJournalKill, KilledBetweenCommitAndBroadcastOfACallerTransaction) {
  test::Anvil anvil;
  codex::testing::TempDir tmp("eth-journal");
  Hash h = run_and_kill(anvil, tmp.path(), transfer(778, "sale/1"), TxSender::Stage::Journaled,
                        /*in_caller_txn=*/true);
  Stack s(anvil, tmp.path());
  EXPECT_EQ(s.nonce(), 0u) << "killed before the broadcast";
  {
    auto r = s.db->read();
    auto& q = r.cached("SELECT hash FROM caller_state WHERE key = 'sale/1'");
    base::sqlite::Reset reset(q);
    ASSERT_TRUE(q.step()) << "the caller's row committed with the journal entry";
    EXPECT_EQ(q.blob(0), Bytes(h.begin(), h.end()));
  }
  s.sender.recover();  // sends what the commit could not
  EXPECT_TRUE(s.eth.transaction_known(h));
  EXPECT_EQ(s.sender.wait(h).transaction_hash, h);
  EXPECT_EQ(s.nonce(), 1u);
}

TEST(TxJournalKill, KilledAfterSendBeforeReceiptIsMinedOnce) {
  test::Anvil anvil;
  codex::testing::TempDir tmp("eth-journal");
  anvil.rpc("evm_setAutomine", json::array({false}));
  Hash h = run_and_kill(anvil, tmp.path(), transfer(888, "k1"), TxSender::Stage::Sent);
  Stack s(anvil, tmp.path());
  EXPECT_TRUE(s.eth.transaction_known(h)) << "the node has it pending";
  s.sender.recover();  // rebroadcast is harmless: "already known"
  EXPECT_EQ(s.sender.submit(transfer(888, "k1")).hash, h) << "re-issued intent";
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
  codex::testing::TempDir tmp("eth-journal");
  anvil.rpc("evm_setAutomine", json::array({false}));
  Hash h = run_and_kill(anvil, tmp.path(), transfer(999, "k"), TxSender::Stage::Sent);
  anvil.rpc("anvil_dropAllTransactions");  // e.g. the node restarted meanwhile
  Stack s(anvil, tmp.path());
  EXPECT_FALSE(s.eth.transaction_known(h));
  s.sender.recover();
  EXPECT_TRUE(s.eth.transaction_known(h));
  anvil.rpc("evm_mine");
  EXPECT_EQ(s.sender.wait(h).transaction_hash, h);
  EXPECT_EQ(s.nonce(), 1u);
}

TEST(TxSender, StuckTransactionIsReplacedWithHigherFeeOnAVirtualClock) {
  test::Anvil anvil;
  codex::testing::TempDir tmp("eth-journal");
  base::ManualClock clock(Millis(0));  // each poll moves it by the poll interval
  TxOptions o = Stack::fast();
  o.clock = &clock;
  o.poll_interval = 1s;
  o.stuck_after = 3s;
  Stack s(anvil, tmp.path(), o);
  anvil.rpc("evm_setAutomine", json::array({false}));
  int sent = 0;
  s.sender.set_hook([&](TxSender::Stage st, const SignedTx&) {
    if (st == TxSender::Stage::Sent && ++sent == 3) anvil.rpc("evm_mine");  // the 2nd bump
  });
  SignedTx first = s.sender.submit(transfer(4242, "stuck"));
  Receipt r = s.sender.wait(first.hash);
  EXPECT_TRUE(r.success);
  // Bumps at 3 s and 6 s of virtual time; the receipt is seen at the next poll.
  EXPECT_EQ(clock.now(), Millis(7000));
  EXPECT_EQ(clock.sleeps(), 7u);
  auto attempts = s.sender.journal().attempts(s.key.address(), 0);
  ASSERT_EQ(attempts.size(), 3u);
  EXPECT_EQ(attempts[0].state, TxState::Replaced);
  EXPECT_EQ(attempts[1].state, TxState::Replaced);
  EXPECT_EQ(attempts[2].state, TxState::Mined);
  EXPECT_EQ(r.transaction_hash, attempts[2].hash) << "the last fee bump was mined";
  for (const auto& a : attempts)
    EXPECT_EQ(a.key, "stuck");
  EXPECT_EQ(s.nonce(), 1u);
  EXPECT_GT(r.effective_gas_price, Uint256(0));
  const auto n = s.sender.journal().count_by_state("stuck");
  EXPECT_EQ(n.at(TxState::Replaced), 2u);
  EXPECT_EQ(n.at(TxState::Mined), 1u);
  EXPECT_EQ(s.sender.gas_used(), r.gas_used) << "only the mined attempt used gas";
}

TEST(TxSender, LegacyTransactionsWork) {
  test::Anvil anvil;
  codex::testing::TempDir tmp("eth-journal");
  TxOptions o = Stack::fast();
  o.legacy = true;
  Stack s(anvil, tmp.path(), o);
  EXPECT_TRUE(s.sender.send(transfer(3, "legacy")).success);
}

TEST(TxSender, WaitsForConfirmationsAndTimesOutOnAVirtualClock) {
  test::Anvil anvil;
  codex::testing::TempDir tmp("eth-journal");
  base::ManualClock clock(Millis(0));
  TxOptions o = Stack::fast();
  o.clock = &clock;
  o.confirmations = 3;
  o.poll_interval = 1s;
  o.wait_timeout = 10s;
  Stack s(anvil, tmp.path(), o);
  SignedTx tx = s.sender.submit(transfer(3, "confirm"));  // mined at once (automine)
  EXPECT_THROW(s.sender.wait(tx.hash), TxError) << "one block is not three confirmations";
  EXPECT_EQ(clock.now(), Millis(10'000));
  EXPECT_EQ(clock.sleeps(), 10u);
  EXPECT_EQ(s.sender.journal().by_hash(tx.hash)->state, TxState::Sent);
  anvil.rpc("anvil_mine", json::array({"0x2"}));
  EXPECT_TRUE(s.sender.wait(tx.hash).success);
  EXPECT_EQ(clock.sleeps(), 10u) << "confirmed at the first look";
  EXPECT_EQ(s.sender.journal().by_hash(tx.hash)->state, TxState::Mined);
}

// A node that serves receipts late: eth_getTransactionReceipt answers null for
// the first `hidden` calls although the transaction is mined (what anvil does
// now and then under load: the account's nonce moves before the receipt is
// indexed). anvil cannot be made to do it on demand, hence this wrapper.
class LateReceipts final : public RpcClient {
 public:
  LateReceipts(RpcClient& inner, int hidden) : inner_(inner), hidden_(hidden) {}
  json call(std::string_view method, const json& params) override {
    if (method == "eth_getTransactionReceipt" && hidden_ > 0) {
      --hidden_;
      return nullptr;
    }
    return inner_.call(method, params);
  }
  std::vector<json> batch(const std::vector<std::pair<std::string, json>>& calls) override {
    return inner_.batch(calls);
  }
  int hidden() const { return hidden_; }

 private:
  RpcClient& inner_;
  int hidden_;
};

TEST(TxSender, AReceiptLaggingTheNonceIsWaitedForNotTakenForAForeignTransaction) {
  test::Anvil anvil;
  codex::testing::TempDir tmp("eth-journal");
  base::ManualClock clock(Millis(0));
  TxOptions o = Stack::fast();
  o.clock = &clock;
  o.poll_interval = 1s;
  o.consumed_grace = 5s;
  o.wait_timeout = 120s;
  HttpRpcClient http(HttpRpcOptions{anvil.url()});
  LateReceipts late(http, 20);  // 20 polls: four times the grace
  EthClient eth(late);
  PrivateKey key = PrivateKey::from_hex(test::kDevKeys[2]);
  auto db = base::sqlite::Database::open(tmp.path() / "agent.db");
  TxSender sender(eth, key, *db, o);
  SignedTx tx = sender.submit(transfer(77, "late"));
  Receipt r = sender.wait(tx.hash);
  EXPECT_TRUE(r.success);
  EXPECT_EQ(late.hidden(), 0);
  EXPECT_GE(clock.now(), Millis(19'000)) << "it waited through the lag";
  EXPECT_EQ(sender.journal().by_hash(tx.hash)->state, TxState::Mined);
  EXPECT_EQ(eth.transaction_count(key.address()), 1u);
}

TEST(TxSender, ANonceTakenByATransactionOutsideTheJournalFailsLoudlyAfterTheGrace) {
  test::Anvil anvil;
  codex::testing::TempDir tmp("eth-journal");
  base::ManualClock clock(Millis(0));
  TxOptions o = Stack::fast();
  o.clock = &clock;
  o.poll_interval = 1s;
  o.consumed_grace = 10s;
  Stack s(anvil, tmp.path(), o);
  SignedTx ours = s.sender.record(transfer(1, "ours"));  // journaled, not sent
  ASSERT_EQ(ours.nonce, 0u);
  // Another wallet with the same key spends nonce 0 first.
  Eip1559Tx foreign{
      s.eth.chain_id(), 0, Uint256(1'000'000'000), Uint256(100'000'000'000), 21'000, kBob,
      Uint256(2),       {}};
  s.eth.send_raw_transaction(sign(foreign, s.key).raw);
  // Mined before ours is first broadcast (anvil mines a moment after it
  // accepts): else ours meets the foreign one in the pool and is refused.
  while (s.eth.transaction_count(s.key.address(), BlockTag::latest()) == 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  try {
    s.sender.wait(ours.hash);
    FAIL() << "the nonce went to a transaction the journal does not know";
  } catch (const TxError& e) {
    EXPECT_NE(std::string(e.what()).find("not in the journal"), std::string::npos) << e.what();
  }
  EXPECT_GE(clock.now(), Millis(10'000)) << "only after the grace period";
  EXPECT_LE(clock.now(), Millis(12'000));
  EXPECT_EQ(s.sender.journal().by_hash(ours.hash)->state, TxState::Replaced);
  EXPECT_EQ(s.nonce(), 1u) << "nothing of ours was sent with another nonce";
}

}  // namespace
}  // namespace codex::eth
