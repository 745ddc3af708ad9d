#include "agent/validator/validator_marks.h"

#include <string>

#include "base/sqlite/database.h"
#include "base/sqlite/migrations.h"

namespace codex::validator {
namespace {

using base::sqlite::Migration;
using base::sqlite::Reset;
using base::sqlite::Statement;
using base::sqlite::WriteTxn;

std::span<const Migration> migrations() {
  static const Migration kMigrations[] = {
      {1, R"SQL(
CREATE TABLE validator_marks (
  slot_id BLOB NOT NULL,
  period INTEGER NOT NULL,
  reward TEXT NOT NULL,
  tx_hash BLOB NOT NULL,
  PRIMARY KEY (slot_id, period)
);
)SQL"},
  };
  return kMigrations;
}

}  // namespace

ValidatorMarks::ValidatorMarks(base::sqlite::Database& db) : db_(db) {
  db_.write([](WriteTxn& txn) { base::sqlite::migrate(txn, "validator_marks", migrations()); });
}

void ValidatorMarks::record(const market::SlotId& slot, uint64_t period,
                            const market::Uint256& reward, const market::Hash& tx_hash) {
  db_.write([&](WriteTxn& txn) {
    Statement& s = txn.cached(
        "INSERT OR IGNORE INTO validator_marks (slot_id, period, reward, tx_hash) "
        "VALUES (?, ?, ?, ?)");
    Reset reset(s);
    const std::string amount = reward.to_dec();  // bound without a copy
    s.bind(1, std::span<const uint8_t>(slot))
        .bind(2, static_cast<int64_t>(period))
        .bind(3, amount)
        .bind(4, std::span<const uint8_t>(tx_hash));
    s.run();
  });
}

MarkTotals ValidatorMarks::totals() const {
  MarkTotals t;
  auto lease = db_.read();
  Statement& s = lease.cached("SELECT reward FROM validator_marks");
  Reset reset(s);
  while (s.step()) {
    ++t.marks;
    t.rewards = t.rewards + market::Uint256::from_string(s.text(0));
  }
  return t;
}

}  // namespace codex::validator
