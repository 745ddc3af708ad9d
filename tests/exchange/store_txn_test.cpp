// The store inside a caller's write transaction (Repo::in, Batch::txn): store
// writes (blocks, leaves, deletions, quota) and another component's rows in
// the same transaction commit together and roll back together, a failed store
// write dooms the transaction, and misuse fails loudly instead of corrupting
// the quota or deadlocking.
#include <filesystem>
#include <random>

#include <gtest/gtest.h>

#include "base/sqlite/migrations.h"
#include "exchange/error.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/store/repo.h"
#include "tests/exchange/support/store_test_support.h"

namespace codex::store {
namespace {

namespace fs = std::filesystem;
using base::sqlite::Database;
using base::sqlite::Reset;
using base::sqlite::WriteTxn;
using testing::block_cid;
using testing::Bytes;
using testing::random_bytes;
using testing::TempDir;
using testing::TestStore;
using testing::tree_cid;

// Another component of the node (a role): its own table, its own schema.
const base::sqlite::Migration kRoleSchema[] = {
    {1, "CREATE TABLE test_sales(id INTEGER PRIMARY KEY, slot BLOB NOT NULL, state TEXT)"}};

void add_sale(WriteTxn& t, int64_t id, const Cid& slot, const char* state) {
  t.cached("INSERT INTO test_sales(id, slot, state) VALUES(?, ?, ?)")
      .bind(1, id)
      .bind_blob(2, slot.bytes())
      .bind(3, state)
      .run();
}

std::optional<std::string> sale_state(Database& db, int64_t id) {
  auto r = db.read();
  auto& q = r.cached("SELECT state FROM test_sales WHERE id = ?");
  Reset reset(q);
  q.bind(1, id);
  if (!q.step()) return std::nullopt;
  return q.text(0);
}

uint64_t files_under(const fs::path& dir) {
  uint64_t n = 0;
  for (auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().filename() != "DIRTY") n += e.file_size() + 1;
  return n;  // bytes of block files plus one per file
}

class StoreTxnTest : public ::testing::TestWithParam<BlockStorage> {
 protected:
  void SetUp() override {
    store_ = open();
    store_.db().write([](WriteTxn& t) { base::sqlite::migrate(t, "test_role", kRoleSchema); });
  }
  TestStore open() {
    RepoOptions o;
    o.quota_bytes = 1 << 20;
    o.storage = GetParam();
    o.pack_bytes = 8 << 10;  // a slot's blocks span several packs
    return testing::open_store(tmp_.path() / "data", o);
  }
  // A slot's blocks and leaves, a quota reservation and the sale's row.
  std::vector<Bytes> fill_slot(WriteTxn& t, const Cid& tree, int64_t sale) {
    std::vector<Bytes> blocks;
    auto s = store_->in(t);
    for (int i = 0; i < 6; ++i) {
      blocks.push_back(random_bytes(rng_, 3000));
      EXPECT_TRUE(s.put_block(block_cid(blocks.back()), blocks.back()));
      EXPECT_TRUE(s.put_leaf(tree, i, block_cid(blocks.back()), "proof"));
    }
    s.reserve(50'000);
    add_sale(t, sale, tree, "filled");
    return blocks;
  }
  void expect_consistent() {
    ConsistencyReport rep = store_->check_consistency();
    EXPECT_TRUE(rep.ok()) << (rep.problems.empty() ? "" : rep.problems.front());
    EXPECT_EQ(store_->usage().used, rep.bytes);
  }

  TempDir tmp_{"store_txn_test"};
  TestStore store_;
  std::mt19937_64 rng_{11};
};

TEST_P(StoreTxnTest, StoreWritesAndARolesRowCommitTogether) {
  const Cid tree = tree_cid(1);
  std::vector<Bytes> blocks;
  {
    WriteTxn t = store_.db().begin();
    blocks = fill_slot(t, tree, 7);
    EXPECT_EQ(store_->in(t).usage().reserved, 50'000u);  // the transaction's own view
    // Readers see nothing of it before the commit.
    EXPECT_FALSE(store_->has_block(block_cid(blocks[0])));
    EXPECT_EQ(store_->leaf_count(tree), 0u);
    EXPECT_EQ(store_->usage().reserved, 0u);
    EXPECT_EQ(store_->usage().total_blocks, 0u);
    EXPECT_FALSE(sale_state(store_.db(), 7));
    t.commit();
  }
  EXPECT_EQ(store_->leaf_count(tree), 6u);
  EXPECT_EQ(store_->usage().reserved, 50'000u);
  EXPECT_EQ(store_->usage().used, 6u * 3000);
  EXPECT_EQ(sale_state(store_.db(), 7), "filled");
  expect_consistent();
  // And all of it is durable.
  store_.reset();
  store_ = open();
  for (const Bytes& b : blocks)
    EXPECT_EQ(store_->get_block(block_cid(b)), std::string(b.begin(), b.end()));
  EXPECT_EQ(store_->usage().reserved, 50'000u);
  EXPECT_EQ(sale_state(store_.db(), 7), "filled");
  expect_consistent();
}

TEST_P(StoreTxnTest, StoreWritesAndARolesRowRollBackTogether) {
  store_->put_block(block_cid(Bytes(10, 1)), Bytes(10, 1));  // something committed before
  const uint64_t on_disk = files_under(tmp_.path() / "data" / "repo");
  const Usage before = store_->usage();
  std::vector<Bytes> blocks;
  {
    WriteTxn t = store_.db().begin();
    blocks = fill_slot(t, tree_cid(2), 8);
  }  // dropped: rolled back
  {
    WriteTxn t = store_.db().begin();
    fill_slot(t, tree_cid(3), 9);
    t.rollback();
  }
  for (const Bytes& b : blocks)
    EXPECT_FALSE(store_->has_block(block_cid(b)));
  EXPECT_EQ(store_->leaf_count(tree_cid(2)), 0u);
  EXPECT_EQ(store_->usage().reserved, before.reserved);
  EXPECT_EQ(store_->usage().used, before.used);
  EXPECT_FALSE(sale_state(store_.db(), 8));
  EXPECT_FALSE(sale_state(store_.db(), 9));
  // The block bytes written for nothing are gone too (files, pack tails, packs).
  EXPECT_EQ(files_under(tmp_.path() / "data" / "repo"), on_disk);
  expect_consistent();
}

TEST_P(StoreTxnTest, ARolesFailingCommitHookRollsBackTheStore) {
  WriteTxn t = store_.db().begin();
  std::vector<Bytes> blocks = fill_slot(t, tree_cid(4), 10);
  t.before_commit([] { throw StoreError("the journal could not sync"); });
  EXPECT_THROW(t.commit(), StoreError);
  EXPECT_FALSE(store_->has_block(block_cid(blocks[0])));
  EXPECT_EQ(store_->usage().reserved, 0u);
  EXPECT_FALSE(sale_state(store_.db(), 10));
  expect_consistent();
}

TEST_P(StoreTxnTest, ASlotIsFreedWithItsSaleInOneTransaction) {
  const Cid tree = tree_cid(5);
  std::vector<Bytes> blocks;
  store_.db().write([&](WriteTxn& t) { blocks = fill_slot(t, tree, 11); });
  auto free_slot = [&](WriteTxn& t) {
    auto s = store_->in(t);
    EXPECT_EQ(s.delete_tree(tree, 100), 6u);
    s.release(50'000);
    t.cached("UPDATE test_sales SET state = 'freed' WHERE id = 11").run();
  };
  {
    WriteTxn t = store_.db().begin();
    free_slot(t);
  }  // rolled back: the slot is still stored
  EXPECT_EQ(store_->leaf_count(tree), 6u);
  EXPECT_TRUE(store_->has_block(block_cid(blocks[0])));
  EXPECT_EQ(store_->usage().reserved, 50'000u);
  EXPECT_EQ(sale_state(store_.db(), 11), "filled");
  expect_consistent();

  store_.db().write(free_slot);
  EXPECT_EQ(store_->leaf_count(tree), 0u);
  for (const Bytes& b : blocks)
    EXPECT_FALSE(store_->has_block(block_cid(b)));
  EXPECT_EQ(store_->usage().reserved, 0u);
  EXPECT_EQ(store_->usage().used, 0u);
  EXPECT_EQ(sale_state(store_.db(), 11), "freed");
  expect_consistent();
}

TEST_P(StoreTxnTest, QuotaChecksSeeTheTransactionsOwnChanges) {
  WriteTxn t = store_.db().begin();
  auto s = store_->in(t);
  s.reserve(1000'000);
  Bytes b = random_bytes(rng_, 60'000);
  EXPECT_THROW(s.put_block(block_cid(b), b), QuotaError);  // 1,000,000 + 60,000 > 1 MiB
  EXPECT_THROW(s.reserve(50'000), QuotaError);
  s.release(100'000);
  EXPECT_TRUE(s.put_block(block_cid(b), b));  // a QuotaError left the transaction usable
  EXPECT_EQ(s.usage().used, 60'000u);
  EXPECT_EQ(s.usage().reserved, 900'000u);
  add_sale(t, 12, tree_cid(6), "reserved");
  t.commit();
  EXPECT_EQ(store_->usage().reserved, 900'000u);
  EXPECT_EQ(sale_state(store_.db(), 12), "reserved");
  expect_consistent();
}

TEST_P(StoreTxnTest, AFailedStoreWriteDoomsTheTransaction) {
  WriteTxn t = store_.db().begin();
  auto s = store_->in(t);
  Bytes a = random_bytes(rng_, 500), b = random_bytes(rng_, 500);
  EXPECT_TRUE(s.put_block(block_cid(a), a));
  // A format error changes nothing: the transaction goes on.
  Bytes longer = a;
  longer.push_back(0);
  EXPECT_THROW(s.put_block(block_cid(a), longer), FormatError);
  add_sale(t, 13, tree_cid(7), "filling");
  // A storage failure in the middle of a write (here: a table gone).
  t.exec("DROP TABLE store_leaves");
  EXPECT_THROW(s.put_block(block_cid(b), b), StoreError);
  EXPECT_THROW(s.reserve(1), StoreError);  // only a rollback is left
  EXPECT_THROW(t.commit(), StoreError);
  EXPECT_FALSE(t.open());
  // Nothing of it happened, the dropped table included.
  EXPECT_FALSE(store_->has_block(block_cid(a)));
  EXPECT_FALSE(sale_state(store_.db(), 13));
  EXPECT_EQ(store_->leaf_count(tree_cid(7)), 0u);
  expect_consistent();
  EXPECT_TRUE(store_->put_block(block_cid(a), a));  // and the store works
}

TEST_P(StoreTxnTest, ABatchCarriesOtherComponentsRows) {
  Bytes a = random_bytes(rng_, 700);
  {
    auto batch = store_->batch();
    batch.put_block(block_cid(a), a);
    add_sale(batch.txn(), 14, tree_cid(8), "filled");
  }  // not committed
  EXPECT_FALSE(sale_state(store_.db(), 14));
  auto batch = store_->batch();
  batch.put_block(block_cid(a), a);
  add_sale(batch.txn(), 14, tree_cid(8), "filled");
  batch.commit();
  EXPECT_TRUE(store_->has_block(block_cid(a)));
  EXPECT_EQ(sale_state(store_.db(), 14), "filled");
  EXPECT_THROW(batch.commit(), StoreError);
}

TEST_P(StoreTxnTest, MisuseFailsLoudly) {
  Bytes a = random_bytes(rng_, 100);
  {
    WriteTxn t = store_.db().begin();
    // Repo's own write methods would need a second transaction on this thread.
    EXPECT_THROW(store_->put_block(block_cid(a), a), std::logic_error);
    EXPECT_THROW(store_->reserve(1), std::logic_error);
    EXPECT_THROW(store_->batch(), std::logic_error);
    // A store write from a before-commit hook that runs after the store's
    // would not be saved.
    store_->in(t).reserve(2);
    t.before_commit([&] { store_->in(t).reserve(1); });
    EXPECT_THROW(t.commit(), std::logic_error);
  }
  EXPECT_EQ(store_->usage().reserved, 0u);
  // A transaction of another database.
  TempDir other("store_txn_other");
  auto db = Database::open(other.path() / "x.sqlite3");
  WriteTxn t = db->begin();
  EXPECT_THROW(store_->in(t), std::logic_error);
  // A finished transaction.
  WriteTxn done = store_.db().begin();
  auto s = store_->in(done);
  done.commit();
  EXPECT_THROW(s.put_block(block_cid(a), a), StoreError);
}

INSTANTIATE_TEST_SUITE_P(Storage, StoreTxnTest, ::testing::ValuesIn(testing::kAllBlockStorages),
                         [](const auto& info) { return testing::block_storage_name(info.param); });

}  // namespace
}  // namespace codex::store
