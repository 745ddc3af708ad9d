#include "agent/eth/tx_journal.h"

#include <algorithm>

#include "base/error.h"
#include "base/sqlite/migrations.h"

namespace codex::eth {
namespace {

using base::sqlite::Connection;
using base::sqlite::Migration;
using base::sqlite::Reset;
using base::sqlite::Statement;

// Version 1 is the table the pre-versioning journal created (IF NOT EXISTS:
// such a database is adopted as it is).
// A function-local static: migrations may run during another translation
// unit's static initialisation (a test's self-child), before a namespace-scope
// array holding std::function would be initialised.
std::span<const Migration> migrations() {
  static const Migration kMigrations[] = {
      {1, R"SQL(
CREATE TABLE IF NOT EXISTS eth_tx_journal (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  sender TEXT NOT NULL,
  nonce INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  hash BLOB NOT NULL UNIQUE,
  raw BLOB NOT NULL,
  idem_key TEXT NOT NULL DEFAULT '',
  state INTEGER NOT NULL,
  block_number INTEGER,
  created_at INTEGER NOT NULL DEFAULT (strftime('%s','now')),
  UNIQUE (sender, nonce, attempt)
);
CREATE INDEX IF NOT EXISTS eth_tx_journal_key ON eth_tx_journal (sender, idem_key);
)SQL"},
  };
  return kMigrations;
}

#define JOURNAL_COLUMNS "id, sender, nonce, attempt, hash, raw, idem_key, state, block_number"

JournalEntry row(const Statement& s) {
  JournalEntry e;
  e.id = s.int64(0);
  e.sender = Address::parse(s.text(1));
  e.nonce = static_cast<uint64_t>(s.int64(2));
  e.attempt = static_cast<int>(s.int64(3));
  auto h = s.blob_view(4);
  if (h.size() != 32) throw base::StorageError("tx journal: corrupt hash column");
  std::copy(h.begin(), h.end(), e.hash.begin());
  e.raw = s.blob(5);
  e.key = s.text(6);
  const int64_t state = s.int64(7);
  if (state < 0 || state > static_cast<int64_t>(TxState::Rejected))
    throw base::StorageError("tx journal: corrupt state column");
  e.state = static_cast<TxState>(state);
  if (!s.is_null(8)) e.block_number = static_cast<uint64_t>(s.int64(8));
  return e;
}

std::vector<JournalEntry> rows(Statement& s) {
  std::vector<JournalEntry> out;
  while (s.step())
    out.push_back(row(s));
  return out;
}

constexpr int64_t state_id(TxState s) {
  return static_cast<int64_t>(s);
}

// Runs fn on the caller's transaction connection, or on a pooled reader.
template <class F>
auto on_conn(base::sqlite::Database& db, base::sqlite::WriteTxn* txn, F&& fn) {
  if (txn) return fn(txn->conn());
  auto lease = db.read();
  return fn(lease.conn());
}

}  // namespace

const char* to_string(TxState s) {
  switch (s) {
    case TxState::Signed:
      return "signed";
    case TxState::Sent:
      return "sent";
    case TxState::Mined:
      return "mined";
    case TxState::Replaced:
      return "replaced";
    case TxState::Rejected:
      return "rejected";
  }
  return "?";
}

TxJournal::TxJournal(base::sqlite::Database& db) : db_(db) {
  db_.write([](WriteTxn& txn) { base::sqlite::migrate(txn, "eth_tx_journal", migrations()); });
}

int TxJournal::record(WriteTxn& txn, const SignedTx& tx, const std::string& key) {
  const std::string sender = tx.from.hex();
  int attempt = 0;
  {
    auto& s = txn.cached(
        "SELECT COALESCE(MAX(attempt) + 1, 0) FROM eth_tx_journal WHERE sender = ? AND nonce = ?");
    Reset r(s);
    s.bind(1, sender).bind(2, static_cast<int64_t>(tx.nonce));
    if (s.step()) attempt = static_cast<int>(s.int64(0));
  }
  auto& s = txn.cached(
      "INSERT INTO eth_tx_journal (sender, nonce, attempt, hash, raw, idem_key, state) "
      "VALUES (?,?,?,?,?,?,?)");
  Reset r(s);
  s.bind(1, sender)
      .bind(2, static_cast<int64_t>(tx.nonce))
      .bind(3, static_cast<int64_t>(attempt))
      .bind(4, tx.hash)
      .bind(5, tx.raw)
      .bind(6, key)
      .bind(7, state_id(TxState::Signed))
      .run();
  return attempt;
}

void TxJournal::mark(WriteTxn& txn, const Hash& hash, TxState to) {
  auto& s = txn.cached("UPDATE eth_tx_journal SET state = ? WHERE hash = ? AND state IN (?, ?)");
  Reset r(s);
  s.bind(1, state_id(to))
      .bind(2, hash)
      .bind(3, state_id(TxState::Signed))
      .bind(4, state_id(TxState::Sent))
      .run();
}

bool TxJournal::settle(WriteTxn& txn, const Hash& mined, uint64_t block) {
  auto e = by_hash(mined, &txn);
  if (!e) throw base::StorageError("tx journal: settle of an unknown transaction " + to_hex(mined));
  if (e->state == TxState::Mined) return false;
  const std::string sender = e->sender.hex();
  auto& others = txn.cached(
      "UPDATE eth_tx_journal SET state = ? WHERE sender = ? AND nonce = ? AND hash != ? AND "
      "state IN (?, ?)");
  Reset r(others);
  others.bind(1, state_id(TxState::Replaced))
      .bind(2, sender)
      .bind(3, static_cast<int64_t>(e->nonce))
      .bind(4, mined)
      .bind(5, state_id(TxState::Signed))
      .bind(6, state_id(TxState::Sent))
      .run();
  auto& m = txn.cached("UPDATE eth_tx_journal SET state = ?, block_number = ? WHERE hash = ?");
  Reset rm(m);
  m.bind(1, state_id(TxState::Mined)).bind(2, static_cast<int64_t>(block)).bind(3, mined).run();
  return true;
}

std::map<TxState, uint64_t> TxJournal::count_by_state(std::string_view key_part) const {
  std::map<TxState, uint64_t> out;
  auto lease = db_.read();
  // (An empty key_part would bind as NULL, which matches nothing.)
  auto& s = lease.conn().cached(key_part.empty()
                                    ? "SELECT state, count(*) FROM eth_tx_journal GROUP BY state"
                                    : "SELECT state, count(*) FROM eth_tx_journal WHERE "
                                      "instr(idem_key, ?) > 0 GROUP BY state");
  Reset r(s);
  if (!key_part.empty()) s.bind(1, key_part);
  while (s.step()) {
    const int64_t state = s.int64(0);
    if (state < state_id(TxState::Signed) || state > state_id(TxState::Rejected))
      throw base::StorageError("tx journal: unknown state " + std::to_string(state));
    out[static_cast<TxState>(state)] = static_cast<uint64_t>(s.int64(1));
  }
  return out;
}

std::optional<JournalEntry> TxJournal::by_hash(const Hash& hash, WriteTxn* txn) const {
  return on_conn(db_, txn, [&](Connection& c) -> std::optional<JournalEntry> {
    auto& s = c.cached("SELECT " JOURNAL_COLUMNS " FROM eth_tx_journal WHERE hash = ?");
    Reset r(s);
    s.bind(1, hash);
    if (!s.step()) return std::nullopt;
    return row(s);
  });
}

std::optional<JournalEntry> TxJournal::by_key(const Address& sender, const std::string& key,
                                              WriteTxn* txn) const {
  const std::string who = sender.hex();
  return on_conn(db_, txn, [&](Connection& c) -> std::optional<JournalEntry> {
    auto& s = c.cached("SELECT " JOURNAL_COLUMNS
                       " FROM eth_tx_journal WHERE sender = ? AND idem_key = ? AND state != ? "
                       "ORDER BY state = ? DESC, id DESC LIMIT 1");
    Reset r(s);
    s.bind(1, who)
        .bind(2, key)
        .bind(3, state_id(TxState::Rejected))
        .bind(4, state_id(TxState::Mined));
    if (!s.step()) return std::nullopt;
    return row(s);
  });
}

std::vector<JournalEntry> TxJournal::all_by_key(const Address& sender,
                                                const std::string& key) const {
  const std::string who = sender.hex();
  auto lease = db_.read();
  auto& s = lease.cached("SELECT " JOURNAL_COLUMNS
                         " FROM eth_tx_journal WHERE sender = ? AND idem_key = ? ORDER BY id");
  Reset r(s);
  s.bind(1, who).bind(2, key);
  return rows(s);
}

std::vector<JournalEntry> TxJournal::attempts(const Address& sender, uint64_t nonce,
                                              WriteTxn* txn) const {
  const std::string who = sender.hex();
  return on_conn(db_, txn, [&](Connection& c) {
    auto& s = c.cached("SELECT " JOURNAL_COLUMNS
                       " FROM eth_tx_journal WHERE sender = ? AND nonce = ? ORDER BY attempt");
    Reset r(s);
    s.bind(1, who).bind(2, static_cast<int64_t>(nonce));
    return rows(s);
  });
}

std::vector<uint64_t> TxJournal::open_nonces(const Address& sender) const {
  const std::string who = sender.hex();
  auto lease = db_.read();
  auto& s = lease.cached(
      "SELECT DISTINCT nonce FROM eth_tx_journal WHERE sender = ? AND state IN (?, ?) "
      "ORDER BY nonce");
  Reset r(s);
  s.bind(1, who).bind(2, state_id(TxState::Signed)).bind(3, state_id(TxState::Sent));
  std::vector<uint64_t> out;
  while (s.step())
    out.push_back(static_cast<uint64_t>(s.int64(0)));
  return out;
}

std::optional<uint64_t> TxJournal::max_nonce(const Address& sender) const {
  const std::string who = sender.hex();
  auto lease = db_.read();
  auto& s = lease.cached("SELECT MAX(nonce) FROM eth_tx_journal WHERE sender = ? AND state != ?");
  Reset r(s);
  s.bind(1, who).bind(2, state_id(TxState::Rejected));
  if (!s.step() || s.is_null(0)) return std::nullopt;
  return static_cast<uint64_t>(s.int64(0));
}

uint64_t TxJournal::free_nonce(WriteTxn& txn, const Address& sender, uint64_t from) const {
  const std::string who = sender.hex();
  auto& s = txn.cached(
      "SELECT DISTINCT nonce FROM eth_tx_journal WHERE sender = ? AND nonce >= ? AND state != ? "
      "ORDER BY nonce");
  Reset r(s);
  s.bind(1, who).bind(2, static_cast<int64_t>(from)).bind(3, state_id(TxState::Rejected));
  uint64_t n = from;
  while (s.step() && static_cast<uint64_t>(s.int64(0)) == n)
    ++n;  // held: try the next one; the first gap is free
  return n;
}

}  // namespace codex::eth
