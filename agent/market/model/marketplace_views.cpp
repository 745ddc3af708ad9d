// The views of Marketplace.sol and the proof bookkeeping of Proofs.sol /
// Periods.sol (spec §5.3, §8, §9).
#include <algorithm>
#include <array>

#include "agent/market/model/marketplace_contract.h"
#include "agent/market/model/revert.h"
#include "agent/market/periods.h"

namespace codex::market::model {

// ---- requests and slots -------------------------------------------------------

const Request& MarketplaceContract::get_request(const RequestId& id) const {
  const RequestEntry* r = find_request(id);
  if (!r) revert("Marketplace_UnknownRequest");
  return r->request;
}

bool MarketplaceContract::request_known(const RequestId& id) const {
  return find_request(id) != nullptr;
}

RequestState MarketplaceContract::request_state(const Call& c, const RequestId& id) const {
  const RequestEntry* r = find_request(id);
  if (!r) revert("Marketplace_UnknownRequest");
  return request_state_of(c, *r);
}

RequestState MarketplaceContract::request_state_of(const Call& c, const RequestEntry& r) const {
  const uint64_t now = c.block.timestamp;
  if (r.state == RequestState::New && now > r.expires_at) return RequestState::Cancelled;
  if ((r.state == RequestState::New || r.state == RequestState::Started) && now > r.ends_at)
    return RequestState::Finished;
  return r.state;
}

uint64_t MarketplaceContract::request_end(const Call& c, const RequestId& id) const {
  const RequestState state = request_state(c, id);
  const RequestEntry& r = *find_request(id);
  if (state == RequestState::New || state == RequestState::Started) return r.ends_at;
  if (state == RequestState::Cancelled) return r.expires_at;
  return std::min(r.ends_at, c.block.timestamp);
}

uint64_t MarketplaceContract::request_expiry(const RequestId& id) const {
  const RequestEntry* r = find_request(id);
  return r ? r->expires_at : 0;
}

SlotState MarketplaceContract::slot_state(const Call& c, const SlotId& id) const {
  return slot_view(c, find_slot(id)).first;
}

std::pair<SlotState, const MarketplaceContract::RequestEntry*> MarketplaceContract::slot_view(
    const Call& c, const SlotEntry* s) const {
  if (!s || s->request_id == RequestId{}) return {SlotState::Free, nullptr};
  const RequestEntry* r = find_request(s->request_id);
  if (!r) revert("Marketplace_UnknownRequest");  // a stored request id is always known
  if (s->state == SlotState::Paid) return {SlotState::Paid, r};
  switch (request_state_of(c, *r)) {
    case RequestState::Cancelled:
      return {SlotState::Cancelled, r};
    case RequestState::Finished:
      return {SlotState::Finished, r};
    case RequestState::Failed:
      return {SlotState::Failed, r};
    default:
      return {s->state, r};
  }
}

Address MarketplaceContract::get_host(const SlotId& id) const {
  const SlotEntry* s = find_slot(id);
  return s ? s->host : Address{};
}

Uint256 MarketplaceContract::current_collateral(const SlotId& id) const {
  const SlotEntry* s = find_slot(id);
  return s ? s->current_collateral : Uint256();
}

std::pair<const Request*, uint64_t> MarketplaceContract::get_active_slot(const SlotId& id) const {
  const SlotEntry* s = find_slot(id);
  if (!s || s->state == SlotState::Free) revert("Marketplace_SlotIsFree");
  return {&get_request(s->request_id), s->slot_index};
}

bool MarketplaceContract::can_reserve_slot(const Call& c, const RequestId& id,
                                           uint64_t slot_index) const {
  const SlotId sid = slot_id(id, slot_index);
  const SlotState state = slot_state(c, sid);
  const SlotEntry* s = find_slot(sid);
  const size_t reserved = s ? s->reservations.size() : 0;
  return (state == SlotState::Free || state == SlotState::Repair) &&
         reserved < config_.max_reservations &&
         !(s && std::find(s->reservations.begin(), s->reservations.end(), c.sender) !=
                    s->reservations.end());
}

const std::vector<RequestId>& MarketplaceContract::my_requests(const Address& who) const {
  static const std::vector<RequestId> kNone;
  auto it = requests_per_client_.find(who);
  return it == requests_per_client_.end() ? kNone : it->second.values();
}

const std::vector<SlotId>& MarketplaceContract::my_slots(const Address& who) const {
  static const std::vector<SlotId> kNone;
  auto it = slots_per_host_.find(who);
  return it == slots_per_host_.end() ? kNone : it->second.values();
}

Uint256 MarketplaceContract::slot_probability(const SlotId& id) const {
  const SlotEntry* s = find_slot(id);
  return probability_of(s ? find_request(s->request_id) : nullptr);
}

Uint256 MarketplaceContract::probability_of(const RequestEntry* r) const {
  const Uint256 probability = r ? r->request.ask.proof_probability : Uint256();
  return (probability * Uint256(256 - config_.proofs.downtime)).div_u64(256);
}

uint64_t MarketplaceContract::missing_proofs(const SlotId& id) const {
  const SlotEntry* s = find_slot(id);
  return s ? s->missed : 0;
}

// ---- Proofs.sol: pointer, challenge, requirement ------------------------------------

uint64_t MarketplaceContract::period_end(uint64_t period) const {
  return mul64(add64(period, 1), config_.proofs.period);
}

uint8_t MarketplaceContract::pointer(const Call& c, const SlotId& id, uint64_t period) const {
  const uint64_t block_part = c.block.number % 256;
  const uint64_t period_part = (period % 256) * config_.proofs.downtime_product % 256;
  const uint64_t id_part = id[31];  // uint256(slotId) % 256
  return uint8_t((block_part + period_part + id_part) % 256);
}

const Hash& MarketplaceContract::challenge(const Call& c, uint8_t pointer) const {
  const uint64_t n = sub64(sub64(c.block.number, 1), pointer);
  if (chain_.blockhash(n, c.block.number) == Hash{}) panic(kPanicAssert);
  return chain_.challenge_digest(n);
}

Hash MarketplaceContract::get_challenge(const Call& c, const SlotId& id) const {
  return challenge(c, pointer(c, id, period_of(c.block.timestamp)));
}

uint8_t MarketplaceContract::get_pointer(const Call& c, const SlotId& id) const {
  return pointer(c, id, period_of(c.block.timestamp));
}

std::pair<bool, uint8_t> MarketplaceContract::proof_requirement(const Call& c, const SlotId& id,
                                                                const SlotEntry* s,
                                                                uint64_t period) const {
  auto [state, r] = slot_view(c, s);
  if (state != SlotState::Filled) return {false, 0};
  if (period <= period_of(s->slot_start)) return {false, 0};
  const uint8_t ptr = pointer(c, id, period);
  const Hash& ch = challenge(c, ptr);
  const Uint256 probability = probability_of(r);
  const bool required =
      probability.is_zero() || mod256(Uint256::from_be_bytes(ch), probability).is_zero();
  return {required, ptr};
}

bool MarketplaceContract::proof_required(const Call& c, const SlotId& id, const SlotEntry* s,
                                         uint64_t period) const {
  auto [required, ptr] = proof_requirement(c, id, s, period);
  return required && ptr >= config_.proofs.downtime;
}

bool MarketplaceContract::is_proof_required(const Call& c, const SlotId& id) const {
  return proof_required(c, id, find_slot(id), period_of(c.block.timestamp));
}

bool MarketplaceContract::will_proof_be_required(const Call& c, const SlotId& id) const {
  auto [required, ptr] = proof_requirement(c, id, find_slot(id), period_of(c.block.timestamp));
  return required && ptr < config_.proofs.downtime;
}

uint64_t MarketplaceContract::next_proof_check(
    const SlotId& id, uint64_t from, uint64_t horizon,
    const std::function<BlockCtx(uint64_t)>& block_of) const {
  // proof_requirement's steps, with the challenge of a block that may not be
  // mined yet; whatever this cannot foresee is "check then".
  const SlotEntry* s = find_slot(id);
  std::optional<Uint256> probability;
  for (uint64_t p = from; p < from + horizon; ++p) {
    const Call c{Address{}, block_of(p)};
    const auto [state, r] = slot_view(c, s);
    if (state != SlotState::Filled) return p;
    const uint64_t period = period_of(c.block.timestamp);
    if (period <= period_of(s->slot_start)) continue;
    const uint8_t ptr = pointer(c, id, period);
    if (c.block.number < uint64_t(ptr) + 1) return p;
    const uint64_t n = c.block.number - 1 - ptr;
    if (n + (VirtualChain::kWindow - 1) < chain_.latest_number()) return p;
    if (!probability) probability = probability_of(r);
    if (probability->is_zero() ||
        mod256(Uint256::from_be_bytes(chain_.digest_ahead(n)), *probability).is_zero())
      return p;
  }
  return from + horizon;
}

std::vector<size_t> MarketplaceContract::can_mark_candidates(const Call& c,
                                                             std::span<const SlotId> slots,
                                                             uint64_t period) const {
  std::vector<size_t> out;
  // can_mark_proof_as_missing's checks in its order; the period's window is
  // the same for every slot (outside it none answers ProofNotRequired).
  const uint64_t end = period_end(period);
  const bool in_window =
      end < c.block.timestamp && c.block.timestamp < add64(end, config_.proofs.timeout);
  // Whether a proof is required depends on the slot only through its
  // pointer (the id's last byte) and its request's probability: one
  // challenge per pointer and probability.
  struct Known {
    const Uint256* asked;              // the request's proofProbability
    Uint256 probability;               // probability_of it
    std::array<int8_t, 256> required;  // -1: not computed yet
  };
  std::vector<Known> known;
  for (size_t i = 0; i < slots.size(); ++i) {
    if (!in_window) {
      out.push_back(i);
      continue;
    }
    try {
      const SlotEntry* s = find_slot(slots[i]);
      const auto [state, r] = slot_view(c, s);
      const PeriodMarks* m = marks_of(s, period);
      if (state != SlotState::Filled || (m && m->received)) {
        out.push_back(i);
        continue;
      }
      // probability_of divides 256-bit numbers: once per distinct ask.
      const Uint256& asked = r->request.ask.proof_probability;
      auto k = std::find_if(known.begin(), known.end(),
                            [&](const Known& x) { return *x.asked == asked; });
      if (k == known.end()) {
        known.push_back(Known{&asked, probability_of(r), {}});
        known.back().required.fill(-1);
        k = known.end() - 1;
      }
      const Uint256& probability = k->probability;
      // proof_required's steps.
      if (period <= period_of(s->slot_start)) continue;
      const uint8_t ptr = pointer(c, slots[i], period);
      int8_t& required = k->required[ptr];  // the challenge may panic: then the view does
      if (required < 0)
        required = probability.is_zero() ||
                           mod256(Uint256::from_be_bytes(challenge(c, ptr)), probability).is_zero()
                       ? 1
                       : 0;
      if (required && ptr >= config_.proofs.downtime) out.push_back(i);
    } catch (const Revert&) {
      out.push_back(i);
    }
  }
  return out;
}

// ---- Proofs.sol: bookkeeping ----------------------------------------------------------

const MarketplaceContract::PeriodMarks* MarketplaceContract::marks_of(const SlotEntry* s,
                                                                      uint64_t period) {
  if (!s) return nullptr;
  for (const PeriodMarks& m : s->marks)
    if (m.period == period) return &m;
  return nullptr;
}

void MarketplaceContract::set_mark(SlotEntry& s, uint64_t period, bool PeriodMarks::*flag,
                                   const Call& c) {
  // A mark of period p is read only while periodEnd(p) < now < periodEnd(p) +
  // timeout (a validator), or for the current period (a proof): once the
  // latest block is past that window, no later call can read it. Marks are
  // written only for the current period or one inside the window, so their
  // period arithmetic cannot wrap.
  const uint64_t len = config_.proofs.period, timeout = config_.proofs.timeout;
  const uint64_t latest = chain_.latest_timestamp();
  std::erase_if(s.marks, [&](const PeriodMarks& m) {
    return m.period != period && (m.period + 1) * len + timeout <= latest;
  });
  auto it = std::find_if(s.marks.begin(), s.marks.end(),
                         [&](const PeriodMarks& m) { return m.period == period; });
  const bool created = it == s.marks.end();
  if (created) {
    s.marks.push_back(PeriodMarks{period, false, false});
    it = s.marks.end() - 1;
  }
  const bool old = (*it).*flag;
  (*it).*flag = true;
  c.rollback->on_undo([&s, period, flag, old, created] {
    auto m = std::find_if(s.marks.begin(), s.marks.end(),
                          [&](const PeriodMarks& x) { return x.period == period; });
    if (created)
      s.marks.erase(m);
    else
      (*m).*flag = old;
  });
}

std::vector<Uint256> MarketplaceContract::public_inputs(const Call& c, const SlotId& id) const {
  const Hash& ch = get_challenge(c, id);  // asserts a known block hash, as the contract does
  if (!verifier_) return {};              // TestVerifier reads no inputs
  const SlotEntry& s = *find_slot(id);
  return {challenge_to_field(ch),
          merkle_root_to_field(get_request(s.request_id).content.merkle_root),
          Uint256(s.slot_index)};
}

void MarketplaceContract::proof_received(const Call& c, const SlotId& id, const Groth16Proof& proof,
                                         const std::vector<Uint256>& inputs) {
  const uint64_t period = period_of(c.block.timestamp);
  const PeriodMarks* m = marks_of(find_slot(id), period);
  if (m && m->received) revert("Proofs_ProofAlreadySubmitted");
  const bool valid = verifier_ ? verifier_(proof, inputs) : test_verifier_accepts(proof);
  if (!valid) revert("Proofs_InvalidProof");
  set_mark(slot_for_write(id, *c.rollback), period, &PeriodMarks::received, c);
  emit(c, ProofSubmitted{id});
}

const char* MarketplaceContract::can_mark_proof_as_missing(const Call& c, const SlotId& id,
                                                           uint64_t period) const {
  // Marketplace.canMarkProofAsMissing, then Proofs._canMarkProofAsMissing.
  const SlotEntry* s = find_slot(id);
  if (slot_view(c, s).first != SlotState::Filled) return "Marketplace_SlotNotAcceptingProofs";
  const uint64_t end = period_end(period);
  if (end >= c.block.timestamp) return "Proofs_PeriodNotEnded";
  if (c.block.timestamp >= add64(end, config_.proofs.timeout)) return "Proofs_ValidationTimedOut";
  const PeriodMarks* m = marks_of(s, period);
  if (m && m->received) return "Proofs_ProofNotMissing";
  if (!proof_required(c, id, s, period)) return "Proofs_ProofNotRequired";
  if (m && m->missing) return "Proofs_ProofAlreadyMarkedMissing";
  return nullptr;
}

}  // namespace codex::market::model
