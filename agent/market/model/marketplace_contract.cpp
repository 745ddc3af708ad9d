// The transactions of Marketplace.sol / TestMarketplace.sol, in the contract's
// statement order (views and Proofs.sol are in marketplace_views.cpp).
#include "agent/market/model/marketplace_contract.h"

#include "agent/market/model/revert.h"

namespace codex::market::model {

bool test_verifier_accepts(const Groth16Proof& p) {
  for (const Uint256* v :
       {&p.a.x, &p.a.y, &p.b.x.real, &p.b.x.imag, &p.b.y.real, &p.b.y.imag, &p.c.x, &p.c.y})
    if (!v->is_zero()) return true;
  return false;
}

MarketplaceContract::MarketplaceContract(const MarketplaceConfig& config, Address self,
                                         ModelToken& token, const VirtualChain& chain,
                                         uint64_t block_number, ProofVerifier verifier)
    : config_(config), self_(self), token_(token), chain_(chain), verifier_(std::move(verifier)) {
  // Base constructors first (SlotReservations, Periods, Proofs), then Marketplace's.
  if (config.proofs.period == 0) revert("Periods_InvalidSecondsPerPeriod");
  if (block_number <= 256) revert("Proofs_InsufficientBlockHeight");
  const auto& col = config.collateral;
  if (col.repair_reward_percentage > 100) revert("Marketplace_RepairRewardPercentageTooHigh");
  if (col.slash_percentage > 100) revert("Marketplace_SlashPercentageTooHigh");
  const unsigned product = unsigned(col.max_number_of_slashes) * col.slash_percentage;
  if (product > 255) panic(kPanicArithmetic);  // a uint8 product
  if (product > 100) revert("Marketplace_MaximumSlashingTooHigh");
}

// ---- storage access ---------------------------------------------------------

const MarketplaceContract::RequestEntry* MarketplaceContract::find_request(
    const RequestId& id) const {
  auto it = requests_.find(id);
  return it == requests_.end() ? nullptr : &it->second;
}

MarketplaceContract::RequestEntry& MarketplaceContract::known_request(const RequestId& id) {
  auto it = requests_.find(id);
  if (it == requests_.end()) revert("Marketplace_UnknownRequest");
  return it->second;
}

MarketplaceContract::RequestEntry& MarketplaceContract::context(const RequestId& id, Rollback&) {
  // Written only for known requests: every path that reaches a context write
  // for an unknown id reverts first (StartNotBeforeExpiry with endsAt 0).
  return known_request(id);
}

const MarketplaceContract::SlotEntry* MarketplaceContract::find_slot(const SlotId& id) const {
  auto it = slots_.find(id);
  return it == slots_.end() ? nullptr : &it->second;
}

MarketplaceContract::SlotEntry& MarketplaceContract::slot_for_write(const SlotId& id,
                                                                    Rollback& rb) {
  auto [it, inserted] = slots_.try_emplace(id);
  if (inserted) rb.on_undo([this, id] { slots_.erase(id); });
  return it->second;
}

IdSet& MarketplaceContract::set_for_write(std::unordered_map<Address, IdSet, IdHash>& sets,
                                          const Address& who, Rollback& rb) {
  auto [it, inserted] = sets.try_emplace(who);
  if (inserted) rb.on_undo([&sets, who] { sets.erase(who); });
  return it->second;
}

// ---- requestStorage -----------------------------------------------------------

void MarketplaceContract::request_storage(const Call& c, const Request& request) {
  Rollback& rb = *c.rollback;
  const RequestId id = request_id(request);
  const Ask& ask = request.ask;
  if (request.client != c.sender) revert("Marketplace_InvalidClientAddress");
  if (find_request(id)) revert("Marketplace_RequestAlreadyExists");
  if (request.expiry == 0 || request.expiry >= ask.duration) revert("Marketplace_InvalidExpiry");
  if (ask.slots == 0) revert("Marketplace_InsufficientSlots");
  if (ask.max_slot_loss > ask.slots) revert("Marketplace_InvalidMaxSlotLoss");
  if (ask.duration == 0) revert("Marketplace_InsufficientDuration");
  if (ask.proof_probability.is_zero()) revert("Marketplace_InsufficientProofProbability");
  if (ask.collateral_per_byte.is_zero()) revert("Marketplace_InsufficientCollateral");
  if (ask.price_per_byte_per_second.is_zero()) revert("Marketplace_InsufficientReward");
  if (request.content.cid.empty()) revert("Marketplace_InvalidCid");
  if (ask.duration > config_.request_duration_limit) revert("Marketplace_DurationExceedsLimit");

  auto [it, inserted] = requests_.try_emplace(id);
  rb.on_undo([this, id] { requests_.erase(id); });  // a new entry: its writes go with it
  RequestEntry& r = it->second;
  r.request = request;
  r.ends_at = add64(c.block.timestamp, ask.duration);
  r.expires_at = add64(c.block.timestamp, request.expiry);
  set_for_write(requests_per_client_, request.client, rb).add(id, rb);

  const Uint256 amount = max_price(ask);
  r.funds_to_return_to_client = amount;
  rb.set(totals_.received, totals_.received + amount);
  emit(c, StorageRequested{id, ask, r.expires_at});
  token_.transfer_from(self_, c.sender, self_, amount, rb);
}

// ---- reserveSlot (SlotReservations.sol) --------------------------------------

void MarketplaceContract::reserve_slot(const Call& c, const RequestId& id, uint64_t slot_index) {
  if (!can_reserve_slot(c, id, slot_index)) revert("SlotReservations_ReservationNotAllowed");
  Rollback& rb = *c.rollback;
  SlotEntry& s = slot_for_write(slot_id(id, slot_index), rb);
  s.reservations.push_back(c.sender);
  rb.on_undo([&s] { s.reservations.pop_back(); });
  if (s.reservations.size() == config_.max_reservations)
    emit(c, SlotReservationsFull{id, slot_index});
}

// ---- fillSlot -------------------------------------------------------------------

void MarketplaceContract::fill_slot(const Call& c, const RequestId& id, uint64_t slot_index,
                                    const Groth16Proof& proof) {
  Rollback& rb = *c.rollback;
  RequestEntry& r = known_request(id);
  const Ask ask = r.request.ask;
  if (slot_index >= ask.slots) revert("Marketplace_InvalidSlot");
  const SlotId sid = slot_id(id, slot_index);
  const SlotEntry* existing = find_slot(sid);
  bool reserved = false;
  if (existing)
    for (const Address& a : existing->reservations)
      reserved = reserved || a == c.sender;
  if (!reserved) revert("Marketplace_ReservationRequired");

  SlotEntry& s = slot_for_write(sid, rb);
  rb.set(s.request_id, id);
  rb.set(s.slot_index, slot_index);
  // with the request id stored, an expired or ended request reads as not free
  const SlotState state = slot_state(c, sid);
  if (state != SlotState::Free && state != SlotState::Repair) revert("Marketplace_SlotNotFree");

  rb.set(s.host, c.sender);
  rb.set(s.filled_at, c.block.timestamp);
  rb.set(s.slot_start, c.block.timestamp);  // _startRequiringProofs
  proof_received(c, sid, proof, public_inputs(c, sid));

  rb.set(r.slots_filled, add64(r.slots_filled, 1));
  rb.set(r.funds_to_return_to_client, r.funds_to_return_to_client - slot_payout(id, s.filled_at));

  const Uint256 collateral = collateral_per_slot(ask);
  Uint256 deposit = collateral;
  if (state == SlotState::Repair)
    deposit =
        deposit - (collateral * Uint256(config_.collateral.repair_reward_percentage)).div_u64(100);
  rb.set(totals_.received, totals_.received + deposit);
  rb.set(s.current_collateral, collateral);
  set_for_write(slots_per_host_, c.sender, rb).add(sid, rb);
  rb.set(s.state, SlotState::Filled);
  emit(c, SlotFilled{id, slot_index});

  if (r.slots_filled == ask.slots && r.state == RequestState::New) {
    rb.set(r.state, RequestState::Started);
    rb.set(r.started_at, c.block.timestamp);
    emit(c, RequestFulfilled{id});
  }
  token_.transfer_from(self_, c.sender, self_, deposit, rb);
}

// ---- submitProof / markProofAsMissing ------------------------------------------

void MarketplaceContract::submit_proof(const Call& c, const SlotId& id, const Groth16Proof& proof) {
  const SlotEntry* s = find_slot(id);
  if (!s || !find_request(s->request_id)) revert("Marketplace_UnknownRequest");
  if (s->host != c.sender) revert("Marketplace_ProofNotSubmittedByHost");
  proof_received(c, id, proof, public_inputs(c, id));
}

void MarketplaceContract::mark_proof_as_missing(const Call& c, const SlotId& id, uint64_t period) {
  Rollback& rb = *c.rollback;
  if (const char* error = can_mark_proof_as_missing(c, id, period)) revert(error);
  SlotEntry& s = slot_for_write(id, rb);
  set_mark(s, period, &PeriodMarks::missing, c);
  rb.set(s.missed, add64(s.missed, 1));

  const Ask& ask = get_request(s.request_id).ask;
  const Uint256 slashed =
      (collateral_per_slot(ask) * Uint256(config_.collateral.slash_percentage)).div_u64(100);
  const Uint256 reward =
      (slashed * Uint256(config_.collateral.validator_reward_percentage)).div_u64(100);
  rb.set(s.current_collateral, s.current_collateral - slashed);
  rb.set(totals_.sent, totals_.sent + reward);
  if (s.missed >= config_.collateral.max_number_of_slashes) forcibly_free_slot(c, id);
  token_.transfer(self_, c.sender, reward, rb);
}

// ---- freeSlot and the forcible free ---------------------------------------------

void MarketplaceContract::free_slot(const Call& c, const SlotId& id,
                                    const Address& reward_recipient,
                                    const Address& collateral_recipient) {
  const SlotEntry* s = find_slot(id);
  if (!s || s->state == SlotState::Free) revert("Marketplace_SlotIsFree");
  if (s->host != c.sender) revert("Marketplace_InvalidSlotHost");
  const SlotState state = slot_state(c, id);
  if (state == SlotState::Paid) revert("Marketplace_AlreadyPaid");

  if (state == SlotState::Finished) {
    payout_slot(c, id, reward_recipient, collateral_recipient, false);
  } else if (state == SlotState::Cancelled) {
    payout_slot(c, id, reward_recipient, collateral_recipient, true);
  } else if (state == SlotState::Failed) {
    auto it = slots_per_host_.find(c.sender);
    if (it != slots_per_host_.end()) it->second.remove(id, *c.rollback);
  } else if (state == SlotState::Filled) {
    forcibly_free_slot(c, id);  // the host abandons the slot and loses its collateral
  }
}

void MarketplaceContract::forcibly_free_slot(const Call& c, const SlotId& id) {
  Rollback& rb = *c.rollback;
  const SlotEntry* existing = find_slot(id);
  const RequestId request = existing ? existing->request_id : RequestId{};
  const RequestEntry* known = find_request(request);
  // _slotPayout(requestId, filledAt) against endsAt (0 for an unknown request)
  const Uint256 payout =
      slot_payout(request, existing ? existing->filled_at : 0, known ? known->ends_at : 0);
  RequestEntry& r = context(request, rb);
  SlotEntry& s = slot_for_write(id, rb);
  rb.set(r.funds_to_return_to_client, r.funds_to_return_to_client + payout);
  if (auto it = slots_per_host_.find(s.host); it != slots_per_host_.end())
    it->second.remove(id, rb);
  rb.set(s.reservations, std::vector<Address>{});

  rb.set(s.state, SlotState::Repair);
  rb.set(s.filled_at, uint64_t{0});
  rb.set(s.current_collateral, Uint256());
  rb.set(s.host, Address{});
  rb.set(r.slots_filled, sub64(r.slots_filled, 1));
  emit(c, SlotFreed{request, s.slot_index});
  rb.set(s.missed, uint64_t{0});

  const Ask& ask = r.request.ask;
  const uint64_t slots_lost = sub64(ask.slots, r.slots_filled);
  if (slots_lost > ask.max_slot_loss && r.state == RequestState::Started) {
    rb.set(r.state, RequestState::Failed);
    rb.set(r.ends_at, sub64(c.block.timestamp, 1));
    emit(c, RequestFailed{request});
  }
}

void MarketplaceContract::payout_slot(const Call& c, const SlotId& id,
                                      const Address& reward_recipient,
                                      const Address& collateral_recipient, bool cancelled) {
  Rollback& rb = *c.rollback;
  SlotEntry& s = slot_for_write(id, rb);
  const RequestId request = s.request_id;
  RequestEntry& r = context(request, rb);
  Uint256 payout;
  if (cancelled) {
    payout = slot_payout(request, s.filled_at, r.expires_at);
  } else {
    rb.set(r.state, RequestState::Finished);
    if (auto it = requests_per_client_.find(r.request.client); it != requests_per_client_.end())
      it->second.remove(request, rb);
    payout = slot_payout(request, s.filled_at);
  }
  if (auto it = slots_per_host_.find(s.host); it != slots_per_host_.end())
    it->second.remove(id, rb);
  const Uint256 collateral = s.current_collateral;
  rb.set(totals_.sent, totals_.sent + (payout + collateral));
  rb.set(s.state, SlotState::Paid);
  token_.transfer(self_, reward_recipient, payout, rb);
  token_.transfer(self_, collateral_recipient, collateral, rb);
}

// ---- withdrawFunds -----------------------------------------------------------------

void MarketplaceContract::withdraw_funds(const Call& c, const RequestId& id,
                                         const Address& recipient) {
  Rollback& rb = *c.rollback;
  RequestEntry& r = known_request(id);
  if (r.request.client != c.sender) revert("Marketplace_InvalidClientAddress");
  const RequestState state = request_state(c, id);
  if (state != RequestState::Cancelled && state != RequestState::Failed &&
      state != RequestState::Finished)
    revert("Marketplace_InvalidState");
  if (r.funds_to_return_to_client.is_zero()) revert("Marketplace_NothingToWithdraw");

  if (state == RequestState::Cancelled) {
    rb.set(r.state, RequestState::Cancelled);
    emit(c, RequestCancelled{id});
    // hosts keep only their pay up to expiry
    rb.set(r.funds_to_return_to_client,
           r.funds_to_return_to_client + Uint256(r.slots_filled) * slot_payout(id, r.expires_at));
  } else if (state == RequestState::Failed) {
    rb.set(r.funds_to_return_to_client, max_price(r.request.ask));
  } else {
    rb.set(r.state, RequestState::Finished);
  }
  if (auto it = requests_per_client_.find(r.request.client); it != requests_per_client_.end())
    it->second.remove(id, rb);

  const Uint256 amount = r.funds_to_return_to_client;
  rb.set(totals_.sent, totals_.sent + amount);
  rb.set(r.funds_to_return_to_client, Uint256());
  token_.transfer(self_, recipient, amount, rb);
}

// ---- payouts --------------------------------------------------------------------------

Uint256 MarketplaceContract::slot_payout(const RequestId& id, uint64_t start) const {
  const RequestEntry* r = find_request(id);
  return slot_payout(id, start, r ? r->ends_at : 0);
}

Uint256 MarketplaceContract::slot_payout(const RequestId& id, uint64_t start, uint64_t end) const {
  if (start >= end) revert("Marketplace_StartNotBeforeExpiry");
  return Uint256(end - start) * price_per_slot_per_second(get_request(id).ask);
}

}  // namespace codex::market::model
