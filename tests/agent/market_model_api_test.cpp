// The model behind MarketApi: blocks and time (latest vs pending, one block per
// successful transaction, none for a revert), seeded and supplied block hashes,
// intent keys (once per key, per account), transactions deferred to a SQLite
// commit (checked now, run after commit, dropped on rollback, a later revert
// reported by wait), event streams (positions by name, redelivery after a
// throwing handler, trimmed history), the verifier hook and determinism.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "agent/eth/keccak.h"
#include "agent/market/periods.h"
#include "base/sqlite/database.h"
#include "tests/agent/support/market_model_world.h"

namespace codex::market {
namespace {

using test::error_of;
using test::kValidProof;
using test::ModelWorld;

constexpr int kClient = 1, kHost = 2, kOther = 3;

class TempDb {
 public:
  TempDb() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "market_model_api_XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
    db_ = base::sqlite::Database::open(dir_ / "agent.db");
  }
  ~TempDb() {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  base::sqlite::Database& db() { return *db_; }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<base::sqlite::Database> db_;
};

TEST(MarketModelApi, BlocksFollowTransactionsAndTheClock) {
  ModelWorld w;
  MarketApi& api = w.api(kClient);
  const model::Block b0 = w.model().latest_block();
  EXPECT_EQ(api.block_number(At::kLatest), b0.number);
  EXPECT_EQ(api.block_number(At::kPending), b0.number + 1);
  EXPECT_EQ(api.clock().seconds(), ModelWorld::kStart);

  w.advance(7);
  w.approve(kClient, Uint256(5));
  const model::Block b1 = w.model().latest_block();
  EXPECT_EQ(b1.number, b0.number + 1) << "one block per transaction";
  EXPECT_EQ(b1.timestamp, ModelWorld::kStart + 7) << "at the clock's time";
  EXPECT_NE(b1.hash, b0.hash);

  EXPECT_EQ(error_of([&] {
              api.execute(WithdrawFunds{RequestId{1}, {}});
            }),
            "Marketplace_UnknownRequest");
  EXPECT_EQ(w.model().latest_block().number, b1.number) << "a revert mines nothing";

  w.approve(kClient, Uint256(6));
  EXPECT_EQ(w.model().latest_block().timestamp, b1.timestamp) << "equal timestamps, as anvil";
  auto mined = w.model().mine(3);
  ASSERT_EQ(mined.size(), 3u);
  EXPECT_EQ(mined.back().number, b1.number + 4);
  EXPECT_EQ(w.model().block(mined[1].number).hash, mined[1].hash);
  EXPECT_THROW(w.model().block(mined.back().number + 1), std::out_of_range);
  EXPECT_THROW(w.model().block(mined.back().number - 257), std::out_of_range);
}

TEST(MarketModelApi, LatestAndPendingSeeTheirOwnBlock) {
  ModelWorld w;
  const Request r = w.request(kClient, 1, 600, 100, 1);
  const RequestId id = request_id(r);
  w.request_storage(r, kClient);
  w.reserve(kHost, id, 0);
  w.fill(kHost, r, 0);
  MarketApi& api = w.api(kOther);
  const SlotId s = slot_id(id, 0);
  EXPECT_EQ(api.get_pointer(s, At::kPending), uint8_t(api.get_pointer(s, At::kLatest) + 1));

  w.set_time(api.request_end(id) + 1);
  EXPECT_EQ(api.request_state(id, At::kPending), RequestState::Finished);
  EXPECT_EQ(api.request_state(id, At::kLatest), RequestState::Started);
  EXPECT_EQ(api.request_end(id, At::kPending), api.request_end(id, At::kLatest));
  w.model().mine();
  EXPECT_EQ(api.request_state(id, At::kLatest), RequestState::Finished);
}

TEST(MarketModelApi, ChallengesComeFromSeededOrSuppliedBlockHashes) {
  auto challenge_of = [](uint64_t seed) {
    model::ModelOptions o = ModelWorld::default_options();
    o.seed = seed;
    ModelWorld w(o);
    return w.api(0).get_challenge(SlotId{5}, At::kLatest);
  };
  EXPECT_EQ(challenge_of(7), challenge_of(7)) << "deterministic from the seed";
  EXPECT_NE(challenge_of(7), challenge_of(8));

  ModelWorld w;
  const SlotId s{5};
  const uint8_t pointer = w.api(0).get_pointer(s, At::kLatest);
  const uint64_t n = w.model().latest_block().number - 1 - pointer;
  Hash supplied;
  supplied.fill(0xab);
  w.model().set_block_hash(n, supplied);
  EXPECT_EQ(w.api(0).get_challenge(s, At::kLatest), eth::keccak256(supplied));
  w.model().set_block_hash(n, Hash{});
  EXPECT_EQ(error_of([&] { w.api(0).get_challenge(s, At::kLatest); }), "Panic(0x1)")
      << "assert(blockhash != 0)";
}

TEST(MarketModelApi, AnIntentKeyRunsOnce) {
  ModelWorld w;
  MarketApi& api = w.api(kClient);
  const Address m = w.model().marketplace_address();
  PendingTx a = api.submit(ApproveTokens{m, Uint256(10)}, "approve/x");
  const uint64_t block = w.model().latest_block().number;
  PendingTx b = api.submit(ApproveTokens{m, Uint256(20)}, "approve/x");
  EXPECT_EQ(a.tx_hash, b.tx_hash) << "the journaled transaction, not a new one";
  EXPECT_EQ(w.model().latest_block().number, block);
  EXPECT_EQ(api.token_allowance(w.address(kClient), m), Uint256(10));
  EXPECT_EQ(api.wait(b).block_number, block);
  // Keys are per account.
  w.api(kOther).submit(ApproveTokens{m, Uint256(30)}, "approve/x");
  EXPECT_EQ(api.token_allowance(w.address(kOther), m), Uint256(30));
  // A reverted submission journals nothing: the key stays free.
  EXPECT_EQ(error_of([&] {
              api.submit(ApproveTokens{Address{}, Uint256(1)}, "approve/y");
            }),
            "ERC20InvalidSpender");
  api.submit(ApproveTokens{m, Uint256(40)}, "approve/y");
  EXPECT_EQ(api.token_allowance(w.address(kClient), m), Uint256(40));
}

TEST(MarketModelApi, JournalHorizonForgetsOldKeys) {
  model::ModelOptions o = ModelWorld::default_options();
  o.journal_horizon = 100;
  ModelWorld w(o);
  MarketApi& api = w.api(kClient);
  const Address m = w.model().marketplace_address();
  PendingTx a = api.submit(ApproveTokens{m, Uint256(1)}, "approve/x");
  w.advance(99);
  w.approve(kOther, Uint256(1));
  EXPECT_EQ(api.submit(ApproveTokens{m, Uint256(2)}, "approve/x").tx_hash, a.tx_hash);
  w.advance(1);
  w.approve(kOther, Uint256(1));
  EXPECT_NE(api.submit(ApproveTokens{m, Uint256(2)}, "approve/x").tx_hash, a.tx_hash);
  EXPECT_EQ(api.token_allowance(w.address(kClient), m), Uint256(2));
}

TEST(MarketModelApi, WithAWriteTxnTheTransactionRunsAfterCommit) {
  ModelWorld w;
  TempDb tmp;
  MarketApi& api = w.api(kClient);
  const Address m = w.model().marketplace_address();
  const uint64_t block = w.model().latest_block().number;
  PendingTx tx;
  {
    base::sqlite::WriteTxn txn = tmp.db().begin();
    tx = api.submit(ApproveTokens{m, Uint256(10)}, "approve/deferred", &txn);
    EXPECT_EQ(api.token_allowance(w.address(kClient), m), Uint256(0)) << "not before the commit";
    EXPECT_THROW(api.wait(tx), std::logic_error);
    EXPECT_EQ(api.submit(ApproveTokens{m, Uint256(99)}, "approve/deferred").tx_hash, tx.tx_hash)
        << "journaled already";
    txn.commit();
  }
  EXPECT_EQ(api.token_allowance(w.address(kClient), m), Uint256(10));
  TxResult r = api.wait(tx);
  EXPECT_EQ(r.tx_hash, tx.tx_hash);
  EXPECT_EQ(r.block_number, block + 1);

  // Rolled back: forgotten, the key is free again.
  {
    base::sqlite::WriteTxn txn = tmp.db().begin();
    tx = api.submit(ApproveTokens{m, Uint256(20)}, "approve/rolled-back", &txn);
  }
  EXPECT_THROW(api.wait(tx), std::invalid_argument);
  EXPECT_EQ(api.token_allowance(w.address(kClient), m), Uint256(10));
  api.submit(ApproveTokens{m, Uint256(30)}, "approve/rolled-back");
  EXPECT_EQ(api.token_allowance(w.address(kClient), m), Uint256(30));

  // Checked now: what would revert now is refused at once.
  {
    base::sqlite::WriteTxn txn = tmp.db().begin();
    EXPECT_EQ(error_of([&] {
                api.submit(WithdrawFunds{RequestId{3}, {}}, {}, &txn);
              }),
              "Marketplace_UnknownRequest");
    txn.commit();
  }

  // Passes when submitted, reverts when it runs: reported by wait().
  const Request r1 = w.request(kClient, 1, 600, 100, 1);
  const RequestId id = request_id(r1);
  w.request_storage(r1, kClient);
  w.reserve(kHost, id, 0);
  w.reserve(kOther, id, 0);
  w.approve(kHost, collateral_per_slot(r1.ask));
  PendingTx fill;
  {
    base::sqlite::WriteTxn txn = tmp.db().begin();
    fill = w.api(kHost).submit(FillSlot{id, 0, kValidProof}, {}, &txn);
    w.fill(kOther, r1, 0);  // another host is first
    txn.commit();
  }
  EXPECT_EQ(error_of([&] { w.api(kHost).wait(fill); }), "Marketplace_SlotNotFree");
  EXPECT_EQ(w.api(kHost).submit(FillSlot{id, 0, kValidProof}).tx_hash, fill.tx_hash)
      << "the key stays journaled, as a failed transaction does on chain";
}

TEST(MarketModelApi, EventStreamsDeliverOnceInChainOrder) {
  ModelWorld w;
  const Request r = w.request(kClient, 2, 600, 100, 1);
  const RequestId id = request_id(r);
  auto stream = w.api(kHost).events("sales");
  w.request_storage(r, kClient);
  w.reserve(kHost, id, 0);
  w.fill(kHost, r, 0);

  std::vector<DecodedEvent> seen;
  auto collect = [&](const DecodedEvent& e, base::sqlite::WriteTxn* txn) {
    EXPECT_EQ(txn, nullptr);
    seen.push_back(e);
  };
  EXPECT_EQ(stream->poll(collect), 3u);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_TRUE(std::holds_alternative<StorageRequested>(seen[0].event));
  EXPECT_TRUE(std::holds_alternative<ProofSubmitted>(seen[1].event));
  EXPECT_TRUE(std::holds_alternative<SlotFilled>(seen[2].event));
  EXPECT_LT(seen[0].block_number, seen[1].block_number);
  EXPECT_EQ(seen[1].block_number, seen[2].block_number);
  EXPECT_EQ(seen[2].block_number, w.model().latest_block().number);
  EXPECT_EQ(stream->poll(collect), 0u);

  // A throwing handler leaves the position; the same name resumes it.
  w.reserve(kOther, id, 1);
  w.fill(kOther, r, 1);
  int calls = 0;
  EXPECT_THROW(stream->poll([&](const DecodedEvent&, base::sqlite::WriteTxn*) {
    if (++calls == 2) throw std::runtime_error("handler failed");
  }),
               std::runtime_error);
  auto again = w.api(kHost).events("sales");
  seen.clear();
  EXPECT_EQ(again->poll(collect), 3u) << "ProofSubmitted, SlotFilled, RequestFulfilled again";
  EXPECT_TRUE(std::holds_alternative<RequestFulfilled>(seen.back().event));
  EXPECT_EQ(stream->poll(collect), 0u) << "one position per name";

  // A new name starts at the model's first block, or where asked.
  seen.clear();
  EXPECT_EQ(w.api(kHost).events("audit")->poll(collect), 6u);
  seen.clear();
  EXPECT_EQ(w.api(kHost).events("late", w.model().latest_block().number)->poll(collect), 3u);
  // Names are per account.
  EXPECT_EQ(w.api(kOther).events("sales")->poll(collect), 6u);
}

TEST(MarketModelApi, WithoutHistoryOnlyUnreadEventsAreKept) {
  model::ModelOptions o = ModelWorld::default_options();
  o.keep_event_history = false;
  ModelWorld w(o);
  auto stream = w.api(kHost).events("sales");
  const Request r = w.request(kClient, 1, 600, 100, 1);
  w.request_storage(r, kClient);
  auto count = [](EventStream& s) {
    return s.poll([](const DecodedEvent&, base::sqlite::WriteTxn*) {});
  };
  EXPECT_EQ(count(*w.api(kOther).events("late", w.model().first_block())), 1u)
      << "kept: the first stream has not read it";
  EXPECT_EQ(count(*stream), 1u);
  w.reserve(kHost, request_id(r), 0);
  w.fill(kHost, r, 0);
  EXPECT_EQ(count(*w.api(kClient).events("new", w.model().first_block())), 3u)
      << "the fill's three events; the StorageRequested every stream had read is gone";
}

TEST(MarketModelApi, AStreamMayLeaveOutProofs) {
  model::ModelOptions o = ModelWorld::default_options();
  o.keep_event_history = false;  // the index of the other events is trimmed too
  ModelWorld w(o);
  auto all = w.model().events(w.address(kHost), "all", std::nullopt);
  auto some = w.model().events(w.address(kHost), "no-proofs", std::nullopt, false);
  const Request r = w.request(kClient, 2, 600, 100, 1);
  const RequestId id = request_id(r);
  w.request_storage(r, kClient);
  w.reserve(kHost, id, 0);
  w.fill(kHost, r, 0);
  std::vector<DecodedEvent> seen;
  auto collect = [&](const DecodedEvent& e, base::sqlite::WriteTxn*) { seen.push_back(e); };
  EXPECT_EQ(some->poll(collect), 2u);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<StorageRequested>(seen[0].event));
  EXPECT_TRUE(std::holds_alternative<SlotFilled>(seen[1].event));
  EXPECT_EQ(all->poll(collect), 3u) << "with the fill's ProofSubmitted";

  w.reserve(kOther, id, 1);
  w.fill(kOther, r, 1);
  w.advance(w.config().proofs.period);  // the fill proved this period
  w.prove(kHost, slot_id(id, 0));
  seen.clear();
  EXPECT_EQ(some->poll(collect), 2u);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<SlotFilled>(seen[0].event));
  EXPECT_TRUE(std::holds_alternative<RequestFulfilled>(seen[1].event));
  EXPECT_EQ(some->poll(collect), 0u);
  EXPECT_EQ(w.model().events(w.address(kHost), "no-proofs", std::nullopt, false)->poll(collect), 0u)
      << "the same name resumes where it stopped";
  EXPECT_EQ(all->poll(collect), 4u);
}

TEST(MarketModelApi, TheVerifierHookSeesThePublicInputs) {
  std::vector<std::vector<Uint256>> calls;
  model::ModelOptions o = ModelWorld::default_options();
  bool accept = true;
  o.verifier = [&](const Groth16Proof&, const std::vector<Uint256>& inputs) {
    calls.push_back(inputs);
    return accept;
  };
  ModelWorld w(o);
  const Request r = w.request(kClient, 2, 600, 100, 1);
  const RequestId id = request_id(r);
  w.request_storage(r, kClient);
  w.reserve(kHost, id, 1);
  w.approve(kHost, collateral_per_slot(r.ask));
  const Hash challenge = w.api(kHost).get_challenge(slot_id(id, 1), At::kPending);
  w.api(kHost).execute(FillSlot{id, 1, kValidProof});
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0],
            (std::vector<Uint256>{challenge_to_field(challenge),
                                  merkle_root_to_field(r.content.merkle_root), Uint256(1)}));
  accept = false;
  w.advance(w.config().proofs.period);
  EXPECT_EQ(error_of([&] { w.prove(kHost, slot_id(id, 1)); }), "Proofs_InvalidProof");
}

TEST(MarketModelApi, ConnectionsMayBeUsedFromManyThreads) {
  ModelWorld w;
  const uint64_t block = w.model().latest_block().number;
  constexpr int kThreads = 4, kEach = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      MarketApi& api = w.api(1 + t);
      const Address m = w.model().marketplace_address();
      for (int i = 0; i < kEach; ++i) {
        api.submit(ApproveTokens{m, Uint256(uint64_t(i + 1))}, "approve/" + std::to_string(i));
        EXPECT_EQ(api.token_allowance(api.account(), m), Uint256(uint64_t(i + 1)));
      }
    });
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(w.model().latest_block().number, block + kThreads * kEach) << "one block each";
}

}  // namespace
}  // namespace codex::market
