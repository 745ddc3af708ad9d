// Every marketplace action reaches the chain exactly once across SIGKILL.
//
// For each kind of action a child process performs it through ChainMarket
// (a TxSender on its own data directory) and is killed with SIGKILL at one of
// the sender's fault points:
//   journaled  the signed transaction is committed to the journal, nothing sent;
//   sent       the node accepted it, no receipt seen;
//   mined      its receipt is confirmed, the journal does not know yet.
// A second process on the same data directory re-issues the same intent and
// waits for it. Then the chain must show the action once (the account's
// nonce, the marketplace events, the state and the balances) and the journal
// must agree (one entry for the key, mined; nothing open). Each kill point
// runs in both ways of submitting: on its own, and inside the caller's write
// transaction together with a row of the caller's that records the hash.
//
// The chain is put into the state each action needs once per test (a real
// anvil, TestMarketplace + TestToken + TestVerifier deployed by
// agent/market/deployment); each run starts from an anvil snapshot of it.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <variant>

#include "agent/eth/http_rpc_client.h"
#include "agent/market/contract_io.h"
#include "agent/market/periods.h"
#include "tests/agent/support/market_env.h"
#include "tests/support/temp_dir.h"

namespace codex::market {
namespace {

using base::sqlite::Reset;
using base::sqlite::WriteTxn;
using eth::TxSender;
using nlohmann::json;
using test::MarketEnv;
using namespace std::chrono_literals;

constexpr int kClient = 1, kHost = 2, kValidator = 5;

const Groth16Proof kProof{{Uint256(1), Uint256(2)},
                          {{Uint256(3), Uint256(4)}, {Uint256(5), Uint256(6)}},
                          {Uint256(7), Uint256(8)}};  // TestVerifier accepts any non-zero proof

enum class Action {
  kApprove,
  kRequestStorage,
  kReserveSlot,
  kFillSlot,
  kSubmitProof,
  kMarkProofAsMissing,
  kFreeSlot,
  kFreeSlotToRecipients,
  kWithdrawFunds,
  kWithdrawFundsToRecipient,
};

std::string name_of(Action a) {
  switch (a) {
    case Action::kApprove:
      return "Approve";
    case Action::kRequestStorage:
      return "RequestStorage";
    case Action::kReserveSlot:
      return "ReserveSlot";
    case Action::kFillSlot:
      return "FillSlot";
    case Action::kSubmitProof:
      return "SubmitProof";
    case Action::kMarkProofAsMissing:
      return "MarkProofAsMissing";
    case Action::kFreeSlot:
      return "FreeSlot";
    case Action::kFreeSlotToRecipients:
      return "FreeSlotToRecipients";
    case Action::kWithdrawFunds:
      return "WithdrawFunds";
    case Action::kWithdrawFundsToRecipient:
      return "WithdrawFundsToRecipient";
  }
  return "?";
}

void PrintTo(Action a, std::ostream* os) {
  *os << name_of(a);
}

const char* name_of(TxSender::Stage s) {
  switch (s) {
    case TxSender::Stage::Journaled:
      return "journaled";
    case TxSender::Stage::Sent:
      return "sent";
    case TxSender::Stage::Mined:
      return "mined";
  }
  return "?";
}

// What the chain shows after a run: the marketplace events mined since the
// snapshot, and the token's Approval logs.
struct Effects {
  std::vector<MarketEvent> events;
  size_t approvals = 0;
};

template <class E>
size_t count(const Effects& fx) {
  size_t n = 0;
  for (const auto& e : fx.events)
    n += std::holds_alternative<E>(e);
  return n;
}

// One action, the account that performs it, and what must hold on chain once
// it happened exactly once.
struct Case {
  int actor = 0;
  MarketAction action;
  std::string key;
  std::function<void(const Effects&)> check;
};

// Puts the chain into the state `a` needs (through the environment's own
// senders, another database than the actor's) and describes the action.
Case prepare(Action a, MarketEnv& env) {
  const Address market = env.deployment().marketplace;
  const Request req = test::one_slot_request(env.address(kClient), 0x51);
  const RequestId id = request_id(req);
  const SlotId slot = slot_id(id, 0);
  const Uint256 max = max_price(req.ask), collateral = collateral_per_slot(req.ask);
  const Periods periods(test::roomy_plan().config.proofs.period);
  Marketplace client = env.market(kClient), host = env.market(kHost);
  auto request = [&] {
    env.token(kClient).approve(market, max, "setup/approve");
    client.request_storage(req);
  };
  auto fill = [&] {  // returns the fill's block time
    request();
    host.reserve_slot(id, 0);
    env.token(kHost).approve(market, collateral, "setup/collateral");
    return env.block_time(host.fill_slot(id, 0, kProof));
  };
  auto finished = [&](uint64_t filled_at) {  // returns the host's pay
    const uint64_t ends_at = client.request_end(id);
    env.set_time(ends_at + 1);
    return Uint256(ends_at - filled_at) * price_per_slot_per_second(req.ask);
  };
  auto balance = [&env](int who) { return env.balance(who); };

  switch (a) {
    case Action::kApprove: {
      return {kClient, ApproveTokens{market, max}, "approve/requestStorage/" + eth::to_hex(id),
              [&env, market, max](const Effects& fx) {
                EXPECT_EQ(env.token(0).allowance(env.address(kClient), market), max);
                EXPECT_EQ(fx.approvals, 1u);
              }};
    }
    case Action::kRequestStorage: {
      env.token(kClient).approve(market, max, "setup/approve");
      const Uint256 before = balance(kClient);
      return {kClient, RequestStorage{req}, "", [&env, id, before, max](const Effects& fx) {
                EXPECT_EQ(count<StorageRequested>(fx), 1u);
                EXPECT_EQ(env.market(0).request_state(id), RequestState::New);
                EXPECT_EQ(env.balance(kClient), before - max) << "paid once";
              }};
    }
    case Action::kReserveSlot: {
      request();
      return {kHost, ReserveSlot{id, 0}, "", [&env, id](const Effects& fx) {
                EXPECT_TRUE(fx.events.empty());
                EXPECT_FALSE(env.market(0).can_reserve_slot(id, 0, env.address(kHost)));
                EXPECT_TRUE(env.market(0).can_reserve_slot(id, 0, env.address(kValidator)));
              }};
    }
    case Action::kFillSlot: {
      request();
      host.reserve_slot(id, 0);
      env.token(kHost).approve(market, collateral, "setup/collateral");
      const Uint256 before = balance(kHost);
      return {kHost, FillSlot{id, 0, kProof}, "",
              [&env, slot, before, collateral](const Effects& fx) {
                EXPECT_EQ(count<SlotFilled>(fx), 1u);
                EXPECT_EQ(count<RequestFulfilled>(fx), 1u);
                EXPECT_EQ(env.market(0).slot_state(slot), SlotState::Filled);
                EXPECT_EQ(env.balance(kHost), before - collateral) << "collateral taken once";
              }};
    }
    case Action::kSubmitProof: {
      const uint64_t p = periods.period_of(fill()) + 1;
      env.set_time(periods.start(p) + 1);
      return {kHost, SubmitProof{slot, kProof, p}, "", [](const Effects& fx) {
                EXPECT_EQ(count<ProofSubmitted>(fx), 1u);
                EXPECT_EQ(fx.events.size(), 1u);
              }};
    }
    case Action::kMarkProofAsMissing: {
      const uint64_t p = periods.period_of(fill()) + 1;
      env.set_time(periods.end(p) + 1);
      // The requirement is re-checked with the current block's pointer, which
      // may sit in the downtime: mine until marking passes both at the latest
      // block and at the next one (where the actor's transaction lands).
      Marketplace v = env.market(kValidator);
      auto refused = [&] {
        const Address who = env.address(kValidator);
        return v.can_mark_proof_as_missing(slot, p, who, eth::BlockTag::latest()) ||
               v.can_mark_proof_as_missing(slot, p, who, eth::BlockTag::pending());
      };
      for (int i = 0; i < 300 && refused(); ++i)
        env.mine();
      EXPECT_FALSE(refused()) << "no block lets the validator mark the missed proof";
      const Uint256 before = balance(kValidator);
      const auto c = test::roomy_plan().config.collateral;
      const Uint256 reward = ((collateral * Uint256(c.slash_percentage)).div_u64(100) *
                              Uint256(c.validator_reward_percentage))
                                 .div_u64(100);
      return {kValidator, MarkProofAsMissing{slot, p}, "",
              [&env, slot, before, reward](const Effects& fx) {
                EXPECT_TRUE(fx.events.empty()) << "one miss frees nothing";
                EXPECT_EQ(env.market(0).missing_proofs(slot), 1u) << "slashed once";
                EXPECT_EQ(env.balance(kValidator), before + reward) << "rewarded once";
              }};
    }
    case Action::kFreeSlot:
    case Action::kFreeSlotToRecipients: {
      const Uint256 pay = finished(fill());
      const Uint256 host0 = balance(kHost), validator0 = balance(kValidator);
      const bool split = a == Action::kFreeSlotToRecipients;
      FreeSlot action{slot, std::nullopt};
      if (split) action.recipients = {env.address(kHost), env.address(kValidator)};
      return {kHost, action, "",
              [&env, slot, pay, collateral, host0, validator0, split](const Effects& fx) {
                EXPECT_TRUE(fx.events.empty()) << "a finished slot's payout emits no event";
                EXPECT_EQ(env.market(0).slot_state(slot), SlotState::Paid);
                EXPECT_EQ(env.balance(kHost), host0 + pay + (split ? Uint256(0) : collateral));
                EXPECT_EQ(env.balance(kValidator), validator0 + (split ? collateral : Uint256(0)));
              }};
    }
    case Action::kWithdrawFunds:
    case Action::kWithdrawFundsToRecipient: {
      request();
      env.set_time(client.request_expiry(id) + 1);  // never filled: Cancelled
      const Uint256 client0 = balance(kClient), validator0 = balance(kValidator);
      const bool to_validator = a == Action::kWithdrawFundsToRecipient;
      WithdrawFunds action{id, std::nullopt};
      if (to_validator) action.recipient = env.address(kValidator);
      return {kClient, action, "",
              [&env, max, client0, validator0, to_validator](const Effects& fx) {
                EXPECT_EQ(count<RequestCancelled>(fx), 1u);
                EXPECT_EQ(env.balance(kClient), client0 + (to_validator ? Uint256(0) : max));
                EXPECT_EQ(env.balance(kValidator), validator0 + (to_validator ? max : Uint256(0)))
                    << "refunded once";
              }};
    }
  }
  throw std::logic_error("unknown action");
}

// What a child process needs to perform the action.
struct Actor {
  std::string url;
  int account = 0;
  Address marketplace;
  uint64_t deployment_block = 0;
  std::filesystem::path data_dir;
  MarketAction action;
  std::string key;
  bool caller_txn = false;
};

constexpr const char* kRoleTable =
    "CREATE TABLE IF NOT EXISTS role_actions (key TEXT PRIMARY KEY, tx_hash BLOB NOT NULL)";

// The child: performs the action (journal, send, wait) and exits 0; with
// `kill_at`, reports reaching that fault point on `report_fd` and waits there
// for SIGKILL.
[[noreturn]] void actor_process(const Actor& a, std::optional<TxSender::Stage> kill_at,
                                int report_fd) {
  int code = 0;
  try {
    eth::HttpRpcClient rpc(eth::HttpRpcOptions{a.url});
    eth::EthClient eth(rpc);
    const eth::PrivateKey key = eth::PrivateKey::from_hex(test::kDevKeys[a.account]);
    auto db = base::sqlite::Database::open(a.data_dir / "agent.db");
    eth::TxOptions o;
    o.poll_interval = 5ms;
    o.wait_timeout = 30s;
    TxSender sender(eth, key, *db, o);
    if (kill_at)
      sender.set_hook([&](TxSender::Stage stage, const eth::SignedTx&) {
        if (stage != *kill_at) return;
        (void)!::write(report_fd, "k", 1);
        for (;;)
          ::pause();  // SIGKILL lands here
      });
    ChainMarketOptions mo;
    mo.marketplace = a.marketplace;
    mo.deployment_block = a.deployment_block;
    ChainMarket market(eth, sender, *db, mo);
    PendingTx pending;
    if (a.caller_txn) {
      // A role's state change and its transaction commit together; a re-issued
      // intent must meet the hash its state recorded.
      pending = db->write([&](WriteTxn& txn) {
        txn.exec(kRoleTable);
        std::optional<Bytes> recorded;
        {
          auto& q = txn.cached("SELECT tx_hash FROM role_actions WHERE key = ?");
          Reset r(q);
          q.bind(1, a.key);
          if (q.step()) recorded = q.blob(0);
        }
        PendingTx tx = market.submit(a.action, a.key, &txn);
        const Bytes hash(tx.tx_hash.begin(), tx.tx_hash.end());
        if (recorded && *recorded != hash)
          throw std::runtime_error("the re-issued intent met another transaction");
        if (!recorded) {
          auto& ins = txn.cached("INSERT INTO role_actions VALUES (?, ?)");
          Reset r(ins);
          ins.bind(1, a.key).bind(2, hash).run();
        }
        return tx;
      });
    } else {
      pending = market.submit(a.action, a.key);
    }
    market.wait(pending);
    if (kill_at) throw std::runtime_error(std::string("never reached ") + name_of(*kill_at));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "actor process: %s\n", e.what());
    code = 2;
  }
  ::_exit(code);
}

// Runs the actor until `stage`, then SIGKILLs it. False if it never got there.
bool run_and_kill(const Actor& a, TxSender::Stage stage) {
  int fds[2];
  if (::pipe(fds) != 0) return false;
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    actor_process(a, stage, fds[1]);
  }
  ::close(fds[1]);
  char c = 0;
  const bool reached = ::read(fds[0], &c, 1) == 1;  // EOF: it exited before the stage
  ::close(fds[0]);
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return reached && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

// Runs the actor to its end; returns its exit code (-1 when killed by a signal).
int run_to_end(const Actor& a) {
  pid_t pid = ::fork();
  if (pid == 0) actor_process(a, std::nullopt, -1);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Effects effects_since(MarketEnv& env, uint64_t block) {
  Effects fx;
  const uint64_t head = env.eth().block_number();
  if (head <= block) return fx;
  eth::LogFilter market_logs;
  market_logs.addresses = {env.deployment().marketplace};
  const Marketplace market = env.market(0);
  for (const auto& log : env.eth().logs(market_logs, block + 1, head))
    if (auto e = decode_event(market.abi(), log)) fx.events.push_back(e->event);
  eth::LogFilter approvals;
  approvals.addresses = {env.deployment().token};
  approvals.topics = {{erc20_abi().event("Approval").topic0}};
  fx.approvals = env.eth().logs(approvals, block + 1, head).size();
  return fx;
}

class ExactlyOnce : public ::testing::TestWithParam<Action> {};

TEST_P(ExactlyOnce, KilledAfterJournalSendOrReceiptItReachesTheChainOnce) {
  MarketEnv env(test::roomy_plan());
  const Case c = prepare(GetParam(), env);
  ASSERT_FALSE(::testing::Test::HasFailure()) << "set-up";
  const Address actor = env.address(c.actor);
  const std::string key = c.key.empty() ? intent_key(c.action) : c.key;
  const uint64_t nonce0 = env.eth().transaction_count(actor);
  const uint64_t block0 = env.eth().block_number();
  const uint64_t time0 = env.now();
  std::string snapshot = env.anvil().rpc("evm_snapshot").get<std::string>();

  for (bool caller_txn : {false, true})
    for (auto stage : {TxSender::Stage::Journaled, TxSender::Stage::Sent, TxSender::Stage::Mined}) {
      SCOPED_TRACE(std::string("killed when ") + name_of(stage) +
                   (caller_txn ? ", in the caller's transaction" : ", on its own"));
      // The chain as set up, the same next block time for every run.
      ASSERT_TRUE(env.anvil().rpc("evm_revert", json::array({snapshot})).get<bool>());
      snapshot = env.anvil().rpc("evm_snapshot").get<std::string>();
      ASSERT_EQ(env.eth().block_number(), block0);
      env.set_next_block_time(time0 + 1);

      codex::testing::TempDir data("exactly-once");
      const Actor a{env.anvil().url(),
                    c.actor,
                    env.deployment().marketplace,
                    env.deployment().block,
                    data.path(),
                    c.action,
                    key,
                    caller_txn};
      ASSERT_TRUE(run_and_kill(a, stage)) << "the actor did not reach the fault point";
      EXPECT_EQ(env.eth().transaction_count(actor, eth::BlockTag::pending()),
                stage == TxSender::Stage::Journaled ? nonce0 : nonce0 + 1)
          << "what left the process before the kill";

      ASSERT_EQ(run_to_end(a), 0) << "the restarted actor failed";

      // The chain: one transaction of the account, and the action's effects once.
      EXPECT_EQ(env.eth().transaction_count(actor), nonce0 + 1);
      EXPECT_EQ(env.eth().transaction_count(actor, eth::BlockTag::pending()), nonce0 + 1);
      c.check(effects_since(env, block0));

      // The journal agrees: one entry for the intent, mined; nothing open.
      auto db = base::sqlite::Database::open(data.path() / "agent.db");
      eth::TxJournal journal(*db);
      auto entries = journal.all_by_key(actor, key);
      ASSERT_EQ(entries.size(), 1u) << "signed once";
      EXPECT_EQ(entries[0].state, eth::TxState::Mined);
      EXPECT_EQ(entries[0].nonce, nonce0);
      EXPECT_TRUE(journal.open_nonces(actor).empty());
      auto receipt = env.eth().receipt(entries[0].hash);
      ASSERT_TRUE(receipt);
      EXPECT_TRUE(receipt->success);
      EXPECT_EQ(entries[0].block_number, receipt->block_number);
      if (caller_txn) {
        auto r = db->read();
        auto& q = r.cached("SELECT tx_hash FROM role_actions WHERE key = ?");
        Reset reset(q);
        q.bind(1, key);
        ASSERT_TRUE(q.step()) << "the caller's state committed with the journal entry";
        EXPECT_EQ(q.blob(0), Bytes(entries[0].hash.begin(), entries[0].hash.end()));
      }
    }
}

INSTANTIATE_TEST_SUITE_P(
    EveryMarketplaceAction, ExactlyOnce,
    ::testing::Values(Action::kApprove, Action::kRequestStorage, Action::kReserveSlot,
                      Action::kFillSlot, Action::kSubmitProof, Action::kMarkProofAsMissing,
                      Action::kFreeSlot, Action::kFreeSlotToRecipients, Action::kWithdrawFunds,
                      Action::kWithdrawFundsToRecipient),
    [](const ::testing::TestParamInfo<Action>& info) { return name_of(info.param); });

}  // namespace
}  // namespace codex::market
