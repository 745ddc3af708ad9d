// Multi-buffer SHA-256 throughput on 64 KiB blocks (what uploads hash), in
// batches of 64 blocks, per kernel, against OpenSSL's single-buffer sha256.
// Each kernel's "x_openssl" counter is its CPU-time throughput over the one
// BM_Sha256Single measured just before it in the same run.
#include <benchmark/benchmark.h>

#include <ctime>
#include <random>
#include <vector>

#include "exchange/crypto/sha256.h"
#include "exchange/crypto/sha256_multi.h"

namespace {

constexpr size_t kBlock = 65536;

const std::vector<uint8_t>& blocks(size_t n) {
  static std::vector<uint8_t> data = [] {
    std::vector<uint8_t> d(kBlock * 256);
    std::mt19937 rng(1);
    for (auto& b : d)
      b = uint8_t(rng());
    return d;
  }();
  if (n * kBlock > data.size()) std::abort();
  return data;
}

double thread_cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

double openssl_bytes_per_cpu_second = 0;

void BM_Sha256Single(benchmark::State& state) {
  const size_t n = size_t(state.range(0));
  const auto& data = blocks(n);
  std::vector<codex::Digest32> out(n);
  const double t0 = thread_cpu_seconds();
  for (auto _ : state) {
    for (size_t i = 0; i < n; ++i)
      out[i] = codex::sha256({data.data() + i * kBlock, kBlock});
    benchmark::DoNotOptimize(out.data());
  }
  const double bytes = double(state.iterations()) * double(n * kBlock);
  openssl_bytes_per_cpu_second = bytes / (thread_cpu_seconds() - t0);
  state.SetBytesProcessed(int64_t(bytes));
}

void BM_Sha256Many(benchmark::State& state) {
  const auto kernel = codex::Sha256Kernel(state.range(0));
  const size_t n = size_t(state.range(1));
  state.SetLabel(codex::sha256_kernel_name(kernel));
  if (!codex::sha256_kernel_supported(kernel)) {
    state.SkipWithError("kernel not supported on this CPU");
    return;
  }
  const auto& data = blocks(n);
  std::vector<codex::Digest32> out(n);
  const double t0 = thread_cpu_seconds();
  for (auto _ : state) {
    codex::sha256_many_with(kernel, data.data(), kBlock, kBlock, n, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  const double bytes = double(state.iterations()) * double(n * kBlock);
  state.SetBytesProcessed(int64_t(bytes));
  if (openssl_bytes_per_cpu_second > 0)
    state.counters["x_openssl"] =
        bytes / (thread_cpu_seconds() - t0) / openssl_bytes_per_cpu_second;
}

// Single-buffer baseline, then each kernel after a fresh baseline so the ratio
// compares figures taken moments apart on this noisy, shared machine.
void register_all() {
  for (auto kernel : {codex::Sha256Kernel::openssl, codex::Sha256Kernel::avx2x8,
                      codex::Sha256Kernel::avx512x16}) {
    benchmark::RegisterBenchmark("BM_Sha256Single", BM_Sha256Single)->Arg(64);
    benchmark::RegisterBenchmark("BM_Sha256Many", BM_Sha256Many)->Args({int64_t(kernel), 64});
  }
  // Partial groups: a leftover of 1..15 blocks on the default kernel's policy.
  for (int64_t n : {1, 2, 3, 4, 6, 8, 9, 12, 15})
    benchmark::RegisterBenchmark("BM_Sha256Many", BM_Sha256Many)
        ->Args({int64_t(codex::Sha256Kernel::avx512x16), n});
  for (int64_t n : {1, 2, 3, 4, 6, 8, 9, 12, 15}) {
    benchmark::RegisterBenchmark("BM_Sha256Single", BM_Sha256Single)->Arg(n);
  }
}
const int registered = (register_all(), 0);

}  // namespace
