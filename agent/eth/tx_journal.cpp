#include "agent/eth/tx_journal.h"

namespace codex::eth {
namespace {

constexpr const char* kSchema = R"SQL(
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
)SQL";

constexpr const char* kColumns =
    "id, sender, nonce, attempt, hash, raw, idem_key, state, block_number";

JournalEntry row(const Statement& s) {
  JournalEntry e;
  e.id = s.int64(0);
  e.sender = Address::parse(s.text(1));
  e.nonce = static_cast<uint64_t>(s.int64(2));
  e.attempt = static_cast<int>(s.int64(3));
  auto h = s.blob(4);
  if (h.size() != 32) throw DbError("journal: corrupt hash column");
  std::copy(h.begin(), h.end(), e.hash.begin());
  e.raw = s.blob(5);
  e.key = s.text(6);
  e.state = static_cast<TxState>(s.int64(7));
  if (!s.is_null(8)) e.block_number = static_cast<uint64_t>(s.int64(8));
  return e;
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

TxJournal::TxJournal(sqlite3* db) : db_(db) {
  exec(db_, kSchema);
}

void TxJournal::record(const SignedTx& tx, int attempt, const std::string& key) {
  Statement s(db_,
              "INSERT INTO eth_tx_journal (sender, nonce, attempt, hash, raw, idem_key, state) "
              "VALUES (?,?,?,?,?,?,?)");
  s.bind(1, tx.from.hex())
      .bind(2, static_cast<int64_t>(tx.nonce))
      .bind(3, static_cast<int64_t>(attempt))
      .bind(4, tx.hash)
      .bind(5, tx.raw)
      .bind(6, key)
      .bind(7, static_cast<int64_t>(TxState::Signed));
  s.run();
}

void TxJournal::set_state(const Hash& hash, TxState state, std::optional<uint64_t> block) {
  Statement s(db_, "UPDATE eth_tx_journal SET state = ?, block_number = ? WHERE hash = ?");
  s.bind(1, static_cast<int64_t>(state));
  if (block)
    s.bind(2, static_cast<int64_t>(*block));
  else
    s.bind_null(2);
  s.bind(3, hash).run();
}

void TxJournal::settle(const Hash& mined, uint64_t block) {
  auto e = by_hash(mined);
  if (!e) throw DbError("journal: settle of an unknown transaction");
  Savepoint sp(db_);
  Statement others(db_,
                   "UPDATE eth_tx_journal SET state = ? WHERE sender = ? AND nonce = ? AND hash != "
                   "? AND state IN (?, ?)");
  others.bind(1, static_cast<int64_t>(TxState::Replaced))
      .bind(2, e->sender.hex())
      .bind(3, static_cast<int64_t>(e->nonce))
      .bind(4, mined)
      .bind(5, static_cast<int64_t>(TxState::Signed))
      .bind(6, static_cast<int64_t>(TxState::Sent))
      .run();
  set_state(mined, TxState::Mined, block);
  sp.commit();
}

std::optional<JournalEntry> TxJournal::by_hash(const Hash& hash) const {
  Statement s(db_,
              (std::string("SELECT ") + kColumns + " FROM eth_tx_journal WHERE hash = ?").c_str());
  s.bind(1, hash);
  if (!s.step()) return std::nullopt;
  return row(s);
}

std::optional<JournalEntry> TxJournal::by_key(const Address& sender, const std::string& key) const {
  Statement s(db_, (std::string("SELECT ") + kColumns +
                    " FROM eth_tx_journal WHERE sender = ? AND idem_key = ? ORDER BY nonce DESC, "
                    "attempt DESC LIMIT 1")
                       .c_str());
  s.bind(1, sender.hex()).bind(2, key);
  if (!s.step()) return std::nullopt;
  return row(s);
}

std::vector<JournalEntry> TxJournal::attempts(const Address& sender, uint64_t nonce) const {
  Statement s(db_, (std::string("SELECT ") + kColumns +
                    " FROM eth_tx_journal WHERE sender = ? AND nonce = ? ORDER BY attempt")
                       .c_str());
  s.bind(1, sender.hex()).bind(2, static_cast<int64_t>(nonce));
  std::vector<JournalEntry> out;
  while (s.step())
    out.push_back(row(s));
  return out;
}

std::vector<uint64_t> TxJournal::open_nonces(const Address& sender) const {
  Statement s(db_,
              "SELECT DISTINCT nonce FROM eth_tx_journal WHERE sender = ? AND state IN (?, ?) "
              "ORDER BY nonce");
  s.bind(1, sender.hex())
      .bind(2, static_cast<int64_t>(TxState::Signed))
      .bind(3, static_cast<int64_t>(TxState::Sent));
  std::vector<uint64_t> out;
  while (s.step())
    out.push_back(static_cast<uint64_t>(s.int64(0)));
  return out;
}

std::optional<uint64_t> TxJournal::max_nonce(const Address& sender) const {
  Statement s(db_, "SELECT MAX(nonce) FROM eth_tx_journal WHERE sender = ? AND state != ?");
  s.bind(1, sender.hex()).bind(2, static_cast<int64_t>(TxState::Rejected));
  if (!s.step() || s.is_null(0)) return std::nullopt;
  return static_cast<uint64_t>(s.int64(0));
}

}  // namespace codex::eth
