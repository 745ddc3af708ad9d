// Node-to-node block transfer over loopback through the full stack: TCP,
// noise, yamux, /codex/blockexc/1.0.0, SHA-256 verification and the Repo
// (packs on SQLite) on both sides. Both nodes run in this process, each with
// its network thread and store thread; one iteration downloads the whole
// dataset by CID into a fresh node.
//
// Counters: MB/s (wall clock), cpu_s_per_GiB (CPU of the whole process, both
// nodes together, from getrusage), peak RSS of the process.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include "tests/exchange/support/blockexc_nodes.h"

namespace {

using namespace codex::net::blockexc;
using namespace codex::net::blockexc::testing;

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

void BM_Download(benchmark::State& state) {
  const size_t total = size_t(state.range(0)) << 20;
  const size_t block = size_t(state.range(1)) << 10;
  const size_t n = total / block;
  const Dataset d = make_dataset(n, block, 7);
  Node server;
  store_dataset(*server.store, d, 0, n);
  std::vector<BlockAddress> want;
  for (const auto& c : d.cids)
    want.push_back(BlockAddress::of_cid(c));
  double cpu = 0, wall = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto client = std::make_unique<Node>();
    client->connect(server);
    state.ResumeTiming();
    const double c0 = cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    const auto got = client->fetch_all(want, size_t(state.range(2)));
    wall += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    cpu += cpu_seconds() - c0;
    state.PauseTiming();
    if (got.size() != n || got.back() != d.blocks.back())
      state.SkipWithError("download returned other bytes");
    client.reset();
    state.ResumeTiming();
  }
  const double bytes = double(total) * double(state.iterations());
  state.SetBytesProcessed(int64_t(bytes));
  state.counters["MB/s"] = bytes / 1e6 / wall;
  state.counters["cpu_s_per_GiB"] = cpu / (bytes / double(1 << 30));
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  state.counters["peak_rss_MiB"] = double(u.ru_maxrss) / 1024.0;
}

// 256 MiB of 64 KiB blocks, with 32, 256 and 1024 wants in flight.
BENCHMARK(BM_Download)
    ->Args({256, 64, 32})
    ->Args({256, 64, 256})
    ->Args({256, 64, 1024})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2)
    ->UseRealTime();

}  // namespace
