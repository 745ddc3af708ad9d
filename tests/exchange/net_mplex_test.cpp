// mplex (/mplex/6.7.0): the frame format pinned byte for byte, then the
// muxer behaviour shared with yamux (support/mux_checks.h), then what is
// mplex's own: no flow control, so a stream whose reader lags is reset.
#include <gtest/gtest.h>

#include "exchange/net/error.h"
#include "exchange/net/mux/mplex.h"
#include "exchange/net/mux/mplex_frame.h"
#include "exchange/net/stream_io.h"
#include "tests/exchange/support/mux_checks.h"

namespace codex::net {
namespace {

using mux::MplexFlag;
using namespace testing;

TEST(NetMplexFrame, NewStreamAndMessageBytesFollowTheSpec) {
  // Stream 17 opened with its name "17": 17 << 3 | 0 = 136 = varint 88 01.
  EXPECT_EQ(mux::encode_mplex_frame(17, MplexFlag::kNewStream, bytes("17")),
            (std::vector<uint8_t>{0x88, 0x01, 0x02, '1', '7'}));
  // The receiver of stream 5 sends "hi": 5 << 3 | 1 = 41.
  EXPECT_EQ(mux::encode_mplex_frame(5, MplexFlag::kMessageReceiver, bytes("hi")),
            (std::vector<uint8_t>{0x29, 0x02, 'h', 'i'}));
  // ResetInitiator of stream 0: flag 6, empty body.
  EXPECT_EQ(mux::encode_mplex_frame(0, MplexFlag::kResetInitiator, {}),
            (std::vector<uint8_t>{0x06, 0x00}));
  const std::vector<uint8_t> big = {0x8a, 0x01, 0x80, 0x80, 0x04};  // id 17, flag 2, 64 KiB
  const auto d = mux::decode_mplex_header(big, 1 << 20);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->header, (mux::MplexHeader{17, MplexFlag::kMessageInitiator, 65536}));
  EXPECT_EQ(d->header_size, 5u);
}

TEST(NetMplexFrame, CutMalformedAndOversizedHeaders) {
  const std::vector<uint8_t> frame = {0x8a, 0x01, 0x80, 0x80, 0x04};
  for (size_t n = 0; n < frame.size(); ++n)
    EXPECT_FALSE(mux::decode_mplex_header(std::span(frame).first(n), 1 << 20)) << n;
  const std::vector<uint8_t> flag7 = {0x07, 0x00};
  EXPECT_THROW(mux::decode_mplex_header(flag7, 1 << 20), ProtocolError);
  const std::vector<uint8_t> not_minimal = {0x88, 0x00, 0x00};
  EXPECT_THROW(mux::decode_mplex_header(not_minimal, 1 << 20), ProtocolError);
  const std::vector<uint8_t> too_long(10, 0xff);
  EXPECT_THROW(mux::decode_mplex_header(too_long, 1 << 20), ProtocolError);
  EXPECT_THROW(mux::decode_mplex_header(frame, 65535), ProtocolError);
  EXPECT_TRUE(mux::decode_mplex_header(frame, 65536));
}

// What open_stream, write and close_write put on the wire, read raw.
TEST(NetMplex, WireOfAnOpenedStream) {
  RawPeer p(make_mplex, true);
  auto body = p.r.spawn([](MuxedConnection& m, Stream& raw) -> asio::awaitable<void> {
    auto s0 = co_await m.open_stream();
    auto s1 = co_await m.open_stream();
    co_await s1->write(bytes("hi"));
    co_await s1->close_write();
    std::vector<uint8_t> wire(3 + 3 + 4 + 2);
    co_await read_exact(raw, wire);
    const std::vector<uint8_t> expected = {0x00, 0x01, '0',       // NewStream 0 "0"
                                           0x08, 0x01, '1',       // NewStream 1 "1"
                                           0x0a, 0x02, 'h', 'i',  // MessageInitiator 1
                                           0x0c, 0x00};           // CloseInitiator 1
    EXPECT_EQ(wire, expected);
    // The peer answers on stream 1 as its receiver, then closes it.
    const std::vector<uint8_t> answer = {0x09, 0x02, 'o', 'k', 0x0b, 0x00};
    co_await raw.write(answer);
    const auto got = co_await read_all(*s1);
    EXPECT_EQ(got, bytes("ok"));
    // A stream the peer opens, and our reply as its receiver.
    const std::vector<uint8_t> open = {0x00, 0x01, '0', 0x02, 0x01, 'q'};
    co_await raw.write(open);
    auto in = co_await m.accept_stream();
    std::vector<uint8_t> q(1);
    co_await read_exact(*in, q);
    EXPECT_EQ(q, bytes("q"));
    co_await in->write(bytes("r"));
    in->reset();
    std::vector<uint8_t> reply(3 + 2);
    co_await read_exact(raw, reply);
    EXPECT_EQ(reply, (std::vector<uint8_t>{0x01, 0x01, 'r', 0x05, 0x00}));  // receiver forms
    m.close();
  }(*p.mux, *p.raw));
  p.r.run();
  body.get();
  p.run.get();
}

TEST(NetMplex, OpenAcceptEcho) {
  check_open_accept_echo(make_mplex);
}
TEST(NetMplex, HundredConcurrentStreams) {
  check_many_streams(make_mplex);
}
TEST(NetMplex, SixtyFourMiBThroughOneStream) {
  check_bulk(make_mplex, 64 << 20, false);
}
TEST(NetMplex, HalfClose) {
  check_half_close(make_mplex);
}
TEST(NetMplex, BusyStreamDoesNotStarveOthers) {
  check_fairness(make_mplex);
}
TEST(NetMplex, ResetBothWays) {
  check_reset_both_ways(make_mplex);
}
TEST(NetMplex, StreamLimit) {
  check_stream_limit(make_mplex);
}
TEST(NetMplex, PeerDisconnectFailsPendingReads) {
  check_peer_disconnect(make_mplex);
}
TEST(NetMplex, StreamOutlivesItsConnection) {
  check_stream_outlives_connection(make_mplex);
}

TEST(NetMplex, OversizedFrameEndsTheConnection) {
  // NewStream 0, then a message header announcing 1 MiB + 1.
  check_refused_bytes(make_mplex, false, {0x00, 0x00, 0x02, 0x81, 0x80, 0x40});
  // The limit is the one given: 101 bytes against 100.
  MuxerLimits small;
  small.max_frame_size = 100;
  check_refused_bytes(make_mplex, false, {0x00, 0x00, 0x02, 0x65}, small);
}

TEST(NetMplex, GarbageIsAProtocolError) {
  check_refused_bytes(make_mplex, false, {0x07, 0x00});                    // flag 7
  check_refused_bytes(make_mplex, false, std::vector<uint8_t>(12, 0xff));  // endless varint
  check_refused_bytes(make_mplex, false, {0x00, 0x00, 0x00, 0x00});        // stream 0 twice
}

// No flow control: a reader that lags more than stream_buffer behind gets
// its stream reset, on both sides; other streams go on.
TEST(NetMplex, OverrunStreamBufferResetsTheStream) {
  MuxerLimits small;
  small.stream_buffer = 64 * 1024;
  MuxPair p(make_mplex, {}, small);
  auto body = p.r.spawn([](MuxedConnection& a, MuxedConnection& b) -> asio::awaitable<void> {
    auto s = co_await a.open_stream();
    auto other = co_await a.open_stream();
    try {
      co_await s->write(pattern(0, 0, 1 << 20));
    } catch (const NetError&) {  // the reset may come back while writing
    }
    std::vector<uint8_t> buf(16);
    bool reset_seen = false;
    try {
      while (co_await s->read_some(buf) > 0) {
      }
    } catch (const NetError&) {
      reset_seen = true;
    }
    EXPECT_TRUE(reset_seen) << "the writer learns of the reset";
    auto t = co_await b.accept_stream();
    bool reader_reset = false;
    try {
      (void)co_await t->read_some(buf);
    } catch (const NetError&) {
      reader_reset = true;
    }
    EXPECT_TRUE(reader_reset);
    co_await other->write(bytes("fine"));
    co_await other->close_write();
    auto u = co_await b.accept_stream();
    const auto got = co_await read_all(*u);
    EXPECT_EQ(got, bytes("fine"));
    a.close();
    b.close();
  }(*p.a, *p.b));
  p.finish();
  body.get();
}

}  // namespace
}  // namespace codex::net
