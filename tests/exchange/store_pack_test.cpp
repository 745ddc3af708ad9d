// BlockStorage::kPacks specifics: blocks appended to pack files, rotation,
// removal of emptied packs, compaction by run_maintenance (with quota figures
// unchanged), rollback and a SIGKILL leaving an uncommitted tail, readers
// racing compaction, and damage found by check_consistency. The semantics
// shared with the other storages are in store_repo_test.cpp.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "exchange/dataset/dataset_reader.h"
#include "exchange/dataset/dataset_writer.h"
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

class PackTest : public ::testing::Test {
 protected:
  // 1 KiB blocks, 4 per pack.
  RepoOptions options() {
    RepoOptions o;
    o.quota_bytes = 1 << 20;
    o.storage = BlockStorage::kPacks;
    o.durability = Durability::kProcessCrash;
    o.pack_bytes = 4 << 10;
    return o;
  }
  TestStore open(const RepoOptions& o) { return open_store(tmp_.path() / "data", o); }
  fs::path pack_dir() { return tmp_.path() / "data" / "repo" / "packs"; }
  std::vector<fs::path> pack_files() {
    std::vector<fs::path> out;
    for (auto& e : fs::directory_iterator(pack_dir()))
      out.push_back(e.path());
    std::sort(out.begin(), out.end(), [](const fs::path& a, const fs::path& b) {
      return std::stoll(a.stem().string()) < std::stoll(b.stem().string());
    });
    return out;
  }
  uint64_t pack_bytes_on_disk() {
    uint64_t n = 0;
    for (auto& p : pack_files())
      n += fs::file_size(p);
    return n;
  }
  // Puts n 1 KiB blocks, batch_size per transaction.
  std::vector<Bytes> put(Repo& repo, size_t n, size_t batch_size = 2) {
    std::vector<Bytes> out;
    for (size_t i = 0; i < n;) {
      auto batch = repo.batch();
      for (size_t k = 0; k < batch_size && i < n; ++k, ++i) {
        out.push_back(random_bytes(rng_, 1024));
        batch.put_block(block_cid(out.back()), out.back());
      }
      batch.commit();
    }
    return out;
  }
  void expect_consistent(const Repo& r) {
    ConsistencyReport rep = r.check_consistency();
    EXPECT_TRUE(rep.ok()) << (rep.problems.empty() ? "" : rep.problems.front());
    EXPECT_EQ(rep.blocks_verified, rep.blocks);
    Usage u = r.usage();
    EXPECT_EQ(u.used, rep.bytes);
    EXPECT_EQ(u.total_blocks, rep.blocks);
  }

  TempDir tmp_{"store_pack_test"};
  std::mt19937_64 rng_{7};
};

TEST_F(PackTest, BlocksAreAppendedToFewFilesAndReadBack) {
  auto repo = open(options());
  EXPECT_EQ(repo->options().storage, BlockStorage::kPacks);
  auto blocks = put(*repo, 12);
  // 4 blocks per pack: 3 packs of 4 KiB, not 12 files.
  EXPECT_EQ(pack_files().size(), 3u);
  EXPECT_EQ(pack_bytes_on_disk(), 12u * 1024);
  std::string buf;
  for (const Bytes& b : blocks) {
    ASSERT_TRUE(repo->get_block_into(block_cid(b), buf));
    EXPECT_EQ(buf, str(b));
  }
  EXPECT_TRUE(repo->delete_block(block_cid(blocks[5])));
  EXPECT_FALSE(repo->get_block(block_cid(blocks[5])).has_value());
  expect_consistent(*repo);
  EXPECT_EQ(repo->check_consistency().pack_garbage_bytes, 1024u);
  // A reopened store appends to the same packs.
  repo.reset();
  repo = open(options());
  EXPECT_EQ(repo->get_block(block_cid(blocks[11])), str(blocks[11]));
  put(*repo, 1);
  EXPECT_EQ(pack_files().size(), 4u);
  expect_consistent(*repo);
}

TEST_F(PackTest, APackWhoseBlocksAreAllDeletedIsRemoved) {
  auto repo = open(options());
  auto blocks = put(*repo, 8);
  ASSERT_EQ(pack_files().size(), 2u);
  fs::path first = pack_files()[0];
  for (int i = 0; i < 3; ++i)
    repo->delete_block(block_cid(blocks[i]));
  EXPECT_TRUE(fs::exists(first));
  repo->delete_block(block_cid(blocks[3]));  // its last live block
  EXPECT_FALSE(fs::exists(first));
  EXPECT_EQ(pack_files().size(), 1u);
  expect_consistent(*repo);
}

TEST_F(PackTest, MaintenanceCompactsSparsePacksAndKeepsTheQuotaExact) {
  auto repo = open(options());
  auto blocks = put(*repo, 16);  // 4 packs
  ASSERT_EQ(pack_files().size(), 4u);
  // Leave 1 live block of 4 in each of the first three packs (25% < 50%).
  std::vector<Bytes> kept;
  for (size_t i = 0; i < 12; ++i) {
    if (i % 4 == 0)
      kept.push_back(blocks[i]);
    else
      repo->delete_block(block_cid(blocks[i]));
  }
  for (size_t i = 12; i < 16; ++i)
    kept.push_back(blocks[i]);
  Usage before = repo->usage();
  EXPECT_EQ(before.used, 7u * 1024);
  EXPECT_EQ(repo->check_consistency().pack_garbage_bytes, 9u * 1024);
  // One pack per call; the current (last) pack is never a victim.
  size_t calls = 0;
  while (pack_bytes_on_disk() > 7u * 1024 && calls < 10) {
    repo->run_maintenance();
    ++calls;
    expect_consistent(*repo);
  }
  EXPECT_EQ(calls, 3u);
  EXPECT_EQ(pack_bytes_on_disk(), 7u * 1024);  // no garbage left
  ConsistencyReport rep = repo->check_consistency();
  EXPECT_EQ(rep.pack_garbage_bytes, 0u);
  Usage after = repo->usage();
  EXPECT_EQ(after.used, before.used);  // moving bytes does not change the quota
  EXPECT_EQ(after.total_blocks, before.total_blocks);
  for (const Bytes& b : kept)
    EXPECT_EQ(repo->get_block(block_cid(b)), str(b));
  // Nothing left to compact: a no-op.
  repo->run_maintenance();
  EXPECT_EQ(pack_bytes_on_disk(), 7u * 1024);
  // And it survives a reopen.
  repo.reset();
  repo = open(options());
  for (const Bytes& b : kept)
    EXPECT_EQ(repo->get_block(block_cid(b)), str(b));
  expect_consistent(*repo);
}

TEST_F(PackTest, DensePacksAreNotCompacted) {
  auto repo = open(options());
  auto blocks = put(*repo, 8);
  repo->delete_block(block_cid(blocks[0]));  // 75% live in the first pack
  auto before = pack_files();
  repo->run_maintenance();
  EXPECT_EQ(pack_files(), before);
  expect_consistent(*repo);
}

TEST_F(PackTest, RollbackCutsTheTailAndRemovesNewPacks) {
  auto repo = open(options());
  put(*repo, 2);
  ASSERT_EQ(pack_files().size(), 1u);
  {
    auto batch = repo->batch();
    for (int i = 0; i < 5; ++i) {  // fills the pack and starts another
      Bytes b = random_bytes(rng_, 1024);
      batch.put_block(block_cid(b), b);
    }
    EXPECT_EQ(pack_files().size(), 2u);
  }  // rolled back
  EXPECT_EQ(pack_files().size(), 1u);
  EXPECT_EQ(pack_bytes_on_disk(), 2u * 1024);
  expect_consistent(*repo);
}

TEST_F(PackTest, SigkillBeforeCommitLeavesATailThatOpenCuts) {
  RepoOptions o = options();
  o.pack_bytes = 1 << 20;
  std::vector<Bytes> committed;
  {
    auto repo = open(o);
    committed = put(*repo, 3);
  }
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {  // appends three blocks, then dies before the commit
    auto repo = open(o);
    auto batch = repo->batch();
    std::mt19937_64 rng(99);
    for (int i = 0; i < 3; ++i) {
      Bytes b = random_bytes(rng, 1024);
      batch.put_block(block_cid(b), b);
    }
    ::kill(::getpid(), SIGKILL);
    ::_exit(1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  EXPECT_EQ(pack_bytes_on_disk(), 6u * 1024);  // the torn tail is there
  auto repo = open(o);
  EXPECT_EQ(pack_bytes_on_disk(), 3u * 1024);  // and cut
  EXPECT_EQ(repo->usage().total_blocks, 3u);
  expect_consistent(*repo);
  auto more = put(*repo, 2);  // appends resume at the committed end
  for (const Bytes& b : committed)
    EXPECT_EQ(repo->get_block(block_cid(b)), str(b));
  for (const Bytes& b : more)
    EXPECT_EQ(repo->get_block(block_cid(b)), str(b));
  expect_consistent(*repo);
}

TEST_F(PackTest, OpenRemovesStrayPacksAndTails) {
  RepoOptions o = options();
  std::vector<Bytes> blocks;
  {
    auto repo = open(o);
    blocks = put(*repo, 2);
  }
  fs::path last = pack_files().back();
  std::ofstream(last, std::ios::app | std::ios::binary) << std::string(700, 'x');
  std::ofstream(pack_dir() / "999.pack") << "never committed";
  std::ofstream(pack_dir() / "junk") << "x";
  {
    auto repo = open(options());
    ConsistencyReport rep = repo->check_consistency();
    EXPECT_TRUE(rep.ok()) << (rep.problems.empty() ? "" : rep.problems.front());
  }
  EXPECT_FALSE(fs::exists(pack_dir() / "999.pack"));
  EXPECT_FALSE(fs::exists(pack_dir() / "junk"));
  EXPECT_EQ(fs::file_size(last), 2u * 1024);
}

TEST_F(PackTest, CheckConsistencyDetectsDamagedPacks) {
  auto repo = open(options());
  auto blocks = put(*repo, 8);  // two full packs
  EXPECT_TRUE(repo->check_consistency().ok());
  auto files = pack_files();
  ASSERT_EQ(files.size(), 2u);
  {  // flip one byte of the second block of the first pack
    std::fstream f(files[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(1024 + 10);
    char c = static_cast<char>(f.get());
    f.seekp(1024 + 10);
    f.put(static_cast<char>(c ^ 0x55));
  }
  fs::resize_file(files[1], 3 * 1024 + 500);  // cut the last block of the second
  ConsistencyReport rep = repo->check_consistency();
  EXPECT_FALSE(rep.ok());
  EXPECT_EQ(rep.blocks_verified, 6u);
  bool mismatch = false, short_pack = false;
  for (const auto& p : rep.problems) {
    mismatch |= p.find("do not match") != std::string::npos;
    short_pack |= p.find("fewer than its committed") != std::string::npos;
  }
  EXPECT_TRUE(mismatch);
  EXPECT_TRUE(short_pack);
  // The reader reports the cut block as an error, never as other bytes.
  EXPECT_THROW(repo->get_block(block_cid(blocks[7])), StoreError);
  // A pack file the index does not know is reported too.
  std::ofstream(pack_dir() / "12345.pack") << "x";
  EXPECT_EQ(repo->check_consistency().orphan_files, 1u);
}

TEST_F(PackTest, ReadersFollowBlocksMovedByCompaction) {
  RepoOptions o = options();
  o.quota_bytes = 8 << 20;
  auto repo = open(o);
  auto blocks = put(*repo, 400, 4);
  std::vector<Bytes> kept;
  for (size_t i = 0; i < blocks.size(); ++i)
    if (i % 4 == 0) kept.push_back(blocks[i]);
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> reads{0}, bad{0};
  std::thread reader([&] {
    std::string buf;
    std::mt19937_64 rng(3);
    while (!stop) {
      const Bytes& b = kept[rng() % kept.size()];
      if (!repo->get_block_into(block_cid(b), buf) || buf != str(b)) ++bad;
      ++reads;
    }
  });
  for (size_t i = 0; i < blocks.size(); ++i)
    if (i % 4 != 0) repo->delete_block(block_cid(blocks[i]));
  for (int i = 0; i < 200; ++i)
    repo->run_maintenance();
  stop = true;
  reader.join();
  EXPECT_EQ(bad.load(), 0u);
  EXPECT_GT(reads.load(), 0u);
  EXPECT_LE(pack_bytes_on_disk(), kept.size() * 1024 + 4096);
  expect_consistent(*repo);
}

TEST_F(PackTest, PowerLossModeWorksAndBadOptionsAreRefused) {
  RepoOptions o = options();
  o.durability = Durability::kPowerLoss;
  {
    auto repo = open(o);
    auto blocks = put(*repo, 10, 3);
    for (int i = 0; i < 4; ++i)
      repo->delete_block(block_cid(blocks[i]));  // empties the first pack
    repo->run_maintenance();
    expect_consistent(*repo);
  }
  o.pack_bytes = 0;
  EXPECT_THROW(open(o), StoreError);
}

// The upload path into packs: a stream written in odd pieces (as HTTP bodies
// arrive) makes the same dataset as one write, and reads back intact.
TEST_F(PackTest, DatasetWrittenInPiecesIsStoredAndReadBack) {
  RepoOptions o = options();
  o.pack_bytes = 64 << 10;
  o.quota_bytes = 16 << 20;
  auto repo = open(o);
  Bytes data = random_bytes(rng_, 100 * 4096 + 777);  // two batches and a partial block
  DatasetWriter whole(*repo, 4096);
  whole.write(data);
  Cid expected = whole.finish();
  DatasetWriter pieces(*repo, 4096);
  for (size_t at = 0; at < data.size();) {
    size_t n = std::min<size_t>(data.size() - at, 1 + rng_() % 9000);
    pieces.write(std::span<const uint8_t>(data).subspan(at, n));
    at += n;
  }
  EXPECT_EQ(pieces.bytes_written(), data.size());
  EXPECT_EQ(pieces.finish(), expected);
  DatasetReader r(*repo, expected);
  ASSERT_EQ(r.blocks(), 101u);
  std::string back;
  for (uint64_t i = 0; i < r.blocks(); ++i)
    back += r.read_block(i);
  EXPECT_EQ(back, str(data));  // the padding of the last block is not returned
  expect_consistent(*repo);
  EXPECT_GT(pack_files().size(), 1u);
}

}  // namespace
}  // namespace codex::store
