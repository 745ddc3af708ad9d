#pragma once
// The behaviour every stream multiplexer (mplex, yamux) must show, written
// once and run by net_mplex_test.cpp and net_yamux_test.cpp against each:
// two muxed connections over a real Unix socket pair, driven by coroutines
// on one io_context.
#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "exchange/net/error.h"
#include "exchange/net/muxer.h"
#include "exchange/net/socket_stream.h"
#include "exchange/net/stream_io.h"
#include "tests/exchange/support/net_io.h"

namespace codex::net::testing {

using MuxFactory = std::unique_ptr<MuxedConnection> (*)(std::unique_ptr<Stream>, bool, MuxerLimits);

inline std::vector<uint8_t> bytes(std::string_view s) {
  return {s.begin(), s.end()};
}

// Deterministic content that differs per stream and per offset, so a byte
// delivered to the wrong stream or out of order is seen.
inline uint8_t pattern_byte(uint32_t stream, uint64_t offset) {
  return uint8_t((offset * 131 + (offset >> 9) * 7 + stream * 29) & 0xff);
}
inline std::vector<uint8_t> pattern(uint32_t stream, uint64_t from, size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i)
    v[i] = pattern_byte(stream, from + i);
  return v;
}

inline asio::awaitable<void> sleep_ms(int ms) {
  asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(ms));
  co_await t.async_wait(asio::use_awaitable);
}

inline asio::awaitable<std::vector<uint8_t>> read_all(Stream& s) {
  std::vector<uint8_t> out, buf(64 * 1024);
  for (;;) {
    const size_t n = co_await s.read_some(buf);
    if (n == 0) break;
    out.insert(out.end(), buf.begin(), buf.begin() + n);
  }
  co_return out;
}

// What a read that runs beside other work ended with.
struct ReadOutcome {
  bool done = false;
  bool net_error = false;
  size_t n = 0;
};
inline asio::awaitable<void> read_into(std::shared_ptr<Stream> s,
                                       std::shared_ptr<ReadOutcome> out) {
  std::vector<uint8_t> buf(1024);
  try {
    out->n = co_await s->read_some(buf);
  } catch (const NetError&) {
    out->net_error = true;
  }
  out->done = true;
}
inline asio::awaitable<void> until(std::function<bool()> pred) {
  for (int i = 0; i < 5000 && !pred(); ++i)
    co_await sleep_ms(1);
}

// Two muxed ends, `a` the dialer, each run() spawned.
struct MuxPair {
  MuxPair(MuxFactory make, MuxerLimits la = {}, MuxerLimits lb = {}) {
    auto [x, y] = local_stream_pair(r.executor());
    a = make(std::move(x), true, la);
    b = make(std::move(y), false, lb);
    run_a = r.spawn(a->run());
    run_b = r.spawn(b->run());
  }
  // Runs the io_context; both run() must have ended cleanly.
  void finish() {
    r.run();
    run_a.get();
    run_b.get();
  }
  IoRunner r;
  std::unique_ptr<MuxedConnection> a, b;
  std::future<void> run_a, run_b;
};

// One muxed end (`mux`, the listener unless `dialer`) and the raw socket of
// its peer, for hand-built frames.
struct RawPeer {
  RawPeer(MuxFactory make, bool dialer, MuxerLimits limits = {}) {
    auto [x, y] = local_stream_pair(r.executor());
    mux = make(std::move(x), dialer, limits);
    raw = std::move(y);
    run = r.spawn(mux->run());
  }
  IoRunner r;
  std::unique_ptr<MuxedConnection> mux;
  std::unique_ptr<Stream> raw;
  std::future<void> run;
};

inline void check_open_accept_echo(MuxFactory make) {
  MuxPair p(make);
  auto body = p.r.spawn([](MuxedConnection& a, MuxedConnection& b) -> asio::awaitable<void> {
    auto s = co_await a.open_stream();
    co_await s->write(bytes("hello"));
    co_await s->close_write();
    auto t = co_await b.accept_stream();
    const auto got = co_await read_all(*t);
    EXPECT_EQ(got, bytes("hello"));
    co_await t->write(bytes("world"));
    co_await t->close_write();
    const auto back = co_await read_all(*s);
    EXPECT_EQ(back, bytes("world"));
    // Both halves closed: the stream is over, and the listener opens one too.
    auto u = co_await b.open_stream();
    co_await u->write(bytes("from b"));
    co_await u->close_write();
    auto v = co_await a.accept_stream();
    const auto got_v = co_await read_all(*v);
    EXPECT_EQ(got_v, bytes("from b"));
    co_await v->close_write();
    const auto end_u = co_await read_all(*u);
    EXPECT_TRUE(end_u.empty());
    a.close();
    b.close();
  }(*p.a, *p.b));
  p.finish();
  body.get();
}

// A client of check_many_streams: writes its stream's pattern in uneven
// pieces, half-closes, and expects the server's echo of the length.
inline asio::awaitable<void> many_client(MuxedConnection& a, uint32_t index, size_t size,
                                         std::shared_ptr<int> left, MuxedConnection& b) {
  auto s = co_await a.open_stream();
  std::vector<uint8_t> head(4);
  for (int i = 0; i < 4; ++i)
    head[i] = uint8_t(index >> (8 * i));
  co_await s->write(head);
  size_t sent = 0, piece = 1 + index * 37 % 5000;
  while (sent < size) {
    const size_t n = std::min(piece, size - sent);
    co_await s->write(pattern(index, sent, n));
    sent += n;
    piece = piece * 3 % 9001 + 1;
  }
  co_await s->close_write();
  const auto reply = co_await read_all(*s);
  EXPECT_EQ(reply, bytes(std::to_string(index) + ":" + std::to_string(size)));
  if (--*left == 0) {
    a.close();
    b.close();
  }
}

inline asio::awaitable<void> many_handler(std::shared_ptr<Stream> t) {
  auto all = co_await read_all(*t);
  EXPECT_GE(all.size(), 4u);
  if (all.size() < 4) co_return;
  uint32_t index = 0;
  for (int i = 0; i < 4; ++i)
    index |= uint32_t(all[i]) << (8 * i);
  bool same = true;
  for (size_t i = 4; same && i < all.size(); ++i)
    same = all[i] == pattern_byte(index, i - 4);
  EXPECT_TRUE(same) << "stream " << index << " content differs";
  co_await t->write(bytes(std::to_string(index) + ":" + std::to_string(all.size() - 4)));
  co_await t->close_write();
}

inline asio::awaitable<void> many_server(MuxedConnection& b, int count) {
  for (int i = 0; i < count; ++i) {
    std::shared_ptr<Stream> t = co_await b.accept_stream();
    asio::co_spawn(co_await asio::this_coro::executor, many_handler(t), asio::detached);
  }
}

inline void check_many_streams(MuxFactory make, int count = 100, size_t size = 200 * 1024) {
  MuxPair p(make);
  auto left = std::make_shared<int>(count);
  std::vector<std::future<void>> clients;
  for (int i = 0; i < count; ++i)
    clients.push_back(p.r.spawn(many_client(*p.a, uint32_t(i), size + i * 101, left, *p.b)));
  auto server = p.r.spawn(many_server(*p.b, count));
  p.finish();
  for (auto& c : clients)
    c.get();
  (void)server;  // ends with NetError when the connection closes, or after `count`
}

// `total` bytes through one stream; the reader checks every byte. With
// `slow_reader`, the reader pauses between reads and checks that the writer
// never gets more than `window` bytes ahead (flow control).
struct BulkResult {
  uint64_t received = 0;
  uint64_t max_ahead = 0;
};
inline asio::awaitable<void> bulk_writer(MuxedConnection& a, MuxedConnection& b, uint64_t total,
                                         std::shared_ptr<uint64_t> written) {
  auto s = co_await a.open_stream();
  const size_t chunk = 1 << 20;
  std::vector<uint8_t> buf;
  for (uint64_t off = 0; off < total; off += chunk) {
    buf = pattern(1, off, size_t(std::min<uint64_t>(chunk, total - off)));
    co_await s->write(buf);
    *written = off + buf.size();
  }
  co_await s->close_write();
  const auto end = co_await read_all(*s);
  EXPECT_TRUE(end.empty());
  a.close();
  b.close();
}
inline asio::awaitable<void> bulk_reader(MuxedConnection& b, std::shared_ptr<uint64_t> written,
                                         std::shared_ptr<BulkResult> result, bool slow) {
  auto t = co_await b.accept_stream();
  std::vector<uint8_t> buf(slow ? 64 * 1024 : 256 * 1024);
  uint64_t off = 0;
  bool same = true;
  for (;;) {
    if (slow) co_await sleep_ms(1);
    result->max_ahead = std::max(result->max_ahead, *written - std::min(*written, off));
    const size_t n = co_await t->read_some(buf);
    if (n == 0) break;
    for (size_t i = 0; i < n && same; ++i)
      same = buf[i] == pattern_byte(1, off + i);
    off += n;
  }
  EXPECT_TRUE(same) << "content differs";
  result->received = off;
  co_await t->close_write();
}

inline BulkResult check_bulk(MuxFactory make, uint64_t total, bool slow_reader,
                             MuxerLimits limits = {}) {
  MuxPair p(make, limits, limits);
  auto written = std::make_shared<uint64_t>(0);
  auto result = std::make_shared<BulkResult>();
  auto w = p.r.spawn(bulk_writer(*p.a, *p.b, total, written));
  auto rd = p.r.spawn(bulk_reader(*p.b, written, result, slow_reader));
  p.finish();
  w.get();
  rd.get();
  EXPECT_EQ(result->received, total);
  return *result;
}

inline void check_half_close(MuxFactory make) {
  MuxPair p(make);
  auto body = p.r.spawn([](MuxedConnection& a, MuxedConnection& b) -> asio::awaitable<void> {
    auto s = co_await a.open_stream();
    co_await s->write(bytes("request"));
    co_await s->close_write();
    co_await s->close_write();  // twice is fine
    bool refused = false;
    try {
      co_await s->write(bytes("more"));
    } catch (const NetError&) {
      refused = true;
    }
    EXPECT_TRUE(refused) << "write after close_write";
    auto t = co_await b.accept_stream();
    const auto req = co_await read_all(*t);
    EXPECT_EQ(req, bytes("request"));
    // The other half still works, in several writes.
    for (int i = 0; i < 3; ++i)
      co_await t->write(bytes("part"));
    co_await t->close_write();
    const auto resp = co_await read_all(*s);
    EXPECT_EQ(resp, bytes("partpartpart"));
    a.close();
    b.close();
  }(*p.a, *p.b));
  p.finish();
  body.get();
}

inline void check_reset_both_ways(MuxFactory make) {
  MuxPair p(make);
  auto body = p.r.spawn([](MuxedConnection& a, MuxedConnection& b) -> asio::awaitable<void> {
    const auto ex = co_await asio::this_coro::executor;
    for (int opener_resets = 0; opener_resets < 2; ++opener_resets) {
      std::shared_ptr<Stream> s = co_await a.open_stream();
      co_await s->write(bytes("x"));
      std::shared_ptr<Stream> t = co_await b.accept_stream();
      std::vector<uint8_t> one(1);
      const size_t n = co_await t->read_some(one);
      EXPECT_EQ(n, 1u);
      // A read pending on each side, then one side resets.
      auto at_s = std::make_shared<ReadOutcome>();
      auto at_t = std::make_shared<ReadOutcome>();
      asio::co_spawn(ex, read_into(s, at_s), asio::detached);
      asio::co_spawn(ex, read_into(t, at_t), asio::detached);
      co_await sleep_ms(5);
      EXPECT_FALSE(at_s->done);
      EXPECT_FALSE(at_t->done);
      Stream& resetter = opener_resets ? *s : *t;
      Stream& other = opener_resets ? *t : *s;
      resetter.reset();
      resetter.reset();  // twice is fine
      co_await until([&] { return at_s->done && at_t->done; });
      EXPECT_TRUE(at_s->net_error);
      EXPECT_TRUE(at_t->net_error);
      for (Stream* x : {&resetter, &other}) {
        bool refused = false;
        try {
          co_await x->write(bytes("y"));
        } catch (const NetError&) {
          refused = true;
        }
        EXPECT_TRUE(refused) << "write after reset";
      }
    }
    a.close();
    b.close();
  }(*p.a, *p.b));
  p.finish();
  body.get();
}

// Fairness: a stream that writes without pause does not hold back another
// stream's short message; it arrives long before the bulk transfer ends.
struct FairnessRecord {
  uint64_t bulk_written = 0;
  uint64_t bulk_read = 0;
  uint64_t bulk_written_when_small_sent = 0;
  uint64_t bulk_read_when_small_arrived = 0;
};
inline asio::awaitable<void> fair_bulk_writer(MuxedConnection& a,
                                              std::shared_ptr<FairnessRecord> rec) {
  auto s = co_await a.open_stream();
  const std::vector<uint8_t> chunk(1 << 20, 'b');
  for (int i = 0; i < 32; ++i) {
    co_await s->write(chunk);
    rec->bulk_written += chunk.size();
  }
  co_await s->close_write();
}
inline asio::awaitable<void> fair_bulk_reader(std::shared_ptr<Stream> t,
                                              std::shared_ptr<FairnessRecord> rec) {
  std::vector<uint8_t> buf(64 * 1024);
  for (;;) {
    const size_t n = co_await t->read_some(buf);
    if (n == 0) break;
    rec->bulk_read += n;
  }
}
inline void check_fairness(MuxFactory make) {
  MuxPair p(make);
  auto rec = std::make_shared<FairnessRecord>();
  auto bulk = p.r.spawn(fair_bulk_writer(*p.a, rec));
  auto body = p.r.spawn([](MuxedConnection& a, MuxedConnection& b,
                           std::shared_ptr<FairnessRecord> rec) -> asio::awaitable<void> {
    std::shared_ptr<Stream> t = co_await b.accept_stream();
    asio::co_spawn(co_await asio::this_coro::executor, fair_bulk_reader(t, rec), asio::detached);
    co_await until([&] { return rec->bulk_written >= (2 << 20); });
    rec->bulk_written_when_small_sent = rec->bulk_written;
    auto s = co_await a.open_stream();
    co_await s->write(bytes("small"));
    co_await s->close_write();
    auto u = co_await b.accept_stream();
    const auto got = co_await read_all(*u);
    rec->bulk_read_when_small_arrived = rec->bulk_read;
    EXPECT_EQ(got, bytes("small"));
    co_await until([&] { return rec->bulk_read == (32u << 20); });
    a.close();
    b.close();
  }(*p.a, *p.b, rec));
  p.finish();
  bulk.get();
  body.get();
  EXPECT_EQ(rec->bulk_read, 32u << 20);
  // The small message waits behind at most the rest of the bulk write under
  // way (1 MiB) and its queued frames (two of 64 KiB), not behind the whole
  // transfer.
  EXPECT_LT(rec->bulk_read_when_small_arrived, rec->bulk_written_when_small_sent + (2 << 20));
}

// b accepts at most 2 inbound streams, a opens at most 3.
inline void check_stream_limit(MuxFactory make) {
  MuxerLimits la, lb;
  la.max_streams = 3;
  lb.max_streams = 2;
  MuxPair p(make, la, lb);
  auto body = p.r.spawn([](MuxedConnection& a, MuxedConnection& b) -> asio::awaitable<void> {
    std::vector<std::unique_ptr<Stream>> out;
    for (int i = 0; i < 3; ++i) {
      out.push_back(co_await a.open_stream());
      co_await out.back()->write(bytes("x"));
    }
    bool refused = false;
    try {
      (void)co_await a.open_stream();
    } catch (const NetError&) {
      refused = true;
    }
    EXPECT_TRUE(refused) << "a fourth outbound stream";
    // The third reached b beyond its limit: reset.
    std::vector<uint8_t> buf(10);
    bool reset = false;
    try {
      (void)co_await out[2]->read_some(buf);
    } catch (const NetError&) {
      reset = true;
    }
    EXPECT_TRUE(reset) << "the stream beyond the peer's limit";
    auto t1 = co_await b.accept_stream();
    auto t2 = co_await b.accept_stream();
    const size_t n1 = co_await t1->read_some(buf);
    const size_t n2 = co_await t2->read_some(buf);
    EXPECT_EQ(n1 + n2, 2u);
    // Closing one stream frees a place on both sides.
    co_await out[0]->close_write();
    co_await t1->close_write();
    const auto rest = co_await read_all(*t1);
    const auto rest0 = co_await read_all(*out[0]);
    EXPECT_TRUE(rest.empty() && rest0.empty());
    out[0].reset();
    t1.reset();
    out[2].reset();
    out.push_back(co_await a.open_stream());
    co_await out.back()->write(bytes("z"));
    auto t3 = co_await b.accept_stream();
    const size_t n3 = co_await t3->read_some(buf);
    EXPECT_EQ(n3, 1u);
    EXPECT_EQ(buf[0], 'z');
    a.close();
    b.close();
  }(*p.a, *p.b));
  p.finish();
  body.get();
}

// The peer vanishes mid-stream: pending reads and accepts fail with NetError,
// and run() reports it.
inline void check_peer_disconnect(MuxFactory make) {
  MuxPair p(make);
  auto pending = std::make_shared<ReadOutcome>();
  auto body = p.r.spawn([](std::unique_ptr<MuxedConnection>& a, MuxedConnection& b,
                           std::shared_ptr<ReadOutcome> pending) -> asio::awaitable<void> {
    auto s = co_await a->open_stream();
    co_await s->write(bytes("partial"));
    std::shared_ptr<Stream> t = co_await b.accept_stream();
    std::vector<uint8_t> buf(7);
    co_await read_exact(*t, buf);
    asio::co_spawn(co_await asio::this_coro::executor, read_into(t, pending), asio::detached);
    co_await sleep_ms(5);
    a.reset();  // the dialer's connection object goes away: its socket closes
    co_await until([&] { return pending->done; });
    bool accept_failed = false;
    try {
      (void)co_await b.accept_stream();
    } catch (const NetError&) {
      accept_failed = true;
    }
    EXPECT_TRUE(accept_failed);
    // The stream outlives its connection: operations fail, nothing crashes.
    bool write_failed = false;
    try {
      co_await s->write(bytes("late"));
    } catch (const NetError&) {
      write_failed = true;
    }
    EXPECT_TRUE(write_failed);
    s->reset();
  }(p.a, *p.b, pending));
  p.r.run();
  body.get();
  EXPECT_TRUE(pending->net_error);
  p.run_a.get();  // closed locally: clean
  try {
    p.run_b.get();  // the peer vanished: a clean end of the socket, or NetError
  } catch (const NetError&) {
  }
}

// A Stream kept after its MuxedConnection is destroyed and both run() have
// ended: reads and writes fail with NetError, destruction is safe. (Streams
// live on their io_context like any Asio object: not beyond it.)
inline asio::awaitable<int> use_after_connection(Stream& s) {
  int failures = 0;
  std::vector<uint8_t> buf(4);
  try {
    (void)co_await s.read_some(buf);
  } catch (const NetError&) {
    ++failures;
  }
  try {
    co_await s.write(bytes("x"));
  } catch (const NetError&) {
    ++failures;
  }
  try {
    co_await s.close_write();
  } catch (const NetError&) {
    ++failures;
  }
  s.reset();
  co_return failures;
}

inline void check_stream_outlives_connection(MuxFactory make) {
  MuxPair p(make);
  std::unique_ptr<Stream> kept;
  auto body = p.r.spawn([](MuxedConnection& a, MuxedConnection& b,
                           std::unique_ptr<Stream>& kept) -> asio::awaitable<void> {
    kept = co_await a.open_stream();
    co_await kept->write(bytes("hi"));
    auto t = co_await b.accept_stream();
    co_await t->write(bytes("yo"));
    std::vector<uint8_t> buf(2);
    co_await read_exact(*kept, buf);  // waits: the stream's wake-up exists
    EXPECT_EQ(buf, bytes("yo"));
    a.close();
    b.close();
  }(*p.a, *p.b, kept));
  p.finish();
  body.get();
  p.a.reset();
  p.b.reset();
  p.r.io().restart();
  auto f = p.r.spawn(use_after_connection(*kept));
  p.r.run();
  EXPECT_EQ(f.get(), 3);
  kept.reset();
}

// Bytes a muxer must refuse as a protocol violation: run() throws
// ProtocolError, accept_stream then throws NetError.
inline void check_refused_bytes(MuxFactory make, bool mux_is_dialer, std::vector<uint8_t> wire,
                                MuxerLimits limits = {}) {
  RawPeer p(make, mux_is_dialer, limits);
  auto peer = p.r.spawn([](Stream& raw, std::vector<uint8_t> wire) -> asio::awaitable<void> {
    co_await raw.write(wire);
    std::vector<uint8_t> buf(4096);
    try {  // drain until the muxer drops the connection
      while (co_await raw.read_some(buf) > 0) {
      }
    } catch (const NetError&) {
    }
  }(*p.raw, std::move(wire)));
  auto accept = p.r.spawn([](MuxedConnection& m) -> asio::awaitable<int> {
    int accepted = 0;
    try {
      for (;;) {
        auto s = co_await m.accept_stream();
        ++accepted;
      }
    } catch (const NetError&) {
    }
    co_return accepted;
  }(*p.mux));
  p.r.run();
  peer.get();
  EXPECT_THROW(p.run.get(), ProtocolError);
  (void)accept.get();
}

}  // namespace codex::net::testing
