// Semantics of the block repository (spec node.md §9), for both block
// storages: put/get/has/delete, the empty CID, refCounts, delete_tree, quota,
// expiry and maintenance with an injected clock, persistence, data-dir
// permissions, batches and corruption detection.
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "exchange/error.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/store/repo.h"
#include "tests/exchange/support/store_test_support.h"

namespace codex::store {
namespace {

namespace fs = std::filesystem;
using testing::block_cid;
using testing::Bytes;
using testing::open_store;
using testing::random_bytes;
using testing::str;
using testing::TempDir;
using testing::TestStore;
using testing::tree_cid;

class RepoTest : public ::testing::TestWithParam<BlockStorage> {
 protected:
  RepoOptions options(uint64_t quota = 1 << 20) {
    RepoOptions o;
    o.quota_bytes = quota;
    o.default_ttl = std::chrono::seconds(100);
    o.now = [clock = clock_] { return clock->load(); };
    o.storage = GetParam();
    o.durability = Durability::kProcessCrash;
    return o;
  }
  TestStore open(uint64_t quota = 1 << 20) {
    return open_store(tmp_.path() / "data", options(quota));
  }
  void expect_consistent(const Repo& r) {
    ConsistencyReport rep = r.check_consistency();
    EXPECT_TRUE(rep.ok()) << (rep.problems.empty() ? "" : rep.problems.front());
    Usage u = r.usage();
    EXPECT_EQ(u.used, rep.bytes);
    EXPECT_EQ(u.total_blocks, rep.blocks);
  }

  TempDir tmp_{"store_repo_test"};
  std::shared_ptr<std::atomic<int64_t>> clock_ = std::make_shared<std::atomic<int64_t>>(1000);
  std::mt19937_64 rng_{42};
};

TEST_P(RepoTest, PutGetHasDelete) {
  auto repo = open();
  Bytes b = random_bytes(rng_, 4096);
  Cid c = block_cid(b);
  EXPECT_FALSE(repo->has_block(c));
  EXPECT_FALSE(repo->get_block(c).has_value());
  EXPECT_TRUE(repo->put_block(c, b));
  EXPECT_FALSE(repo->put_block(c, b));  // already there
  EXPECT_TRUE(repo->has_block(c));
  EXPECT_EQ(repo->get_block(c), str(b));
  EXPECT_EQ(repo->block_size(c), 4096u);
  std::string buf = "junk";
  EXPECT_TRUE(repo->get_block_into(c, buf));
  EXPECT_EQ(buf, str(b));
  EXPECT_EQ(repo->usage().used, 4096u);
  EXPECT_EQ(repo->usage().total_blocks, 1u);
  expect_consistent(*repo);

  EXPECT_TRUE(repo->delete_block(c));
  EXPECT_FALSE(repo->delete_block(c));
  EXPECT_FALSE(repo->has_block(c));
  EXPECT_EQ(repo->usage().used, 0u);
  EXPECT_EQ(repo->usage().total_blocks, 0u);
  expect_consistent(*repo);
}

TEST_P(RepoTest, EmptyBlockIsAlwaysPresentAndNeverStored) {
  auto repo = open();
  const Cid& e = Cid::empty_block();
  EXPECT_TRUE(repo->has_block(e));
  EXPECT_EQ(repo->get_block(e), std::string());
  EXPECT_FALSE(repo->put_block(e, {}));
  EXPECT_FALSE(repo->delete_block(e));
  EXPECT_TRUE(repo->has_block(e));
  EXPECT_EQ(repo->usage().total_blocks, 0u);
  EXPECT_THROW(repo->put_block(Cid(), {}), FormatError);
  EXPECT_FALSE(repo->get_block(Cid()).has_value());
  EXPECT_THROW(repo->put_leaf(Cid(), 0, e, "p"), FormatError);
  EXPECT_THROW(repo->delete_tree(Cid()), FormatError);
}

TEST_P(RepoTest, SameCidDifferentSizeIsRejected) {
  auto repo = open();
  Bytes b = random_bytes(rng_, 100);
  Cid c = block_cid(b);
  repo->put_block(c, b);
  Bytes longer = b;
  longer.push_back(0);
  EXPECT_THROW(repo->put_block(c, longer), FormatError);
  EXPECT_EQ(repo->get_block(c), str(b));
}

TEST_P(RepoTest, CheckedPutRehashes) {
  auto repo = open();
  Bytes b = random_bytes(rng_, 100);
  Cid c = block_cid(b);
  Bytes wrong = b;
  wrong[0] ^= 1;
  EXPECT_THROW(repo->put_block_checked(c, wrong), FormatError);
  EXPECT_FALSE(repo->has_block(c));
  EXPECT_TRUE(repo->put_block_checked(c, b));
  Cid ident(multicodec::kBlock, Multihash(multicodec::kIdentity, "abc"));
  EXPECT_THROW(repo->put_block_checked(ident, {}), FormatError);
}

TEST_P(RepoTest, LeavesCountReferencesAndProtectBlocks) {
  auto repo = open();
  Bytes a = random_bytes(rng_, 64), b = random_bytes(rng_, 64);
  Cid ca = block_cid(a), cb = block_cid(b), t = tree_cid(1);
  repo->put_block(ca, a);
  EXPECT_TRUE(repo->put_leaf(t, 0, ca, "proof0"));
  EXPECT_FALSE(repo->put_leaf(t, 0, ca, "proof0"));          // already there: no second ref
  EXPECT_THROW(repo->put_leaf(t, 0, cb, "x"), FormatError);  // another block at the index
  // A leaf stored before its block: the block starts with the count.
  EXPECT_TRUE(repo->put_leaf(t, 1, cb, "proof1"));
  repo->put_block(cb, b);
  EXPECT_EQ(repo->leaf_count(t), 2u);
  auto leaf = repo->get_leaf(t, 1);
  ASSERT_TRUE(leaf);
  EXPECT_EQ(leaf->block, cb);
  EXPECT_EQ(leaf->proof, "proof1");
  EXPECT_FALSE(repo->get_leaf(t, 2));
  EXPECT_THROW(repo->delete_block(ca), StoreError);
  EXPECT_THROW(repo->delete_block(cb), StoreError);
  expect_consistent(*repo);
}

TEST_P(RepoTest, DeleteTreeRemovesLeavesAndUnreferencedBlocks) {
  auto repo = open();
  Cid t1 = tree_cid(1), t2 = tree_cid(2);
  Bytes shared = random_bytes(rng_, 128);
  Cid cs = block_cid(shared);
  std::vector<Cid> own;
  {
    auto batch = repo->batch();
    batch.put_block(cs, shared);
    for (int i = 0; i < 10; ++i) {
      Bytes b = random_bytes(rng_, 128);
      own.push_back(block_cid(b));
      batch.put_block(own.back(), b);
      batch.put_leaf(t1, i, own.back(), "p");
    }
    batch.put_leaf(t1, 10, cs, "p");
    batch.put_leaf(t2, 0, cs, "p");
    batch.commit();
  }
  EXPECT_EQ(repo->usage().total_blocks, 11u);
  EXPECT_EQ(repo->delete_tree(t1, 3), 11u);  // several transactions of 3
  EXPECT_EQ(repo->leaf_count(t1), 0u);
  for (const Cid& c : own)
    EXPECT_FALSE(repo->has_block(c));
  EXPECT_TRUE(repo->has_block(cs));  // still a leaf of t2
  EXPECT_THROW(repo->delete_block(cs), StoreError);
  expect_consistent(*repo);
  EXPECT_EQ(repo->delete_tree(t2), 1u);
  EXPECT_FALSE(repo->has_block(cs));
  EXPECT_EQ(repo->usage().used, 0u);
  EXPECT_EQ(repo->delete_tree(t2), 0u);
  expect_consistent(*repo);
}

TEST_P(RepoTest, QuotaIsEnforcedOnWritesAndReservations) {
  auto repo = open(1000);
  Bytes a = random_bytes(rng_, 600), b = random_bytes(rng_, 401), c = random_bytes(rng_, 400);
  repo->put_block(block_cid(a), a);
  EXPECT_THROW(repo->put_block(block_cid(b), b), QuotaError);
  EXPECT_FALSE(repo->has_block(block_cid(b)));
  EXPECT_TRUE(repo->put_block(block_cid(c), c));  // exactly at the quota
  EXPECT_EQ(repo->usage().used, 1000u);
  EXPECT_TRUE(repo->delete_block(block_cid(c)));

  EXPECT_TRUE(repo->available(399));
  EXPECT_FALSE(repo->available(400));  // strict, as the reference
  EXPECT_THROW(repo->reserve(401), QuotaError);
  repo->reserve(300);
  EXPECT_EQ(repo->usage().reserved, 300u);
  EXPECT_THROW(repo->put_block(block_cid(c), c), QuotaError);  // 600 + 300 + 400
  repo->release(200);
  EXPECT_EQ(repo->usage().reserved, 100u);
  repo->release(1000);  // never below zero
  EXPECT_EQ(repo->usage().reserved, 0u);
  EXPECT_EQ(repo->usage().quota_max, 1000u);

  // A batch that runs out of quota keeps what it put before.
  auto batch = repo->batch();
  EXPECT_TRUE(batch.put_block(block_cid(c), c));
  EXPECT_THROW(batch.put_block(block_cid(b), b), QuotaError);
  batch.commit();
  EXPECT_TRUE(repo->has_block(block_cid(c)));
  expect_consistent(*repo);
}

TEST_P(RepoTest, ExpiryAndMaintenanceFollowTheClock) {
  auto repo = open();
  std::vector<Cid> cids;
  std::vector<Bytes> data;
  for (int i = 0; i < 5; ++i) {
    data.push_back(random_bytes(rng_, 32));
    cids.push_back(block_cid(data.back()));
    repo->put_block(cids.back(), data.back());  // expiry = 1000 + ttl 100
  }
  repo->ensure_expiry(cids[0], 5000);
  repo->ensure_expiry(cids[0], 10);         // never shortens
  repo->put_block(cids[1], data[1], 3000);  // re-put: expiry = max
  repo->put_block(cids[1], data[1], 20);
  EXPECT_THROW(repo->ensure_expiry(cids[0], 0), FormatError);
  EXPECT_THROW(repo->ensure_expiry(block_cid(Bytes(3)), 10), NotFoundError);

  // A referenced block that expires goes too, with its leaves.
  Bytes lb = random_bytes(rng_, 32);
  Cid leafy = block_cid(lb), t = tree_cid(7);
  repo->put_block(leafy, lb, 1050);
  repo->put_leaf(t, 0, leafy, "p");

  EXPECT_EQ(repo->run_maintenance(10), 0u);  // nothing has expired at 1000
  clock_->store(1101);
  EXPECT_EQ(repo->run_maintenance(2), 2u);  // bounded
  EXPECT_EQ(repo->run_maintenance(10), 2u);
  EXPECT_EQ(repo->run_maintenance(10), 0u);
  EXPECT_FALSE(repo->has_block(leafy));
  EXPECT_EQ(repo->leaf_count(t), 0u);  // no dangling leaf
  EXPECT_TRUE(repo->has_block(cids[0]));
  EXPECT_TRUE(repo->has_block(cids[1]));
  for (int i = 2; i < 5; ++i)
    EXPECT_FALSE(repo->has_block(cids[i]));
  clock_->store(3001);
  EXPECT_EQ(repo->run_maintenance(10), 1u);
  EXPECT_TRUE(repo->has_block(cids[0]));
  expect_consistent(*repo);
}

TEST_P(RepoTest, ExpiredReferencedBlockMayBeDeletedDirectly) {
  auto repo = open();
  Bytes b = random_bytes(rng_, 32);
  Cid c = block_cid(b), t = tree_cid(3);
  repo->put_block(c, b, 1010);
  repo->put_leaf(t, 0, c, "p");
  EXPECT_THROW(repo->delete_block(c), StoreError);
  clock_->store(1011);
  EXPECT_TRUE(repo->delete_block(c));
  EXPECT_EQ(repo->leaf_count(t), 0u);
  expect_consistent(*repo);
}

TEST_P(RepoTest, ManifestsAreListed) {
  auto repo = open();
  Bytes m = random_bytes(rng_, 200), b = random_bytes(rng_, 200);
  Cid cm = Cid::sha256_of(multicodec::kManifest, m);
  repo->put_block(cm, m);
  repo->put_block(block_cid(b), b);
  EXPECT_EQ(repo->manifests(), std::vector<Cid>{cm});
  repo->delete_block(cm);
  EXPECT_TRUE(repo->manifests().empty());
}

TEST_P(RepoTest, ReopenPersistsEverything) {
  Bytes b = random_bytes(rng_, 5000);
  Cid c = block_cid(b), t = tree_cid(9);
  Bytes m = random_bytes(rng_, 50);
  Cid cm = Cid::sha256_of(multicodec::kManifest, m);
  {
    auto repo = open();
    repo->put_block(c, b);
    repo->put_block(cm, m);
    repo->put_leaf(t, 4, c, "proof");
    repo->reserve(77);
  }
  auto repo = open();
  EXPECT_EQ(repo->get_block(c), str(b));
  EXPECT_EQ(repo->get_leaf(t, 4)->proof, "proof");
  EXPECT_EQ(repo->manifests(), std::vector<Cid>{cm});
  Usage u = repo->usage();
  EXPECT_EQ(u.used, 5050u);
  EXPECT_EQ(u.reserved, 77u);
  EXPECT_EQ(u.total_blocks, 2u);
  EXPECT_THROW(repo->delete_block(c), StoreError);  // refCount survived
  expect_consistent(*repo);
}

TEST_P(RepoTest, BatchRollsBackUnlessCommitted) {
  auto repo = open();
  Bytes a = random_bytes(rng_, 100), b = random_bytes(rng_, 100);
  {
    auto batch = repo->batch();
    batch.put_block(block_cid(a), a);
    batch.put_leaf(tree_cid(1), 0, block_cid(a), "p");
  }  // rolled back
  EXPECT_FALSE(repo->has_block(block_cid(a)));
  EXPECT_EQ(repo->leaf_count(tree_cid(1)), 0u);
  EXPECT_EQ(repo->usage().used, 0u);
  expect_consistent(*repo);  // no stray file either
  {
    auto batch = repo->batch();
    batch.put_block(block_cid(b), b);
    EXPECT_FALSE(repo->has_block(block_cid(b)));  // readers see committed state only
    batch.commit();
    EXPECT_THROW(batch.commit(), StoreError);
  }
  EXPECT_TRUE(repo->has_block(block_cid(b)));
  expect_consistent(*repo);
}

TEST_P(RepoTest, ReadersRunAlongsideAWriter) {
  auto repo = open(64 << 20);
  std::vector<Bytes> data;
  for (int i = 0; i < 64; ++i)
    data.push_back(random_bytes(rng_, 1024));
  std::atomic<bool> done = false;
  std::atomic<int> bad = 0;
  std::thread reader([&] {
    std::string buf;
    while (!done)
      for (const Bytes& d : data)
        if (repo->get_block_into(block_cid(d), buf) && buf != str(d)) ++bad;
  });
  for (int round = 0; round < 4; ++round) {
    auto batch = repo->batch();
    for (const Bytes& d : data)
      batch.put_block(block_cid(d), d);
    batch.commit();
    for (const Bytes& d : data)
      repo->delete_block(block_cid(d));
  }
  done = true;
  reader.join();
  EXPECT_EQ(bad, 0);
  expect_consistent(*repo);
}

TEST_P(RepoTest, ConcurrentWritersDeletersAndReadersStayConsistent) {
  auto repo = open(64 << 20);
  std::vector<Bytes> shared;
  for (int i = 0; i < 8; ++i)
    shared.push_back(random_bytes(rng_, 512));
  constexpr int kWriters = 3, kTrees = 12;
  std::atomic<int> uploaded = 0, failures = 0;
  auto writer = [&](int w) {
    std::mt19937_64 rng(w);
    for (int t = 0; t < kTrees; ++t) {
      Cid tree = tree_cid(static_cast<uint8_t>(w * kTrees + t));
      auto batch = repo->batch();
      for (int i = 0; i < 16; ++i) {
        Bytes b = i % 4 == 0 ? shared[rng() % shared.size()] : random_bytes(rng, 512);
        batch.put_block(block_cid(b), b);
        batch.put_leaf(tree, i, block_cid(b), "p");
      }
      batch.commit();
      ++uploaded;
    }
  };
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w)
    threads.emplace_back(writer, w);
  threads.emplace_back([&] {  // deletes whatever trees exist, several times
    for (int pass = 0; pass < 3; ++pass)
      for (int t = 0; t < kWriters * kTrees; ++t)
        repo->delete_tree(tree_cid(t), 5);
  });
  threads.emplace_back([&] {  // reads leaves and their blocks
    std::string buf;
    for (int pass = 0; pass < 20; ++pass)
      for (int t = 0; t < kWriters * kTrees; ++t)
        for (int i = 0; i < 16; ++i)
          if (auto leaf = repo->get_leaf(tree_cid(t), i))
            if (repo->get_block_into(leaf->block, buf) &&
                block_cid(Bytes(buf.begin(), buf.end())) != leaf->block)
              ++failures;
  });
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(uploaded, kWriters * kTrees);
  EXPECT_EQ(failures, 0);
  expect_consistent(*repo);
  for (int t = 0; t < kWriters * kTrees; ++t)
    repo->delete_tree(tree_cid(t));
  EXPECT_EQ(repo->usage().used, 0u);  // every block belonged to a tree
  expect_consistent(*repo);
}

INSTANTIATE_TEST_SUITE_P(Storage, RepoTest, ::testing::ValuesIn(testing::kAllBlockStorages),
                         [](const auto& info) { return testing::block_storage_name(info.param); });

// ---- files-only and directory behaviour ------------------------------------

class RepoDirTest : public ::testing::Test {
 protected:
  RepoOptions options() {
    RepoOptions o;
    o.quota_bytes = 1 << 20;
    return o;
  }
  TestStore open(const RepoOptions& o) { return open_store(data_, o); }
  TempDir tmp_{"store_repo_test"};
  fs::path data_ = tmp_.path() / "data";
  fs::path repo_dir_ = data_ / "repo";
};

TEST_F(RepoDirTest, CreatesThePrivateDirectories) {
  data_ = tmp_.path() / "a" / "b";
  auto repo = open(options());
  for (const fs::path& p : {data_, data_ / "repo", data_ / "repo" / "packs"}) {
    struct stat st;
    ASSERT_EQ(::stat(p.c_str(), &st), 0) << p;
    EXPECT_EQ(st.st_mode & 0777, 0700u) << p;
  }
}

TEST_F(RepoDirTest, RefusesADirectoryOthersCanAccess) {
  fs::create_directories(data_);
  ::chmod(data_.c_str(), 0755);
  try {
    open(options());
    FAIL() << "opened a 0755 data directory";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("0755"), std::string::npos) << e.what();
  }
  ::chmod(data_.c_str(), 0700);
  EXPECT_NO_THROW(open(options()));
  // The block folder too.
  ::chmod(repo_dir_.c_str(), 0750);
  EXPECT_THROW(open(options()), StoreError);
  ::chmod(repo_dir_.c_str(), 0700);
  EXPECT_NO_THROW(open(options()));
}

TEST_F(RepoDirTest, OneProcessAndOneRepoAtATime) {
  auto store = open(options());
  EXPECT_THROW(open(options()), StoreError);  // the data directory's lock
  RepoOptions o = options();
  o.dir = repo_dir_;
  EXPECT_THROW(Repo::open(store.db(), o), std::logic_error);  // a second store on one database
  store.reset();
  EXPECT_NO_THROW(open(options()));
}

TEST_F(RepoDirTest, StorageIsChosenAtCreationAndKept) {
  RepoOptions o = options();
  o.storage = BlockStorage::kSqlite;
  open(o);
  o.storage = BlockStorage::kFiles;
  EXPECT_THROW(open(o), StoreError);
  o.storage.reset();  // adopt the recorded one
  EXPECT_EQ(open(o)->options().storage, BlockStorage::kSqlite);
  data_ = tmp_.path() / "fresh";
  EXPECT_EQ(open(o)->options().storage, BlockStorage::kPacks);  // the default
}

TEST_F(RepoDirTest, CheckConsistencyDetectsCorruptedBytes) {
  RepoOptions o = options();
  o.storage = BlockStorage::kFiles;
  auto repo = open(o);
  std::mt19937_64 rng(1);
  Bytes a = random_bytes(rng, 1000), b = random_bytes(rng, 1000);
  repo->put_block(block_cid(a), a);
  repo->put_block(block_cid(b), b);
  EXPECT_TRUE(repo->check_consistency().ok());
  fs::path blocks = repo_dir_ / "blocks";
  std::vector<fs::path> files;
  for (auto& e : fs::recursive_directory_iterator(blocks))
    if (e.is_regular_file()) files.push_back(e.path());
  ASSERT_EQ(files.size(), 2u);
  {  // flip one byte of the first, truncate the second
    std::fstream f(files[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(10);
    f.put('\x55' ^ static_cast<char>(a[10] ^ b[10]));
  }
  fs::resize_file(files[1], 999);
  ConsistencyReport rep = repo->check_consistency();
  EXPECT_EQ(rep.problems.size(), 2u);
  EXPECT_EQ(rep.blocks_verified, 0u);
  // A stray file is reported too.
  fs::create_directories(blocks / "00");
  std::ofstream(blocks / "00" / "junk") << "x";
  EXPECT_EQ(repo->check_consistency().orphan_files, 1u);
}

TEST_F(RepoDirTest, OpenAfterACrashSweepsStrayFiles) {
  RepoOptions o = options();
  o.storage = BlockStorage::kFiles;
  std::mt19937_64 rng(2);
  Bytes a = random_bytes(rng, 100);
  { open(o)->put_block(block_cid(a), a); }
  // What a SIGKILL can leave: a DIRTY marker, a temporary, an unindexed block.
  std::ofstream(repo_dir_ / "DIRTY");
  fs::create_directories(repo_dir_ / "blocks" / "ab");
  std::ofstream(repo_dir_ / "blocks" / "ab" / "0123.tmp") << "x";
  Bytes b = random_bytes(rng, 100);
  Cid cb = block_cid(b);
  std::string name;
  for (unsigned char ch : cb.bytes()) {
    name += "0123456789abcdef"[ch >> 4];
    name += "0123456789abcdef"[ch & 15];
  }
  fs::path stray = repo_dir_ / "blocks" / name.substr(name.size() - 2) / name;
  fs::create_directories(stray.parent_path());
  std::ofstream(stray) << str(b);
  auto repo = open(o);
  EXPECT_TRUE(repo->check_consistency().ok());
  EXPECT_FALSE(fs::exists(repo_dir_ / "blocks" / "ab" / "0123.tmp"));
  EXPECT_FALSE(fs::exists(stray));
  EXPECT_FALSE(repo->has_block(block_cid(b)));
  EXPECT_EQ(repo->get_block(block_cid(a)), str(a));
}

}  // namespace
}  // namespace codex::store
