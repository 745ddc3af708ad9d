// Node-to-node block transfer over loopback through the full stack: TCP,
// noise, yamux, /codex/blockexc/1.0.0, SHA-256 verification and the Repo
// (packs on SQLite) on both sides. The uploading node runs in a child
// process (so each side's CPU and memory are its own); the downloading nodes,
// each with its network thread and store thread, run in this process. One
// iteration downloads the whole dataset by CID into fresh nodes, one or more
// at once, keeping `window` wants in flight per node and dropping each block
// once checked, as a streaming download does: memory does not grow with the
// dataset.
//
// Counters: MB/s (wall clock; with several downloaders, all bytes received
// together), cpu_s_per_GiB of the downloaders (this process) and of the
// uploader (the child), per GiB moved; peak RSS of each side.
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <asio/detached.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/allocator_tuning.h"
#include "tests/exchange/support/blockexc_nodes.h"

namespace {

using namespace codex;
using namespace codex::net::blockexc;
using namespace codex::net::blockexc::testing;

double self_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// utime + stime of another process, from /proc (clock ticks).
double process_cpu_seconds(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(f, line);
  // Fields after the command name (which may hold spaces) in parentheses.
  std::istringstream rest(line.substr(line.rfind(')') + 2));
  std::string skip;
  for (int i = 0; i < 11; ++i)
    rest >> skip;
  double utime = 0, stime = 0;
  rest >> utime >> stime;
  return (utime + stime) / double(sysconf(_SC_CLK_TCK));
}

// VmHWM of another process, in MiB.
double process_peak_rss_mib(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(f, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  return 0;
}

// Block i of the dataset: pseudo-random bytes from (seed, i), made again
// whenever needed instead of held.
std::string make_block(size_t i, size_t size) {
  std::string b(size, '\0');
  uint64_t x = 0x9e3779b97f4a7c15ull * (i + 1);
  for (size_t at = 0; at < size; at += 8) {
    x += 0x9e3779b97f4a7c15ull;
    uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    std::memcpy(b.data() + at, &z, std::min<size_t>(8, size - at));
  }
  return b;
}

std::span<const uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// The uploading node in a child process: stores the dataset, writes its
// address to `ready`, serves until `quit` ends, then exits.
[[noreturn]] void serve(size_t n, size_t block, int ready, int quit) {
  {
    Node server;
    std::vector<Cid> cids;
    for (size_t i = 0; i < n; ++i)
      cids.push_back(Cid::sha256_of(multicodec::kBlock, bytes_of(make_block(i, block))));
    const Sha256Tree tree = Sha256Tree::from_cids(cids);
    constexpr size_t kBatch = 256;
    for (size_t from = 0; from < n; from += kBatch) {
      auto batch = server.store->batch();
      for (size_t i = from; i < std::min(n, from + kBatch); ++i) {
        batch.put_block(cids[i], bytes_of(make_block(i, block)));
        batch.put_leaf(tree.root_cid(), i, cids[i], tree.proof(i).encode());
      }
      batch.commit();
    }
    const std::string line =
        server.id().to_string() + " " + server.network->addresses().at(0).to_string() + "\n";
    if (::write(ready, line.data(), line.size()) != ssize_t(line.size())) _exit(1);
    char c = 0;
    while (::read(quit, &c, 1) > 0) {
    }
  }
  _exit(0);
}

// Downloads `want` into `node`, `window` blocks in flight, checking each
// block's size and the first and last blocks' bytes; returns the bytes.
size_t stream_download(Node& node, const std::vector<BlockAddress>& want, size_t window,
                       const std::string& first, const std::string& last) {
  struct Shared {
    explicit Shared(const asio::any_io_executor& e) : done(e) {}
    size_t next = 0, active = 0, bytes = 0;
    bool wrong = false;
    asio::steady_timer done;
  };
  size_t bytes = 0;
  bool wrong = false;
  node.network->run([&]() -> asio::awaitable<void> {
    auto sh = std::make_shared<Shared>(co_await asio::this_coro::executor);
    auto worker = [](Engine* e, const std::vector<BlockAddress>* want, std::shared_ptr<Shared> s,
                     const std::string* first, const std::string* last) -> asio::awaitable<void> {
      while (s->next < want->size()) {
        const size_t i = s->next++;
        const std::string b = co_await e->want_block((*want)[i]);
        s->bytes += b.size();
        if (b.size() != first->size() || (i == 0 && b != *first) ||
            (i + 1 == want->size() && b != *last))
          s->wrong = true;
      }
      if (--s->active == 0) s->done.cancel();
    };
    sh->active = std::min(window, want.size());
    for (size_t i = 0; i < sh->active; ++i)
      asio::co_spawn(sh->done.get_executor(), worker(node.engine.get(), &want, sh, &first, &last),
                     asio::detached);
    while (sh->active > 0) {
      sh->done.expires_after(std::chrono::hours(1));
      std::error_code ec;
      co_await sh->done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    bytes = sh->bytes;
    wrong = sh->wrong;
  });
  return wrong ? 0 : bytes;
}

// Args: dataset MiB, block KiB, wants in flight per downloader, downloaders.
void BM_Download(benchmark::State& state) {
  const size_t total = size_t(state.range(0)) << 20;
  const size_t block = size_t(state.range(1)) << 10;
  const size_t window = size_t(state.range(2));
  const size_t downloaders = size_t(state.range(3));
  const size_t n = total / block;

  int ready[2], quit[2];
  if (::pipe(ready) != 0 || ::pipe(quit) != 0) {
    state.SkipWithError("pipe failed");
    return;
  }
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(ready[0]);
    ::close(quit[1]);
    serve(n, block, ready[1], quit[0]);
  }
  ::close(ready[1]);
  ::close(quit[0]);
  std::string line;
  for (char c = 0; ::read(ready[0], &c, 1) == 1 && c != '\n';)
    line.push_back(c);
  ::close(ready[0]);
  const auto space = line.find(' ');
  if (space == std::string::npos) {
    state.SkipWithError("the uploading node did not start");
    ::close(quit[1]);
    ::waitpid(child, nullptr, 0);
    return;
  }
  const net::PeerId server_id = net::PeerId::parse(line.substr(0, space));
  const net::Multiaddr server_addr = net::Multiaddr::parse(line.substr(space + 1));

  // The addresses by CID, and two blocks to compare bytes with.
  std::vector<BlockAddress> want;
  for (size_t i = 0; i < n; ++i)
    want.push_back(
        BlockAddress::of_cid(Cid::sha256_of(multicodec::kBlock, bytes_of(make_block(i, block)))));
  const std::string first = make_block(0, block), last = make_block(n - 1, block);

  double wall = 0, cpu_down = 0, cpu_up = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<std::unique_ptr<Node>> clients;
    for (size_t k = 0; k < downloaders; ++k) {
      clients.push_back(std::make_unique<Node>());
      clients.back()->network->connect(server_id, {server_addr});
    }
    std::vector<size_t> got(downloaders);
    state.ResumeTiming();
    const double c0 = self_cpu_seconds(), u0 = process_cpu_seconds(child);
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (size_t k = 0; k < downloaders; ++k)
      threads.emplace_back(
          [&, k] { got[k] = stream_download(*clients[k], want, window, first, last); });
    for (auto& t : threads)
      t.join();
    wall += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    cpu_down += self_cpu_seconds() - c0;
    cpu_up += process_cpu_seconds(child) - u0;
    state.PauseTiming();
    for (size_t k = 0; k < downloaders; ++k)
      if (got[k] != total) state.SkipWithError("a download returned other bytes");
    clients.clear();
    state.ResumeTiming();
  }
  const double bytes = double(total) * double(downloaders) * double(state.iterations());
  const double gib = bytes / double(1 << 30);
  state.SetBytesProcessed(int64_t(bytes));
  state.counters["MB/s"] = bytes / 1e6 / wall;
  state.counters["down_cpu_s_per_GiB"] = cpu_down / gib;
  state.counters["up_cpu_s_per_GiB"] = cpu_up / gib;
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  state.counters["down_peak_rss_MiB"] = double(u.ru_maxrss) / 1024.0;
  state.counters["up_peak_rss_MiB"] = process_peak_rss_mib(child);
  ::close(quit[1]);
  ::waitpid(child, nullptr, 0);
}

// As codex-agent's main does (the uploader's child process inherits it).
const bool allocator_tuned = (base::tune_allocator_for_transfers(), true);

// One downloader: 256 MiB of 64 KiB blocks, with 32, 256 and 1024 wants in
// flight. One uploader to four downloaders: 128 MiB each, 256 wants each.
BENCHMARK(BM_Download)
    ->ArgNames({"MiB", "KiB", "window", "down"})
    ->Args({256, 64, 32, 1})
    ->Args({256, 64, 256, 1})
    ->Args({256, 64, 1024, 1})
    ->Args({128, 64, 256, 4})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2)
    ->UseRealTime();

}  // namespace
