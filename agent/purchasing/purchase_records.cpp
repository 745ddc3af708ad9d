#include "agent/purchasing/purchase_records.h"

#include <algorithm>

#include "agent/eth/abi_codec.h"
#include "agent/market/abi_mapping.h"
#include "base/error.h"
#include "base/sqlite/database.h"
#include "base/sqlite/migrations.h"

namespace codex::purchasing {
namespace {

using base::sqlite::Migration;
using base::sqlite::Reset;
using base::sqlite::Statement;
using base::sqlite::WriteTxn;

std::span<const Migration> migrations() {
  static const Migration kMigrations[] = {
      {1, R"SQL(
CREATE TABLE purchasing_purchases (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  request_id BLOB NOT NULL UNIQUE,
  request BLOB NOT NULL,
  state TEXT NOT NULL,
  wake_at INTEGER,
  error TEXT NOT NULL,
  created_at INTEGER NOT NULL DEFAULT (strftime('%s','now'))
);
)SQL"},
  };
  return kMigrations;
}

#define PURCHASE_COLUMNS "request_id, request, state, wake_at, error"

PurchaseRecord row(const Statement& s) {
  PurchaseRecord r;
  const std::string_view id = s.blob_view(0);
  if (id.size() != r.id.size()) throw base::StorageError("purchasing: corrupt request id");
  std::copy(id.begin(), id.end(), r.id.begin());
  const std::string_view req = s.blob_view(1);
  try {
    r.request = market::request_from_abi(
        eth::abi::decode(market::request_abi_type(),
                         std::span(reinterpret_cast<const uint8_t*>(req.data()), req.size())));
  } catch (const std::exception& e) {
    throw base::StorageError(std::string("purchasing: corrupt request: ") + e.what());
  }
  const auto state = purchase_state_from(s.text(2));
  if (!state) throw base::StorageError("purchasing: unknown state " + s.text(2));
  r.state = *state;
  if (!s.is_null(3)) r.wake_at = static_cast<uint64_t>(s.int64(3));
  r.error = s.text(4);
  return r;
}

template <class Conn>
std::vector<PurchaseRecord> rows(Conn& c, const char* sql) {
  Statement& s = c.cached(sql);
  Reset reset(s);
  std::vector<PurchaseRecord> out;
  while (s.step())
    out.push_back(row(s));
  return out;
}

void bind_mutable(Statement& s, const PurchaseRecord& r) {
  s.bind(1, stored_name(r.state));
  if (r.wake_at)
    s.bind(2, static_cast<int64_t>(*r.wake_at));
  else
    s.bind_null(2);
  s.bind(3, std::string_view(r.error));
  s.bind(4, std::span<const uint8_t>(r.id));
}

}  // namespace

PurchaseRecords::PurchaseRecords(base::sqlite::Database& db) : db_(db) {
  db_.write(
      [](WriteTxn& txn) { base::sqlite::migrate(txn, "purchasing_purchases", migrations()); });
}

std::optional<PurchaseRecord> PurchaseRecords::get(const market::RequestId& id) const {
  auto lease = db_.read();
  Statement& s =
      lease.cached("SELECT " PURCHASE_COLUMNS " FROM purchasing_purchases WHERE request_id = ?");
  Reset reset(s);
  s.bind(1, std::span<const uint8_t>(id));
  if (!s.step()) return std::nullopt;
  return row(s);
}

std::vector<PurchaseRecord> PurchaseRecords::all() const {
  auto lease = db_.read();
  return rows(lease, "SELECT " PURCHASE_COLUMNS " FROM purchasing_purchases ORDER BY seq");
}

std::vector<PurchaseRecord> PurchaseRecords::active() const {
  auto lease = db_.read();
  return rows(lease, "SELECT " PURCHASE_COLUMNS
                     " FROM purchasing_purchases WHERE state NOT IN ('errored', 'completed') "
                     "ORDER BY seq");
}

std::map<PurchaseState, uint64_t> PurchaseRecords::count_by_state() const {
  std::map<PurchaseState, uint64_t> out;
  auto lease = db_.read();
  auto& s = lease.conn().cached("SELECT state, count(*) FROM purchasing_purchases GROUP BY state");
  Reset reset(s);
  while (s.step()) {
    const auto state = purchase_state_from(s.text(0));
    if (!state) throw base::StorageError("purchasing: unknown state " + s.text(0));
    out[*state] += static_cast<uint64_t>(s.int64(1));
  }
  return out;
}

bool PurchaseRecords::insert(WriteTxn& txn, const PurchaseRecord& r) {
  {
    Statement& s = txn.cached("SELECT 1 FROM purchasing_purchases WHERE request_id = ?");
    Reset reset(s);
    s.bind(1, std::span<const uint8_t>(r.id));
    if (s.step()) return false;
  }
  const eth::Bytes req = eth::abi::encode(market::request_abi_type(), market::to_abi(r.request));
  Statement& s = txn.cached(
      "INSERT INTO purchasing_purchases (state, wake_at, error, request_id, request) "
      "VALUES (?,?,?,?,?)");
  Reset reset(s);
  bind_mutable(s, r);
  s.bind(5, std::span<const uint8_t>(req)).run();
  return true;
}

bool PurchaseRecords::replace_if(WriteTxn& txn, const PurchaseRecord& r, PurchaseState expected) {
  Statement& s = txn.cached(
      "UPDATE purchasing_purchases SET state = ?, wake_at = ?, error = ? "
      "WHERE request_id = ? AND state = ?");
  Reset reset(s);
  bind_mutable(s, r);
  s.bind(5, stored_name(expected)).run();
  return txn.conn().changes() > 0;
}

}  // namespace codex::purchasing
