#include "agent/sales/sale_records.h"

#include <algorithm>
#include <array>

#include "base/error.h"
#include "base/sqlite/database.h"
#include "base/sqlite/migrations.h"

namespace codex::sales {
namespace {

using base::sqlite::Migration;
using base::sqlite::Reset;
using base::sqlite::Statement;
using base::sqlite::WriteTxn;

std::span<const Migration> migrations() {
  static const Migration kMigrations[] = {
      {1, R"SQL(
CREATE TABLE sales_sales (
  slot_id BLOB PRIMARY KEY,
  request_id BLOB NOT NULL,
  slot_index INTEGER NOT NULL,
  round INTEGER NOT NULL,
  state TEXT NOT NULL,
  reservation_id BLOB,
  wake_at INTEGER,
  proof BLOB,
  proof_period INTEGER NOT NULL,
  proven_period INTEGER,
  returned_collateral BLOB NOT NULL,
  filled INTEGER NOT NULL,
  reprocess INTEGER NOT NULL,
  error TEXT NOT NULL,
  done INTEGER NOT NULL,
  proofs_required INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL DEFAULT (strftime('%s','now'))
);
CREATE INDEX sales_sales_active ON sales_sales (done);
)SQL"},
  };
  return kMigrations;
}

#define SALE_COLUMNS                                                                   \
  "slot_id, request_id, slot_index, round, state, reservation_id, wake_at, proof, "    \
  "proof_period, proven_period, returned_collateral, filled, reprocess, error, done, " \
  "proofs_required"

template <size_t N>
std::array<uint8_t, N> fixed(const Statement& s, int col) {
  const std::string_view b = s.blob_view(col);
  if (b.size() != N) throw base::StorageError("sales: corrupt sale row");
  std::array<uint8_t, N> out;
  std::copy(b.begin(), b.end(), out.begin());
  return out;
}

std::array<uint8_t, 256> proof_bytes(const market::Groth16Proof& p) {
  std::array<uint8_t, 256> out;
  const Uint256 words[8] = {p.a.x,      p.a.y,      p.b.x.real, p.b.x.imag,
                            p.b.y.real, p.b.y.imag, p.c.x,      p.c.y};
  for (size_t i = 0; i < 8; ++i) {
    const auto w = words[i].to_be_bytes();
    std::copy(w.begin(), w.end(), out.begin() + 32 * i);
  }
  return out;
}

market::Groth16Proof proof_of(const std::array<uint8_t, 256>& b) {
  auto w = [&](size_t i) { return Uint256::from_be_bytes(std::span(b).subspan(32 * i, 32)); };
  return {{w(0), w(1)}, {{w(2), w(3)}, {w(4), w(5)}}, {w(6), w(7)}};
}

SaleRecord row(const Statement& s) {
  SaleRecord r;
  r.slot_id = fixed<32>(s, 0);
  r.request_id = fixed<32>(s, 1);
  r.slot_index = static_cast<uint64_t>(s.int64(2));
  r.round = static_cast<uint64_t>(s.int64(3));
  const auto state = sale_state_from(s.text(4));
  if (!state) throw base::StorageError("sales: unknown state " + s.text(4) + " in a sale row");
  r.state = *state;
  if (!s.is_null(5)) r.reservation = fixed<32>(s, 5);
  if (!s.is_null(6)) r.wake_at = static_cast<uint64_t>(s.int64(6));
  if (!s.is_null(7)) r.proof = proof_of(fixed<256>(s, 7));
  r.proof_period = static_cast<uint64_t>(s.int64(8));
  if (!s.is_null(9)) r.proven_period = static_cast<uint64_t>(s.int64(9));
  r.returned_collateral = Uint256::from_be_bytes(fixed<32>(s, 10));
  r.filled = s.int64(11) != 0;
  r.reprocess = s.int64(12) != 0;
  r.error = s.text(13);
  r.done = s.int64(14) != 0;
  r.proofs_required = static_cast<uint64_t>(s.int64(15));
  return r;
}

void bind(Statement& s, const SaleRecord& r, const std::array<uint8_t, 256>& proof,
          const std::array<uint8_t, 32>& returned) {
  s.bind(1, std::span<const uint8_t>(r.slot_id))
      .bind(2, std::span<const uint8_t>(r.request_id))
      .bind(3, static_cast<int64_t>(r.slot_index))
      .bind(4, static_cast<int64_t>(r.round))
      .bind(5, to_string(r.state));
  if (r.reservation)
    s.bind(6, std::span<const uint8_t>(*r.reservation));
  else
    s.bind_null(6);
  if (r.wake_at)
    s.bind(7, static_cast<int64_t>(*r.wake_at));
  else
    s.bind_null(7);
  if (r.proof)
    s.bind(8, std::span<const uint8_t>(proof));
  else
    s.bind_null(8);
  s.bind(9, static_cast<int64_t>(r.proof_period));
  if (r.proven_period)
    s.bind(10, static_cast<int64_t>(*r.proven_period));
  else
    s.bind_null(10);
  s.bind(11, std::span<const uint8_t>(returned))
      .bind(12, int64_t{r.filled ? 1 : 0})
      .bind(13, int64_t{r.reprocess ? 1 : 0})
      .bind(14, std::string_view(r.error))
      .bind(15, int64_t{r.done ? 1 : 0})
      .bind(16, static_cast<int64_t>(r.proofs_required));
}

template <class Conn>
std::vector<SaleRecord> rows(Conn& c, const char* sql) {
  Statement& s = c.cached(sql);
  Reset reset(s);
  std::vector<SaleRecord> out;
  while (s.step())
    out.push_back(row(s));
  return out;
}

}  // namespace

SaleRecords::SaleRecords(base::sqlite::Database& db) : db_(db) {
  db_.write([](WriteTxn& txn) { base::sqlite::migrate(txn, "sales_sales", migrations()); });
}

std::optional<SaleRecord> SaleRecords::get(const market::SlotId& slot) const {
  auto lease = db_.read();
  Statement& s = lease.cached("SELECT " SALE_COLUMNS " FROM sales_sales WHERE slot_id = ?");
  Reset reset(s);
  s.bind(1, std::span<const uint8_t>(slot));
  if (!s.step()) return std::nullopt;
  return row(s);
}

std::vector<SaleRecord> SaleRecords::active() const {
  auto lease = db_.read();
  return rows(lease, "SELECT " SALE_COLUMNS " FROM sales_sales WHERE done = 0 ORDER BY slot_id");
}

std::vector<SaleRecord> SaleRecords::all() const {
  auto lease = db_.read();
  return rows(lease, "SELECT " SALE_COLUMNS " FROM sales_sales ORDER BY slot_id");
}

std::map<SaleState, uint64_t> SaleRecords::count_by_state() const {
  std::map<SaleState, uint64_t> out;
  auto lease = db_.read();
  Statement& s = lease.conn().cached("SELECT state, count(*) FROM sales_sales GROUP BY state");
  Reset reset(s);
  while (s.step()) {
    const auto state = sale_state_from(s.text(0));
    if (!state) throw base::StorageError("sales: unknown state " + s.text(0) + " in a sale row");
    out[*state] += static_cast<uint64_t>(s.int64(1));
  }
  return out;
}

uint64_t SaleRecords::proofs_required() const {
  auto lease = db_.read();
  Statement& s = lease.conn().cached("SELECT coalesce(sum(proofs_required), 0) FROM sales_sales");
  Reset reset(s);
  return s.step() ? static_cast<uint64_t>(s.int64(0)) : 0;
}

void SaleRecords::put(WriteTxn& txn, const SaleRecord& r) {
  const auto proof = r.proof ? proof_bytes(*r.proof) : std::array<uint8_t, 256>{};
  const auto returned = r.returned_collateral.to_be_bytes();
  Statement& s = txn.cached("INSERT OR REPLACE INTO sales_sales (" SALE_COLUMNS
                            ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  Reset reset(s);
  bind(s, r, proof, returned);
  s.run();
}

bool SaleRecords::replace_if(WriteTxn& txn, const SaleRecord& r, SaleState expected) {
  // In place (a host writes this for every proof): REPLACE would delete the
  // row and insert it at a new rowid, rewriting both indexes' pages too.
  const auto proof = r.proof ? proof_bytes(*r.proof) : std::array<uint8_t, 256>{};
  const auto returned = r.returned_collateral.to_be_bytes();
  Statement& s = txn.cached(
      "UPDATE sales_sales SET request_id = ?2, slot_index = ?3, round = ?4, state = ?5, "
      "reservation_id = ?6, wake_at = ?7, proof = ?8, proof_period = ?9, proven_period = ?10, "
      "returned_collateral = ?11, filled = ?12, reprocess = ?13, error = ?14, done = ?15, "
      "proofs_required = ?16, updated_at = strftime('%s','now') "
      "WHERE slot_id = ?1 AND state = ?17");
  Reset reset(s);
  bind(s, r, proof, returned);
  s.bind(17, to_string(expected));
  s.run();
  return txn.conn().changes() == 1;
}

}  // namespace codex::sales
