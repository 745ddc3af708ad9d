// Crash consistency of the block repository: a writer process uploads random
// datasets (blocks + leaves + manifest), deletes some, runs maintenance and
// moves reservations, in a loop; the test SIGKILLs it at random moments many
// times and, after each kill, reopens the store and checks every invariant
// (Repo::check_consistency re-hashes every block).
//
// The writer is this same executable (support/self_child.h): when the
// environment variable CODEX_STORE_KILL_WRITER is set, a static initializer
// runs the writer loop and never returns to GoogleTest.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "exchange/error.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/store/repo.h"
#include "tests/exchange/support/self_child.h"
#include "tests/exchange/support/store_test_support.h"
#include "tests/support/sanitizer.h"

namespace codex::store {
namespace {

namespace fs = std::filesystem;
using testing::Bytes;
using testing::random_bytes;

constexpr const char* kWriterEnv = "CODEX_STORE_KILL_WRITER";
constexpr uint64_t kQuota = 6 << 20;

RepoOptions writer_options(BlockStorage storage, Durability durability = Durability::kPowerLoss) {
  RepoOptions o;
  o.quota_bytes = kQuota;
  o.default_ttl = std::chrono::seconds(3600);
  o.storage = storage;
  o.durability = durability;
  // Small packs: kills land in pack rotation, emptied-pack removal and
  // compaction (run_maintenance), not only in appends.
  o.pack_bytes = 48 << 10;
  return o;
}

// The writer reports 'U' (upload) / 'D' (delete) when one is complete.
void report(char c) {
  testing::report_progress(&c, 1);
}

// Deletes one dataset: its leaves (and blocks that become unreferenced), then
// its manifest, whose first bytes are the tree CID's length and the tree CID.
bool delete_dataset(Repo& repo, std::mt19937_64& rng) {
  std::vector<Cid> manifests = repo.manifests();
  if (manifests.empty()) return false;
  const Cid& m = manifests[rng() % manifests.size()];
  auto bytes = repo.get_block(m);
  if (!bytes) return false;
  Cid tree = Cid::from_bytes(std::string_view(*bytes).substr(1, static_cast<uint8_t>((*bytes)[0])));
  repo.delete_tree(tree, 1 + rng() % 16);
  repo.delete_block(m);
  report('D');
  return true;
}

void upload_dataset(Repo& repo, std::mt19937_64& rng, const std::vector<Bytes>& pool) {
  Cid tree(multicodec::kRoot, Multihash(multicodec::kSha2_256, [&] {
             Bytes d = random_bytes(rng, 32);
             return std::string(d.begin(), d.end());
           }()));
  size_t n = 1 + rng() % 40;
  int64_t now = repo.options().now();
  size_t i = 0;
  while (i < n) {
    auto batch = repo.batch();
    for (size_t k = 0; k < 8 && i < n; ++k, ++i) {
      // Some blocks are shared between datasets, so refCounts go above 1.
      Bytes b = rng() % 5 == 0 ? pool[rng() % pool.size()] : random_bytes(rng, 512 + rng() % 8192);
      Cid c = Cid::sha256_of(multicodec::kBlock, b);
      std::optional<int64_t> expiry;
      if (rng() % 10 == 0) expiry = now - 1;  // already expired: maintenance food
      batch.put_block(c, b, expiry);
      batch.put_leaf(tree, i, c, std::string(64, 'p'));
    }
    batch.commit();
  }
  const std::string& tb = tree.bytes();
  Bytes manifest(1 + tb.size());
  manifest[0] = static_cast<uint8_t>(tb.size());
  std::copy(tb.begin(), tb.end(), manifest.begin() + 1);
  Bytes tail = random_bytes(rng, 64);
  manifest.insert(manifest.end(), tail.begin(), tail.end());
  repo.put_block(Cid::sha256_of(multicodec::kManifest, manifest), manifest);
  report('U');
}

// The writer process: works until its parent is gone or a minute passed.
void run_writer(const std::string& s) {  // "<f|s|k><p|c>:<seed>:<dir>"
  BlockStorage storage = s[0] == 's'   ? BlockStorage::kSqlite
                         : s[0] == 'k' ? BlockStorage::kPacks
                                       : BlockStorage::kFiles;
  Durability durability = s[1] == 'p' ? Durability::kPowerLoss : Durability::kProcessCrash;
  size_t colon = s.find(':', 3);
  std::mt19937_64 rng(std::stoull(s.substr(3, colon - 3)));
  auto repo = testing::open_store(s.substr(colon + 1), writer_options(storage, durability));
  std::mt19937_64 pool_rng(7);  // the same shared blocks in every run
  std::vector<Bytes> pool;
  for (int i = 0; i < 16; ++i)
    pool.push_back(random_bytes(pool_rng, 4096));
  pid_t parent = ::getppid();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (::getppid() == parent && std::chrono::steady_clock::now() < deadline) {
    unsigned op = rng() % 100;
    try {
      if (op < 55) {
        upload_dataset(*repo, rng, pool);
      } else if (op < 80) {
        delete_dataset(*repo, rng);
      } else if (op < 88) {
        repo->run_maintenance(1 + rng() % 64);
      } else if (op < 94) {
        if (rng() % 2)
          repo->reserve(rng() % 65536);
        else
          repo->release(rng() % 65536);
      } else {
        auto ms = repo->manifests();
        if (!ms.empty()) repo->ensure_expiry(ms[rng() % ms.size()], repo->options().now() + 7200);
      }
    } catch (const QuotaError&) {
      delete_dataset(*repo, rng);
      repo->release(kQuota);
    }
  }
}

[[maybe_unused]] const bool kIsWriter = testing::run_if_self_child(kWriterEnv, run_writer);

testing::SelfChild spawn_writer(const fs::path& dir, BlockStorage storage, Durability durability,
                                uint64_t seed) {
  const char* kind = storage == BlockStorage::kSqlite  ? "s"
                     : storage == BlockStorage::kPacks ? "k"
                                                       : "f";
  return testing::spawn_self(kWriterEnv, std::string(kind) +
                                             (durability == Durability::kPowerLoss ? "p" : "c") +
                                             ":" + std::to_string(seed) + ":" + dir.string());
}

class StoreKillTest : public ::testing::TestWithParam<BlockStorage> {};

TEST_P(StoreKillTest, SigkillAtRandomMomentsLeavesAConsistentStore) {
  const BlockStorage storage = GetParam();
  const int kills = storage == BlockStorage::kSqlite ? 20 : 40;
  testing::TempDir tmp("store_kill_test");
  fs::path dir = tmp.path() / "data";
  std::mt19937_64 rng(::getpid());
  uint64_t uploads = 0, deletes = 0, max_blocks = 0;

  for (int round = 0; round < kills; ++round) {
    // Both durabilities: kPowerLoss adds syncs that a SIGKILL must not break.
    Durability durability = round % 2 ? Durability::kPowerLoss : Durability::kProcessCrash;
    testing::SelfChild child = spawn_writer(dir, storage, durability, rng());
    // Mostly mid-work, sometimes during start-up and recovery.
    int delay_ms =
        rng() % 4 == 0 ? static_cast<int>(rng() % 30) : 40 + static_cast<int>(rng() % 300);
    delay_ms *= ::codex::testing::sanitizer_slowdown();  // sanitized start-up is slower
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    int status = testing::kill_child(child);
    ASSERT_TRUE(testing::killed_by_sigkill(status))
        << "the writer stopped by itself (status " << status << ") in round " << round;
    for (char c : testing::drain_progress(child))
      (c == 'U' ? uploads : deletes) += 1;

    RepoOptions o = writer_options(storage);
    auto repo = testing::open_store(dir, o);
    ConsistencyReport rep = repo->check_consistency(true);
    ASSERT_TRUE(rep.ok()) << "round " << round << ": " << rep.problems.front() << " (+"
                          << rep.problems.size() - 1 << " more)";
    Usage u = repo->usage();
    ASSERT_EQ(u.used, rep.bytes) << "round " << round;
    ASSERT_EQ(u.total_blocks, rep.blocks) << "round " << round;
    ASSERT_EQ(rep.blocks_verified, rep.blocks) << "round " << round;
    ASSERT_LE(u.used, o.quota_bytes);
    max_blocks = std::max(max_blocks, rep.blocks);
  }
  // The kills must have interrupted real work, not just start-ups.
  EXPECT_GT(uploads, 10u);
  EXPECT_GT(deletes, 2u);
  EXPECT_GT(max_blocks, 50u);
  std::printf("%d kills: %llu uploads, %llu deletes completed, up to %llu blocks\n", kills,
              static_cast<unsigned long long>(uploads), static_cast<unsigned long long>(deletes),
              static_cast<unsigned long long>(max_blocks));
}

INSTANTIATE_TEST_SUITE_P(Storage, StoreKillTest, ::testing::ValuesIn(testing::kAllBlockStorages),
                         [](const auto& info) { return testing::block_storage_name(info.param); });

}  // namespace
}  // namespace codex::store
