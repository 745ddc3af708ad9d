// The requests a provider heard of survive its restart until they expire.
#include "agent/sales/heard_requests.h"

#include <gtest/gtest.h>

#include "base/sqlite/database.h"
#include "tests/support/temp_dir.h"

namespace codex::sales {
namespace {

market::RequestId id_of(uint8_t b) {
  market::RequestId id{};
  id.fill(b);
  return id;
}

TEST(HeardRequests, KeepsOpenRequestsAcrossAReopenAndForgetsExpiredOnes) {
  testing::TempDir tmp("heard");
  {
    auto db = base::sqlite::Database::open(tmp.path() / "db.sqlite3");
    HeardRequests heard(*db);
    db->write([&](base::sqlite::WriteTxn& txn) {
      heard.record(txn, id_of(1), 100);
      heard.record(txn, id_of(2), 200);
      heard.record(txn, id_of(3), 50);
      heard.record(txn, id_of(2), 200);  // heard twice (a reorg re-delivery): one row
    });
    // A transaction that rolls back records nothing.
    EXPECT_THROW(db->write([&](base::sqlite::WriteTxn& txn) {
      heard.record(txn, id_of(4), 300);
      throw std::runtime_error("the event handler failed");
    }),
                 std::runtime_error);
  }
  auto db = base::sqlite::Database::open(tmp.path() / "db.sqlite3");
  HeardRequests heard(*db);
  EXPECT_EQ(heard.open(60), (std::vector<market::RequestId>{id_of(1), id_of(2)}));
  EXPECT_EQ(heard.open(100), (std::vector<market::RequestId>{id_of(2)}));  // expiry is exclusive
  EXPECT_EQ(heard.open(0), (std::vector<market::RequestId>{id_of(2)}));    // 1 and 3 forgotten
  EXPECT_TRUE(heard.open(200).empty());
}

}  // namespace
}  // namespace codex::sales
