// The chain implementation of MarketApi on a real anvil with the deployed
// contracts: views at the latest and the pending block, transactions by intent
// key (the same intent is the same transaction), reverts decoded at estimation
// (nothing journaled) and when mined (by replay), events delivered inside the
// transaction that records the stream's position, with a handler that journals
// its reaction in that same transaction, and chain time.
#include <gtest/gtest.h>

#include <variant>

#include "agent/market/periods.h"
#include "tests/agent/support/market_env.h"

namespace codex::market {
namespace {

using base::Millis;
using base::sqlite::WriteTxn;
using test::MarketEnv;

constexpr int kClient = 1, kHost = 2, kValidator = 5;

const Groth16Proof kProof{{Uint256(1), Uint256(2)},
                          {{Uint256(3), Uint256(4)}, {Uint256(5), Uint256(6)}},
                          {Uint256(7), Uint256(8)}};

template <class E>
size_t count(const std::vector<MarketEvent>& events) {
  size_t n = 0;
  for (const auto& e : events)
    n += std::holds_alternative<E>(e);
  return n;
}

TEST(ChainMarket, ViewsTransactionsAndEventsThroughMarketApi) {
  MarketEnv env(test::roomy_plan());
  base::ManualClock local(Millis(0));
  auto client = env.chain_market(kClient, &local);
  auto host = env.chain_market(kHost);
  auto validator = env.chain_market(kValidator);
  const Address market = env.deployment().marketplace;
  EXPECT_EQ(client->account(), env.address(kClient));
  EXPECT_EQ(client->marketplace_address(), market);
  EXPECT_EQ(client->token_address(), env.deployment().token);
  EXPECT_EQ(client->configuration().proofs.period, 60u);
  EXPECT_EQ(client->block_number(At::kPending), client->block_number(At::kLatest) + 1);

  // Chain time: the pending block's timestamp when the market was made,
  // extrapolated with the local clock. Anvil stamps the pending block with
  // the wall clock, so it may be a second or more past the latest block.
  const uint64_t t0 = client->clock().seconds();
  EXPECT_GE(t0, env.now());
  EXPECT_LE(t0, env.pending_now());
  local.advance(Millis(5'000));
  EXPECT_EQ(client->clock().seconds(), t0 + 5);

  const Request req = test::one_slot_request(env.address(kClient), 0x51);
  const RequestId id = request_id(req);
  const SlotId slot = slot_id(id, 0);
  EXPECT_FALSE(client->get_request(id));
  EXPECT_EQ(client->token_balance(env.address(kClient)), Uint256(1'000'000'000'000'000));

  // A revert at estimation is a MarketError by name and journals nothing.
  try {
    client->execute(RequestStorage{req});
    FAIL() << "no allowance yet";
  } catch (const MarketError& e) {
    EXPECT_EQ(e.name(), "ERC20InsufficientAllowance");
    EXPECT_EQ(e.function(), "requestStorage");
  }
  EXPECT_FALSE(
      env.sender(kClient).journal().by_key(env.address(kClient), intent_key(RequestStorage{req})));
  EXPECT_THROW(client->submit(ApproveTokens{market, max_price(req.ask)}), std::invalid_argument)
      << "an approval needs a key naming what it pays for";

  TxResult approved = client->execute(ApproveTokens{market, max_price(req.ask)},
                                      "approve/requestStorage/" + eth::to_hex(id));
  EXPECT_TRUE(approved.events.empty()) << "token events are not marketplace events";
  EXPECT_EQ(client->token_allowance(env.address(kClient), market), max_price(req.ask));
  TxResult requested = client->execute(RequestStorage{req});
  ASSERT_EQ(requested.events.size(), 1u);
  EXPECT_EQ(std::get<StorageRequested>(requested.events[0]).request_id, id);
  EXPECT_EQ(client->execute(RequestStorage{req}).tx_hash, requested.tx_hash)
      << "the same intent is the same transaction";
  EXPECT_EQ(env.eth().transaction_count(env.address(kClient)), 2u);
  EXPECT_EQ(client->get_request(id), req);
  EXPECT_EQ(client->request_state(id), RequestState::New);
  EXPECT_EQ(client->my_requests(), std::vector<RequestId>{id});
  const uint64_t requested_at =
      env.eth().block(eth::BlockTag::at(requested.block_number)).timestamp;
  EXPECT_EQ(client->request_expiry(id), requested_at + req.expiry);
  EXPECT_EQ(client->request_end(id), requested_at + req.ask.duration);

  // The host's event stream: each event comes with the transaction that moves
  // the stream's position; the reaction (reserving the slot) is journaled in it.
  auto stream = host->events("host");
  std::vector<PendingTx> reserved;
  auto react = [&](const DecodedEvent& e, WriteTxn* txn) {
    ASSERT_NE(txn, nullptr);
    if (auto* s = std::get_if<StorageRequested>(&e.event))
      reserved.push_back(host->submit(ReserveSlot{s->request_id, 0}, {}, txn));
  };
  EXPECT_EQ(stream->poll(react), 1u);
  ASSERT_EQ(reserved.size(), 1u);
  EXPECT_EQ(reserved[0].key, "reserveSlot/" + eth::to_hex(slot));
  EXPECT_TRUE(host->wait(reserved[0]).events.empty());
  EXPECT_FALSE(host->can_reserve_slot(id, 0));
  EXPECT_TRUE(validator->can_reserve_slot(id, 0));
  EXPECT_EQ(stream->poll(react), 0u) << "a reservation below the limit emits nothing";

  host->execute(ApproveTokens{market, collateral_per_slot(req.ask)},
                "approve/fillSlot/" + eth::to_hex(slot));
  TxResult filled = host->execute(FillSlot{id, 0, kProof});
  EXPECT_EQ(count<SlotFilled>(filled.events), 1u);
  EXPECT_EQ(count<ProofSubmitted>(filled.events), 1u);
  EXPECT_EQ(count<RequestFulfilled>(filled.events), 1u);
  EXPECT_EQ(host->slot_state(slot), SlotState::Filled);
  EXPECT_EQ(host->get_host(slot), env.address(kHost));
  EXPECT_EQ(host->current_collateral(slot), collateral_per_slot(req.ask));
  EXPECT_EQ(host->my_slots(), std::vector<SlotId>{slot});
  auto active = host->get_active_slot(slot);
  ASSERT_TRUE(active);
  EXPECT_EQ(active->first, req);
  EXPECT_EQ(active->second, 0u);
  EXPECT_FALSE(host->get_active_slot(slot_id(id, 1)));
  EXPECT_EQ(client->request_state(id), RequestState::Started);
  EXPECT_EQ(host->slot_probability(slot), Uint256(0)) << "probability 1: every period";
  EXPECT_EQ(host->missing_proofs(slot), 0u);
  size_t seen = stream->poll([](const DecodedEvent&, WriteTxn*) {});
  EXPECT_EQ(seen, 3u) << "ProofSubmitted, SlotFilled, RequestFulfilled";

  // At: the pending block's pointer is one block ahead of the latest one's.
  const Periods periods(60);
  const uint64_t p = periods.period_of(env.now()) + 1;
  env.set_time(periods.start(p) + 1);
  EXPECT_EQ(host->get_pointer(slot, At::kPending),
            (host->get_pointer(slot, At::kLatest) + 1) % 256);
  EXPECT_NE(host->get_challenge(slot), Hash{});
  EXPECT_TRUE(host->is_proof_required(slot) || host->will_proof_be_required(slot));
  EXPECT_EQ(validator->can_mark_proof_as_missing(slot, p), "Proofs_PeriodNotEnded");
  TxResult proved = host->execute(SubmitProof{slot, kProof, p});
  EXPECT_EQ(count<ProofSubmitted>(proved.events), 1u);

  // A second stream from the deployment block sees the whole history; the
  // first one, reopened under its name, only what is new.
  std::vector<MarketEvent> all;
  EXPECT_EQ(client->events("client")->poll(
                [&](const DecodedEvent& e, WriteTxn*) { all.push_back(e.event); }),
            5u);
  EXPECT_EQ(count<StorageRequested>(all), 1u);
  EXPECT_EQ(count<ProofSubmitted>(all), 2u);
  stream.reset();
  EXPECT_EQ(host->events("host")->poll([](const DecodedEvent&, WriteTxn*) {}), 1u);
}

TEST(ChainMarket, RevertWhenMinedIsDecodedByReplayAndTheIntentStaysServed) {
  MarketEnv env(test::roomy_plan());
  auto client = env.chain_market(kClient);
  auto host = env.chain_market(kHost);
  const Address market = env.deployment().marketplace;
  const Request req = test::one_slot_request(env.address(kClient), 0x52);
  const RequestId id = request_id(req);
  client->execute(ApproveTokens{market, max_price(req.ask)}, "approve/request");
  client->execute(RequestStorage{req});
  host->execute(ReserveSlot{id, 0});
  host->execute(ApproveTokens{market, collateral_per_slot(req.ask)}, "approve/collateral");

  // Estimated while the request is New, mined after its expiry: it reverts on chain.
  env.anvil().rpc("evm_setAutomine", nlohmann::json::array({false}));
  PendingTx fill = host->submit(FillSlot{id, 0, kProof});
  env.set_time(client->request_expiry(id) + 1);
  try {
    host->wait(fill);
    FAIL() << "mined after expiry";
  } catch (const MarketError& e) {
    EXPECT_EQ(e.name(), "Marketplace_SlotNotFree");
    EXPECT_EQ(e.function(), "fillSlot");
  }
  env.anvil().rpc("evm_setAutomine", nlohmann::json::array({true}));
  auto entry = env.sender(kHost).journal().by_hash(fill.tx_hash);
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->state, eth::TxState::Mined) << "mined, if failed: its nonce is used";
  // The intent was served (it failed): the same key is the same failed
  // transaction, never a second fill; retrying takes a new key.
  EXPECT_EQ(host->submit(FillSlot{id, 0, kProof}).tx_hash, fill.tx_hash);
  EXPECT_THROW(host->execute(FillSlot{id, 0, kProof}), MarketError);
  EXPECT_EQ(env.eth().transaction_count(env.address(kHost)), 3u);
}

TEST(ChainMarket, SubmitInACallerTransactionCommitsWithTheCallersState) {
  MarketEnv env(test::roomy_plan());
  auto client = env.chain_market(kClient);
  const Address market = env.deployment().marketplace;
  const Request req = test::one_slot_request(env.address(kClient), 0x53);
  const ApproveTokens approve{market, max_price(req.ask)};
  env.db().write([](WriteTxn& t) { t.exec("CREATE TABLE purchase (id BLOB, tx BLOB)"); });

  // Rolled back: neither the purchase nor the transaction exist, nothing is sent.
  {
    WriteTxn txn = env.db().begin();
    client->submit(approve, "approve/purchase", &txn);
  }
  EXPECT_FALSE(env.sender(kClient).journal().by_key(env.address(kClient), "approve/purchase"));
  EXPECT_EQ(env.eth().transaction_count(env.address(kClient)), 0u);

  client->execute(approve, "approve/purchase");
  const RequestId id = request_id(req);
  PendingTx p = env.db().write([&](WriteTxn& txn) {
    PendingTx tx = client->submit(RequestStorage{req}, {}, &txn);
    txn.cached("INSERT INTO purchase VALUES (?, ?)").bind(1, id).bind(2, tx.tx_hash).run();
    EXPECT_FALSE(env.eth().transaction_known(tx.tx_hash)) << "sent only once committed";
    return tx;
  });
  EXPECT_TRUE(env.eth().transaction_known(p.tx_hash));
  EXPECT_EQ(count<StorageRequested>(client->wait(p).events), 1u);
  auto r = env.db().read();
  auto& q = r.cached("SELECT tx FROM purchase");
  base::sqlite::Reset reset(q);
  ASSERT_TRUE(q.step());
  EXPECT_EQ(q.blob(0), Bytes(p.tx_hash.begin(), p.tx_hash.end()));
  EXPECT_EQ(env.eth().transaction_count(env.address(kClient)), 2u);
}

}  // namespace
}  // namespace codex::market

namespace codex::market {
namespace {

// Many views in a few round trips, at one block: each result is what the single
// view returns (or throws), a revert stays in its own result, and the calls go
// in batches of max_batch_calls after one eth_blockNumber.
TEST(ChainMarket, ReadAnswersManyViewsInBatchesAtOneBlock) {
  MarketEnv env(test::roomy_plan());
  ChainMarketOptions o;
  o.marketplace = env.deployment().marketplace;
  o.deployment_block = env.deployment().block;
  o.max_batch_calls = 3;
  ChainMarket client(env.eth(), env.sender(kClient), env.db(), o);
  const Request req = test::one_slot_request(env.address(kClient), 0x52);
  const RequestId id = request_id(req),
                  unknown = request_id(test::one_slot_request(env.address(kClient), 0x53));
  const SlotId slot = slot_id(id, 0);
  client.execute(ApproveTokens{o.marketplace, max_price(req.ask)},
                 "approve/requestStorage/" + eth::to_hex(id));
  client.execute(RequestStorage{req});

  const std::vector<ViewCall> calls = {
      views::GetRequest{id},        views::GetRequest{unknown},   views::RequestState{id},
      views::RequestState{unknown}, views::SlotState{slot},       views::MyRequests{},
      views::GetActiveSlot{slot},   views::CanReserveSlot{id, 0},
  };
  const uint64_t before = env.rpc().attempts();
  const ViewReads r = client.read(calls, At::kLatest);
  EXPECT_EQ(env.rpc().attempts() - before, 1u + 3u) << "eth_blockNumber, then 8 calls in 3 batches";
  EXPECT_EQ(r.block, client.block_number(At::kLatest));
  ASSERT_EQ(r.results.size(), calls.size());
  EXPECT_EQ(r.results[0].get<views::GetRequest>(), std::optional<Request>(req));
  EXPECT_EQ(r.results[1].get<views::GetRequest>(), std::nullopt) << "unknown: an answer";
  EXPECT_EQ(r.results[2].get<views::RequestState>(), RequestState::New);
  ASSERT_NE(r.results[3].error(), nullptr) << "requestState of an unknown request reverts";
  EXPECT_EQ(r.results[3].error()->name(), "Marketplace_UnknownRequest");
  EXPECT_THROW(r.results[3].get<views::RequestState>(), MarketError);
  EXPECT_EQ(r.results[4].get<views::SlotState>(), client.slot_state(slot, At::kLatest));
  EXPECT_EQ(r.results[5].get<views::MyRequests>(), std::vector<RequestId>{id});
  EXPECT_EQ(r.results[6].get<views::GetActiveSlot>(), std::nullopt) << "a free slot";
  EXPECT_EQ(r.results[7].get<views::CanReserveSlot>(), client.can_reserve_slot(id, 0));

  // At pending: the block after the latest one.
  EXPECT_EQ(client.read(calls, At::kPending).block, client.block_number(At::kLatest) + 1);
  EXPECT_TRUE(client.read({}, At::kLatest).results.empty());
  o.max_batch_calls = 0;
  EXPECT_THROW(ChainMarket(env.eth(), env.sender(kClient), env.db(), o), std::invalid_argument);
}

}  // namespace
}  // namespace codex::market
