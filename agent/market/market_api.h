#pragma once
// The marketplace as the roles see it (DESIGN.md): views, transactions,
// events and chain time, for one signing account. Two implementations:
//   - the contract on a real chain over JSON-RPC, its transactions through
//     the journal (each intent reaches the chain once, across kills);
//   - an in-memory model of the contract on a virtual clock, for role tests
//     and simulation, held to the real contract by a differential test.
// Both name the same errors: a call the contract would revert throws
// MarketError carrying the custom error's name ("Marketplace_SlotNotFree",
// "ERC20InsufficientAllowance", "Panic(0x11)") and its arguments.
//
// Thread-safety: implementations are thread-safe.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "agent/market/events.h"
#include "agent/market/market_error.h"
#include "agent/market/types.h"
#include "agent/market/view_call.h"
#include "base/clock.h"

namespace codex::base::sqlite {
class WriteTxn;
}

namespace codex::market {

// Which state a view reads. kLatest: after the last block. kPending: as the
// next block would see it (its number and time), which is what a transaction
// sent now meets; the reference client reads time-dependent views this way.
enum class At { kLatest, kPending };

// ---- transactions, as values --------------------------------------------
// Roles, the differential test and the simulator build these; each has an
// intent key (intent_key below) under which the journal keeps it.
struct RequestStorage {
  Request request;
};
struct ReserveSlot {
  RequestId request_id{};
  uint64_t slot_index = 0;
};
struct FillSlot {
  RequestId request_id{};
  uint64_t slot_index = 0;
  Groth16Proof proof;
};
struct SubmitProof {
  SlotId slot_id{};
  Groth16Proof proof;
  uint64_t period = 0;  // the period the proof answers (part of the intent key only)
};
struct MarkProofAsMissing {
  SlotId slot_id{};
  uint64_t period = 0;
};
// freeSlot(slotId), or with both recipients freeSlot(slotId, reward, collateral).
struct FreeSlot {
  SlotId slot_id{};
  std::optional<std::pair<Address, Address>> recipients;  // reward, collateral
};
// withdrawFunds(requestId), or withdrawFunds(requestId, recipient).
struct WithdrawFunds {
  RequestId request_id{};
  std::optional<Address> recipient;
};
// ERC20 approve(spender, amount) on the marketplace's token.
struct ApproveTokens {
  Address spender;
  Uint256 amount;
};

using MarketAction = std::variant<RequestStorage, ReserveSlot, FillSlot, SubmitProof,
                                  MarkProofAsMissing, FreeSlot, WithdrawFunds, ApproveTokens>;

// The contract function an action calls ("fillSlot", "approve", ...).
const char* function_name(const MarketAction& a);
// The intent key an action gets when the caller gives none, derived from what
// it is about: "requestStorage/<requestId>", "reserveSlot/<slotId>",
// "fillSlot/<slotId>", "submitProof/<slotId>/<period>",
// "markProofAsMissing/<slotId>/<period>", "freeSlot/<slotId>",
// "withdrawFunds/<requestId>" (ids in 0x hex). An intent that may happen twice
// for the same ids (filling a slot again after it was freed) needs a caller
// key that tells the two apart. ApproveTokens has no default: throws
// std::invalid_argument (an approval's key names what it pays for).
std::string intent_key(const MarketAction& a);

// A transaction that has been journaled (and sent, or will be at commit).
struct PendingTx {
  std::string key;
  Hash tx_hash{};
};

// A mined, successful transaction.
struct TxResult {
  Hash tx_hash{};
  uint64_t block_number = 0;
  uint64_t gas_used = 0;
  std::vector<MarketEvent> events;  // marketplace events it emitted, in log order
};

// Delivers marketplace events once each, in chain order.
class EventStream {
 public:
  virtual ~EventStream() = default;
  // The handler gets each new event; txn is the write transaction that also
  // records the stream's position (null when the implementation keeps no
  // position in a database), so writes made through it commit atomically with
  // the delivery: a crash delivers the range again, never skips it. Returns
  // the number of events delivered. Throws what the handler throws (the
  // position then stays where it was).
  using Handler = std::function<void(const DecodedEvent&, base::sqlite::WriteTxn*)>;
  virtual size_t poll(const Handler& handler) = 0;
};

class MarketApi {
 public:
  virtual ~MarketApi() = default;

  // The account that signs this object's transactions.
  virtual Address account() const = 0;
  virtual Address marketplace_address() const = 0;
  virtual Address token_address() const = 0;
  virtual const MarketplaceConfig& configuration() const = 0;
  // Chain time: block timestamps (seconds), or the model's virtual clock.
  virtual base::Clock& clock() = 0;
  virtual uint64_t block_number(At at = At::kLatest) = 0;

  // ---- views (spec/marketplace.md §5.3) ----------------------------------
  // nullopt for an unknown request.
  virtual std::optional<Request> get_request(const RequestId& id, At at = At::kPending) = 0;
  // Throw MarketError "Marketplace_UnknownRequest" for an unknown request.
  virtual RequestState request_state(const RequestId& id, At at = At::kPending) = 0;
  virtual uint64_t request_end(const RequestId& id, At at = At::kPending) = 0;
  virtual uint64_t request_expiry(const RequestId& id, At at = At::kPending) = 0;
  virtual SlotState slot_state(const SlotId& id, At at = At::kPending) = 0;
  virtual Address get_host(const SlotId& id, At at = At::kPending) = 0;
  virtual Uint256 current_collateral(const SlotId& id, At at = At::kPending) = 0;
  // The request and index of a slot; nullopt for a free slot.
  virtual std::optional<std::pair<Request, uint64_t>> get_active_slot(const SlotId& id,
                                                                      At at = At::kPending) = 0;
  virtual bool can_reserve_slot(const RequestId& id, uint64_t slot_index, At at = At::kPending) = 0;
  virtual std::vector<RequestId> my_requests(At at = At::kPending) = 0;
  virtual std::vector<SlotId> my_slots(At at = At::kPending) = 0;
  virtual bool is_proof_required(const SlotId& id, At at = At::kPending) = 0;
  virtual bool will_proof_be_required(const SlotId& id, At at = At::kPending) = 0;
  virtual Hash get_challenge(const SlotId& id, At at = At::kPending) = 0;
  virtual uint8_t get_pointer(const SlotId& id, At at = At::kPending) = 0;
  virtual uint64_t missing_proofs(const SlotId& id, At at = At::kPending) = 0;
  virtual Uint256 slot_probability(const SlotId& id, At at = At::kPending) = 0;
  // nullopt when markProofAsMissing(id, period) by this account would pass;
  // else the error name it would revert with.
  virtual std::optional<std::string> can_mark_proof_as_missing(const SlotId& id, uint64_t period,
                                                               At at = At::kPending) = 0;
  // The token (ERC20 views).
  virtual Uint256 token_balance(const Address& who, At at = At::kPending) = 0;
  virtual Uint256 token_allowance(const Address& owner, const Address& spender,
                                  At at = At::kPending) = 0;

  // ---- a look-ahead a model can give and a chain cannot -----------------------
  // For a host that checks its filled slot once a period — slot_state, then
  // is_proof_required || will_proof_be_required, read kPending at chain time
  // start(p) + offset of each period p: the first period p >= from at which
  // that check finds something to do (a proof required, or the slot no longer
  // Filled); every period before it would find the slot Filled and no proof.
  // It reads the state as it is now: a transaction that changes the slot or
  // its request later is not foreseen (each emits an event the host hears).
  // The answer may be earlier than the first such period (a bound), never
  // later. nullopt: not known ahead (on a real chain it depends on future
  // block hashes): check every period. This default returns nullopt.
  virtual std::optional<uint64_t> next_proof_check(const SlotId& /*id*/, uint64_t /*from*/,
                                                   uint64_t /*offset*/) {
    return std::nullopt;
  }

  // For a validator about to read can_mark_proof_as_missing(slot, period) at
  // `at` for each of `slots`: the indices (ascending) of the slots whose read
  // may answer anything but "Proofs_ProofNotRequired"; each of the others
  // would answer exactly that. A model answers at once; a chain (nullopt, this
  // default) only by the reads themselves: then read them all.
  virtual std::optional<std::vector<size_t>> can_mark_candidates(std::span<const SlotId> /*slots*/,
                                                                 uint64_t /*period*/,
                                                                 At /*at*/ = At::kPending) {
    return std::nullopt;
  }

  // ---- many views at once (view_call.h) ----------------------------------------
  // Reads `calls` as this account (the reader of the views that depend on it:
  // MyRequests, MySlots, CanReserveSlot, CanMarkProofAsMissing) and returns
  // one result per call, in call order: what the view's method above returns,
  // or the MarketError it throws; a view that reverts leaves the others
  // unaffected. ViewReads::block is the block they read: at kLatest the
  // latest one when the read starts, at kPending the one after it.
  // This default calls the methods above one after another (the same block
  // unless a transaction lands in between); ChainMarket overrides it with
  // JSON-RPC batches pinned to one block. Throws what the views throw other
  // than MarketError (eth::RpcError on the chain: then nothing is returned).
  virtual ViewReads read(std::span<const ViewCall> calls, At at = At::kPending);

  // ---- transactions -------------------------------------------------------
  // Journals the action under key (intent_key(action) when empty) and sends
  // it. Exactly once: a key already journaled returns that transaction and
  // signs nothing new, whatever happened to the process in between. With
  // txn, the journal entry is written in the caller's transaction (so it
  // commits with the state that caused it) and sent after that commit.
  // Throws MarketError when the contract would revert now (nothing is
  // journaled), std::invalid_argument for a missing key (ApproveTokens).
  virtual PendingTx submit(const MarketAction& action, std::string key = {},
                           base::sqlite::WriteTxn* txn = nullptr) = 0;
  // Waits until the transaction is mined (with the configured confirmations)
  // and returns its result. Throws MarketError if it reverted when mined.
  virtual TxResult wait(const PendingTx& tx) = 0;
  // submit then wait.
  TxResult execute(const MarketAction& action, std::string key = {}) {
    return wait(submit(action, std::move(key)));
  }

  // ---- events -------------------------------------------------------------
  // A stream named `name` (its position is kept under that name) starting at
  // from_block when it has no position yet (default: the marketplace's
  // deployment block, or the model's first block).
  virtual std::unique_ptr<EventStream> events(std::string name,
                                              std::optional<uint64_t> from_block = {}) = 0;
};

}  // namespace codex::market
