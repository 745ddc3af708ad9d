// yamux (/yamux/1.0.0): headers pinned byte for byte against the spec, the
// muxer behaviour shared with mplex (support/mux_checks.h), and what is
// yamux's own: flow control windows, pings, GoAway, ids per side.
#include <gtest/gtest.h>

#include "exchange/net/error.h"
#include "exchange/net/mux/yamux.h"
#include "exchange/net/mux/yamux_header.h"
#include "exchange/net/stream_io.h"
#include "tests/exchange/support/mux_checks.h"

namespace codex::net {
namespace {

using mux::YamuxHeader;
using mux::YamuxType;
using namespace testing;

std::vector<uint8_t> header(YamuxType type, uint16_t flags, uint32_t id, uint32_t length) {
  const auto h = mux::encode_yamux_header({type, flags, id, length});
  return {h.begin(), h.end()};
}
std::vector<uint8_t> cat(std::vector<uint8_t> a, const std::vector<uint8_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// 16 MiB, the default stream_buffer, less the initial 256 KiB.
constexpr uint32_t kGrant = (16 << 20) - 256 * 1024;

TEST(NetYamuxHeader, BytesFollowTheSpec) {
  // A dialer's SYN on stream 1 granting 16 MiB - 256 KiB more window.
  const std::vector<uint8_t> syn = {0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
                                    0x00, 0x01, 0x00, 0xfc, 0x00, 0x00};
  EXPECT_EQ(header(YamuxType::kWindowUpdate, mux::kYamuxSyn, 1, kGrant), syn);
  // Data, FIN|ACK, stream 0x01020304, 5 bytes.
  const std::vector<uint8_t> data = {0x00, 0x00, 0x00, 0x06, 0x01, 0x02,
                                     0x03, 0x04, 0x00, 0x00, 0x00, 0x05};
  EXPECT_EQ(header(YamuxType::kData, mux::kYamuxFin | mux::kYamuxAck, 0x01020304, 5), data);
  // GoAway with the protocol error code.
  EXPECT_EQ(header(YamuxType::kGoAway, 0, 0, 1),
            (std::vector<uint8_t>{0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}));
  const auto back = mux::decode_yamux_header(std::span<const uint8_t, 12>(data.data(), 12));
  EXPECT_EQ(back, (YamuxHeader{YamuxType::kData, 6, 0x01020304, 5}));
  auto bad = syn;
  bad[0] = 1;  // version
  EXPECT_THROW(mux::decode_yamux_header(std::span<const uint8_t, 12>(bad.data(), 12)),
               ProtocolError);
  bad = syn;
  bad[1] = 4;  // type
  EXPECT_THROW(mux::decode_yamux_header(std::span<const uint8_t, 12>(bad.data(), 12)),
               ProtocolError);
}

// What the muxer puts on the wire, read raw: the dialer's odd ids, SYN with
// the grant, data, FIN, the ACK of a peer's stream, a ping reply, RST.
TEST(NetYamux, WireOfStreamsAndPings) {
  RawPeer p(make_yamux, true);
  auto body = p.r.spawn([](MuxedConnection& m, Stream& raw) -> asio::awaitable<void> {
    auto s1 = co_await m.open_stream();
    auto s3 = co_await m.open_stream();
    co_await s3->write(bytes("hi"));
    co_await s3->close_write();
    std::vector<uint8_t> wire(12 * 4 + 2);
    co_await read_exact(raw, wire);
    std::vector<uint8_t> expected = header(YamuxType::kWindowUpdate, mux::kYamuxSyn, 1, kGrant);
    expected = cat(expected, header(YamuxType::kWindowUpdate, mux::kYamuxSyn, 3, kGrant));
    expected = cat(expected, header(YamuxType::kData, 0, 3, 2));
    expected = cat(expected, bytes("hi"));
    expected = cat(expected, header(YamuxType::kWindowUpdate, mux::kYamuxFin, 3, 0));
    EXPECT_EQ(wire, expected);
    // The peer accepts stream 3 and answers with data and FIN in one frame.
    auto answer = cat(header(YamuxType::kData, mux::kYamuxAck | mux::kYamuxFin, 3, 2), bytes("ok"));
    co_await raw.write(answer);
    const auto got = co_await read_all(*s3);
    EXPECT_EQ(got, bytes("ok"));
    // The peer opens stream 2 with data, then pings.
    auto open = cat(header(YamuxType::kData, mux::kYamuxSyn, 2, 1), bytes("q"));
    open = cat(open, header(YamuxType::kPing, mux::kYamuxSyn, 0, 0x01020304));
    co_await raw.write(open);
    auto in = co_await m.accept_stream();
    std::vector<uint8_t> q(1);
    co_await read_exact(*in, q);
    EXPECT_EQ(q, bytes("q"));
    std::vector<uint8_t> replies(24);
    co_await read_exact(raw, replies);
    EXPECT_EQ(replies, cat(header(YamuxType::kWindowUpdate, mux::kYamuxAck, 2, kGrant),
                           header(YamuxType::kPing, mux::kYamuxAck, 0, 0x01020304)));
    in->reset();
    s1->reset();
    std::vector<uint8_t> resets(24);
    co_await read_exact(raw, resets);
    EXPECT_EQ(resets, cat(header(YamuxType::kWindowUpdate, mux::kYamuxRst, 2, 0),
                          header(YamuxType::kWindowUpdate, mux::kYamuxRst, 1, 0)));
    m.close();
  }(*p.mux, *p.raw));
  p.r.run();
  body.get();
  p.run.get();
}

TEST(NetYamux, OpenAcceptEcho) {
  check_open_accept_echo(make_yamux);
}
TEST(NetYamux, HundredConcurrentStreams) {
  check_many_streams(make_yamux);
}
TEST(NetYamux, SixtyFourMiBThroughOneStream) {
  check_bulk(make_yamux, 64 << 20, false);
}
TEST(NetYamux, HalfClose) {
  check_half_close(make_yamux);
}
TEST(NetYamux, BusyStreamDoesNotStarveOthers) {
  check_fairness(make_yamux);
}
TEST(NetYamux, ResetBothWays) {
  check_reset_both_ways(make_yamux);
}
TEST(NetYamux, StreamLimit) {
  check_stream_limit(make_yamux);
}
TEST(NetYamux, PeerDisconnectFailsPendingReads) {
  check_peer_disconnect(make_yamux);
}
TEST(NetYamux, StreamOutlivesItsConnection) {
  check_stream_outlives_connection(make_yamux);
}

// A reader slower than the writer: the writer is held back by the window, so
// it is never more than the window ahead of what was read (nothing else
// buffers without bound).
TEST(NetYamux, SlowReaderHoldsTheWriterToTheWindow) {
  MuxerLimits limits;
  limits.stream_buffer = 1 << 20;
  const auto r = check_bulk(make_yamux, 16 << 20, true, limits);
  EXPECT_LE(r.max_ahead, uint64_t(1 << 20));
  EXPECT_GT(r.max_ahead, uint64_t(256 * 1024));  // the grant beyond 256 KiB was used
}

TEST(NetYamux, InitialWindowOnlyWhenNoMoreIsGranted) {
  MuxerLimits limits;
  limits.stream_buffer = 0;  // below 256 KiB: the initial window, no grant
  const auto r = check_bulk(make_yamux, 4 << 20, true, limits);
  EXPECT_LE(r.max_ahead, uint64_t(256 * 1024));
}

TEST(NetYamux, DataBeyondTheWindowIsAProtocolErrorAndAGoAway) {
  MuxerLimits limits;
  limits.stream_buffer = 256 * 1024;
  RawPeer p(make_yamux, false, limits);
  auto peer = p.r.spawn([](Stream& raw) -> asio::awaitable<std::vector<uint8_t>> {
    auto wire = header(YamuxType::kWindowUpdate, mux::kYamuxSyn, 1, 0);
    wire = cat(wire, header(YamuxType::kData, 0, 1, 256 * 1024 + 1));
    co_await raw.write(wire);
    std::vector<uint8_t> got(1024);
    size_t n = 0;
    try {
      for (;;) {
        const size_t k = co_await raw.read_some(std::span(got).subspan(n));
        if (k == 0) break;
        n += k;
      }
    } catch (const NetError&) {
    }
    got.resize(n);
    co_return got;
  }(*p.raw));
  p.r.run();
  EXPECT_THROW(p.run.get(), ProtocolError);
  EXPECT_EQ(peer.get(), cat(header(YamuxType::kWindowUpdate, mux::kYamuxAck, 1, 0),
                            header(YamuxType::kGoAway, 0, 0, 1)));
}

TEST(NetYamux, OversizedDataFrameEndsTheConnection) {
  // The limit is the larger of max_frame_size and the window granted.
  MuxerLimits limits;
  limits.stream_buffer = 256 * 1024;
  limits.max_frame_size = 1 << 20;
  auto wire = header(YamuxType::kWindowUpdate, mux::kYamuxSyn, 1, (1 << 20) - 256 * 1024);
  check_refused_bytes(make_yamux, false, cat(wire, header(YamuxType::kData, 0, 1, (1 << 20) + 1)),
                      limits);
}

// js-libp2p's yamux sends a data frame as large as the window it was granted:
// a 4 MiB frame within our 16 MiB window is accepted though above
// max_frame_size.
TEST(NetYamux, DataFrameAsLargeAsTheWindowIsAccepted) {
  RawPeer p(make_yamux, false);
  auto body = p.r.spawn([](MuxedConnection& m, Stream& raw) -> asio::awaitable<void> {
    auto wire = header(YamuxType::kWindowUpdate, mux::kYamuxSyn, 1, 0);
    wire = cat(wire, header(YamuxType::kData, mux::kYamuxFin, 1, 4 << 20));
    wire = cat(wire, pattern(3, 0, 4 << 20));
    co_await raw.write(wire);
    auto s = co_await m.accept_stream();
    const auto got = co_await read_all(*s);
    EXPECT_EQ(got, pattern(3, 0, 4 << 20));
    m.close();
  }(*p.mux, *p.raw));
  p.r.run();
  body.get();
  p.run.get();
}

TEST(NetYamux, GarbageIsAProtocolError) {
  std::vector<uint8_t> garbage(12, 0xff);
  check_refused_bytes(make_yamux, false, garbage);
  // Stream 2 opened toward a listener: an id of the listener's side.
  check_refused_bytes(make_yamux, false, header(YamuxType::kWindowUpdate, mux::kYamuxSyn, 2, 0));
  check_refused_bytes(make_yamux, false, header(YamuxType::kData, 0, 0, 0));  // stream 0
  check_refused_bytes(make_yamux, false, header(YamuxType::kPing, mux::kYamuxSyn, 5, 0));
  auto twice = header(YamuxType::kWindowUpdate, mux::kYamuxSyn, 1, 0);
  check_refused_bytes(make_yamux, false, cat(twice, twice));
}

// The peer's GoAway ends the session: cleanly at code 0, NetError otherwise;
// its streams are reset and accept_stream fails.
TEST(NetYamux, GoAwayEndsTheSession) {
  for (uint32_t code : {0u, 2u}) {
    RawPeer p(make_yamux, false);
    auto body =
        p.r.spawn([](MuxedConnection& m, Stream& raw, uint32_t code) -> asio::awaitable<bool> {
          co_await raw.write(header(YamuxType::kWindowUpdate, mux::kYamuxSyn, 1, 0));
          std::shared_ptr<Stream> s = co_await m.accept_stream();
          auto pending = std::make_shared<ReadOutcome>();
          asio::co_spawn(co_await asio::this_coro::executor, read_into(s, pending), asio::detached);
          co_await raw.write(header(YamuxType::kGoAway, 0, 0, code));
          co_await until([&] { return pending->done; });
          bool accept_failed = false;
          try {
            (void)co_await m.accept_stream();
          } catch (const NetError&) {
            accept_failed = true;
          }
          co_return pending->net_error&& accept_failed;
        }(*p.mux, *p.raw, code));
    p.r.run();
    EXPECT_TRUE(body.get());
    if (code == 0)
      EXPECT_NO_THROW(p.run.get());
    else
      EXPECT_THROW(p.run.get(), NetError);
  }
}

}  // namespace
}  // namespace codex::net
