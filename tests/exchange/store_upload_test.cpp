// Who uses what (issue #11): datasets of the same bytes share one tree and
// deleting one keeps the other; an upload racing the deletion of a dataset
// of its bytes keeps its blocks; an upload that never finishes frees its
// blocks at once, also when its process died; a corrupt block is refused and
// recorded; deleted bytes in the pack taking appends are reclaimed.
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <functional>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "exchange/dataset/dataset_delete.h"
#include "exchange/dataset/dataset_reader.h"
#include "exchange/dataset/dataset_writer.h"
#include "exchange/dataset/repo_dataset_blocks.h"
#include "exchange/error.h"
#include "exchange/store/corrupt_block_error.h"
#include "exchange/store/repo.h"
#include "tests/exchange/support/store_test_support.h"

namespace codex::store {
namespace {

namespace fs = std::filesystem;
using testing::Bytes;
using testing::open_store;
using testing::random_bytes;
using testing::TempDir;
using testing::TestStore;

constexpr uint32_t kBlock = 4096;

Cid upload(Repo& repo, const Bytes& data, const std::string& name) {
  DatasetWriter w(repo, kBlock);
  w.set_filename(name);
  w.write(data);
  return w.finish();
}

std::string read_all(Repo& repo, const Cid& manifest) {
  DatasetReader r(repo, manifest);
  std::string out;
  for (uint64_t i = 0; i < r.blocks(); ++i)
    out += r.read_block(i);
  return out;
}

std::string str(const Bytes& b) {
  return std::string(b.begin(), b.end());
}

// Disk space of the files under dir (holes excluded).
uint64_t disk_bytes(const fs::path& dir) {
  uint64_t n = 0;
  for (auto& e : fs::recursive_directory_iterator(dir)) {
    struct stat st;
    if (e.is_regular_file() && ::stat(e.path().c_str(), &st) == 0)
      n += static_cast<uint64_t>(st.st_blocks) * 512;
  }
  return n;
}

// An upload that is never destroyed, as a killed process leaves it (its
// destructor would release what the test wants left). Kept reachable from a
// global until the test program exits, so that LeakSanitizer does not take
// it for a leak (it reported one under scripts/sanitize asan).
Repo::Upload* abandon(Repo::Upload up) {
  static auto* abandoned = new std::vector<Repo::Upload*>;  // never destroyed
  abandoned->push_back(new Repo::Upload(std::move(up)));
  return abandoned->back();
}

class StoreUploadTest : public ::testing::TestWithParam<BlockStorage> {
 protected:
  RepoOptions options() {
    RepoOptions o;
    o.storage = GetParam();
    o.quota_bytes = 1ull << 30;
    return o;
  }
  TestStore open() { return open_store(tmp_.path() / "data", options()); }
  fs::path repo_dir() { return tmp_.path() / "data" / "repo"; }
  TempDir tmp_{"store_upload_test"};
  std::mt19937_64 rng_{11};
};

// Defect 4: the second dataset answered 404 ("leaf 0 ... is not stored").
TEST_P(StoreUploadTest, DeletingOneOfTwoDatasetsOfTheSameBytesKeepsTheOther) {
  TestStore s = open();
  Bytes data = random_bytes(rng_, 10 * kBlock + 100);
  Cid a = upload(*s, data, "a.bin");
  Cid b = upload(*s, data, "b.bin");
  ASSERT_NE(a, b);
  EXPECT_TRUE(delete_dataset(*s, a));
  EXPECT_FALSE(delete_dataset(*s, a));
  EXPECT_EQ(read_all(*s, b), str(data));
  EXPECT_TRUE(s->check_consistency().ok());
  EXPECT_TRUE(delete_dataset(*s, b));
  EXPECT_EQ(s->usage().total_blocks, 0u);
  EXPECT_EQ(s->check_consistency().leaves, 0u);
  // The same manifest uploaded twice is one dataset: one deletion removes it.
  Cid c1 = upload(*s, data, "c.bin");
  Cid c2 = upload(*s, data, "c.bin");
  EXPECT_EQ(c1, c2);
  EXPECT_TRUE(delete_dataset(*s, c1));
  EXPECT_EQ(s->usage().total_blocks, 0u);
}

// Defect 4: an upload of bytes X racing the deletion of a dataset of X
// returned a CID whose blocks the deletion had taken.
TEST_P(StoreUploadTest, UploadRacingTheDeletionOfTheSameBytesKeepsItsBlocks) {
  TestStore s = open();
  Bytes data = random_bytes(rng_, 300 * kBlock);
  for (int round = 0; round < 12; ++round) {
    Cid old = upload(*s, data, "old" + std::to_string(round));
    std::atomic<bool> go{false};
    Cid fresh;
    std::thread up([&] {
      while (!go) {
      }
      fresh = upload(*s, data, "new" + std::to_string(round));
    });
    std::thread del([&] {
      while (!go) {
      }
      // Small batches: the deletion interleaves with the upload's writes.
      std::this_thread::sleep_for(std::chrono::microseconds(200 * (round % 6)));
      delete_dataset(*s, old);
    });
    go = true;
    up.join();
    del.join();
    ASSERT_EQ(read_all(*s, fresh), str(data)) << "round " << round;
    auto rep = s->check_consistency();
    ASSERT_TRUE(rep.ok()) << rep.problems.front();
    ASSERT_TRUE(delete_dataset(*s, fresh));
    ASSERT_EQ(s->usage().total_blocks, 0u) << "round " << round;
  }
}

// Defects 3 and 9: a cut-off or failed upload left its blocks until their
// TTL (30 days).
TEST_P(StoreUploadTest, AnUnfinishedUploadFreesItsBlocksAtOnce) {
  TestStore s = open();
  Bytes kept = random_bytes(rng_, 5 * kBlock);
  Cid dataset = upload(*s, kept, "kept");
  const uint64_t blocks_before = s->usage().total_blocks;
  {
    DatasetWriter w(*s, kBlock);
    w.write(random_bytes(rng_, 200 * kBlock));
    w.write(kept);  // shares blocks with the dataset: those stay
  }
  EXPECT_EQ(s->usage().total_blocks, blocks_before);
  EXPECT_EQ(read_all(*s, dataset), str(kept));
  EXPECT_TRUE(s->check_consistency().ok());
}

// A killed process cannot release its upload: the next open does.
TEST_P(StoreUploadTest, AnUploadOfADeadProcessIsCollectedAtOpen) {
  Bytes kept = random_bytes(rng_, 3 * kBlock);
  {
    TestStore s = open();
    upload(*s, kept, "kept");
    // Never destroyed: what a SIGKILL leaves (pins and a tree hold committed).
    Repo::Upload* up = abandon(s->upload());
    std::vector<Cid> cids;
    {
      auto batch = s->batch();
      for (int i = 0; i < 170; ++i) {
        Bytes b = random_bytes(rng_, kBlock);
        cids.push_back(testing::block_cid(b));
        up->put_block(batch, cids.back(), b);
      }
      Bytes shared(kept.begin(), kept.begin() + kBlock);
      up->put_block(batch, testing::block_cid(shared), shared);
      batch.commit();
    }
    up->hold_tree(testing::tree_cid(9));
    for (uint64_t i = 0; i < 20; ++i)
      s->put_leaf(testing::tree_cid(9), i, cids[i], "proof");
    EXPECT_GT(s->usage().total_blocks, 170u);
  }
  TestStore s = open();
  EXPECT_EQ(s->usage().total_blocks, 4u);  // 3 blocks and the manifest
  EXPECT_TRUE(s->check_consistency().ok());
}

// Defect 5: a flipped byte was served with 200.
TEST_P(StoreUploadTest, ACorruptBlockIsRefusedAndRecorded) {
  if (GetParam() == BlockStorage::kSqlite) GTEST_SKIP() << "no file to damage";
  TestStore s = open();
  Bytes data = random_bytes(rng_, 8 * kBlock);
  Cid dataset = upload(*s, data, "d");
  DatasetReader r(*s, dataset);
  Cid victim = s->get_leaf(r.manifest().tree_cid, 5)->block;
  s.reset();
  // Flip one byte of block 5 wherever the storage keeps it.
  std::string needle(reinterpret_cast<const char*>(data.data()) + 5 * kBlock, kBlock);
  bool flipped = false;
  for (auto& e : fs::recursive_directory_iterator(repo_dir())) {
    if (!e.is_regular_file()) continue;
    std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
    std::string all((std::istreambuf_iterator<char>(f)), {});
    auto at = all.find(needle);
    if (at == std::string::npos) continue;
    f.seekp(static_cast<std::streamoff>(at + 1234));
    f.put(static_cast<char>(all[at + 1234] ^ 0x01));
    flipped = true;
  }
  ASSERT_TRUE(flipped);
  s = open();
  DatasetReader r2(*s, dataset);
  EXPECT_EQ(r2.read_block(4),
            std::string(reinterpret_cast<const char*>(data.data()) + 4 * kBlock, kBlock));
  EXPECT_THROW(r2.read_block(5), CorruptBlockError);
  EXPECT_THROW(s->get_block(victim), CorruptBlockError);
  // Erasure decoding sees it as missing, so that it can rebuild it.
  EXPECT_FALSE(RepoDatasetBlocks(*s).block(victim).has_value());
  EXPECT_EQ(s->damaged_blocks(), std::vector<Cid>{victim});
  auto quick = s->check_consistency(false);
  EXPECT_FALSE(quick.ok());
  EXPECT_EQ(quick.damaged_blocks, 1u);
  EXPECT_FALSE(s->check_consistency(true).ok());
  // Uploading the same bytes again heals it.
  upload(*s, data, "again");
  EXPECT_EQ(read_all(*s, dataset), str(data));
  EXPECT_TRUE(s->damaged_blocks().empty());
  EXPECT_TRUE(s->check_consistency().ok());
}

// Flips one bit of the bytes of `block` (which hold `bytes`) where the
// storage keeps them; reopens the store.
void damage(TestStore& s, const std::function<TestStore()>& reopen, const fs::path& repo_dir,
            const Cid& block, const Bytes& bytes) {
  if (s->options().storage == BlockStorage::kSqlite) {
    Bytes bad = bytes;
    bad[1234] ^= 0x01;
    s.db().write([&](base::sqlite::WriteTxn& t) {
      t.cached(
           "UPDATE store_block_data SET data = ? "
           "WHERE id = (SELECT id FROM store_blocks WHERE cid = ?)")
          .bind_blob(1, bad.data(), bad.size())
          .bind_blob(2, block.bytes())
          .run();
    });
    return;
  }
  s.reset();
  std::string needle(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  bool flipped = false;
  for (auto& e : fs::recursive_directory_iterator(repo_dir)) {
    if (!e.is_regular_file()) continue;
    std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
    std::string all((std::istreambuf_iterator<char>(f)), {});
    auto at = all.find(needle);
    if (at == std::string::npos) continue;
    f.seekp(static_cast<std::streamoff>(at + 1234));
    f.put(static_cast<char>(all[at + 1234] ^ 0x01));
    flipped = true;
  }
  ASSERT_TRUE(flipped);
  s = reopen();
}

bool mentions(const ConsistencyReport& rep, const std::string& a, const std::string& b) {
  for (const auto& p : rep.problems)
    if (p.find(a) != std::string::npos && p.find(b) != std::string::npos) return true;
  return false;
}

// Defect 5: `repo check --quick` said "consistent" about a flipped byte that
// no read had met: it only listed damage found by reads. It now checks each
// block's CRC32C, recorded when the block was stored.
TEST_P(StoreUploadTest, QuickCheckFindsDamageNoReadHasMet) {
  TestStore s = open();
  Bytes data = random_bytes(rng_, 8 * kBlock);
  Cid dataset = upload(*s, data, "d");
  Cid victim = s->get_leaf(DatasetReader(*s, dataset).manifest().tree_cid, 5)->block;
  ConsistencyReport clean = s->check_consistency(false);
  EXPECT_TRUE(clean.ok());
  EXPECT_EQ(clean.blocks_checksummed, clean.blocks);  // the manifest too
  EXPECT_EQ(clean.blocks_verified, 0u);               // no SHA-256
  Bytes five(data.begin() + 5 * kBlock, data.begin() + 6 * kBlock);
  damage(
      s, [&] { return open(); }, repo_dir(), victim, five);
  ConsistencyReport quick = s->check_consistency(false);
  EXPECT_FALSE(quick.ok());
  EXPECT_EQ(quick.damaged_blocks, 1u);
  EXPECT_EQ(quick.blocks_checksummed, quick.blocks - 1);
  EXPECT_TRUE(mentions(quick, victim.to_string(), "checksum"))
      << ::testing::PrintToString(quick.problems);
  // Recorded, as a read records it: listed, reported once by the next check.
  EXPECT_EQ(s->damaged_blocks(), std::vector<Cid>{victim});
  ConsistencyReport again = s->check_consistency(false);
  EXPECT_EQ(again.damaged_blocks, 1u);
  EXPECT_EQ(again.problems.size(), 1u) << ::testing::PrintToString(again.problems);
  ConsistencyReport full = s->check_consistency(true);
  EXPECT_EQ(full.damaged_blocks, 1u);
  EXPECT_TRUE(mentions(full, victim.to_string(), "do not match the CID"));
  EXPECT_THROW(s->get_block(victim), CorruptBlockError);
  // Uploading the same bytes again heals it, checksum included.
  upload(*s, data, "again");
  EXPECT_TRUE(s->damaged_blocks().empty());
  EXPECT_TRUE(s->check_consistency(false).ok());
  EXPECT_EQ(read_all(*s, dataset), str(data));
}

// Blocks stored before checksums (schema v4) have none: the quick check
// re-hashes them, so it still finds their damage.
TEST_P(StoreUploadTest, QuickCheckReHashesBlocksStoredWithoutAChecksum) {
  TestStore s = open();
  Bytes data = random_bytes(rng_, 6 * kBlock);
  Cid dataset = upload(*s, data, "old");
  Cid victim = s->get_leaf(DatasetReader(*s, dataset).manifest().tree_cid, 2)->block;
  s.db().write([](base::sqlite::WriteTxn& t) { t.exec("UPDATE store_blocks SET crc = NULL"); });
  ConsistencyReport clean = s->check_consistency(false);
  EXPECT_TRUE(clean.ok());
  EXPECT_EQ(clean.blocks_verified, clean.blocks);
  EXPECT_EQ(clean.blocks_checksummed, 0u);
  EXPECT_EQ(clean.blocks_unchecked, 0u);
  Bytes two(data.begin() + 2 * kBlock, data.begin() + 3 * kBlock);
  damage(
      s, [&] { return open(); }, repo_dir(), victim, two);
  ConsistencyReport quick = s->check_consistency(false);
  EXPECT_FALSE(quick.ok());
  EXPECT_EQ(quick.damaged_blocks, 1u);
  EXPECT_TRUE(mentions(quick, victim.to_string(), "do not match the CID"));
  EXPECT_EQ(s->damaged_blocks(), std::vector<Cid>{victim});
  // A heal writes the bytes and their checksum.
  upload(*s, data, "again");
  ConsistencyReport healed = s->check_consistency(false);
  EXPECT_TRUE(healed.ok());
  EXPECT_EQ(healed.blocks_checksummed, 2u);  // the healed block and the new manifest
}

INSTANTIATE_TEST_SUITE_P(Storages, StoreUploadTest, ::testing::ValuesIn(testing::kAllBlockStorages),
                         [](const auto& info) { return testing::block_storage_name(info.param); });

// Defect 9: a store with no block kept 48 MiB of garbage in the pack taking
// appends, across restart and maintenance.
TEST(StorePackReclaim, DeletedBytesInThePackTakingAppendsAreFreed) {
  TempDir tmp("store_upload_test");
  RepoOptions o;
  o.storage = BlockStorage::kPacks;
  std::mt19937_64 rng(5);
  const fs::path packs = tmp.path() / "data" / "repo" / "packs";
  {
    TestStore s = open_store(tmp.path() / "data", o);
    Bytes data = random_bytes(rng, 8 << 20);
    Cid d = upload(*s, data, "big");
    EXPECT_GE(disk_bytes(packs), 8u << 20);
    ASSERT_TRUE(delete_dataset(*s, d));
    EXPECT_EQ(s->usage().total_blocks, 0u);
    // Punched out at the deletion's commit.
    EXPECT_LT(disk_bytes(packs), 1u << 20);
  }
  TestStore s = open_store(tmp.path() / "data", o);
  s->run_maintenance();
  auto rep = s->check_consistency();
  EXPECT_TRUE(rep.ok());
  EXPECT_EQ(rep.pack_garbage_bytes, 0u);
  EXPECT_EQ(disk_bytes(packs), 0u);
  EXPECT_TRUE(fs::is_empty(packs));
  // And appending resumes in a new pack.
  Bytes more = random_bytes(rng, 3 * kBlock);
  EXPECT_EQ(read_all(*s, upload(*s, more, "more")), str(more));
}

}  // namespace
}  // namespace codex::store
