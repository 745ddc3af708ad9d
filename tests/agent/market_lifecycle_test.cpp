// A whole storage request driven from C++ on a real anvil, with the contracts
// deployed by agent/market/deployment and chain time stepped explicitly: request,
// reserve and fill of every slot, proofs by period, a host that stops proving is
// slashed twice by a validator and forcibly freed, another host repairs the slot,
// the request finishes, hosts are paid and the client withdraws the rest. Every
// money step is checked against the formulas of spec/marketplace.md §5.2 and §10.
#include <gtest/gtest.h>

#include <algorithm>
#include <variant>

#include "agent/market/events.h"
#include "agent/market/periods.h"
#include "tests/agent/support/market_env.h"

namespace codex::market {
namespace {

using test::MarketEnv;

// Accounts of the scenario.
constexpr int kClient = 1, kHost1 = 2, kHost2 = 3, kHost3 = 4, kValidator = 5, kRepairer = 6;

const Groth16Proof kProof{{Uint256(1), Uint256(2)},
                          {{Uint256(3), Uint256(4)}, {Uint256(5), Uint256(6)}},
                          {Uint256(7), Uint256(8)}};  // TestVerifier accepts any non-zero proof

template <class E>
std::vector<E> events(const Marketplace& m, const eth::Receipt& r) {
  std::vector<E> out;
  for (const auto& l : r.logs)
    if (l.address == m.address())
      if (auto d = decode_event(m.abi(), l))
        if (auto* e = std::get_if<E>(&d->event)) out.push_back(*e);
  return out;
}

// Marks `period` of `slot` missing as soon as the contract allows it: the
// requirement is re-evaluated with the current block's pointer, which may sit in
// the downtime (Proofs_ProofNotRequired), so blocks are mined until it does not.
eth::Receipt mark_missing(MarketEnv& env, const SlotId& slot, uint64_t period) {
  Marketplace v = env.market(kValidator);
  for (int i = 0; i < 300; ++i) {
    auto err = v.can_mark_proof_as_missing(slot, period, env.address(kValidator));
    if (!err) {
      try {
        return v.mark_proof_as_missing(slot, period);
      } catch (const MarketError& e) {
        if (e.name() != "Proofs_ProofNotRequired") throw;
      }
    } else if (*err != "Proofs_ProofNotRequired") {
      throw std::runtime_error("cannot mark missing: " + *err);
    }
    env.mine();
  }
  throw std::runtime_error("proof never required");
}

TEST(MarketLifecycle, RequestFillProveSlashRepairFinishPayWithdraw) {
  DeploymentPlan plan;
  plan.config = test::chain_preset("devnet");  // 10 s periods, 5 s validation timeout
  MarketEnv env(plan);
  const MarketplaceConfig& cfg = plan.config;
  Marketplace client = env.market(kClient);
  ASSERT_EQ(client.configuration().proofs.period, 10u);
  ASSERT_EQ(client.token(), env.deployment().token);
  const Periods periods(cfg.proofs.period);

  // --- request (§5.2 requestStorage): the client pays maxPrice up front -------
  Request req;
  req.client = env.address(kClient);
  req.ask = {Uint256(1), Uint256(1), Uint256(1), 3, 1024, 600, 1};  // proof every period
  const std::string cid = "zDvZRwzm-lifecycle";
  req.content.cid.assign(cid.begin(), cid.end());
  req.content.merkle_root.fill(0x33);
  req.expiry = 300;
  req.nonce.fill(0x44);
  const Uint256 max = max_price(req.ask);                   // 3 * 600 * 1024
  const Uint256 pps = price_per_slot_per_second(req.ask);   // 1024
  const Uint256 collateral = collateral_per_slot(req.ask);  // 1024
  ASSERT_EQ(max, Uint256(3 * 600 * 1024));

  const Uint256 client0 = env.balance(kClient), market0 = env.market_balance();
  env.token(kClient).approve(client.address(), max, "approve/requestStorage");
  eth::Receipt rr = client.request_storage(req);
  const RequestId id = request_id(req);
  auto requested = events<StorageRequested>(client, rr);
  ASSERT_EQ(requested.size(), 1u);
  EXPECT_EQ(requested[0].request_id, id) << "requestId computed locally equals the event's";
  EXPECT_EQ(requested[0].ask, req.ask);
  const uint64_t requested_at = env.block_time(rr);
  EXPECT_EQ(requested[0].expires_at, requested_at + req.expiry);
  EXPECT_EQ(client.request_end(id), requested_at + req.ask.duration);
  const uint64_t ends_at = requested_at + req.ask.duration;
  EXPECT_EQ(env.balance(kClient), client0 - max);
  EXPECT_EQ(env.market_balance(), market0 + max);
  EXPECT_EQ(client.request_state(id), RequestState::New);

  // --- reserve and fill all slots (§5.2 fillSlot): each host deposits collateral
  const int hosts[3] = {kHost1, kHost2, kHost3};
  uint64_t filled_at[3] = {};
  for (uint64_t i = 0; i < 3; ++i) {
    Marketplace h = env.market(hosts[i]);
    EXPECT_TRUE(h.can_reserve_slot(id, i, env.address(hosts[i])));
    h.reserve_slot(id, i);
    EXPECT_FALSE(h.can_reserve_slot(id, i, env.address(hosts[i]))) << "reserved once";
    env.token(hosts[i]).approve(h.address(), collateral, "approve/fillSlot");
    const Uint256 before = env.balance(hosts[i]);
    eth::Receipt fr = h.fill_slot(id, i, kProof);
    filled_at[i] = env.block_time(fr);
    auto filled = events<SlotFilled>(h, fr);
    ASSERT_EQ(filled.size(), 1u);
    EXPECT_EQ(filled[0].request_id, id);
    EXPECT_EQ(filled[0].slot_index, i);
    ASSERT_EQ(events<ProofSubmitted>(h, fr).size(), 1u) << "the fill proof counts";
    EXPECT_EQ(events<RequestFulfilled>(h, fr).size(), i == 2 ? 1u : 0u);
    EXPECT_EQ(env.balance(hosts[i]), before - collateral);
    EXPECT_EQ(h.get_host(slot_id(id, i)), env.address(hosts[i]));
    EXPECT_EQ(h.current_collateral(slot_id(id, i)), collateral);
    EXPECT_EQ(h.my_slots(env.address(hosts[i])), std::vector<SlotId>{slot_id(id, i)});
    const auto slot = h.get_active_slot(slot_id(id, i));
    ASSERT_TRUE(slot);
    const auto& [active, index] = *slot;
    EXPECT_EQ(active, req);
    EXPECT_EQ(index, i);
  }
  EXPECT_EQ(client.request_state(id), RequestState::Started);
  EXPECT_EQ(env.market_balance(), market0 + max + collateral * Uint256(3));

  // --- period p: hosts 1 and 2 prove, host 3 stays silent ----------------------
  const SlotId s0 = slot_id(id, 0), s1 = slot_id(id, 1), s2 = slot_id(id, 2);
  EXPECT_EQ(client.slot_probability(s0), Uint256(0)) << "probability 1 -> every period (§9)";
  uint64_t p = periods.period_of(std::max({filled_at[0], filled_at[1], filled_at[2]})) + 1;
  env.set_time(periods.start(p) + 1);
  for (int k : {0, 1}) {
    Marketplace h = env.market(hosts[k]);
    const SlotId s = slot_id(id, k);
    EXPECT_TRUE(h.is_proof_required(s) || h.will_proof_be_required(s));
    Hash challenge = h.get_challenge(s);
    EXPECT_NE(challenge, Hash{}) << "the challenge is a block-hash digest";
    eth::Receipt pr = h.submit_proof(s, kProof, p);
    auto submitted = events<ProofSubmitted>(h, pr);
    ASSERT_EQ(submitted.size(), 1u);
    EXPECT_EQ(submitted[0].slot_id, s);
  }
  EXPECT_TRUE(client.is_proof_required(s2) || client.will_proof_be_required(s2));

  // --- the validator marks p missing for host 3: slash and reward (§5.2, §10) ---
  const Uint256 slashed = (collateral * Uint256(cfg.collateral.slash_percentage)).div_u64(100);
  const Uint256 reward =
      (slashed * Uint256(cfg.collateral.validator_reward_percentage)).div_u64(100);
  ASSERT_EQ(slashed, Uint256(204));
  ASSERT_EQ(reward, Uint256(40));
  env.set_time(periods.end(p) + 1);
  EXPECT_EQ(client.can_mark_proof_as_missing(s0, p, env.address(kValidator)),
            "Proofs_ProofNotMissing");
  const Uint256 validator0 = env.balance(kValidator);
  eth::Receipt m1 = mark_missing(env, s2, p);
  EXPECT_EQ(env.balance(kValidator), validator0 + reward);
  EXPECT_EQ(client.missing_proofs(s2), 1u);
  EXPECT_EQ(client.current_collateral(s2), collateral - slashed);
  EXPECT_EQ(client.current_collateral(s1), collateral) << "the proving host is untouched";
  EXPECT_EQ(client.missing_proofs(s0), 0u);
  EXPECT_TRUE(events<SlotFreed>(client, m1).empty()) << "one miss is below maxNumberOfSlashes";

  // --- period p+1 missed too: the second slash frees the slot (§8.3) -----------
  env.set_time(periods.end(p + 1) + 1);
  eth::Receipt m2 = mark_missing(env, s2, p + 1);
  auto freed = events<SlotFreed>(client, m2);
  ASSERT_EQ(freed.size(), 1u);
  EXPECT_EQ(freed[0].request_id, id);
  EXPECT_EQ(freed[0].slot_index, 2u);
  EXPECT_TRUE(events<RequestFailed>(client, m2).empty()) << "one lost slot <= maxSlotLoss";
  EXPECT_EQ(env.balance(kValidator), validator0 + reward * Uint256(2));
  EXPECT_EQ(client.slot_state(s2), SlotState::Repair);
  EXPECT_EQ(client.missing_proofs(s2), 0u) << "counter reset";
  EXPECT_EQ(client.current_collateral(s2), Uint256(0)) << "remaining collateral lost";
  EXPECT_EQ(client.get_host(s2), Address{});
  EXPECT_TRUE(client.my_slots(env.address(kHost3)).empty());
  EXPECT_EQ(client.request_state(id), RequestState::Started);

  // --- repair by another host: deposit minus the repair reward (§10) ------------
  Marketplace repairer = env.market(kRepairer);
  EXPECT_TRUE(repairer.can_reserve_slot(id, 2, env.address(kRepairer)));
  repairer.reserve_slot(id, 2);
  const Uint256 repair_deposit =
      collateral - (collateral * Uint256(cfg.collateral.repair_reward_percentage)).div_u64(100);
  ASSERT_EQ(repair_deposit, Uint256(922));
  env.token(kRepairer).approve(repairer.address(), repair_deposit, "approve/repair");
  const Uint256 repairer0 = env.balance(kRepairer);
  eth::Receipt rf = repairer.fill_slot(id, 2, kProof);
  const uint64_t repaired_at = env.block_time(rf);
  ASSERT_EQ(events<SlotFilled>(repairer, rf).size(), 1u);
  EXPECT_TRUE(events<RequestFulfilled>(repairer, rf).empty()) << "already started";
  EXPECT_EQ(env.balance(kRepairer), repairer0 - repair_deposit);
  EXPECT_EQ(repairer.current_collateral(s2), collateral) << "full collateral is booked";
  EXPECT_EQ(repairer.get_host(s2), env.address(kRepairer));

  // --- the request finishes at endsAt + 1 (§8.1) -------------------------------
  // Read at the mined block: anvil dates its pending block by the wall clock,
  // one second later when the machine is slow.
  const auto latest = Marketplace::Tag::latest();
  env.set_time(ends_at);
  EXPECT_EQ(client.request_state(id, latest), RequestState::Started) << "strict comparison";
  env.set_time(ends_at + 1);
  EXPECT_EQ(client.request_state(id, latest), RequestState::Finished);
  EXPECT_EQ(client.slot_state(s0, latest), SlotState::Finished);

  // --- payouts (§5.2 freeSlot): pay for the hosted time + current collateral ---
  try {
    env.market(kHost3).free_slot(s2);
    ADD_FAILURE() << "the freed host has no claim";
  } catch (const MarketError& e) {
    EXPECT_EQ(e.name(), "Marketplace_InvalidSlotHost");
  }
  Uint256 paid_total;
  for (int k : {0, 1}) {
    const Uint256 before = env.balance(hosts[k]);
    env.market(hosts[k]).free_slot(slot_id(id, k));
    const Uint256 pay = Uint256(ends_at - filled_at[k]) * pps;
    EXPECT_EQ(env.balance(hosts[k]), before + pay + collateral) << "host " << k;
    EXPECT_EQ(client.slot_state(slot_id(id, k)), SlotState::Paid);
    paid_total = paid_total + pay;
  }
  const Uint256 repair_pay = Uint256(ends_at - repaired_at) * pps;
  const Uint256 repairer1 = env.balance(kRepairer);
  // Pay to the repairer, collateral to the validator's account (recipient overload).
  const Uint256 validator1 = env.balance(kValidator);
  repairer.free_slot(s2, env.address(kRepairer), env.address(kValidator));
  EXPECT_EQ(env.balance(kRepairer), repairer1 + repair_pay);
  EXPECT_EQ(env.balance(kValidator), validator1 + collateral)
      << "the repairer gets the full collateral back: repair reward "
      << (collateral - repair_deposit).to_dec();
  paid_total = paid_total + repair_pay;
  EXPECT_TRUE(env.market(kHost1).my_slots(env.address(kHost1)).empty());

  // --- the client withdraws what was not paid to hosts (§5.2 withdrawFunds) -----
  // Host 3's pay went back to the client's account when its slot was freed.
  const Uint256 client1 = env.balance(kClient);
  eth::Receipt wr = client.withdraw_funds(id);
  EXPECT_EQ(env.balance(kClient), client1 + (max - paid_total));
  EXPECT_TRUE(events<RequestCancelled>(client, wr).empty());
  EXPECT_TRUE(client.my_requests(env.address(kClient)).empty());
  EXPECT_EQ(client.request_state(id), RequestState::Finished);

  // --- conservation: the contract keeps host 3's forfeited collateral minus the
  // two validator rewards and the repair reward --------------------------------
  EXPECT_EQ(env.market_balance(),
            market0 + collateral - reward * Uint256(2) - (collateral - repair_deposit));
}

}  // namespace
}  // namespace codex::market
