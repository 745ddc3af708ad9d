#include "agent/sales/heard_requests.h"

#include <algorithm>

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
CREATE TABLE sales_heard_requests (
  request_id BLOB PRIMARY KEY,
  expires_at INTEGER NOT NULL
);
CREATE INDEX sales_heard_requests_expiry ON sales_heard_requests (expires_at);
)SQL"},
  };
  return kMigrations;
}

}  // namespace

HeardRequests::HeardRequests(base::sqlite::Database& db) : db_(db) {
  db_.write(
      [](WriteTxn& txn) { base::sqlite::migrate(txn, "sales_heard_requests", migrations()); });
}

void HeardRequests::record(WriteTxn& txn, const market::RequestId& id, uint64_t expires_at) {
  Statement& s = txn.cached(
      "INSERT OR REPLACE INTO sales_heard_requests (request_id, expires_at) VALUES (?, ?)");
  Reset reset(s);
  s.bind(1, std::span<const uint8_t>(id)).bind(2, static_cast<int64_t>(expires_at));
  s.run();
}

std::vector<market::RequestId> HeardRequests::open(uint64_t now) {
  std::vector<market::RequestId> out;
  db_.write([&](WriteTxn& txn) {
    {
      Statement& d = txn.cached("DELETE FROM sales_heard_requests WHERE expires_at <= ?");
      Reset reset(d);
      d.bind(1, static_cast<int64_t>(now));
      d.run();
    }
    Statement& s =
        txn.cached("SELECT request_id FROM sales_heard_requests ORDER BY expires_at, request_id");
    Reset reset(s);
    while (s.step()) {
      const std::string_view b = s.blob_view(0);
      if (b.size() != 32) throw base::StorageError("sales: corrupt heard request row");
      market::RequestId id;
      std::copy(b.begin(), b.end(), id.begin());
      out.push_back(id);
    }
  });
  return out;
}

}  // namespace codex::sales
