// Sends transactions for one key: nonce assignment, gas estimation with a per-call
// margin, fee caps, the journal (sign -> journal -> send), waiting for receipts
// with confirmations, rebroadcast of dropped transactions and fee-bumped
// replacement of stuck ones. After a restart, recover() finishes what the journal
// holds before anything new is signed, so no nonce is skipped or reused.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "agent/eth/eth_client.h"
#include "agent/eth/tx_journal.h"

namespace codex::eth {

struct TxOptions {
  uint64_t chain_id = 0;                           // 0 = ask the node once
  Uint256 max_fee_cap = Uint256(500'000'000'000);  // 500 gwei: never pay more per gas
  Uint256 default_priority_fee = Uint256(1'000'000'000);
  bool legacy = false;  // EIP-155 legacy transactions (nodes without EIP-1559)
  unsigned confirmations = 1;
  std::chrono::milliseconds poll_interval{250};
  std::chrono::milliseconds stuck_after{60'000};  // replace an attempt unmined for this long
  unsigned bump_percent = 15;                     // nodes require >= 10 % to replace
  unsigned max_replacements = 5;
  std::chrono::milliseconds wait_timeout{600'000};
};

struct TxRequest {
  std::optional<Address> to;  // empty = contract creation
  Uint256 value;
  Bytes data;
  // Gas = estimate * (100 + margin) / 100 unless gas_limit is set; e.g. the
  // marketplace uses fillSlot 10, reserveSlot 25, markProofAsMissing 50, freeSlot 200.
  unsigned gas_margin_percent = 20;
  std::optional<uint64_t> gas_limit;
  // Idempotency key: a second submit with the same key returns the journaled
  // transaction instead of signing a new one ("" = no key).
  std::string key;
};

class TxError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class TxSender {
 public:
  enum class Stage { Journaled, Sent };
  // Test-only fault injection: called after each stage (e.g. to SIGKILL the process).
  using Hook = std::function<void(Stage, const SignedTx&)>;

  // `eth`, `key` and `db` must outlive the sender. Thread-safe (calls are serialised).
  TxSender(EthClient& eth, const PrivateKey& key, sqlite3* db, TxOptions options = {});

  // Reconciles the journal with the chain: settles mined attempts and rebroadcasts
  // signed-but-unsent or dropped ones. Call once at startup; submit() calls it if
  // it has not run. Throws RpcError on transport failure.
  void recover();

  // Estimates gas (RpcError Reverted propagates: nothing is signed), picks the
  // nonce, signs, journals, sends. Transport failures after journaling are not
  // thrown: wait() rebroadcasts. A definitive rejection by the node marks the
  // entry Rejected and throws TxError. Returns the signed transaction.
  SignedTx submit(const TxRequest& req);

  // Waits until one attempt for the nonce of `hash` is mined with the configured
  // confirmations; replaces stuck attempts with fee bumps within the fee cap.
  // Returns the receipt (check success). Throws TxError on timeout or when the
  // nonce was consumed by a transaction not in the journal.
  Receipt wait(const Hash& hash);

  Receipt send(const TxRequest& req) { return wait(submit(req).hash); }

  // For a mined transaction that failed (status 0), which carries no revert data:
  // replays it with eth_call at its block and returns the revert data (empty when
  // the replay does not revert). Throws TxError if the hash is not journaled.
  Bytes revert_data(const Receipt& failed);

  void set_hook(Hook hook) { hook_ = std::move(hook); }
  TxJournal& journal() { return journal_; }

 private:
  struct Fees {
    Uint256 priority, max_fee;
  };
  Fees current_fees();
  SignedTx sign_with(uint64_t nonce, const TxRequest& req, uint64_t gas, const Fees& fees);
  // Sends raw bytes; true when the node has it (accepted or already known).
  bool broadcast(const JournalEntry& e);
  std::optional<Receipt> find_mined(const std::vector<JournalEntry>& attempts);
  bool confirmed(const Receipt& r);
  std::optional<JournalEntry> try_replace(const JournalEntry& last);

  EthClient& eth_;
  const PrivateKey& key_;
  TxJournal journal_;
  TxOptions opt_;
  Hook hook_;
  std::recursive_mutex mu_;
  bool recovered_ = false;
};

}  // namespace codex::eth
