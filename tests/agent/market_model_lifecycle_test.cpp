// A whole storage request on the in-memory marketplace model, through MarketApi:
// request, reservations (up to SlotReservationsFull), fills (RequestFulfilled),
// proofs as the challenge requires them, a missed proof marked inside the
// validator window (refused before and after it), slashing and the validator
// reward, the forced free after maxNumberOfSlashes, repair with the repair
// reward, the end with payouts, the client's withdrawal; then a cancelled and
// a failed request. Amounts are checked against spec/marketplace.md §5.2 and
// §10, pointer and challenge against §9 computed here from the block hashes,
// and the token supply is conserved at every step.
#include <gtest/gtest.h>

#include <variant>

#include "agent/eth/keccak.h"
#include "agent/market/periods.h"
#include "tests/agent/support/market_model_world.h"

namespace codex::market {
namespace {

using test::error_of;
using test::kValidProof;
using test::ModelWorld;

constexpr int kClient = 1, kHost1 = 2, kHost2 = 3, kHost3 = 4, kValidator = 5, kRepairer = 6;
constexpr int kAccounts = 8;

template <class E>
std::vector<E> of(const TxResult& r) {
  std::vector<E> out;
  for (const auto& e : r.events)
    if (auto* x = std::get_if<E>(&e)) out.push_back(*x);
  return out;
}

// Balances of every account plus the marketplace's: the supply, always.
void expect_conserved(ModelWorld& w) {
  Uint256 sum = w.market_balance();
  for (int i = 0; i < kAccounts; ++i)
    sum = sum + w.balance(i);
  EXPECT_EQ(sum, w.model().total_supply());
  EXPECT_EQ(w.model().total_supply(), Uint256(ModelWorld::kFunds) * Uint256(kAccounts));
}

// §9 from first principles: the pointer and challenge of `slot` at the latest block.
std::pair<uint8_t, Hash> expected_pointer_and_challenge(ModelWorld& w, const SlotId& slot) {
  const model::Block b = w.model().latest_block();
  const uint64_t period = b.timestamp / w.config().proofs.period;
  const uint8_t pointer = uint8_t(
      (b.number % 256 + period * w.config().proofs.downtime_product % 256 + slot[31]) % 256);
  const Hash h = w.model().block(b.number - 1 - pointer).hash;
  return {pointer, eth::keccak256(h)};
}

// Marks `period` of `slot` missing once the pointer leaves the downtime (it
// moves one per block, so mine blocks while the contract says not required).
TxResult mark_missing(ModelWorld& w, const SlotId& slot, uint64_t period) {
  for (int i = 0; i < 256; ++i) {
    auto err = w.api(kValidator).can_mark_proof_as_missing(slot, period);
    if (!err) return w.api(kValidator).execute(MarkProofAsMissing{slot, period});
    if (*err != "Proofs_ProofNotRequired") throw std::runtime_error("cannot mark: " + *err);
    w.model().mine();
  }
  throw std::runtime_error("proof never required");
}

TEST(MarketModelLifecycle, RequestFillProveSlashRepairFinishPayWithdraw) {
  ModelWorld w;
  const MarketplaceConfig& cfg = w.config();
  const Periods periods(cfg.proofs.period);
  MarketApi& client = w.api(kClient);
  expect_conserved(w);

  // --- request: the client pays maxPrice up front --------------------------------
  const Request req = w.request(kClient);
  const RequestId id = request_id(req);
  const Uint256 max = max_price(req.ask), pps = price_per_slot_per_second(req.ask),
                collateral = collateral_per_slot(req.ask);
  ASSERT_EQ(max, Uint256(3 * 600 * 1024));
  const Uint256 client0 = w.balance(kClient);
  w.advance(3);
  TxResult rr = w.request_storage(req, kClient);
  const uint64_t requested_at = w.now();
  EXPECT_EQ(w.model().latest_block().timestamp, requested_at) << "mined at the clock's time";
  auto requested = of<StorageRequested>(rr);
  ASSERT_EQ(requested.size(), 1u);
  EXPECT_EQ(requested[0].request_id, id);
  EXPECT_EQ(requested[0].ask, req.ask);
  EXPECT_EQ(requested[0].expires_at, requested_at + req.expiry);
  EXPECT_EQ(client.request_end(id), requested_at + req.ask.duration);
  EXPECT_EQ(client.request_expiry(id), requested_at + req.expiry);
  EXPECT_EQ(client.get_request(id), req);
  EXPECT_EQ(client.request_state(id), RequestState::New);
  EXPECT_EQ(client.my_requests(), std::vector<RequestId>{id});
  EXPECT_EQ(w.balance(kClient), client0 - max);
  EXPECT_EQ(w.market_balance(), max);
  expect_conserved(w);

  // --- reservations: three per slot, the third fills the set ----------------------
  const SlotId s0 = slot_id(id, 0), s1 = slot_id(id, 1), s2 = slot_id(id, 2);
  EXPECT_TRUE(w.reserve(kHost1, id, 0).events.empty());
  EXPECT_FALSE(w.api(kHost1).can_reserve_slot(id, 0)) << "once per host";
  EXPECT_EQ(error_of([&] { w.reserve(kHost1, id, 0); }), "SlotReservations_ReservationNotAllowed");
  w.reserve(kHost2, id, 0);
  TxResult full = w.reserve(kHost3, id, 0);
  ASSERT_EQ(of<SlotReservationsFull>(full).size(), 1u);
  EXPECT_EQ(of<SlotReservationsFull>(full)[0].request_id, id);
  EXPECT_EQ(of<SlotReservationsFull>(full)[0].slot_index, 0u);
  EXPECT_FALSE(w.api(kRepairer).can_reserve_slot(id, 0)) << "the set is full";
  EXPECT_EQ(error_of([&] { w.reserve(kRepairer, id, 0); }),
            "SlotReservations_ReservationNotAllowed");
  w.reserve(kHost2, id, 1);
  w.reserve(kHost3, id, 2);

  // --- fills: collateral in, fill proof counts, the last fill starts the request --
  const int hosts[3] = {kHost1, kHost2, kHost3};
  uint64_t filled_at[3] = {};
  for (uint64_t i = 0; i < 3; ++i) {
    w.advance(2);
    const Uint256 before = w.balance(hosts[i]);
    TxResult fr = w.fill(hosts[i], req, i);
    filled_at[i] = w.now();
    ASSERT_EQ(of<ProofSubmitted>(fr).size(), 1u);
    EXPECT_EQ(of<ProofSubmitted>(fr)[0].slot_id, slot_id(id, i));
    ASSERT_EQ(of<SlotFilled>(fr).size(), 1u);
    EXPECT_EQ(of<SlotFilled>(fr)[0].slot_index, i);
    EXPECT_EQ(of<RequestFulfilled>(fr).size(), i == 2 ? 1u : 0u);
    EXPECT_TRUE(std::holds_alternative<ProofSubmitted>(fr.events.at(0))) << "log order";
    EXPECT_EQ(w.balance(hosts[i]), before - collateral);
    EXPECT_EQ(w.api(0).get_host(slot_id(id, i)), w.address(hosts[i]));
    EXPECT_EQ(w.api(0).current_collateral(slot_id(id, i)), collateral);
    EXPECT_EQ(w.api(hosts[i]).my_slots(), std::vector<SlotId>{slot_id(id, i)});
    auto active = w.api(0).get_active_slot(slot_id(id, i));
    ASSERT_TRUE(active);
    EXPECT_EQ(active->first, req);
    EXPECT_EQ(active->second, i);
  }
  EXPECT_EQ(client.request_state(id), RequestState::Started);
  EXPECT_EQ(w.market_balance(), max + collateral * Uint256(3));
  expect_conserved(w);

  // --- proofs: required as the challenge says (§9) ---------------------------------
  EXPECT_EQ(client.slot_probability(s0), Uint256(0)) << "proofProbability 1: every period";
  const uint64_t p = periods.period_of(filled_at[2]) + 1;
  w.set_time(periods.start(p) + 1);
  w.model().mine();
  for (const SlotId& s : {s0, s1, s2}) {
    auto [pointer, challenge] = expected_pointer_and_challenge(w, s);
    EXPECT_EQ(client.get_pointer(s, At::kLatest), pointer);
    EXPECT_EQ(client.get_challenge(s, At::kLatest), challenge);
    EXPECT_EQ(client.is_proof_required(s, At::kLatest), pointer >= cfg.proofs.downtime);
    EXPECT_EQ(client.will_proof_be_required(s, At::kLatest), pointer < cfg.proofs.downtime);
    EXPECT_EQ(client.get_pointer(s, At::kPending), uint8_t(pointer + 1)) << "one block later";
  }
  for (int k : {0, 1}) {
    TxResult pr = w.prove(hosts[k], slot_id(id, k));
    ASSERT_EQ(of<ProofSubmitted>(pr).size(), 1u);
    EXPECT_EQ(error_of([&] { w.prove(hosts[k], slot_id(id, k)); }), "Proofs_ProofAlreadySubmitted");
  }
  EXPECT_EQ(error_of([&] { w.prove(kHost1, s2); }), "Marketplace_ProofNotSubmittedByHost");

  // --- a missed proof: refused before the window, marked inside it ------------------
  const Uint256 slashed = (collateral * Uint256(cfg.collateral.slash_percentage)).div_u64(100);
  const Uint256 reward =
      (slashed * Uint256(cfg.collateral.validator_reward_percentage)).div_u64(100);
  ASSERT_EQ(slashed, Uint256(204));
  ASSERT_EQ(reward, Uint256(40));
  EXPECT_EQ(client.can_mark_proof_as_missing(s2, p), "Proofs_PeriodNotEnded");
  w.set_time(periods.end(p));
  EXPECT_EQ(client.can_mark_proof_as_missing(s2, p), "Proofs_PeriodNotEnded") << "strict";
  w.set_time(periods.end(p) + 1);
  EXPECT_EQ(client.can_mark_proof_as_missing(s0, p), "Proofs_ProofNotMissing");
  const Uint256 validator0 = w.balance(kValidator);
  TxResult m1 = mark_missing(w, s2, p);
  EXPECT_TRUE(m1.events.empty()) << "a slash emits no marketplace event";
  EXPECT_EQ(w.balance(kValidator), validator0 + reward);
  EXPECT_EQ(client.missing_proofs(s2), 1u);
  EXPECT_EQ(client.current_collateral(s2), collateral - slashed);
  EXPECT_EQ(client.current_collateral(s1), collateral);
  EXPECT_EQ(client.can_mark_proof_as_missing(s2, p), "Proofs_ProofAlreadyMarkedMissing");
  expect_conserved(w);

  // --- period p+1 is missed too, but its window closes at periodEnd + timeout -------
  w.set_time(periods.end(p + 1) + cfg.proofs.timeout);
  EXPECT_EQ(client.can_mark_proof_as_missing(s2, p + 1), "Proofs_ValidationTimedOut");
  // --- the second slash (period p+2) reaches maxNumberOfSlashes: forced free (§8.3) --
  w.set_time(periods.end(p + 2) + 1);
  TxResult m2 = mark_missing(w, s2, p + 2);
  ASSERT_EQ(of<SlotFreed>(m2).size(), 1u);
  EXPECT_EQ(of<SlotFreed>(m2)[0].request_id, id);
  EXPECT_EQ(of<SlotFreed>(m2)[0].slot_index, 2u);
  EXPECT_TRUE(of<RequestFailed>(m2).empty()) << "one lost slot <= maxSlotLoss";
  EXPECT_EQ(w.balance(kValidator), validator0 + reward * Uint256(2));
  EXPECT_EQ(client.slot_state(s2), SlotState::Repair);
  EXPECT_EQ(client.missing_proofs(s2), 0u) << "counter reset";
  EXPECT_EQ(client.current_collateral(s2), Uint256(0));
  EXPECT_EQ(client.get_host(s2), Address{});
  EXPECT_TRUE(w.api(kHost3).my_slots().empty());
  EXPECT_EQ(client.request_state(id), RequestState::Started);
  EXPECT_EQ(w.model().totals().sent, reward * Uint256(2));
  expect_conserved(w);

  // --- repair: the deposit is the collateral minus the repair reward ------------------
  EXPECT_TRUE(w.api(kRepairer).can_reserve_slot(id, 2)) << "reservations were cleared";
  w.reserve(kRepairer, id, 2);
  const Uint256 repair_deposit =
      collateral - (collateral * Uint256(cfg.collateral.repair_reward_percentage)).div_u64(100);
  ASSERT_EQ(repair_deposit, Uint256(922));
  EXPECT_EQ(error_of([&] { w.fill(kRepairer, req, 2, repair_deposit - Uint256(1)); }),
            "ERC20InsufficientAllowance");
  const Uint256 repairer0 = w.balance(kRepairer);
  TxResult rf = w.fill(kRepairer, req, 2, repair_deposit);
  const uint64_t repaired_at = w.now();
  EXPECT_TRUE(of<RequestFulfilled>(rf).empty()) << "already started";
  EXPECT_EQ(w.balance(kRepairer), repairer0 - repair_deposit);
  EXPECT_EQ(client.current_collateral(s2), collateral) << "the full collateral is booked";
  expect_conserved(w);

  // --- the end: Finished at endsAt + 1 ------------------------------------------------
  const uint64_t ends_at = requested_at + req.ask.duration;
  w.set_time(ends_at);
  EXPECT_EQ(client.request_state(id), RequestState::Started) << "strict comparison";
  w.set_time(ends_at + 1);
  EXPECT_EQ(client.request_state(id), RequestState::Finished);
  EXPECT_EQ(client.request_state(id, At::kLatest), RequestState::Started)
      << "no block mined at the new time yet";
  EXPECT_EQ(client.slot_state(s0), SlotState::Finished);

  // --- payouts -------------------------------------------------------------------------
  EXPECT_EQ(error_of([&] {
              w.api(kHost3).execute(FreeSlot{s2, {}}, "free/host3");
            }),
            "Marketplace_InvalidSlotHost");
  Uint256 paid;
  for (int k : {0, 1}) {
    const Uint256 before = w.balance(hosts[k]);
    w.api(hosts[k]).execute(FreeSlot{slot_id(id, k), {}});
    const Uint256 pay = Uint256(ends_at - filled_at[k]) * pps;
    EXPECT_EQ(w.balance(hosts[k]), before + pay + collateral);
    EXPECT_EQ(client.slot_state(slot_id(id, k)), SlotState::Paid);
    EXPECT_EQ(error_of([&] {
                w.api(hosts[k]).execute(FreeSlot{slot_id(id, k), {}}, "again");
              }),
              "Marketplace_AlreadyPaid");
    paid = paid + pay;
  }
  EXPECT_TRUE(client.my_requests().empty()) << "the first payout of a finished slot";
  const Uint256 repair_pay = Uint256(ends_at - repaired_at) * pps;
  const Uint256 repairer1 = w.balance(kRepairer), validator1 = w.balance(kValidator);
  w.api(kRepairer).execute(FreeSlot{s2, std::pair{w.address(kRepairer), w.address(kValidator)}});
  EXPECT_EQ(w.balance(kRepairer), repairer1 + repair_pay);
  EXPECT_EQ(w.balance(kValidator), validator1 + collateral);
  paid = paid + repair_pay;
  expect_conserved(w);

  // --- the client withdraws the rest (host 3's pay came back when it was freed) -------
  const Uint256 client1 = w.balance(kClient);
  TxResult wr = client.execute(WithdrawFunds{id, {}});
  EXPECT_TRUE(wr.events.empty()) << "no event for a finished request";
  EXPECT_EQ(w.balance(kClient), client1 + (max - paid));
  EXPECT_EQ(error_of([&] {
              client.execute(WithdrawFunds{id, {}}, "again");
            }),
            "Marketplace_NothingToWithdraw");
  // The contract keeps host 3's collateral minus two rewards and the repair reward.
  EXPECT_EQ(w.market_balance(), collateral - reward * Uint256(2) - (collateral - repair_deposit));
  EXPECT_EQ(w.model().totals().received - w.model().totals().sent, w.market_balance());
  expect_conserved(w);
}

TEST(MarketModelLifecycle, CancelledRequestPaysHostsUntilExpiryAndRefundsTheRest) {
  ModelWorld w;
  MarketApi& client = w.api(kClient);
  const Request req = w.request(kClient, 2, 600, 100, 2);
  const RequestId id = request_id(req);
  w.request_storage(req, kClient);
  const uint64_t expires_at = client.request_expiry(id);
  w.reserve(kHost1, id, 0);
  w.advance(30);
  w.fill(kHost1, req, 0);
  const uint64_t filled_at = w.now();
  const Uint256 pps = price_per_slot_per_second(req.ask), collateral = collateral_per_slot(req.ask);

  w.set_time(expires_at);
  EXPECT_EQ(client.request_state(id), RequestState::New) << "still New at expiresAt";
  w.set_time(expires_at + 1);
  EXPECT_EQ(client.request_state(id), RequestState::Cancelled);
  EXPECT_EQ(client.slot_state(slot_id(id, 0)), SlotState::Cancelled);
  EXPECT_EQ(client.slot_state(slot_id(id, 1)), SlotState::Free) << "never filled";
  EXPECT_EQ(client.request_end(id), expires_at);
  w.reserve(kHost2, id, 1);  // a never-filled slot stays reservable, but not fillable
  EXPECT_EQ(error_of([&] { w.fill(kHost2, req, 1); }), "Marketplace_SlotNotFree");
  EXPECT_EQ(client.slot_state(slot_id(id, 1)), SlotState::Free) << "the revert stored nothing";

  const Uint256 host0 = w.balance(kHost1);
  w.api(kHost1).execute(FreeSlot{slot_id(id, 0), {}});
  const Uint256 host_pay = Uint256(expires_at - filled_at) * pps;
  EXPECT_EQ(w.balance(kHost1), host0 + host_pay + collateral);

  const Uint256 client0 = w.balance(kClient);
  TxResult wr = client.execute(WithdrawFunds{id, {}});
  ASSERT_EQ(wr.events.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<RequestCancelled>(wr.events[0]));
  EXPECT_EQ(w.balance(kClient), client0 + max_price(req.ask) - host_pay);
  EXPECT_EQ(w.market_balance(), Uint256(0));
  expect_conserved(w);
}

TEST(MarketModelLifecycle, AbandonedSlotFailsTheRequestAndTheClientGetsEverythingBack) {
  ModelWorld w;
  MarketApi& client = w.api(kClient);
  Request req = w.request(kClient, 2, 600, 100, 3);
  req.ask.max_slot_loss = 0;
  const RequestId id = request_id(req);
  w.request_storage(req, kClient);
  for (uint64_t i = 0; i < 2; ++i) {
    w.reserve(kHost1 + int(i), id, i);
    w.advance(1);
    w.fill(kHost1 + int(i), req, i);
  }
  ASSERT_EQ(client.request_state(id), RequestState::Started);
  w.advance(50);
  const Uint256 host0 = w.balance(kHost1);
  TxResult ab = w.api(kHost1).execute(FreeSlot{slot_id(id, 0), {}});
  ASSERT_EQ(ab.events.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<SlotFreed>(ab.events[0]));
  EXPECT_TRUE(std::holds_alternative<RequestFailed>(ab.events[1]));
  EXPECT_EQ(w.balance(kHost1), host0) << "the abandoning host loses its collateral";
  EXPECT_EQ(client.request_state(id), RequestState::Failed);
  EXPECT_EQ(client.request_end(id), w.now() - 1) << "endsAt = failure time - 1";
  EXPECT_EQ(client.slot_state(slot_id(id, 1)), SlotState::Failed);

  // The surviving host is only removed from mySlots; the client gets maxPrice back.
  const Uint256 host1 = w.balance(kHost2);
  w.api(kHost2).execute(FreeSlot{slot_id(id, 1), {}});
  EXPECT_EQ(w.balance(kHost2), host1);
  EXPECT_TRUE(w.api(kHost2).my_slots().empty());
  const Uint256 client0 = w.balance(kClient);
  client.execute(WithdrawFunds{id, w.address(kValidator)}, "withdraw/to-validator");
  EXPECT_EQ(w.balance(kClient), client0);
  EXPECT_EQ(w.balance(kValidator), ModelWorld::kFunds + max_price(req.ask));
  EXPECT_EQ(w.market_balance(), collateral_per_slot(req.ask) * Uint256(2))
      << "both collaterals stay in the contract";
  expect_conserved(w);
}

}  // namespace
}  // namespace codex::market
