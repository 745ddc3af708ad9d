#include "agent/validator/watched_slots.h"

#include <algorithm>

#include "base/error.h"
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
CREATE TABLE validator_slots (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  slot_id BLOB NOT NULL UNIQUE,
  request_id BLOB NOT NULL,
  slot_index INTEGER NOT NULL
);
)SQL"},
  };
  return kMigrations;
}

template <class Id>
Id id_from(std::string_view b) {
  Id id{};
  if (b.size() != id.size()) throw base::StorageError("validator: corrupt watched slot row");
  std::copy(b.begin(), b.end(), id.begin());
  return id;
}

}  // namespace

WatchedSlots::WatchedSlots(base::sqlite::Database& db) : db_(db) {
  db_.write([](WriteTxn& txn) { base::sqlite::migrate(txn, "validator_slots", migrations()); });
}

std::vector<WatchedSlot> WatchedSlots::load() const {
  std::vector<WatchedSlot> out;
  auto lease = db_.read();
  Statement& s =
      lease.cached("SELECT slot_id, request_id, slot_index FROM validator_slots ORDER BY seq");
  Reset reset(s);
  while (s.step())
    out.push_back({id_from<market::SlotId>(s.blob_view(0)),
                   id_from<market::RequestId>(s.blob_view(1)), uint64_t(s.int64(2))});
  return out;
}

void WatchedSlots::add(WriteTxn& txn, const WatchedSlot& slot) {
  Statement& s = txn.cached(
      "INSERT OR IGNORE INTO validator_slots (slot_id, request_id, slot_index) VALUES (?, ?, ?)");
  Reset reset(s);
  s.bind(1, std::span<const uint8_t>(slot.slot_id))
      .bind(2, std::span<const uint8_t>(slot.request_id))
      .bind(3, static_cast<int64_t>(slot.slot_index));
  s.run();
}

void WatchedSlots::remove(WriteTxn& txn, const market::SlotId& slot) {
  Statement& s = txn.cached("DELETE FROM validator_slots WHERE slot_id = ?");
  Reset reset(s);
  s.bind(1, std::span<const uint8_t>(slot));
  s.run();
}

void WatchedSlots::remove_all(const std::vector<market::SlotId>& slots) {
  if (slots.empty()) return;
  db_.write([&](WriteTxn& txn) {
    for (const auto& s : slots)
      remove(txn, s);
  });
}

}  // namespace codex::validator
