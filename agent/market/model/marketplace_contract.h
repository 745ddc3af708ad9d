// TestMarketplace in C++: the state and functions of contracts-abi/contracts/
// (Marketplace.sol with Proofs, Periods, SlotReservations, StateRetrieval and
// Sets) ported statement by statement, so that every function checks in the
// Solidity order, reverts with the same error (revert.h), writes the same
// storage, emits the same events in the same order and moves the same tokens
// (ModelToken). States derive from block time and proof requirements from the
// block number and hashes exactly as the contract derives them (§8, §9).
//
// Transactions take a Call with a Rollback: a Revert thrown anywhere leaves
// every write registered there to be undone by the caller. Views take a Call
// without one and never write (beyond the chain's hash caches).
//
// Memory follows what the contract can still observe: requests and slots are
// kept, but per-period proof marks only while a validator could still read
// them (periodEnd + timeout after the latest block), so a slot proving for a
// year keeps a handful of marks, not one per period.
//
// Not thread-safe (the model's lock guards it).
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "agent/market/events.h"
#include "agent/market/model/id_set.h"
#include "agent/market/model/model_token.h"
#include "agent/market/model/rollback.h"
#include "agent/market/model/virtual_chain.h"
#include "agent/market/types.h"

namespace codex::market::model {

// verify(proof, [challenge, root, slotIndex]) of a Groth16 verifier contract.
using ProofVerifier =
    std::function<bool(const Groth16Proof& proof, const std::vector<Uint256>& inputs)>;

// TestVerifier's rule: every proof but the all-zero one.
bool test_verifier_accepts(const Groth16Proof& proof);

// Who calls, in which block; writes go to `rollback` and events to `events`
// (both required for transactions, null for views).
struct Call {
  Address sender;
  BlockCtx block;
  Rollback* rollback = nullptr;
  std::vector<MarketEvent>* events = nullptr;
};

struct MarketplaceTotals {
  Uint256 received, sent;
};

class MarketplaceContract {
 public:
  // The constructor's checks in Solidity order (Periods_InvalidSecondsPerPeriod,
  // Proofs_InsufficientBlockHeight at deployment block `block_number`,
  // Marketplace_RepairRewardPercentageTooHigh, _SlashPercentageTooHigh, the
  // uint8 product maxNumberOfSlashes * slashPercentage (Panic(0x11) above 255,
  // else _MaximumSlashingTooHigh above 100)); throws Revert. `chain` and
  // `token` must outlive this object. An empty verifier is TestVerifier.
  MarketplaceContract(const MarketplaceConfig& config, Address self, ModelToken& token,
                      const VirtualChain& chain, uint64_t block_number, ProofVerifier verifier);

  const MarketplaceConfig& configuration() const { return config_; }
  const Address& address() const { return self_; }
  const MarketplaceTotals& totals() const { return totals_; }

  // ---- transactions (spec §5.2; throw Revert) ------------------------------
  void request_storage(const Call& c, const Request& request);
  void reserve_slot(const Call& c, const RequestId& id, uint64_t slot_index);
  void fill_slot(const Call& c, const RequestId& id, uint64_t slot_index,
                 const Groth16Proof& proof);
  void submit_proof(const Call& c, const SlotId& id, const Groth16Proof& proof);
  void mark_proof_as_missing(const Call& c, const SlotId& id, uint64_t period);
  void free_slot(const Call& c, const SlotId& id, const Address& reward_recipient,
                 const Address& collateral_recipient);
  void withdraw_funds(const Call& c, const RequestId& id, const Address& recipient);
  // TestMarketplace.forciblyFreeSlot: no checks of its own.
  void forcibly_free_slot(const Call& c, const SlotId& id);

  // ---- views (spec §5.3; throw Revert where the contract reverts) ----------
  const Request& get_request(const RequestId& id) const;  // Marketplace_UnknownRequest
  bool request_known(const RequestId& id) const;
  RequestState request_state(const Call& c, const RequestId& id) const;
  uint64_t request_end(const Call& c, const RequestId& id) const;
  uint64_t request_expiry(const RequestId& id) const;
  SlotState slot_state(const Call& c, const SlotId& id) const;
  Address get_host(const SlotId& id) const;
  Uint256 current_collateral(const SlotId& id) const;
  // getActiveSlot: Marketplace_SlotIsFree when the stored state is Free.
  std::pair<const Request*, uint64_t> get_active_slot(const SlotId& id) const;
  bool can_reserve_slot(const Call& c, const RequestId& id, uint64_t slot_index) const;
  const std::vector<RequestId>& my_requests(const Address& who) const;
  const std::vector<SlotId>& my_slots(const Address& who) const;
  bool is_proof_required(const Call& c, const SlotId& id) const;
  bool will_proof_be_required(const Call& c, const SlotId& id) const;
  Hash get_challenge(const Call& c, const SlotId& id) const;
  uint8_t get_pointer(const Call& c, const SlotId& id) const;
  uint64_t missing_proofs(const SlotId& id) const;
  Uint256 slot_probability(const SlotId& id) const;
  // nullptr when markProofAsMissing(id, period) would pass, else the error it
  // reverts with (panics still throw: a period whose end overflows).
  const char* can_mark_proof_as_missing(const Call& c, const SlotId& id, uint64_t period) const;

  // ---- beyond the contract: the model's look-ahead -------------------------
  // The first period p in [from, from + horizon) at which a host's check of
  // its slot read in block `block_of(p)` (a block not mined yet allowed) finds
  // something to do: slotState not Filled, or isProofRequired ||
  // willProofBeRequired. Read on the state as it is now: later transactions
  // are not foreseen. from + horizon when there is none before.
  uint64_t next_proof_check(const SlotId& id, uint64_t from, uint64_t horizon,
                            const std::function<BlockCtx(uint64_t)>& block_of) const;
  // The indices (ascending) of `slots` whose can_mark_proof_as_missing(c,
  // slot, period) answers anything but Proofs_ProofNotRequired (a revert
  // included), found without building the answers.
  std::vector<size_t> can_mark_candidates(const Call& c, std::span<const SlotId> slots,
                                          uint64_t period) const;

 private:
  struct RequestEntry {
    Request request;
    // RequestContext
    RequestState state = RequestState::New;
    Uint256 funds_to_return_to_client;
    uint64_t slots_filled = 0;
    uint64_t started_at = 0;
    uint64_t ends_at = 0;
    uint64_t expires_at = 0;
  };
  // Proofs' _received / _missing of one period.
  struct PeriodMarks {
    uint64_t period = 0;
    bool received = false;
    bool missing = false;
  };
  // Everything the contract maps by SlotId: Slot, _slotStarts, _missed,
  // _received, _missing and _reservations (all zero until written).
  struct SlotEntry {
    SlotState state = SlotState::Free;
    RequestId request_id{};
    uint64_t filled_at = 0;
    uint64_t slot_index = 0;
    Uint256 current_collateral;
    Address host;
    uint64_t slot_start = 0;
    uint64_t missed = 0;
    std::vector<PeriodMarks> marks;     // periods a validator may still read
    std::vector<Address> reservations;  // AddressSet (only its size and membership are read)
  };

  const RequestEntry* find_request(const RequestId& id) const;
  RequestEntry& known_request(const RequestId& id);  // requestIsKnown
  const SlotEntry* find_slot(const SlotId& id) const;
  SlotEntry& slot_for_write(const SlotId& id, Rollback& rb);
  RequestEntry& context(const RequestId& id, Rollback& rb);
  IdSet& set_for_write(std::unordered_map<Address, IdSet, IdHash>& sets, const Address& who,
                       Rollback& rb);

  // Proofs.sol
  uint64_t period_of(uint64_t timestamp) const { return timestamp / config_.proofs.period; }
  uint64_t period_end(uint64_t period) const;
  uint8_t pointer(const Call& c, const SlotId& id, uint64_t period) const;
  const Hash& challenge(const Call& c, uint8_t pointer) const;
  std::pair<bool, uint8_t> proof_requirement(const Call& c, const SlotId& id, const SlotEntry* s,
                                             uint64_t period) const;
  bool proof_required(const Call& c, const SlotId& id, const SlotEntry* s, uint64_t period) const;
  static const PeriodMarks* marks_of(const SlotEntry* s, uint64_t period);
  // Sets _received or _missing of `period` (dropping marks no validator can read any more).
  void set_mark(SlotEntry& s, uint64_t period, bool PeriodMarks::*flag, const Call& c);
  std::vector<Uint256> public_inputs(const Call& c, const SlotId& id) const;
  void proof_received(const Call& c, const SlotId& id, const Groth16Proof& proof,
                      const std::vector<Uint256>& inputs);
  // Derived states from entries (one lookup each); slot_view also returns the
  // slot's request (null for a free slot).
  RequestState request_state_of(const Call& c, const RequestEntry& r) const;
  std::pair<SlotState, const RequestEntry*> slot_view(const Call& c, const SlotEntry* s) const;
  Uint256 probability_of(const RequestEntry* r) const;

  // Marketplace.sol internals
  Uint256 slot_payout(const RequestId& id, uint64_t start) const;
  Uint256 slot_payout(const RequestId& id, uint64_t start, uint64_t end) const;
  void payout_slot(const Call& c, const SlotId& id, const Address& reward_recipient,
                   const Address& collateral_recipient, bool cancelled);
  void emit(const Call& c, MarketEvent e) const { c.events->push_back(std::move(e)); }

  MarketplaceConfig config_;
  Address self_;
  ModelToken& token_;
  const VirtualChain& chain_;
  ProofVerifier verifier_;

  std::unordered_map<RequestId, RequestEntry, IdHash> requests_;
  std::unordered_map<SlotId, SlotEntry, IdHash> slots_;
  std::unordered_map<Address, IdSet, IdHash> requests_per_client_, slots_per_host_;
  MarketplaceTotals totals_;
};

}  // namespace codex::market::model
