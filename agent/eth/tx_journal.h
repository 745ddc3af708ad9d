// The transaction journal: every signed transaction is written here (nonce, raw
// bytes, hash) BEFORE it is sent, so that after a crash the agent rebroadcasts
// exactly what it signed instead of signing something new for the same intent.
// A nonce may have several attempts (fee-bumped replacements); at most one is mined.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agent/eth/sqlite_db.h"
#include "agent/eth/transaction.h"

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
  std::string key;  // the caller's idempotency key ("" when none)
  TxState state = TxState::Signed;
  std::optional<uint64_t> block_number;
};

// Not thread-safe; the connection must outlive the journal.
class TxJournal {
 public:
  // Creates the schema when missing. Throws DbError.
  explicit TxJournal(sqlite3* db);

  // Durably records a signed transaction (committed when this returns).
  void record(const SignedTx& tx, int attempt, const std::string& key);
  void set_state(const Hash& hash, TxState state, std::optional<uint64_t> block = std::nullopt);
  // Marks `mined` as Mined and every other open attempt of its nonce as Replaced.
  void settle(const Hash& mined, uint64_t block);

  std::optional<JournalEntry> by_hash(const Hash& hash) const;
  // The latest attempt recorded under `key` for `sender`.
  std::optional<JournalEntry> by_key(const Address& sender, const std::string& key) const;
  // All attempts for one nonce, oldest first.
  std::vector<JournalEntry> attempts(const Address& sender, uint64_t nonce) const;
  // Nonces with an attempt still Signed or Sent, ascending.
  std::vector<uint64_t> open_nonces(const Address& sender) const;
  // Highest nonce with a non-Rejected attempt.
  std::optional<uint64_t> max_nonce(const Address& sender) const;

 private:
  sqlite3* db_;
};

}  // namespace codex::eth
