// The one SQLite wrapper: write transactions shared by components (hooks,
// all-or-nothing), reads beside the writer, versioned migrations.
#include <gtest/gtest.h>

#include <thread>

#include "base/error.h"
#include "base/sqlite/database.h"
#include "base/sqlite/migrations.h"
#include "tests/support/temp_dir.h"

namespace codex::base::sqlite {
namespace {

int64_t count(Database& db, const char* table) {
  auto r = db.read();
  auto& s = r.cached(std::string("SELECT count(*) FROM ") + table);
  Reset reset(s);
  EXPECT_TRUE(s.step());
  return s.int64(0);
}

struct DatabaseTest : ::testing::Test {
  testing::TempDir dir{"codex-sqlite"};
  std::unique_ptr<Database> db = Database::open(dir / "db.sqlite3");
  void SetUp() override {
    db->write([](WriteTxn& t) { t.exec("CREATE TABLE a(x); CREATE TABLE b(y);"); });
  }
};

TEST_F(DatabaseTest, TwoComponentsCommitTogetherOrNotAtAll) {
  std::vector<std::string> seen;
  {
    auto t = db->begin();
    t.cached("INSERT INTO a VALUES(?)").bind(1, int64_t(1)).run();
    t.cached("INSERT INTO b VALUES(?)").bind(1, int64_t(2)).run();
    t.before_commit([&] { seen.push_back("before"); });
    t.after_commit([&] { seen.push_back("after"); });
    t.after_rollback([&] { seen.push_back("undo"); });
    t.commit();
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"before", "after"}));
  EXPECT_EQ(count(*db, "a"), 1);
  EXPECT_EQ(count(*db, "b"), 1);

  seen.clear();
  {
    auto t = db->begin();
    t.cached("INSERT INTO a VALUES(3)").run();
    t.cached("INSERT INTO b VALUES(4)").run();
    t.after_rollback([&] { seen.push_back("undo"); });
  }  // dropped: rolled back
  EXPECT_EQ(seen, (std::vector<std::string>{"undo"}));
  EXPECT_EQ(count(*db, "a"), 1);
  EXPECT_EQ(count(*db, "b"), 1);
}

TEST_F(DatabaseTest, ThrowingBeforeCommitHookRollsEverythingBack) {
  bool undone = false;
  auto t = db->begin();
  t.cached("INSERT INTO a VALUES(1)").run();
  t.before_commit([] { throw StorageError("sync failed"); });
  t.after_rollback([&] { undone = true; });
  EXPECT_THROW(t.commit(), StorageError);
  EXPECT_FALSE(t.open());
  EXPECT_TRUE(undone);
  EXPECT_EQ(count(*db, "a"), 0);
  // The writer is free again.
  db->write([](WriteTxn& w) { w.cached("INSERT INTO a VALUES(2)").run(); });
  EXPECT_EQ(count(*db, "a"), 1);
}

TEST_F(DatabaseTest, AfterReleaseHooksRunOnceTheWriterIsFreeAndMayWrite) {
  std::vector<std::string> seen;
  {
    auto t = db->begin();
    t.cached("INSERT INTO a VALUES(1)").run();
    t.after_commit([&] { seen.push_back(db->in_write_txn() ? "commit:writer" : "commit:free"); });
    t.after_release([&] {
      seen.push_back(db->in_write_txn() ? "release:writer" : "release:free");
      db->write([](WriteTxn& w) { w.cached("INSERT INTO b VALUES(2)").run(); });
    });
    t.commit();
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"commit:writer", "release:free"}));
  EXPECT_EQ(count(*db, "b"), 1);
  bool ran = false;
  {
    auto t = db->begin();
    t.after_release([&] { ran = true; });
  }  // rolled back: release hooks are dropped
  EXPECT_FALSE(ran);
}

TEST_F(DatabaseTest, NestedWriteOnOneThreadFailsInsteadOfDeadlocking) {
  auto t = db->begin();
  EXPECT_TRUE(db->in_write_txn());
  EXPECT_THROW(db->begin(), std::logic_error);
  t.rollback();
  EXPECT_FALSE(db->in_write_txn());
  EXPECT_NO_THROW(db->begin().commit());
}

TEST_F(DatabaseTest, ReadersSeeCommittedStateOnlyAndRunBesideTheWriter) {
  auto t = db->begin();
  t.cached("INSERT INTO a VALUES(1)").run();
  int64_t seen = -1;
  std::thread reader([&] { seen = count(*db, "a"); });
  reader.join();
  EXPECT_EQ(seen, 0);
  t.commit();
  EXPECT_EQ(count(*db, "a"), 1);
}

TEST_F(DatabaseTest, WritersFromManyThreadsAreSerialised) {
  std::vector<std::thread> ts;
  for (int i = 0; i < 4; ++i)
    ts.emplace_back([&] {
      for (int k = 0; k < 50; ++k)
        db->write([&](WriteTxn& w) {
          w.cached("INSERT INTO a VALUES(?)").bind(1, int64_t(k)).run();
          if (k % 7 == 0) w.require_sync();
        });
    });
  for (auto& t : ts)
    t.join();
  EXPECT_EQ(count(*db, "a"), 200);
}

TEST_F(DatabaseTest, SavepointUndoesOnlyItsPart) {
  auto t = db->begin();
  t.cached("INSERT INTO a VALUES(1)").run();
  {
    Savepoint sp(t.conn());
    t.cached("INSERT INTO a VALUES(2)").run();
  }
  {
    Savepoint sp(t.conn());
    t.cached("INSERT INTO a VALUES(3)").run();
    sp.release();
  }
  t.commit();
  EXPECT_EQ(count(*db, "a"), 2);
}

TEST_F(DatabaseTest, PerTransactionStateStartsEmptyEachTime) {
  static const int key = 0;
  for (int i = 0; i < 2; ++i) {
    auto t = db->begin();
    int& n = t.state<int>(&key);
    EXPECT_EQ(n, 0);
    n = 5;
    EXPECT_EQ(t.state<int>(&key), 5);
    t.commit();
  }
}

TEST(SqliteOpen, ANonDatabaseFileIsRefused) {
  testing::TempDir dir{"codex-sqlite"};
  {
    std::FILE* f = std::fopen((dir / "x").c_str(), "w");
    std::fputs("this is not a database, not at all, but long enough to look like a header", f);
    std::fclose(f);
  }
  try {
    Database::open(dir / "x");
    FAIL() << "opened a file that is not a database";
  } catch (const StorageError& e) {
    EXPECT_NE(std::string(e.what()).find((dir / "x").string()), std::string::npos) << e.what();
  }
}

TEST_F(DatabaseTest, AComponentCanBeOpenOnlyOnceAtATime) {
  {
    Claim store = db->claim("store");
    EXPECT_THROW(db->claim("store"), std::logic_error);
    Claim journal = db->claim("journal");  // another component is another claim
    Claim moved = std::move(store);
    EXPECT_THROW(db->claim("store"), std::logic_error);
  }
  EXPECT_NO_THROW(db->claim("store"));  // released with its claim
}

const Migration kV1[] = {{1, "CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT)"}};
const Migration kV2[] = {{1, "CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT)"},
                         {2, "ALTER TABLE items ADD COLUMN size INTEGER NOT NULL DEFAULT 0",
                          [](WriteTxn& t) { t.exec("UPDATE items SET size = length(name)"); }}};

TEST_F(DatabaseTest, MigrationsUpgradeInOrderAndRecordTheVersion) {
  db->write([](WriteTxn& t) { EXPECT_EQ(migrate(t, "items", kV1), 0); });
  db->write([](WriteTxn& t) { t.exec("INSERT INTO items(name) VALUES('abcd')"); });
  db->write([](WriteTxn& t) { EXPECT_EQ(migrate(t, "items", kV2), 1); });
  db->write([](WriteTxn& t) { EXPECT_EQ(migrate(t, "items", kV2), 2); });  // no-op
  auto r = db->read();
  EXPECT_EQ(schema_version(r.conn(), "items"), 2);
  EXPECT_EQ(schema_version(r.conn(), "other"), 0);
  auto& s = r.cached("SELECT size FROM items");
  Reset reset(s);
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.int64(0), 4);
}

TEST_F(DatabaseTest, ADatabaseFromANewerBuildIsRefusedWithAClearMessage) {
  db->write([](WriteTxn& t) { migrate(t, "items", kV2); });
  try {
    db->write([](WriteTxn& t) { migrate(t, "items", kV1); });
    FAIL() << "an older build must refuse a newer schema";
  } catch (const StorageError& e) {
    EXPECT_NE(std::string(e.what()).find("newer than this build knows"), std::string::npos)
        << e.what();
  }
}

TEST_F(DatabaseTest, AFailedMigrationLeavesTheOldSchema) {
  const Migration bad[] = {kV1[0], {2, "ALTER TABLE nothing ADD COLUMN x"}};
  db->write([](WriteTxn& t) { migrate(t, "items", kV1); });
  EXPECT_THROW(db->write([&](WriteTxn& t) { migrate(t, "items", bad); }), StorageError);
  auto r = db->read();
  EXPECT_EQ(schema_version(r.conn(), "items"), 1);
}

}  // namespace
}  // namespace codex::base::sqlite
