// Every custom error of spec/marketplace.md §7 that a call can produce, provoked
// from C++ on a real anvil and decoded by name through the revert decoding of the
// market facades (eth_call views, gas estimation of transactions, deployment).
// The last step checks the table against the compiled Marketplace ABI: every
// error is either provoked here or listed as unreachable with the reason.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>

#include "agent/market/abi_mapping.h"
#include "agent/market/periods.h"
#include "tests/agent/support/market_env.h"

namespace codex::market {
namespace {

using test::MarketEnv;

constexpr int kPoor = 0;  // the deployer holds no tokens
constexpr int kClient = 1, kHostA = 2, kHostB = 3, kHostC = 4, kValidator = 5, kStranger = 6;

const Groth16Proof kProof{{Uint256(1), Uint256(2)},
                          {{Uint256(3), Uint256(4)}, {Uint256(5), Uint256(6)}},
                          {Uint256(7), Uint256(8)}};
const Groth16Proof kZeroProof{};  // the one proof TestVerifier rejects

// Errors no call can produce, with the reason (§5.2, §7).
const std::map<std::string, std::string> kUnreachable = {
    {"Marketplace_InsufficientDuration",
     "a zero duration already fails the earlier expiry check (0 < expiry < duration)"},
    {"Marketplace_TransferFailed",
     "OpenZeppelin's ERC20 reverts instead of returning false from transferFrom/transfer"},
};

struct Case {
  std::string error;  // expected decoded name
  std::function<void()> call;
};

class MarketErrors : public ::testing::Test {
 protected:
  void run(const std::vector<Case>& cases) {
    for (const auto& c : cases) {
      try {
        c.call();
        ADD_FAILURE() << "no revert, expected " << c.error;
      } catch (const MarketError& e) {
        EXPECT_EQ(e.name(), c.error) << e.what();
        covered_.insert(e.name());
      }
    }
  }
  std::set<std::string> covered_;
};

Request make_request(const Address& client, uint8_t nonce, uint64_t slots = 2) {
  Request r;
  r.client = client;
  r.ask = {Uint256(1), Uint256(1), Uint256(1), slots, 1024, 3600, 1};
  const std::string cid = "zDvZRwzm-errors";
  r.content.cid.assign(cid.begin(), cid.end());
  r.content.merkle_root.fill(0x33);
  r.expiry = 600;
  r.nonce.fill(nonce);
  return r;
}

// Mines single blocks until the pointer that decides whether `period` required a
// proof is inside (`inside` true) or outside the downtime. The contract evaluates
// it with the current block, so it is the pending block's pointer shifted back by
// downtimeProduct per period elapsed since `period` (§9: +1 per block).
void mine_until_pointer(MarketEnv& env, Marketplace& m, const SlotId& slot,
                        const MarketplaceConfig& cfg, uint64_t period, bool inside) {
  const uint64_t now_period = env.now() / cfg.proofs.period;
  for (int i = 0; i < 300; ++i) {
    uint64_t shift = ((now_period - period) * cfg.proofs.downtime_product) % 256;
    uint64_t pointer = (m.get_pointer(slot) + 256 - shift) % 256;
    if ((pointer < cfg.proofs.downtime) == inside) return;
    env.mine();
  }
  throw std::runtime_error("pointer did not move");
}

TEST_F(MarketErrors, EveryReachableErrorDecodesByName) {
  MarketEnv env({}, /*deploy=*/false);
  const MarketplaceConfig cfg = test::chain_preset("reference");  // 120 s periods, 30 s timeout
  auto deploy_with = [&](MarketplaceConfig c) {
    return [&env, c] {
      deploy_artifact(env.sender(0), "Marketplace", {to_abi(c), env.address(0), env.address(0)},
                      "deploy/refused");
    };
  };
  auto with = [&](auto change) {
    MarketplaceConfig c = cfg;
    change(c);
    return c;
  };
  // --- constructor (§5.5) ---------------------------------------------------------
  run({{"Proofs_InsufficientBlockHeight", deploy_with(cfg)}});  // block 0: not mined yet
  DeploymentPlan plan;
  plan.config = cfg;
  env.deploy(plan);
  run({
      {"Marketplace_RepairRewardPercentageTooHigh",
       deploy_with(with([](auto& c) { c.collateral.repair_reward_percentage = 101; }))},
      {"Marketplace_SlashPercentageTooHigh",
       deploy_with(with([](auto& c) { c.collateral.slash_percentage = 101; }))},
      {"Marketplace_MaximumSlashingTooHigh",
       deploy_with(with([](auto& c) { c.collateral.max_number_of_slashes = 6; }))},  // 6 x 20
      {"Panic(0x11)",  // 20 x 20 overflows the uint8 product
       deploy_with(with([](auto& c) { c.collateral.max_number_of_slashes = 20; }))},
      {"Periods_InvalidSecondsPerPeriod", deploy_with(with([](auto& c) { c.proofs.period = 0; }))},
  });

  Marketplace client = env.market(kClient), host_a = env.market(kHostA),
              host_b = env.market(kHostB), validator = env.market(kValidator),
              stranger = env.market(kStranger);
  const Address market = client.address();
  for (int who : {kClient, kHostA, kHostB, kHostC, kPoor})
    env.token(who).approve(market, Uint256(1'000'000'000), "approve/all");

  // --- requestStorage (§5.2, in check order) --------------------------------------
  const Request req = make_request(env.address(kClient), 0x01);
  const RequestId id = request_id(req);
  const RequestId unknown = request_id(make_request(env.address(kClient), 0x99));
  auto request = [&](int who, auto change) {
    return [&env, &req, who, change] {
      Request r = req;
      r.nonce.fill(0x02);
      change(r);
      env.market(who).request_storage(r);
    };
  };
  auto same = [](Request&) {};
  client.request_storage(req);
  run({
      {"Marketplace_InvalidClientAddress", request(kHostA, same)},
      // The same intent is served by the journal; a second one (another key) reverts.
      {"Marketplace_RequestAlreadyExists", [&] { client.request_storage(req, "again"); }},
      {"Marketplace_InvalidExpiry",
       request(kClient, [](Request& r) { r.expiry = r.ask.duration; })},
      {"Marketplace_InsufficientSlots", request(kClient,
                                                [](Request& r) {
                                                  r.ask.slots = 0;
                                                  r.ask.max_slot_loss = 0;
                                                })},
      {"Marketplace_InvalidMaxSlotLoss",
       request(kClient, [](Request& r) { r.ask.max_slot_loss = 3; })},
      {"Marketplace_InsufficientProofProbability",
       request(kClient, [](Request& r) { r.ask.proof_probability = Uint256(0); })},
      {"Marketplace_InsufficientCollateral",
       request(kClient, [](Request& r) { r.ask.collateral_per_byte = Uint256(0); })},
      {"Marketplace_InsufficientReward",
       request(kClient, [](Request& r) { r.ask.price_per_byte_per_second = Uint256(0); })},
      {"Marketplace_InvalidCid", request(kClient, [](Request& r) { r.content.cid.clear(); })},
      {"Marketplace_DurationExceedsLimit",
       request(kClient, [&](Request& r) { r.ask.duration = cfg.request_duration_limit + 1; })},
      {"ERC20InsufficientAllowance",  // holds tokens, approved nothing
       request(kStranger, [&](Request& r) { r.client = env.address(kStranger); })},
      {"ERC20InsufficientBalance",  // approved, holds no tokens
       request(kPoor, [&](Request& r) { r.client = env.address(kPoor); })},
      // views of an unknown request (getRequest's revert is an answer: nullopt)
      {"Marketplace_UnknownRequest", [&] { client.request_state(unknown); }},
  });
  EXPECT_FALSE(client.get_request(unknown).has_value());

  // --- reserve and fill (fill at the start of a period so the fill proof and the
  // next submission share it) -------------------------------------------------------
  const Periods periods(cfg.proofs.period);
  const SlotId s0 = slot_id(id, 0), s1 = slot_id(id, 1);
  host_b.reserve_slot(id, 0);
  host_a.reserve_slot(id, 0);
  stranger.reserve_slot(id, 1);
  const uint64_t q = periods.period_of(env.now()) + 1;
  env.set_time(periods.start(q) + 1);
  run({
      {"SlotReservations_ReservationNotAllowed", [&] { host_a.reserve_slot(id, 0, "again"); }},
      {"Marketplace_UnknownRequest", [&] { host_a.fill_slot(unknown, 0, kProof); }},
      {"Marketplace_InvalidSlot", [&] { host_a.fill_slot(id, 2, kProof); }},
      {"Marketplace_ReservationRequired", [&] { env.market(kHostC).fill_slot(id, 0, kProof); }},
      {"Proofs_InvalidProof", [&] { host_a.fill_slot(id, 0, kZeroProof); }},
      {"ERC20InsufficientAllowance", [&] { stranger.fill_slot(id, 1, kProof); }},  // collateral
      {"Marketplace_SlotIsFree", [&] { host_a.free_slot(s1); }},
      {"Marketplace_InvalidState", [&] { client.withdraw_funds(id); }},  // New
  });
  EXPECT_FALSE(client.get_active_slot(s1).has_value());  // the revert is an answer
  host_a.fill_slot(id, 0, kProof);
  run({
      {"Marketplace_SlotNotFree", [&] { host_b.fill_slot(id, 0, kProof); }},
      {"Proofs_ProofAlreadySubmitted", [&] { host_a.submit_proof(s0, kProof, q); }},
      {"Marketplace_ProofNotSubmittedByHost", [&] { host_b.submit_proof(s0, kProof, q); }},
      {"Marketplace_UnknownRequest", [&] { host_a.submit_proof(slot_id(unknown, 0), kProof, q); }},
      {"Marketplace_InvalidSlotHost", [&] { host_b.free_slot(s0); }},
      {"Marketplace_SlotNotAcceptingProofs", [&] { validator.mark_proof_as_missing(s1, q); }},
      {"Proofs_PeriodNotEnded", [&] { validator.mark_proof_as_missing(s0, q); }},
      {"Proofs_ValidationTimedOut", [&] { validator.mark_proof_as_missing(s0, q - 2); }},
      {"Marketplace_UnknownRequest", [&] { client.withdraw_funds(unknown); }},
      {"Marketplace_InvalidClientAddress", [&] { host_a.withdraw_funds(id); }},
  });

  // --- period q+1: q's window is open; host A proves nothing valid in q+1 ---------
  env.set_time(periods.end(q) + 1);
  run({
      {"Proofs_ProofNotMissing", [&] { validator.mark_proof_as_missing(s0, q); }},
      {"Proofs_InvalidProof", [&] { host_a.submit_proof(s0, kZeroProof, q + 1); }},
  });
  // --- q+1's window: not required while the pointer is in the downtime (§9) -------
  env.set_time(periods.end(q + 1) + 1);
  mine_until_pointer(env, validator, s0, cfg, q + 1, true);
  EXPECT_EQ(validator.can_mark_proof_as_missing(s0, q + 1, env.address(kValidator)),
            "Proofs_ProofNotRequired");
  covered_.insert("Proofs_ProofNotRequired");
  mine_until_pointer(env, validator, s0, cfg, q + 1, false);
  validator.mark_proof_as_missing(s0, q + 1);
  mine_until_pointer(env, validator, s0, cfg, q + 1, false);
  run({{"Proofs_ProofAlreadyMarkedMissing",
        [&] { validator.mark_proof_as_missing(s0, q + 1, "again"); }}});

  // --- a request that is cancelled: payouts and withdrawal errors ----------------
  // Slot 0 is filled exactly at expiresAt (still New then), so its payout interval
  // is empty: Marketplace_StartNotBeforeExpiry (§7).
  const Request req2 = make_request(env.address(kClient), 0x05, 3);
  const RequestId id2 = request_id(req2);
  client.request_storage(req2);
  const uint64_t expires_at = client.request_expiry(id2);
  host_b.reserve_slot(id2, 1);
  host_b.fill_slot(id2, 1, kProof);
  host_a.reserve_slot(id2, 0);
  env.set_next_block_time(expires_at);
  eth::Receipt late = host_a.fill_slot(id2, 0, kProof);
  ASSERT_EQ(env.block_time(late), expires_at);
  env.set_time(expires_at + 1);
  ASSERT_EQ(client.request_state(id2), RequestState::Cancelled);
  const SlotId c0 = slot_id(id2, 0), c1 = slot_id(id2, 1);
  run({
      {"Marketplace_StartNotBeforeExpiry", [&] { host_a.free_slot(c0); }},
      {"ERC20InvalidReceiver", [&] { host_b.free_slot(c1, Address{}, Address{}); }},
      {"Marketplace_SlotNotFree",
       [&] {                                       // a never-filled slot reads Free until filled:
         env.market(kHostC).reserve_slot(id2, 2);  // reservable, but Cancelled at fill time
         env.market(kHostC).fill_slot(id2, 2, kProof);
       }},
  });
  host_b.free_slot(c1);
  client.withdraw_funds(id2);
  run({
      {"Marketplace_AlreadyPaid", [&] { host_b.free_slot(c1, "again"); }},
      {"Marketplace_NothingToWithdraw", [&] { client.withdraw_funds(id2, "again"); }},
  });

  // --- every error of the compiled ABI is covered or explained ---------------------
  for (const auto& e : client.abi().errors()) {
    bool ok = covered_.count(e.name) || kUnreachable.count(e.name);
    EXPECT_TRUE(ok) << e.name << " is neither provoked nor listed as unreachable";
    EXPECT_FALSE(covered_.count(e.name) && kUnreachable.count(e.name)) << e.name;
  }
  EXPECT_EQ(client.abi().errors().size(), 37u);
}

}  // namespace
}  // namespace codex::market
