// Every revert of the marketplace model, function by function, in the
// contract's check order (spec/marketplace.md §5.2, §5.5, §7; OpenZeppelin 5.5
// for the token), and that a revert leaves nothing behind: no block, no state,
// no event, no token moved.
#include <gtest/gtest.h>

#include "agent/market/periods.h"
#include "tests/agent/support/market_model_world.h"

namespace codex::market {
namespace {

using test::error_of;
using test::kValidProof;
using test::kZeroProof;
using test::ModelWorld;

constexpr int kClient = 1, kHost = 2, kOther = 3, kValidator = 4;

std::string what_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const MarketError& e) {
    return e.what();
  }
  return "";
}

std::string construct(MarketplaceConfig c) {
  base::ManualClock clock(base::Millis(1'000'000));
  model::ModelOptions o;
  o.config = c;
  return error_of([&] { model::MarketModel m(o, clock); });
}

TEST(MarketModelErrors, ConstructorChecksTheConfigurationInSolidityOrder) {
  MarketplaceConfig ok = test::devnet_config();
  EXPECT_EQ(construct(ok), "");
  MarketplaceConfig c = ok;
  c.proofs.period = 0;
  c.collateral.repair_reward_percentage = 101;
  EXPECT_EQ(construct(c), "Periods_InvalidSecondsPerPeriod") << "base constructors first";
  c = ok;
  c.collateral.repair_reward_percentage = 101;
  c.collateral.slash_percentage = 101;
  EXPECT_EQ(construct(c), "Marketplace_RepairRewardPercentageTooHigh");
  c = ok;
  c.collateral.slash_percentage = 101;
  EXPECT_EQ(construct(c), "Marketplace_SlashPercentageTooHigh");
  c = ok;
  c.collateral.max_number_of_slashes = 6;  // 6 * 20 = 120: fits uint8, above 100
  EXPECT_EQ(construct(c), "Marketplace_MaximumSlashingTooHigh");
  c.collateral.max_number_of_slashes = 13;  // 13 * 20 = 260: the uint8 product overflows
  EXPECT_EQ(construct(c), "Panic(0x11)");

  base::ManualClock clock(base::Millis(1'000'000));
  model::ModelOptions o;
  o.config = ok;
  o.history.resize(256);
  for (uint64_t i = 0; i < 256; ++i)
    o.history[i] = model::Block{i, 1000, Hash{1}};
  EXPECT_EQ(error_of([&] { model::MarketModel m(o, clock); }), "Proofs_InsufficientBlockHeight")
      << "a chain from genesis to block 255 deploys in block 256";
  o.history.push_back(model::Block{256, 1000, Hash{1}});
  EXPECT_EQ(error_of([&] { model::MarketModel m(o, clock); }), "");
  o.history.erase(o.history.begin());
  EXPECT_THROW(model::MarketModel(o, clock), std::invalid_argument)
      << "256 blocks that do not start at genesis";
}

TEST(MarketModelErrors, RequestStorageChecksInOrderThenPays) {
  ModelWorld w;
  MarketApi& client = w.api(kClient);
  auto req = [&](auto&& change) {
    Request r = w.request(kClient, 3, 600, 300, 9);
    change(r);
    return error_of([&] { client.execute(RequestStorage{r}); });
  };
  EXPECT_EQ(req([&](Request& r) {
              r.client = w.address(kOther);
              r.ask.slots = 0;
            }),
            "Marketplace_InvalidClientAddress");
  EXPECT_EQ(req([](Request& r) { r.expiry = 0; }), "Marketplace_InvalidExpiry");
  EXPECT_EQ(req([](Request& r) { r.expiry = r.ask.duration; }), "Marketplace_InvalidExpiry");
  EXPECT_EQ(req([](Request& r) {
              r.ask.slots = 0;
              r.ask.max_slot_loss = 0;
            }),
            "Marketplace_InsufficientSlots");
  EXPECT_EQ(req([](Request& r) { r.ask.max_slot_loss = 4; }), "Marketplace_InvalidMaxSlotLoss");
  EXPECT_EQ(req([](Request& r) {
              r.ask.duration = 0;
              r.expiry = 0;
            }),
            "Marketplace_InvalidExpiry")
      << "a zero duration fails the expiry check first";
  EXPECT_EQ(req([](Request& r) { r.ask.proof_probability = 0; }),
            "Marketplace_InsufficientProofProbability");
  EXPECT_EQ(req([](Request& r) { r.ask.collateral_per_byte = 0; }),
            "Marketplace_InsufficientCollateral");
  EXPECT_EQ(req([](Request& r) { r.ask.price_per_byte_per_second = 0; }),
            "Marketplace_InsufficientReward");
  EXPECT_EQ(req([](Request& r) { r.content.cid.clear(); }), "Marketplace_InvalidCid");
  EXPECT_EQ(req([&](Request& r) { r.ask.duration = w.config().request_duration_limit + 1; }),
            "Marketplace_DurationExceedsLimit");
  EXPECT_EQ(req([](Request& r) {
              r.ask.price_per_byte_per_second = Uint256::from_string("0x" + std::string(63, 'f'));
            }),
            "Panic(0x11)")
      << "maxPrice overflows 256 bits";

  // The token: allowance first, then balance, with OpenZeppelin's arguments.
  const Request r = w.request(kClient, 3, 600, 300, 9);
  const Uint256 max = max_price(r.ask);
  w.approve(kClient, max - Uint256(1));
  EXPECT_EQ(what_of([&] { client.execute(RequestStorage{r}); }),
            "marketplace requestStorage reverted: ERC20InsufficientAllowance(" +
                w.model().marketplace_address().hex() + ", " + (max - Uint256(1)).to_dec() + ", " +
                max.to_dec() + ")");
  Request rich = r;
  rich.ask.price_per_byte_per_second = Uint256(1'000'000'000'000);
  const Uint256 rich_max = max_price(rich.ask);
  w.approve(kClient, rich_max);
  EXPECT_EQ(what_of([&] { client.execute(RequestStorage{rich}); }),
            "marketplace requestStorage reverted: ERC20InsufficientBalance(" +
                w.address(kClient).hex() + ", " + Uint256(ModelWorld::kFunds).to_dec() + ", " +
                rich_max.to_dec() + ")");

  // A revert leaves nothing: no block, no request, no listing, no tokens moved.
  const model::Block before = w.model().latest_block();
  EXPECT_FALSE(client.get_request(request_id(rich)));
  EXPECT_TRUE(client.my_requests().empty());
  EXPECT_EQ(w.model().latest_block().number, before.number);
  EXPECT_EQ(w.market_balance(), Uint256(0));
  EXPECT_EQ(client.token_allowance(w.address(kClient), w.model().marketplace_address()), rich_max);

  w.request_storage(r, kClient);
  w.approve(kClient, max);
  EXPECT_EQ(error_of([&] { client.execute(RequestStorage{r}, "request/again"); }),
            "Marketplace_RequestAlreadyExists");
}

TEST(MarketModelErrors, ReservationsAndFills) {
  ModelWorld w;
  const Request r = w.request(kClient, 2, 600, 100, 4);
  const RequestId id = request_id(r);
  // Reserving needs no known request (§5.2), filling does.
  EXPECT_NO_THROW(w.reserve(kHost, RequestId{7}, 5));
  EXPECT_EQ(error_of([&] {
              w.api(kHost).execute(FillSlot{RequestId{7}, 5, kValidProof});
            }),
            "Marketplace_UnknownRequest");
  w.request_storage(r, kClient);
  EXPECT_EQ(error_of([&] {
              w.api(kHost).execute(FillSlot{id, 2, kValidProof});
            }),
            "Marketplace_InvalidSlot");
  EXPECT_EQ(error_of([&] {
              w.api(kHost).execute(FillSlot{id, 0, kValidProof});
            }),
            "Marketplace_ReservationRequired");
  w.reserve(kHost, id, 0);
  EXPECT_EQ(error_of([&] {
              w.api(kHost).execute(FillSlot{id, 0, kZeroProof});
            }),
            "Proofs_InvalidProof");
  EXPECT_EQ(error_of([&] {
              w.api(kHost).execute(FillSlot{id, 0, kValidProof});
            }),
            "ERC20InsufficientAllowance");
  EXPECT_EQ(w.api(0).slot_state(slot_id(id, 0)), SlotState::Free) << "nothing stored";
  w.fill(kHost, r, 0);
  EXPECT_FALSE(w.api(kOther).can_reserve_slot(id, 0)) << "filled";
  EXPECT_EQ(error_of([&] { w.reserve(kOther, id, 0); }), "SlotReservations_ReservationNotAllowed");
  EXPECT_EQ(error_of([&] { w.fill(kHost, r, 0); }), "Marketplace_SlotNotFree");

  // A slot freed and refilled in the same period: its proof of this period is in.
  w.api(kHost).execute(FreeSlot{slot_id(id, 0), {}}, "abandon");
  w.reserve(kOther, id, 0);
  EXPECT_EQ(error_of([&] { w.fill(kOther, r, 0); }), "Proofs_ProofAlreadySubmitted");
  w.advance(w.config().proofs.period);
  w.fill(kOther, r, 0, collateral_per_slot(r.ask));
}

TEST(MarketModelErrors, ARepairFillAtTheRequestsEndHasNothingToPay) {
  ModelWorld w;
  Request r = w.request(kClient, 1, 600, 100, 5);
  r.ask.max_slot_loss = 1;
  const RequestId id = request_id(r);
  w.request_storage(r, kClient);
  const uint64_t ends_at = w.api(0).request_end(id);
  w.reserve(kHost, id, 0);
  w.fill(kHost, r, 0);
  w.model().forcibly_free_slot(w.address(kValidator), slot_id(id, 0));
  w.reserve(kOther, id, 0);
  w.set_time(ends_at);
  EXPECT_EQ(error_of([&] { w.fill(kOther, r, 0); }), "Marketplace_StartNotBeforeExpiry");
}

TEST(MarketModelErrors, ProofsAndMissingProofs) {
  ModelWorld w;
  const Periods periods(w.config().proofs.period);
  const Request r = w.request(kClient, 1, 600, 100, 6);
  const RequestId id = request_id(r);
  const SlotId s = slot_id(id, 0);
  EXPECT_EQ(error_of([&] { w.prove(kHost, s); }), "Marketplace_UnknownRequest");
  EXPECT_EQ(w.api(0).can_mark_proof_as_missing(s, 0), "Marketplace_SlotNotAcceptingProofs");
  w.request_storage(r, kClient);
  w.reserve(kHost, id, 0);
  w.fill(kHost, r, 0);
  const uint64_t fill_period = periods.period_of(w.now());
  EXPECT_EQ(error_of([&] { w.prove(kOther, s); }), "Marketplace_ProofNotSubmittedByHost");
  EXPECT_EQ(error_of([&] { w.prove(kHost, s); }), "Proofs_ProofAlreadySubmitted")
      << "the fill proof counts for its period";
  w.set_time(periods.start(fill_period + 1));
  EXPECT_EQ(error_of([&] {
              w.api(kHost).execute(SubmitProof{s, kZeroProof, 0});
            }),
            "Proofs_InvalidProof");

  // The period of the fill is never required; nor one that has not ended.
  w.set_time(periods.end(fill_period) + 1);
  EXPECT_EQ(w.api(0).can_mark_proof_as_missing(s, fill_period), "Proofs_ProofNotMissing")
      << "the fill proof counts for its period";
  EXPECT_EQ(w.api(0).can_mark_proof_as_missing(s, fill_period + 1), "Proofs_PeriodNotEnded");
  EXPECT_EQ(w.api(0).can_mark_proof_as_missing(s, fill_period - 1), "Proofs_ValidationTimedOut");
  EXPECT_EQ(w.api(0).can_mark_proof_as_missing(s, ~uint64_t{0}), "Panic(0x11)")
      << "periodEnd of the last period overflows uint64";

  // Inside the window: not required while the pointer is in the downtime.
  const uint64_t p = fill_period + 1;
  w.set_time(periods.end(p) + 1);
  int refused = 0, marked = 0;
  for (int i = 0; i < 256 && !marked; ++i) {
    auto err = w.api(0).can_mark_proof_as_missing(s, p);
    // §9: the pointer of period p with the block the call runs in (pending)
    const uint64_t block = w.model().block_number(At::kPending);
    const uint8_t pointer =
        uint8_t((block % 256 + (p % 256) * w.config().proofs.downtime_product % 256 + s[31]) % 256);
    if (err) {
      EXPECT_EQ(*err, "Proofs_ProofNotRequired");
      EXPECT_LT(pointer, w.config().proofs.downtime);
      EXPECT_EQ(error_of([&] {
                  w.api(kValidator).execute(MarkProofAsMissing{s, p});
                }),
                "Proofs_ProofNotRequired");
      ++refused;
      w.model().mine();
    } else {
      EXPECT_GE(pointer, w.config().proofs.downtime);
      w.api(kValidator).execute(MarkProofAsMissing{s, p});
      ++marked;
    }
  }
  EXPECT_EQ(marked, 1);
  EXPECT_EQ(error_of([&] {
              w.api(kValidator).execute(MarkProofAsMissing{s, p}, "again");
            }),
            "Proofs_ProofAlreadyMarkedMissing");
  w.set_time(periods.end(p) + w.config().proofs.timeout);
  EXPECT_EQ(w.api(0).can_mark_proof_as_missing(s, p), "Proofs_ValidationTimedOut");
}

TEST(MarketModelErrors, FreeSlotWithdrawApproveAndForcedFree) {
  ModelWorld w;
  const Request r = w.request(kClient, 2, 600, 100, 8);
  const RequestId id = request_id(r);
  const SlotId s = slot_id(id, 0);
  EXPECT_EQ(error_of([&] { w.api(kHost).execute(FreeSlot{s, {}}); }), "Marketplace_SlotIsFree");
  EXPECT_EQ(error_of([&] {
              w.api(kClient).execute(WithdrawFunds{id, {}});
            }),
            "Marketplace_UnknownRequest");
  EXPECT_EQ(error_of([&] { w.model().forcibly_free_slot(w.address(kOther), s); }),
            "Marketplace_StartNotBeforeExpiry")
      << "a free slot has no pay to return";
  EXPECT_EQ(error_of([&] {
              w.api(kClient).execute(ApproveTokens{Address{}, Uint256(1)}, "approve/zero");
            }),
            "ERC20InvalidSpender");
  EXPECT_THROW(w.api(kClient).submit(ApproveTokens{w.address(kHost), Uint256(1)}),
               std::invalid_argument)
      << "an approval needs a key";

  w.request_storage(r, kClient);
  EXPECT_EQ(error_of([&] {
              w.api(kOther).execute(WithdrawFunds{id, {}});
            }),
            "Marketplace_InvalidClientAddress");
  EXPECT_EQ(error_of([&] {
              w.api(kClient).execute(WithdrawFunds{id, {}});
            }),
            "Marketplace_InvalidState");
  w.reserve(kHost, id, 0);
  w.fill(kHost, r, 0);
  EXPECT_EQ(error_of([&] {
              w.api(kOther).execute(FreeSlot{s, {}});
            }),
            "Marketplace_InvalidSlotHost");

  // Cancelled: the host is paid to expiry; a zero recipient is refused by the token.
  w.set_time(w.api(0).request_expiry(id) + 1);
  EXPECT_EQ(error_of([&] {
              w.api(kHost).execute(FreeSlot{s, std::pair{Address{}, w.address(kHost)}});
            }),
            "ERC20InvalidReceiver");
  w.api(kHost).execute(FreeSlot{s, {}});
  EXPECT_EQ(error_of([&] {
              w.api(kHost).execute(FreeSlot{s, {}}, "again");
            }),
            "Marketplace_AlreadyPaid");
  EXPECT_EQ(error_of([&] {
              w.api(kClient).execute(WithdrawFunds{id, Address{}});
            }),
            "ERC20InvalidReceiver");
  w.api(kClient).execute(WithdrawFunds{id, {}});
  EXPECT_EQ(error_of([&] {
              w.api(kClient).execute(WithdrawFunds{id, {}}, "again");
            }),
            "Marketplace_NothingToWithdraw");
}

TEST(MarketModelErrors, ViewsRevertLikeTheContract) {
  ModelWorld w;
  const RequestId unknown{42};
  MarketApi& api = w.api(kClient);
  EXPECT_FALSE(api.get_request(unknown));
  EXPECT_EQ(error_of([&] { api.request_state(unknown); }), "Marketplace_UnknownRequest");
  EXPECT_EQ(error_of([&] { api.request_end(unknown); }), "Marketplace_UnknownRequest");
  EXPECT_EQ(api.request_expiry(unknown), 0u);
  EXPECT_EQ(api.slot_state(slot_id(unknown, 0)), SlotState::Free);
  EXPECT_FALSE(api.get_active_slot(slot_id(unknown, 0)));
  EXPECT_EQ(api.get_host(slot_id(unknown, 0)), Address{});
  EXPECT_EQ(api.slot_probability(slot_id(unknown, 0)), Uint256(0));
  EXPECT_FALSE(api.is_proof_required(slot_id(unknown, 0)));
}

}  // namespace
}  // namespace codex::market
