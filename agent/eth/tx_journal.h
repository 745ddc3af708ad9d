// The transaction journal: every signed transaction is written here (nonce, raw
// bytes, hash, idempotency key) BEFORE it is sent, so that after a crash the
// agent rebroadcasts exactly what it signed instead of signing something new
// for the same intent. A nonce may have several attempts (fee-bumped
// replacements); at most one is mined.
//
// It lives in the data directory's one database (component "eth_tx_journal",
// versioned by base/sqlite/migrations.h). Writes join a caller's WriteTxn, so
// a journal entry commits with the state that caused it; reads either see the
// committed state (a read connection) or, given the caller's transaction, its
// uncommitted writes too.
//
// Survives a crash: everything committed. The writer that records an entry
// about to be broadcast calls WriteTxn::require_sync (TxSender does), so the
// entry also survives a power loss.
//
// Thread-safety: thread-safe (the Database serialises writers). Every method
// throws base::StorageError when SQLite fails or a row is corrupt.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/eth/transaction.h"
#include "base/sqlite/database.h"

namespace codex::eth {

enum class TxState {
  Signed,    // journaled, maybe not yet sent
  Sent,      // the node accepted it at least once
  Mined,     // included with the required confirmations
  Replaced,  // another attempt for the same nonce was mined
  Rejected,  // the node refused it for good; its nonce was never consumed by it
};

const char* to_string(TxState s);

struct JournalEntry {
  int64_t id = 0;
  Address sender;
  uint64_t nonce = 0;
  int attempt = 0;
  Hash hash{};
  Bytes raw;
  std::string key;  // the caller's idempotency key
  TxState state = TxState::Signed;
  std::optional<uint64_t> block_number;

  bool open() const { return state == TxState::Signed || state == TxState::Sent; }
};

class TxJournal {
 public:
  using WriteTxn = base::sqlite::WriteTxn;

  // Creates or migrates the schema in its own transaction. `db` must outlive
  // the journal. REQUIRES: the calling thread holds no WriteTxn.
  explicit TxJournal(base::sqlite::Database& db);

  // ---- writes, inside the caller's transaction -----------------------------
  // Records a signed transaction as Signed, as the next attempt of its nonce
  // (0 for the first; a nonce freed by a Rejected entry continues its count).
  // Returns the attempt number. Throws base::StorageError for a hash already
  // journaled.
  int record(WriteTxn& txn, const SignedTx& tx, const std::string& key);
  // Moves an open (Signed or Sent) entry to `to`; a settled entry keeps its
  // state, so a late "sent" never undoes "mined".
  void mark(WriteTxn& txn, const Hash& hash, TxState to);
  // Marks `mined` as Mined and every other open attempt of its nonce as
  // Replaced. Returns false when it was Mined already (another waiter settled
  // it), so that what follows a settlement happens once. Throws
  // base::StorageError for an unknown hash.
  bool settle(WriteTxn& txn, const Hash& mined, uint64_t block);

  // ---- reads: committed state, or `txn`'s view when given ------------------
  std::optional<JournalEntry> by_hash(const Hash& hash, WriteTxn* txn = nullptr) const;
  // The entry that serves `key` for `sender`: its mined attempt, else the
  // newest attempt the node did not refuse. nullopt when there is none (never
  // journaled, or every attempt refused): the intent is still to be done.
  std::optional<JournalEntry> by_key(const Address& sender, const std::string& key,
                                     WriteTxn* txn = nullptr) const;
  // Every attempt recorded under `key` for `sender`, oldest first.
  std::vector<JournalEntry> all_by_key(const Address& sender, const std::string& key) const;
  // All attempts for one nonce, oldest first.
  std::vector<JournalEntry> attempts(const Address& sender, uint64_t nonce,
                                     WriteTxn* txn = nullptr) const;
  // Nonces with an attempt still Signed or Sent, ascending.
  std::vector<uint64_t> open_nonces(const Address& sender) const;
  // Highest nonce with a non-Rejected attempt.
  std::optional<uint64_t> max_nonce(const Address& sender) const;
  // The lowest nonce >= `from` that no attempt other than a Rejected one holds:
  // what the next new transaction takes. Read inside the writer's transaction,
  // so two journalers never pick the same nonce, and a rolled-back entry frees
  // its nonce again.
  uint64_t free_nonce(WriteTxn& txn, const Address& sender, uint64_t from) const;
  // Entries by state, of every sender (committed state; for metrics). With
  // `key_part`, only entries whose idempotency key contains it (e.g.
  // "submitProof/"). States without entries are absent.
  std::map<TxState, uint64_t> count_by_state(std::string_view key_part = {}) const;

 private:
  base::sqlite::Database& db_;
};

}  // namespace codex::eth
