// Stream multiplexers (mplex, yamux) over a Unix socket pair on one thread:
// the muxer's own cost (framing, copies, flow control, write queue) without
// encryption or a real network. Each iteration moves 64 MiB over a connection
// kept from one iteration to the next, through one stream or split over 16
// streams running at once (new streams each iteration).
#include <benchmark/benchmark.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/this_coro.hpp>
#include <memory>
#include <stdexcept>
#include <vector>

#include "exchange/net/mux/mplex.h"
#include "exchange/net/mux/yamux.h"
#include "exchange/net/socket_stream.h"

namespace {

using namespace codex::net;
using Factory = std::unique_ptr<MuxedConnection> (*)(std::unique_ptr<Stream>, bool, MuxerLimits);

constexpr size_t kTotal = 64 << 20;

struct Link {
  asio::io_context io;
  std::unique_ptr<MuxedConnection> a, b;
  int streams_left = 0;
  size_t received = 0;
};

asio::awaitable<void> send(Link& l, size_t bytes) {
  auto s = co_await l.a->open_stream();
  // One buffer for all senders: the bench measures the muxer, not memset.
  static const std::vector<uint8_t> chunk(1 << 20, 0x5a);
  for (size_t done = 0; done < bytes; done += chunk.size())
    co_await s->write(std::span(chunk).first(std::min(chunk.size(), bytes - done)));
  co_await s->close_write();
  std::vector<uint8_t> end(1);
  while (co_await s->read_some(end) > 0) {
  }
  if (--l.streams_left == 0) l.io.stop();
}

asio::awaitable<void> receive(Link& l, std::unique_ptr<Stream> s) {
  std::vector<uint8_t> buf(256 * 1024);
  for (;;) {
    const size_t n = co_await s->read_some(buf);
    if (n == 0) break;
    l.received += n;
  }
  co_await s->close_write();
}

asio::awaitable<void> serve(Link& l) {
  const auto ex = co_await asio::this_coro::executor;
  for (;;)
    asio::co_spawn(ex, receive(l, co_await l.b->accept_stream()), asio::detached);
}

void bench(benchmark::State& state, Factory make) {
  const int streams = int(state.range(0));
  Link l;
  auto [x, y] = local_stream_pair(l.io.get_executor());
  l.a = make(std::move(x), true, {});
  l.b = make(std::move(y), false, {});
  asio::co_spawn(l.io, l.a->run(), asio::detached);
  asio::co_spawn(l.io, l.b->run(), asio::detached);
  asio::co_spawn(l.io, serve(l), asio::detached);
  for (auto _ : state) {
    l.received = 0;
    l.streams_left = streams;
    for (int i = 0; i < streams; ++i)
      asio::co_spawn(l.io, send(l, kTotal / streams), asio::detached);
    l.io.restart();
    l.io.run();
    if (l.received != kTotal) throw std::runtime_error("transfer incomplete");
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(kTotal));
  l.a->close();
  l.b->close();
  l.io.restart();
  l.io.run();
}

void BM_Mplex(benchmark::State& state) {
  bench(state, make_mplex);
}
BENCHMARK(BM_Mplex)->Arg(1)->Arg(16)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Yamux(benchmark::State& state) {
  bench(state, make_yamux);
}
BENCHMARK(BM_Yamux)->Arg(1)->Arg(16)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
