// Whole muxer sessions fed by a hostile peer. The first byte picks the muxer
// (bit 0: yamux, else mplex) and our side (bit 1: dialer); the rest is what
// the peer sends, after which it closes its writing half. Our side accepts
// streams and echoes them, and opens a stream of its own, under small limits
// so that they are reached. Every session must end (no hang) with run()
// returning or throwing NetError or ProtocolError; nothing else may escape.
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_future.hpp>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <vector>

#include "exchange/net/error.h"
#include "exchange/net/mux/mplex.h"
#include "exchange/net/mux/yamux.h"
#include "exchange/net/socket_stream.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using namespace codex::net;

// Detached coroutines may end with the network's errors, never with others.
void expected_only(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const NetError&) {
  } catch (const ProtocolError&) {
  } catch (...) {
    std::abort();
  }
}

asio::awaitable<void> peer_write(Stream& raw, std::vector<uint8_t> wire) {
  co_await raw.write(wire);
  co_await raw.close_write();
}

asio::awaitable<void> peer_drain(Stream& raw) {
  std::vector<uint8_t> buf(64 * 1024);
  while (co_await raw.read_some(buf) > 0) {
  }
}

asio::awaitable<void> echo(std::shared_ptr<Stream> s) {
  std::vector<uint8_t> buf(1024);
  for (;;) {
    const size_t n = co_await s->read_some(buf);
    if (n == 0) break;
    co_await s->write(std::span(buf).first(n));
  }
  co_await s->close_write();
}

asio::awaitable<void> serve(MuxedConnection& m) {
  const auto ex = co_await asio::this_coro::executor;
  for (;;) {
    std::shared_ptr<Stream> s = co_await m.accept_stream();
    asio::co_spawn(ex, echo(s), expected_only);
  }
}

asio::awaitable<void> talk(MuxedConnection& m) {
  auto s = co_await m.open_stream();
  const std::vector<uint8_t> hello(3000, 'h');
  co_await s->write(hello);
  std::vector<uint8_t> buf(1024);
  while (co_await s->read_some(buf) > 0) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  asio::io_context io;
  auto [ours, theirs] = local_stream_pair(io.get_executor());
  MuxerLimits limits;
  limits.max_streams = 8;
  limits.max_frame_size = 4096;
  limits.stream_buffer = 4096;
  auto make = data[0] & 1 ? make_yamux : make_mplex;
  auto mux = make(std::move(ours), (data[0] & 2) != 0, limits);
  auto run = asio::co_spawn(io, mux->run(), asio::use_future);
  asio::co_spawn(io, peer_write(*theirs, std::vector<uint8_t>(data + 1, data + size)),
                 expected_only);
  asio::co_spawn(io, peer_drain(*theirs), expected_only);
  asio::co_spawn(io, serve(*mux), expected_only);
  asio::co_spawn(io, talk(*mux), expected_only);
  io.run_for(std::chrono::seconds(10));
  FUZZ_CHECK(io.stopped());
  try {
    run.get();
  } catch (const NetError&) {
  } catch (const ProtocolError&) {
  }
  return 0;
}
