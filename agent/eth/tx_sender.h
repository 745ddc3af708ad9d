// Sends transactions for one key, exactly once per idempotency key, in three
// steps that a caller may separate:
//   record    estimate gas (with a per-call margin), pick fees within the cap,
//             assign the nonce, sign, and journal the signed bytes: in its own
//             transaction, or in the caller's WriteTxn (then the journal entry
//             commits with the caller's state and the broadcast runs when that
//             transaction commits);
//   broadcast hand the journaled bytes to the node;
//   wait      poll for the receipt with confirmations, rebroadcast dropped
//             transactions and replace stuck ones with fee bumps.
// A key already journaled returns that transaction: nothing new is signed,
// whatever happened to the process in between. After a restart recover()
// settles what was mined and rebroadcasts what was journaled but maybe never
// sent, before anything new is signed; no nonce is skipped or reused.
//
// Nonces: the lowest nonce >= the node's pending count that no live journal
// entry holds, picked inside the writer's transaction (TxJournal::free_nonce).
// Two journalers never pick the same one; an entry rolled back with its
// caller's transaction, or refused by the node, frees its nonce for the next.
// RPC calls (estimation, fees, the pending count) run before the transaction
// when record() opens its own; with a caller's transaction they run inside it.
//
// Time (poll interval, stuck_after, wait timeout) is read from a base::Clock,
// so tests drive the polling with a ManualClock.
//
// Thread-safety: thread-safe, with no lock of its own held across the
// database's writer lock (which may already be held by the caller of
// record(req, txn)). set_hook is not: set it before use.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include "agent/eth/eth_client.h"
#include "agent/eth/tx_journal.h"
#include "base/clock.h"

namespace codex::eth {

struct TxOptions {
  uint64_t chain_id = 0;                           // 0 = ask the node once
  Uint256 max_fee_cap = Uint256(500'000'000'000);  // 500 gwei: never pay more per gas
  Uint256 default_priority_fee = Uint256(1'000'000'000);
  bool legacy = false;  // EIP-155 legacy transactions (nodes without EIP-1559)
  unsigned confirmations = 1;
  base::Millis poll_interval{250};
  base::Millis stuck_after{60'000};  // replace an attempt unmined for this long
  unsigned bump_percent = 15;        // nodes require >= 10 % to replace
  unsigned max_replacements = 5;
  base::Millis wait_timeout{600'000};
  // How long the nonce may stay used while the node knows none of our attempts
  // before wait() gives up on it as taken by a transaction not in the journal.
  // Nodes may serve the receipt after the account's nonce moved on (anvil
  // under load does): while the node knows an attempt of ours, wait() waits.
  base::Millis consumed_grace{30'000};
  // Measures the three durations above; null = the system clock. Must outlive
  // the sender.
  base::Clock* clock = nullptr;
};

struct TxRequest {
  std::optional<Address> to;  // empty = contract creation
  Uint256 value;
  Bytes data;
  // Gas = estimate * (100 + margin) / 100 unless gas_limit is set; e.g. the
  // marketplace uses fillSlot 10, reserveSlot 25, markProofAsMissing 50, freeSlot 200.
  unsigned gas_margin_percent = 20;
  std::optional<uint64_t> gas_limit;
  // Idempotency key (required): what the transaction is for, e.g.
  // "fillSlot/<slotId>". A second request with the same key from the same
  // account returns the journaled transaction instead of signing a new one.
  std::string key;
};

class TxError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class TxSender {
 public:
  // After the journal entry committed (before anything is sent), after the
  // node accepted it, and after its receipt was confirmed (before the journal
  // records that).
  enum class Stage { Journaled, Sent, Mined };
  // Test-only fault injection: called at each stage (e.g. to SIGKILL the
  // process there).
  using Hook = std::function<void(Stage, const SignedTx&)>;

  // `eth`, `key` and `db` must outlive the sender. Creates the journal's
  // schema. REQUIRES: the calling thread holds no WriteTxn.
  TxSender(EthClient& eth, const PrivateKey& key, base::sqlite::Database& db,
           TxOptions options = {});

  const Address& address() const { return address_; }

  // Reconciles the journal with the chain: settles mined attempts and
  // rebroadcasts journaled ones the node does not have. Call once at startup;
  // record() calls it if it has not run. Throws RpcError on transport failure.
  // REQUIRES: the calling thread holds no WriteTxn.
  void recover();

  // Step 1. Signs `req` and journals it in its own transaction (durable
  // against power loss when this returns); nothing is sent. A key already
  // journaled (and not Rejected) returns that entry without any RPC.
  // Throws std::invalid_argument for an empty key; RpcError (kind Reverted)
  // when estimation reverts and other RpcErrors on transport failure (nothing
  // is journaled then); TxError when the fees exceed the cap.
  // REQUIRES: the calling thread holds no WriteTxn.
  SignedTx record(const TxRequest& req);
  // Step 1 inside the caller's transaction: the entry commits or rolls back
  // with it; once it committed (require_sync'ed) and released the writer,
  // the transaction is broadcast (WriteTxn::after_release). A definitive
  // refusal by the node marks the entry Rejected and surfaces as TxError from
  // txn.commit() (the commit stands). If the process dies between commit and
  // broadcast, recover() sends it at the next start. Throws as record(req).
  SignedTx record(const TxRequest& req, base::sqlite::WriteTxn& txn);

  // Step 2. Sends the journaled transaction `hash` unless it is settled.
  // Transport failures are not thrown (wait() rebroadcasts). A definitive
  // refusal marks it Rejected (its nonce is free again) and throws TxError.
  // REQUIRES: the calling thread holds no WriteTxn.
  void broadcast(const Hash& hash);

  // Step 3. Waits until one attempt for the nonce of `hash` is mined with the
  // configured confirmations; replaces stuck attempts with fee bumps within
  // the fee cap. Returns the receipt (check success; its hash is the attempt
  // that was mined). Throws TxError on timeout, when the nonce was consumed by
  // a transaction not in the journal, or when the node refuses the
  // transaction for good. REQUIRES: the calling thread holds no WriteTxn.
  Receipt wait(const Hash& hash);

  // record + broadcast.
  SignedTx submit(const TxRequest& req);
  // submit + wait.
  Receipt send(const TxRequest& req) { return wait(submit(req).hash); }

  // For a mined transaction that failed (status 0), which carries no revert data:
  // replays it with eth_call at its block and returns the revert data (empty when
  // the replay does not revert). Throws TxError if the hash is not journaled.
  Bytes revert_data(const Receipt& failed);
  // The request a journaled transaction carries (to, value, data, gas limit,
  // key), decoded from its signed bytes. Throws TxError if `hash` is not
  // journaled.
  TxRequest request_of(const Hash& hash) const;

  void set_hook(Hook hook) { hook_ = std::move(hook); }
  TxJournal& journal() { return journal_; }
  // Gas of the transactions this sender saw mined since it was made, each
  // counted once, when its journal entry settled (for metrics).
  uint64_t gas_used() const { return gas_used_.load(std::memory_order_relaxed); }

 private:
  struct Fees {
    Uint256 priority, max_fee;
  };
  // What record() asks the node before it takes the writer lock.
  struct Quote {
    uint64_t gas = 0;
    Fees fees;
    uint64_t pending_nonce = 0;
  };
  enum class Outcome { Accepted, Unknown, Refused };

  SignedTx record_in(const TxRequest& req, base::sqlite::WriteTxn* txn);
  void recover_in(base::sqlite::WriteTxn* txn);
  Quote quote(const TxRequest& req);
  uint64_t chain_id();
  Fees current_fees();
  SignedTx sign_with(uint64_t nonce, const TxRequest& req, uint64_t gas, const Fees& fees);
  // Sends signed bytes; on Refused, `why` holds the node's message.
  Outcome send_raw(const Bytes& raw, std::string& why);
  std::optional<Receipt> find_mined(const std::vector<JournalEntry>& attempts);
  bool confirmed(const Receipt& r);
  void try_replace(const JournalEntry& last);
  // Writes in txn when given, else in a transaction of its own.
  template <class F>
  void write(base::sqlite::WriteTxn* txn, F&& fn);
  void call_hook(Stage stage, const SignedTx& tx) {
    if (hook_) hook_(stage, tx);
  }
  base::Clock& clock() { return opt_.clock ? *opt_.clock : system_clock_; }

  EthClient& eth_;
  const PrivateKey& key_;
  const Address address_;
  base::sqlite::Database& db_;
  TxJournal journal_;
  TxOptions opt_;
  base::SystemClock system_clock_;
  Hook hook_;
  std::atomic<uint64_t> chain_id_;
  std::atomic<bool> recovered_{false};
  std::atomic<uint64_t> gas_used_{0};
};

}  // namespace codex::eth
