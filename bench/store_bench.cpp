// Block store throughput with 64 KiB blocks (spec node.md §1.1), for both
// block storages and durabilities: put in batches of 64 blocks (one
// transaction, as the uploader does) and get (the download path, reading
// into a reused buffer; the page cache is warm, as right after an upload).
// CIDs are made up (no hashing) so that only the store is measured.
//
// Each put benchmark writes 1 GiB into a fresh repo under $CODEX_BENCH_DIR
// (default: the system temp dir) and removes it afterwards; with
// CODEX_BENCH_DIR=/dev/shm it measures the store's own cost without the disk.
//
// Figures (2026-11-22, 2 shared cores at load ~10, medians of 3; CPU time in
// brackets is per 4 MiB batch / per 64 KiB get):
//   tmpfs: put files 356-376 MB/s (4.1-4.4 ms), sqlite 140 MB/s (11.6 ms);
//          files + leaves 329 MB/s; get files 0.69-1.14 GB/s (22-34 us),
//          sqlite 0.46-0.65 GB/s (39-55 us)
//   disk:  put files 88-115 MB/s, sqlite 91 MB/s (the shared disk is the
//          limit); get files 1.18 GB/s, sqlite 0.54 GB/s
// Packs (later the same day, disk; at load ~2.7 / at load 5-12):
//   put packs process-crash 716 / 110-233 MB/s (3.9 / 2.4-4.3 ms), power-loss
//   232 / 88-169 MB/s; files process-crash 149 / 24-26 MB/s (22 ms: inode
//   creation), power-loss 95 / 56-61 MB/s; packs + leaves 108 vs files
//   40 MB/s (load 10); get packs 2.36 / 0.49 GB/s (17 / 15 us) vs files
//   1.89 / 0.34 GB/s (21 / 20 us)
//   tmpfs (load 10): put packs 172 MB/s (3.1 ms) vs files 148 MB/s (3.6 ms);
//   get packs 374 MB/s vs files 262 MB/s: the put gap is ext4's.
// Pack files win on every run (files pay ext4 inode creation per block),
// hence BlockStorage::kPacks by default.
// The store on the data directory's one database (2026-12-05, disk, load
// 6-14, 5 runs alternated with the build before it, medians; CPU per 4 MiB
// batch / per get): put packs process-crash 508 vs 521 and 1490 vs 1279 MB/s
// (1.85 vs 1.78, 1.56 vs 1.51 ms), power-loss 261 vs 218 and 328 vs 368 MB/s
// (2.48 vs 2.40, 2.33 vs 2.26 ms), packs + leaves 219 vs 185 and 264 vs
// 251 MB/s; get packs 13.3 vs 14.3 and 12.9 vs 13.3 us: the same within the
// host's spread (pair ratios 0.35-2.9).
// The per-block CRC32C (2026-12-05, 2 shared cores, AMD EPYC): BM_Crc32c
// 1.23 us of CPU per 64 KiB block (49 GB/s), 0.02 s per GiB stored.
// BM_Dataset/256 on /dev/shm, 7 runs alternated with the same build linked
// against a crc32c that returns 0, medians [min-max]: upload CPU 1.75
// [1.50-2.04] vs 1.75 [1.33-2.08] s/GiB, whole process CPU 0.85 vs 0.88 s
// (pair ratio 0.97 [0.81-1.33]): the checksum is lost in the noise.
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "exchange/crypto/crc32c.h"
#include "exchange/dataset/dataset_reader.h"
#include "exchange/dataset/dataset_writer.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/store/data_dir.h"
#include "exchange/store/repo.h"

namespace {

namespace fs = std::filesystem;
using codex::Cid;
using codex::Multihash;
using namespace codex::store;

constexpr size_t kBlock = 64 * 1024;
constexpr size_t kBatch = 64;
constexpr int kPutBatches = 256;     // 1 GiB
constexpr size_t kGetBlocks = 4096;  // 256 MiB read back at random

class BenchDir {
 public:
  BenchDir() {
    const char* base = std::getenv("CODEX_BENCH_DIR");
    std::string tmpl =
        ((base ? fs::path(base) : fs::temp_directory_path()) / "store_bench.XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~BenchDir() { fs::remove_all(path_); }
  fs::path data() const { return path_ / "data"; }

 private:
  fs::path path_;
};

Cid fake_cid(uint64_t n) {
  std::string digest(32, '\0');
  for (int i = 0; i < 8; ++i)
    digest[i] = static_cast<char>(n >> (8 * i));
  digest[31] = static_cast<char>(n * 0x9e3779b97f4a7c15ull >> 56);  // spread over shards
  return Cid(codex::multicodec::kBlock, Multihash(codex::multicodec::kSha2_256, digest));
}

std::vector<uint8_t> block_bytes() {
  std::vector<uint8_t> b(kBlock);
  std::mt19937_64 rng(1);
  for (auto& x : b)
    x = static_cast<uint8_t>(rng());
  return b;
}

// A data directory and the store on its database, as the node opens them.
struct Store {
  std::unique_ptr<DataDir> data;  // destroyed after the repo
  std::unique_ptr<Repo> repo;
  Repo& operator*() const { return *repo; }
  Repo* operator->() const { return repo.get(); }
};

Store open_repo(const BenchDir& dir, BlockStorage s, Durability d) {
  Store st;
  st.data = DataDir::open(dir.data());
  RepoOptions o;
  o.dir = st.data->repo_dir();
  o.quota_bytes = 64ull << 30;
  o.storage = s;
  o.durability = d;
  st.repo = Repo::open(st.data->database(), o);
  return st;
}

void put_blocks(Repo& repo, const std::vector<uint8_t>& bytes, uint64_t first, size_t batches) {
  uint64_t n = first;
  for (size_t i = 0; i < batches; ++i) {
    auto batch = repo.batch();
    for (size_t k = 0; k < kBatch; ++k)
      batch.put_block(fake_cid(n++), bytes);
    batch.commit();
  }
}

void BM_Put(benchmark::State& state, BlockStorage s, Durability d) {
  BenchDir dir;
  auto repo = open_repo(dir, s, d);
  auto bytes = block_bytes();
  uint64_t n = 0;
  for (auto _ : state) {
    put_blocks(*repo, bytes, n, 1);
    n += kBatch;
  }
  state.SetBytesProcessed(static_cast<int64_t>(n * kBlock));
  repo.repo.reset();  // the close (a checkpoint) is part of the cost of a put
}

// An upload as the uploader does it: each block with its leaf (a proof of a
// 16k-leaf tree is about 500 bytes).
void BM_PutWithLeaves(benchmark::State& state, BlockStorage s) {
  BenchDir dir;
  auto repo = open_repo(dir, s, Durability::kPowerLoss);
  auto bytes = block_bytes();
  Cid tree(codex::multicodec::kRoot, Multihash(codex::multicodec::kSha2_256, std::string(32, 't')));
  std::string proof(500, 'p');
  uint64_t n = 0;
  for (auto _ : state) {
    auto batch = repo->batch();
    for (size_t k = 0; k < kBatch; ++k, ++n) {
      Cid c = fake_cid(n);
      batch.put_block(c, bytes);
      batch.put_leaf(tree, n, c, proof);
    }
    batch.commit();
  }
  state.SetBytesProcessed(static_cast<int64_t>(n * kBlock));
}

void BM_Get(benchmark::State& state, BlockStorage s) {
  BenchDir dir;
  auto repo = open_repo(dir, s, Durability::kProcessCrash);
  put_blocks(*repo, block_bytes(), 0, kGetBlocks / kBatch);
  std::mt19937_64 rng(2);
  std::string buf;
  uint64_t bytes = 0;
  for (auto _ : state) {
    if (!repo->get_block_into(fake_cid(rng() % kGetBlocks), buf))
      state.SkipWithError("missing block");
    bytes += buf.size();
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

// What this process has cost so far: CPU seconds and read/write syscalls.
struct Cost {
  double user = 0, sys = 0;
  uint64_t syscr = 0, syscw = 0;
  static Cost now() {
    Cost c;
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    c.user = double(ru.ru_utime.tv_sec) + double(ru.ru_utime.tv_usec) / 1e6;
    c.sys = double(ru.ru_stime.tv_sec) + double(ru.ru_stime.tv_usec) / 1e6;
    std::ifstream io("/proc/self/io");
    std::string key;
    uint64_t v;
    while (io >> key >> v) {
      if (key == "syscr:") c.syscr = v;
      if (key == "syscw:") c.syscw = v;
    }
    return c;
  }
};

void set_cost_counters(benchmark::State& state, const char* what, const Cost& a, const Cost& b,
                       double gib, double blocks) {
  std::string w(what);
  state.counters[w + "_user_s_per_GiB"] = (b.user - a.user) / gib;
  state.counters[w + "_sys_s_per_GiB"] = (b.sys - a.sys) / gib;
  state.counters[w + "_reads_per_block"] = double(b.syscr - a.syscr) / blocks;
  state.counters[w + "_writes_per_block"] = double(b.syscw - a.syscw) / blocks;
}

// An upload then a download of range(0) MiB through DatasetWriter and
// DatasetReader (the REST routes' path without HTTP), process-crash
// durability as the node's default: the store's cost per GiB, which must not
// grow with the size (issue 10). Blocks are distinct (a counter in each) but
// made without a RNG per byte.
void BM_Dataset(benchmark::State& state) {
  const uint64_t mib = static_cast<uint64_t>(state.range(0));
  const double gib = double(mib) / 1024;
  const double blocks = double(mib * 16);
  BenchDir dir;
  auto repo = open_repo(dir, BlockStorage::kPacks, Durability::kProcessCrash);
  std::vector<uint8_t> piece = block_bytes();
  for (auto _ : state) {
    Cost c0 = Cost::now();
    codex::DatasetWriter writer(*repo);
    for (uint64_t i = 0; i < mib * 16; ++i) {
      std::memcpy(piece.data(), &i, sizeof i);
      writer.write(piece);
    }
    Cid cid = writer.finish();
    Cost c1 = Cost::now();
    codex::DatasetReader reader(*repo, cid);
    uint64_t sum = 0;
    for (uint64_t i = 0; i < reader.blocks(); ++i)
      sum += reader.read_block(i).size();
    Cost c2 = Cost::now();
    if (sum != mib << 20) state.SkipWithError("short read");
    set_cost_counters(state, "up", c0, c1, gib, blocks);
    set_cost_counters(state, "down", c1, c2, gib, blocks);
  }
  state.SetBytesProcessed(static_cast<int64_t>(mib << 20));
}

// The CRC32C a put computes per block (repo_schema.cpp, v4): its share of a
// put's cost (one 64 KiB block per iteration).
void BM_Crc32c(benchmark::State& state) {
  auto bytes = block_bytes();
  uint32_t sink = 0;
  for (auto _ : state) {
    sink ^= codex::crc32c(bytes);
    benchmark::DoNotOptimize(sink);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kBlock));
}

BENCHMARK(BM_Crc32c);
BENCHMARK(BM_Dataset)
    ->Arg(256)
    ->Arg(1024)
    ->Arg(4096)
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Put, packs_powerloss, BlockStorage::kPacks, Durability::kPowerLoss)
    ->Iterations(kPutBatches)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Put, packs_processcrash, BlockStorage::kPacks, Durability::kProcessCrash)
    ->Iterations(kPutBatches)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Put, files_powerloss, BlockStorage::kFiles, Durability::kPowerLoss)
    ->Iterations(kPutBatches)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Put, files_processcrash, BlockStorage::kFiles, Durability::kProcessCrash)
    ->Iterations(kPutBatches)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Put, sqlite, BlockStorage::kSqlite, Durability::kPowerLoss)
    ->Iterations(kPutBatches)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_PutWithLeaves, packs, BlockStorage::kPacks)
    ->Iterations(kPutBatches)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_PutWithLeaves, files, BlockStorage::kFiles)
    ->Iterations(kPutBatches)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Get, packs, BlockStorage::kPacks)->Iterations(16384)->UseRealTime();
BENCHMARK_CAPTURE(BM_Get, files, BlockStorage::kFiles)->Iterations(16384)->UseRealTime();
BENCHMARK_CAPTURE(BM_Get, sqlite, BlockStorage::kSqlite)->Iterations(16384)->UseRealTime();

}  // namespace
