// The data directory (exchange/store/data_dir.h): one database file and one
// lock per directory; the layout of older builds (the block index in
// repo/repo.sqlite3, its last transactions still in its WAL) upgraded with
// every block, leaf and quota figure kept, also when the upgrade is killed
// at each step or at random instants; directories that cannot be upgraded,
// databases of newer builds and files that are not databases refused with a
// message that says what to do.
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "base/sqlite/migrations.h"
#include "exchange/error.h"
#include "exchange/store/data_dir.h"
#include "exchange/store/layout_upgrade.h"
#include "exchange/store/repo.h"
#include "exchange/store/repo_schema.h"
#include "tests/exchange/support/old_layout.h"
#include "tests/exchange/support/store_test_support.h"

namespace codex::store {
namespace {

namespace fs = std::filesystem;
using base::sqlite::Reset;
using base::sqlite::WriteTxn;
using testing::make_old_layout;
using testing::OldStore;
using testing::open_store;
using testing::TempDir;
using testing::TestStore;

std::string what_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no exception)";
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// Every SQLite database below dir (by its header, not its name).
std::vector<fs::path> databases_under(const fs::path& dir) {
  std::vector<fs::path> out;
  for (auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::string head(16, '\0');
    in.read(head.data(), 16);
    if (in && head == std::string("SQLite format 3\0", 16)) out.push_back(e.path());
  }
  return out;
}

int64_t store_schema_version(TestStore& s) {
  auto r = s.db().read();
  return base::sqlite::schema_version(r.conn(), kStoreComponent);
}

// Everything the old store held is there, the store is consistent, and the
// directory has the new layout.
void expect_upgraded(const fs::path& dir, const OldStore& old) {
  TestStore s = open_store(dir, {});
  EXPECT_EQ(s->options().storage, old.storage);
  for (size_t i = 0; i < old.blocks.size(); ++i) {
    ASSERT_EQ(s->get_block(old.block_cid(i)), old.blocks[i]) << "block " << i;
    auto leaf = s->get_leaf(old.tree, i);
    ASSERT_TRUE(leaf) << "leaf " << i;
    EXPECT_EQ(leaf->block, old.block_cid(i));
    EXPECT_EQ(leaf->proof, "proof of " + std::to_string(i));
  }
  EXPECT_EQ(s->leaf_count(old.tree), old.blocks.size());
  EXPECT_EQ(s->manifests(), std::vector<Cid>{old.manifest_cid()});
  EXPECT_EQ(s->get_block(old.manifest_cid()), old.manifest);
  Usage u = s->usage();
  EXPECT_EQ(u.used, old.used);
  EXPECT_EQ(u.reserved, old.reserved);
  EXPECT_EQ(u.total_blocks, old.blocks.size() + 1);
  ConsistencyReport rep = s->check_consistency();
  EXPECT_TRUE(rep.ok()) << (rep.problems.empty() ? "" : rep.problems.front());
  EXPECT_EQ(rep.blocks_verified, old.blocks.size() + 1);
  // Blocks from before checksums (schema v4) have none: the quick check
  // re-hashes them.
  ConsistencyReport quick = s->check_consistency(false);
  EXPECT_TRUE(quick.ok());
  EXPECT_EQ(quick.blocks_verified, old.blocks.size() + 1);
  EXPECT_EQ(quick.blocks_checksummed, 0u);
  EXPECT_THROW(s->delete_block(old.block_cid(0)), StoreError);  // refCounts kept
  EXPECT_EQ(store_schema_version(s), int64_t(store_migrations().size()));
  if (old.storage == BlockStorage::kPacks) {  // AUTOINCREMENT's mark moved with its table
    auto r = s.db().read();
    auto& q = r.cached("SELECT seq FROM sqlite_sequence WHERE name = 'store_packs'");
    Reset reset(q);
    ASSERT_TRUE(q.step());
    EXPECT_EQ(q.int64(0), old.last_pack_id);
  }
  EXPECT_EQ(databases_under(dir), std::vector<fs::path>{dir / DataDir::kDatabaseName});
  const fs::path old_index = old_index_path(dir);
  std::ifstream in(old_index);
  std::string head;
  std::getline(in, head);
  EXPECT_EQ(head, kTombstoneHeader);
  for (const char* gone : {"-wal", "-shm"})
    EXPECT_FALSE(fs::exists(old_index.string() + gone)) << gone;
  EXPECT_FALSE(fs::exists(dir / "repo" / "LOCK"));
  // New writes go on where the old store stopped.
  std::string more(700, 'm');
  EXPECT_TRUE(s->put_block(
      Cid::sha256_of(multicodec::kBlock, {reinterpret_cast<const uint8_t*>(more.data()), 700}),
      {reinterpret_cast<const uint8_t*>(more.data()), 700}));
  EXPECT_TRUE(s->check_consistency().ok());
}

// Runs f in a child process and waits for it; returns the wait status.
template <typename F>
int in_child(F&& f) {
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    try {
      f();
    } catch (...) {
      ::_exit(3);
    }
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

bool killed(int status) {
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

TEST(DataDir, ANewDirectoryHasOneDatabaseAndOneLock) {
  TempDir tmp("store_data_dir_test");
  const fs::path dir = tmp.path() / "node";
  {
    TestStore s = open_store(dir, {});
    s->put_block(Cid::sha256_of(multicodec::kBlock, std::vector<uint8_t>(10, 1)),
                 std::vector<uint8_t>(10, 1));
    EXPECT_EQ(s.data().path(), dir);
    EXPECT_EQ(s.db().path(), dir / "codex.sqlite3");
    EXPECT_EQ(s->options().dir, dir / "repo");
    EXPECT_EQ(store_schema_version(s), int64_t(store_migrations().size()));
    EXPECT_TRUE(fs::exists(dir / "LOCK"));
  }
  EXPECT_EQ(databases_under(dir), std::vector<fs::path>{dir / "codex.sqlite3"});
  EXPECT_TRUE(fs::exists(dir / "repo" / "packs"));
  // An older build that opens this directory stops at the tombstone (its
  // first statement) instead of creating an empty index and sweeping packs.
  base::sqlite::Connection old_build(old_index_path(dir), 1000);
  EXPECT_THROW(old_build.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"), StoreError);
}

TEST(DataDir, AnotherProcessIsKeptOut) {
  TempDir tmp("store_data_dir_test");
  const fs::path dir = tmp.path() / "node";
  DataDir::open(dir);
  int ready[2], go[2];
  ASSERT_EQ(::pipe(ready), 0);
  ASSERT_EQ(::pipe(go), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {  // holds the directory until told to go
    auto d = DataDir::open(dir);
    char c = 'r';
    [[maybe_unused]] auto w = ::write(ready[1], &c, 1);
    [[maybe_unused]] auto r = ::read(go[0], &c, 1);
    ::_exit(0);
  }
  char c;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  std::string err = what_of([&] { DataDir::open(dir); });
  EXPECT_TRUE(contains(err, "in use by another process")) << err;
  ASSERT_EQ(::write(go[1], &c, 1), 1);
  ::waitpid(pid, nullptr, 0);
  EXPECT_NO_THROW(DataDir::open(dir));
  for (int fd : {ready[0], ready[1], go[0], go[1]})
    ::close(fd);
}

TEST(DataDir, BadDirectoriesAreRefused) {
  TempDir tmp("store_data_dir_test");
  DataDirOptions no_create;
  no_create.create = false;
  std::string err = what_of([&] { DataDir::open(tmp.path() / "missing", no_create); });
  EXPECT_TRUE(contains(err, "does not exist")) << err;
  EXPECT_FALSE(fs::exists(tmp.path() / "missing"));
  std::ofstream(tmp.path() / "file") << "x";
  EXPECT_THROW(DataDir::open(tmp.path() / "file"), StoreError);
  EXPECT_THROW(DataDir::open(""), StoreError);
  // A database file that is not one.
  fs::create_directories(tmp.path() / "junk");
  ::chmod((tmp.path() / "junk").c_str(), 0700);
  std::ofstream(tmp.path() / "junk" / "codex.sqlite3")
      << "this is not a database, not at all, but long enough to look like a header";
  err = what_of([&] { DataDir::open(tmp.path() / "junk"); });
  EXPECT_TRUE(contains(err, "codex.sqlite3")) << err;
}

TEST(DataDir, ADatabaseOfANewerBuildIsRefused) {
  TempDir tmp("store_data_dir_test");
  const fs::path dir = tmp.path() / "node";
  {
    TestStore s = open_store(dir, {});
    s.db().write([](WriteTxn& t) {
      t.exec("UPDATE schema_versions SET version = 99 WHERE component = 'store'");
    });
  }
  std::string err = what_of([&] { open_store(dir, {}); });
  EXPECT_TRUE(contains(err, "newer than this build knows")) << err;
  EXPECT_TRUE(contains(err, "codex.sqlite3")) << err;
}

class UpgradeTest : public ::testing::TestWithParam<BlockStorage> {
 protected:
  TempDir tmp_{"store_data_dir_test"};
  fs::path dir_ = tmp_.path() / "node";
};

TEST_P(UpgradeTest, AnOldLayoutIsMovedIntoTheOneDatabase) {
  OldStore old = make_old_layout(dir_, GetParam(), 40);
  ASSERT_GT(fs::file_size(old_index_path(dir_).string() + "-wal"), 0u);  // a crash's WAL
  {
    auto d = DataDir::open(dir_);
    EXPECT_TRUE(d->upgraded_layout());
  }
  expect_upgraded(dir_, old);
  EXPECT_FALSE(DataDir::open(dir_)->upgraded_layout());  // once
}

TEST_P(UpgradeTest, KilledBeforeEachStepTheNextOpenFinishes) {
  for (const char* step : {"checkpoint", "move", "tombstone", "tidy"}) {
    SCOPED_TRACE(step);
    fs::remove_all(dir_);
    OldStore old = make_old_layout(dir_, GetParam(), 20);
    int status = in_child([&] {
      DataDirOptions o;
      o.before_upgrade_step = [&](std::string_view s) {
        if (s == step) ::kill(::getpid(), SIGKILL);
      };
      DataDir::open(dir_, o);
    });
    ASSERT_TRUE(killed(status)) << "status " << status;
    expect_upgraded(dir_, old);
  }
}

INSTANTIATE_TEST_SUITE_P(Storage, UpgradeTest, ::testing::ValuesIn(testing::kAllBlockStorages),
                         [](const auto& info) { return testing::block_storage_name(info.param); });

// Stores from before pack storage lack blocks(pack, off); packs came with them.
TEST(Upgrade, AStoreFromBeforePackStorageIsUpgraded) {
  for (BlockStorage storage : {BlockStorage::kFiles, BlockStorage::kSqlite}) {
    TempDir tmp("store_data_dir_test");
    OldStore old = make_old_layout(tmp.path() / "node", storage, 10, 500, /*pack_columns=*/false);
    expect_upgraded(tmp.path() / "node", old);
  }
}

// Kills at random instants while a larger old store is moved and migrated
// (the migration renames tables and rebuilds indexes in one transaction).
TEST(Upgrade, KilledAtRandomInstantsTheNextOpenFinishes) {
  TempDir tmp("store_data_dir_test");
  const fs::path tmpl = tmp.path() / "template", dir = tmp.path() / "node";
  OldStore old = make_old_layout(tmpl, BlockStorage::kPacks, 6000, 16);
  auto copy_template = [&] {
    fs::remove_all(dir);
    fs::copy(tmpl, dir, fs::copy_options::recursive);
  };
  // How long an uninterrupted upgrade takes here and now.
  copy_template();
  auto t0 = std::chrono::steady_clock::now();
  open_store(dir, {});
  const auto full = std::chrono::steady_clock::now() - t0;
  const int64_t full_us = std::chrono::duration_cast<std::chrono::microseconds>(full).count();

  std::mt19937_64 rng(::getpid());
  int mid = 0;
  constexpr int kRounds = 10;
  for (int round = 0; round < kRounds; ++round) {
    copy_template();
    int progress[2];
    ASSERT_EQ(::pipe(progress), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(progress[0]);
      try {
        open_store(dir, {});
      } catch (...) {
        ::_exit(3);
      }
      char done = 'd';
      [[maybe_unused]] auto n = ::write(progress[1], &done, 1);
      ::pause();  // killed in any case
      ::_exit(0);
    }
    ::close(progress[1]);
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % (full_us * 3 / 2 + 1)));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    char c;
    bool finished = ::read(progress[0], &c, 1) == 1;
    ::close(progress[0]);
    ASSERT_TRUE(killed(status)) << "round " << round << ": status " << status;
    mid += !finished;
    expect_upgraded(dir, old);
    if (::testing::Test::HasFatalFailure()) return;
  }
  std::printf("%d of %d kills landed in the upgrade (%lld us uninterrupted)\n", mid, kRounds,
              static_cast<long long>(full_us));
  EXPECT_GT(mid, 0);
}

TEST(Upgrade, AnOldIndexBesideTheNewDatabaseIsRefused) {
  TempDir tmp("store_data_dir_test");
  const fs::path dir = tmp.path() / "node", other = tmp.path() / "other";
  open_store(dir, {});
  make_old_layout(other, BlockStorage::kPacks, 3);
  fs::remove(old_index_path(dir));  // the tombstone
  fs::copy_file(old_index_path(other), old_index_path(dir));
  std::string err = what_of([&] { DataDir::open(dir); });
  EXPECT_TRUE(contains(err, old_index_path(dir).string())) << err;
  EXPECT_TRUE(contains(err, (dir / "codex.sqlite3").string())) << err;
  EXPECT_TRUE(contains(err, "remove")) << err;
  EXPECT_TRUE(fs::exists(old_index_path(dir)));  // nothing was touched
}

TEST(Upgrade, AnOlderProcessStillRunningIsRefused) {
  TempDir tmp("store_data_dir_test");
  const fs::path dir = tmp.path() / "node";
  OldStore old = make_old_layout(dir, BlockStorage::kPacks, 3);
  int fd = ::open((dir / "repo" / "LOCK").c_str(), O_RDWR);  // what an older build holds
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  pid_t pid = ::fork();  // the child's descriptor shares the lock
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::pause();
    ::_exit(0);
  }
  ::close(fd);
  std::string err = what_of([&] { DataDir::open(dir); });
  EXPECT_TRUE(contains(err, "older codex-agent")) << err;
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  expect_upgraded(dir, old);
}

TEST(Upgrade, AnOldIndexThatIsNotADatabaseIsRefusedClearly) {
  TempDir tmp("store_data_dir_test");
  const fs::path dir = tmp.path() / "node";
  make_old_layout(dir, BlockStorage::kPacks, 3);
  fs::remove(old_index_path(dir).string() + "-wal");
  std::ofstream(old_index_path(dir), std::ios::trunc)
      << "garbage that is long enough to be read as a header by SQLite, surely";
  std::string err = what_of([&] { DataDir::open(dir); });
  EXPECT_TRUE(contains(err, "cannot upgrade the old block index")) << err;
  EXPECT_FALSE(fs::exists(dir / "codex.sqlite3"));
}

}  // namespace
}  // namespace codex::store
