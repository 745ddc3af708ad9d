// Erasure-coding throughput: our codec against plain ISA-L ec_encode_data on
// the same buffers in the same run, for (10,4) and (3,2) over a dataset of
// 64 KiB blocks in the stepped layout; then the dataset-level encoder/decoder
// (hashing, tree, proofs, in-memory store) for reference.
//
// Usage: erasure_run [--bytes N] [--dataset-bytes N] [--reps N] (or --bytes=N;
//   or CODEX_BENCH_BYTES / CODEX_BENCH_DATASET_BYTES / CODEX_BENCH_REPS); --help.
// Defaults: 1 GiB for both, 5 repetitions (best taken). --dataset-bytes=0 skips
// the dataset-level part. GB/s counts data bytes (the K data blocks of a step);
// codec figures use the thread's CPU time, dataset figures wall time and the
// process's CPU time.
#include <isa-l/erasure_code.h>
#include <sys/resource.h>
#include <time.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "base/cli/unsigned_range.h"
#include "exchange/erasure/codec.h"
#include "exchange/erasure/erasure.h"
#include "exchange/erasure/memory_dataset_blocks.h"

namespace {

using namespace codex;
using namespace codex::erasure;
using Clock = std::chrono::steady_clock;

constexpr size_t kBlock = 64 * 1024;

void fill_random(std::vector<uint8_t>& buf, uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (size_t i = 0; i < buf.size(); i += 8) {
    uint64_t v = rng();
    std::memcpy(&buf[i], &v, std::min<size_t>(8, buf.size() - i));
  }
}

// CPU seconds (user + system) this process has used so far.
double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto sec = [](const timeval& tv) { return double(tv.tv_sec) + tv.tv_usec / 1e6; };
  return sec(ru.ru_utime) + sec(ru.ru_stime);
}

// CPU time of the calling thread: unlike wall time it does not count the time
// the thread waits for a core, so figures hold on a shared, loaded machine.
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + ts.tv_nsec / 1e9;
}

// Times two functions over the same steps, in CPU seconds: each repetition walks
// the steps in slices and runs both on every slice (alternating which goes
// first), so both see the same machine load; the best repetition counts.
using StepRange = std::function<void(uint64_t first, uint64_t end)>;
std::pair<double, double> compare(int reps, uint64_t steps, const StepRange& a,
                                  const StepRange& b) {
  constexpr uint64_t kSlice = 32;  // steps per slice (a few MiB)
  double best_a = 1e30, best_b = 1e30;
  for (int r = 0; r < reps; ++r) {
    double ta = 0, tb = 0;
    for (uint64_t s = 0; s < steps; s += kSlice) {
      uint64_t e = std::min(steps, s + kSlice);
      for (int turn = 0; turn < 2; ++turn) {
        bool run_a = (turn == 0) == ((s / kSlice + r) % 2 == 0);
        double t0 = thread_cpu_seconds();
        (run_a ? a : b)(s, e);
        (run_a ? ta : tb) += thread_cpu_seconds() - t0;
      }
    }
    best_a = std::min(best_a, ta);
    best_b = std::min(best_b, tb);
  }
  return {best_a, best_b};
}

// Plain ISA-L decode tables for recovering data positions 0..M−1 from the
// surviving K positions M..K+M−1 — the textbook recipe, as the baseline.
std::vector<uint8_t> plain_decode_tables(uint32_t k, uint32_t m) {
  std::vector<uint8_t> a((k + m) * k), sub(k * k), inv(k * k), rows(m * k), tbl(32 * k * m);
  gf_gen_cauchy1_matrix(a.data(), int(k + m), int(k));
  for (uint32_t r = 0; r < k; ++r)
    std::memcpy(&sub[r * k], &a[(m + r) * k], k);
  if (gf_invert_matrix(sub.data(), inv.data(), int(k)) != 0) std::abort();
  std::memcpy(rows.data(), inv.data(), m * k);  // data rows 0..M−1 of the inverse
  ec_init_tables(int(k), int(m), rows.data(), tbl.data());
  return tbl;
}

void codec_vs_isal(uint32_t k, uint32_t m, uint64_t bytes, int reps) {
  const uint64_t steps = std::max<uint64_t>(1, bytes / (k * kBlock));
  const double gb = double(steps) * k * kBlock / 1e9;
  std::vector<uint8_t> data(steps * k * kBlock), parity(steps * m * kBlock),
      out(steps * m * kBlock);
  fill_random(data, 1);
  std::memset(parity.data(), 0, parity.size());
  std::memset(out.data(), 0, out.size());
  // Stepped layout: step s holds blocks s, s + steps, …; parity likewise.
  auto block = [&](std::vector<uint8_t>& buf, uint64_t step, uint32_t pos) {
    return buf.data() + (pos * steps + step) * kBlock;
  };

  ReedSolomonCodec codec(ErasureParams{k, m}, kBlock);
  std::vector<uint8_t> a((k + m) * k), enc_tbl(32 * k * m);
  gf_gen_cauchy1_matrix(a.data(), int(k + m), int(k));
  ec_init_tables(int(k), int(m), a.data() + k * k, enc_tbl.data());

  std::vector<uint8_t*> src(k), dst(m);
  auto plain_encode = [&](uint64_t first, uint64_t end) {
    for (uint64_t s = first; s < end; ++s) {
      for (uint32_t p = 0; p < k; ++p)
        src[p] = block(data, s, p);
      for (uint32_t j = 0; j < m; ++j)
        dst[j] = block(parity, s, j);
      ec_encode_data(int(kBlock), int(k), int(m), enc_tbl.data(), src.data(), dst.data());
    }
  };
  std::vector<const uint8_t*> csrc(k);
  auto our_encode = [&](uint64_t first, uint64_t end) {
    for (uint64_t s = first; s < end; ++s) {
      for (uint32_t p = 0; p < k; ++p)
        csrc[p] = block(data, s, p);
      for (uint32_t j = 0; j < m; ++j)
        dst[j] = block(parity, s, j);
      codec.encode(csrc, dst);
    }
  };
  our_encode(0, steps);  // parity for the decode runs below
  auto [t_plain, t_ours] = compare(reps, steps, plain_encode, our_encode);
  std::printf("encode (%u,%u) %.2f GB: codec %.2f GB/s, ec_encode_data %.2f GB/s, ratio %.3f\n", k,
              m, gb, gb / t_ours, gb / t_plain, t_plain / t_ours);

  // Decode: the first M data blocks of every step lost (the worst case: M
  // data targets), rebuilt from the other K blocks into `out`.
  std::vector<uint8_t> dec_tbl = plain_decode_tables(k, m);
  auto plain_decode = [&](uint64_t first, uint64_t end) {
    for (uint64_t s = first; s < end; ++s) {
      for (uint32_t p = 0; p < k; ++p)
        src[p] = p + m < k ? block(data, s, p + m) : block(parity, s, p + m - k);
      for (uint32_t j = 0; j < m; ++j)
        dst[j] = block(out, s, j);
      ec_encode_data(int(kBlock), int(k), int(m), dec_tbl.data(), src.data(), dst.data());
    }
  };
  ShardMask erased;
  for (uint32_t j = 0; j < m; ++j)
    erased.set(j);
  std::vector<uint8_t*> shards(k + m);
  auto our_decode = [&](uint64_t first, uint64_t end) {
    for (uint64_t s = first; s < end; ++s) {
      for (uint32_t j = 0; j < m; ++j)
        shards[j] = block(out, s, j);
      for (uint32_t p = m; p < k; ++p)
        shards[p] = block(data, s, p);
      for (uint32_t j = 0; j < m; ++j)
        shards[k + j] = block(parity, s, j);
      codec.reconstruct(shards, erased);
    }
  };
  std::tie(t_plain, t_ours) = compare(reps, steps, plain_decode, our_decode);
  bool exact = true;
  for (uint64_t s = 0; s < steps && exact; ++s)
    for (uint32_t j = 0; j < m; ++j)
      exact = exact && std::memcmp(block(out, s, j), block(data, s, j), kBlock) == 0;
  std::printf("decode (%u,%u) %.2f GB: codec %.2f GB/s, ec_encode_data %.2f GB/s, ratio %.3f%s\n",
              k, m, gb, gb / t_ours, gb / t_plain, t_plain / t_ours,
              exact ? "" : "  ** RECOVERED BYTES DIFFER **");
}

// Whole pipeline on an in-memory store: encode (parity, hashing, tree, proofs)
// and decode after losing M data blocks of every step.
void dataset_level(uint32_t k, uint32_t m, uint64_t bytes) {
  MemoryDatasetBlocks store;
  std::vector<uint8_t> data(std::max<uint64_t>(bytes, k * kBlock));
  fill_random(data, 2);
  Manifest plain = store_plain_dataset(store, data, kBlock);
  const double gb = data.size() / 1e9;
  data = {};
  Erasure erasure(store);
  auto t0 = Clock::now();
  double c0 = cpu_seconds();
  Manifest pm = erasure.encode(plain, ErasureParams{k, m});
  double t_enc = std::chrono::duration<double>(Clock::now() - t0).count();
  double c_enc = cpu_seconds() - c0;
  const uint64_t steps = pm.steps();
  // Loses the first M data blocks of every step, decodes, returns seconds.
  double cpu = 0;
  auto lose_and_decode = [&](Erasure& e, bool* same) {
    for (uint64_t s = 0; s < steps; ++s)
      for (uint32_t j = 0; j < m; ++j)
        if (j * steps + s < plain.blocks_count())
          store.erase_block(*store.leaf_cid(pm.tree_cid, j * steps + s));
    auto t = Clock::now();
    double c = cpu_seconds();
    *same = e.decode(pm) == plain;
    cpu = cpu_seconds() - c;
    return std::chrono::duration<double>(Clock::now() - t).count();
  };
  bool ok1 = false, ok2 = false;
  double t_dec = lose_and_decode(erasure, &ok1), c_dec = cpu;
  Erasure unverified(store, ErasureOptions{.verify_blocks = false});
  double t_dec_nv = lose_and_decode(unverified, &ok2);
  std::printf(
      "dataset (%u,%u) %.2f GB, %zu threads: encode %.2f GB/s, decode %.2f GB/s "
      "(%.2f GB/s without verifying sources); per CPU-second: encode %.2f GB, decode %.2f "
      "GB%s\n",
      k, m, gb, std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 16), gb / t_enc,
      gb / t_dec, gb / t_dec_nv, gb / c_enc, gb / c_dec,
      ok1 && ok2 ? "" : "  ** MANIFEST DIFFERS **");
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // figures appear as they come, even in a file
  using codex::base::cli::UnsignedRange;
  CLI::App app{
      "erasure_run: erasure-coding throughput, our codec against plain ISA-L, then "
      "the dataset-level encoder and decoder"};
  uint64_t bytes = 1ull << 30, dataset_bytes = 1ull << 30, reps = 5;
  const uint64_t max_bytes = 64ull << 30;  // more would not fit the machines we bench on
  app.add_option("--bytes", bytes, "bytes per codec measurement")
      ->envname("CODEX_BENCH_BYTES")
      ->check(UnsignedRange(1, max_bytes))
      ->capture_default_str();
  app.add_option("--dataset-bytes", dataset_bytes, "bytes of the dataset-level part (0: skip it)")
      ->envname("CODEX_BENCH_DATASET_BYTES")
      ->check(UnsignedRange(0, max_bytes))
      ->capture_default_str();
  app.add_option("--reps", reps, "repetitions of each codec measurement (best taken)")
      ->envname("CODEX_BENCH_REPS")
      ->check(UnsignedRange(1, 1000))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  for (auto [k, m] : {std::pair{10u, 4u}, std::pair{3u, 2u}})
    codec_vs_isal(k, m, bytes, int(reps));
  if (dataset_bytes > 0)
    for (auto [k, m] : {std::pair{10u, 4u}, std::pair{3u, 2u}})
      dataset_level(k, m, dataset_bytes);
  return 0;
}
