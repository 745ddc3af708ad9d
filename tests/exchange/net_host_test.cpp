// The Host (switch) over real TCP on loopback: connections upgraded with
// noise and a muxer, streams negotiated to handlers, peer events, and what a
// hostile or broken peer gets: garbage and silence closed, a broken muxer
// frame disconnected and counted, repeated offences refused.
#include <gtest/gtest.h>

#include <asio/ip/tcp.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <string>
#include <vector>

#include "exchange/net/error.h"
#include "exchange/net/host.h"
#include "exchange/net/multistream.h"
#include "exchange/net/node_key.h"
#include "exchange/net/noise/noise_upgrade.h"
#include "exchange/net/socket_stream.h"
#include "exchange/net/standard_transports.h"
#include "exchange/net/stream_io.h"
#include "tests/exchange/support/net_io.h"
#include "tests/support/temp_dir.h"

namespace codex::net {
namespace {

using namespace std::chrono_literals;
using testing::IoRunner;

constexpr char kEcho[] = "/test/echo/1";

struct Peer {
  Peer(IoRunner& r, const std::filesystem::path& dir, const std::string& name,
       std::vector<std::string> muxers = {"/yamux/1.0.0", "/mplex/6.7.0"},
       std::chrono::milliseconds handshake = 2s)
      : key(NodeKey::load_or_create(dir / name)),
        host(r.executor(), key.id(), standard_host_config(key, muxers, handshake)) {
    host.handle(kEcho, [](std::unique_ptr<Stream> s, PeerId) -> asio::awaitable<void> {
      auto msg = co_await read_length_prefixed(*s, 1024);
      co_await write_length_prefixed(*s, msg);
      co_await s->close_write();
    });
    host.on_peer(
        [this](const PeerId& p, bool up) { events.push_back((up ? "+" : "-") + p.to_string()); });
  }
  asio::ip::tcp::endpoint listen() { return host.listen({asio::ip::make_address("127.0.0.1"), 0}); }
  NodeKey key;
  Host host;
  std::vector<std::string> events;
};

asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(asio::use_awaitable);
}

asio::awaitable<std::string> echo(Host& h, PeerId peer, std::string text) {
  const std::vector<std::string> protocols = {kEcho};
  auto s = co_await h.open_stream(peer, protocols);
  co_await write_length_prefixed(*s, std::string_view(text));
  auto reply = co_await read_length_prefixed(*s, 1024);
  co_return std::string(reply.begin(), reply.end());
}

// A TCP connection that has done nothing but connect.
asio::awaitable<std::unique_ptr<Stream>> raw_connect(asio::ip::tcp::endpoint to) {
  asio::ip::tcp::socket socket(co_await asio::this_coro::executor);
  co_await socket.async_connect(to, asio::use_awaitable);
  co_return make_tcp_stream(std::move(socket));
}

// Reads until the stream ends or fails; returns how long it took.
asio::awaitable<std::chrono::milliseconds> wait_closed(Stream& s) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<uint8_t> buf(4096);
  try {
    while (co_await s.read_some(buf) > 0) {
    }
  } catch (const NetError&) {
  }
  co_return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start);
}

TEST(NetHost, ConnectsOpensStreamsAndReportsPeers) {
  codex::testing::TempDir dir;
  for (const std::string muxer : {"/yamux/1.0.0", "/mplex/6.7.0"}) {
    IoRunner r;
    Peer a(r, dir.path(), "a" + muxer.substr(1, 1)),
        b(r, dir.path(), "b" + muxer.substr(1, 1), {muxer});
    const auto at = a.listen();
    auto done = r.spawn([](Peer& a, Peer& b, asio::ip::tcp::endpoint at,
                           std::string muxer) -> asio::awaitable<void> {
      const PeerId id = co_await b.host.connect(at, a.key.id());
      EXPECT_EQ(id, a.key.id());
      EXPECT_EQ(co_await echo(b.host, id, "hello"), "hello");
      EXPECT_EQ(co_await echo(a.host, b.key.id(), "back"), "back");  // the listener opens too
      EXPECT_EQ(b.host.connections().size(), 1u);
      EXPECT_EQ(b.host.connections()[0].muxer, muxer);
      EXPECT_TRUE(b.host.connections()[0].outbound);
      // A second connect reuses the connection.
      EXPECT_EQ(co_await b.host.connect(at, a.key.id()), id);
      EXPECT_EQ(b.host.connections().size(), 1u);
      // A protocol nobody serves fails the stream, not the connection.
      const std::vector<std::string> unknown = {"/nope/1"};
      bool failed = false;
      try {
        (void)co_await b.host.open_stream(id, unknown);
      } catch (const NetError&) {
        failed = true;
      }
      EXPECT_TRUE(failed);
      EXPECT_EQ(co_await echo(b.host, id, "still"), "still");
      b.host.disconnect(id);
      co_await sleep_for(100ms);
      EXPECT_FALSE(a.host.connected(b.key.id()));
      a.host.stop();
      b.host.stop();
    }(a, b, at, muxer));
    r.run();
    done.get();
    EXPECT_EQ(a.events, (std::vector<std::string>{"+" + b.key.peer_id(), "-" + b.key.peer_id()}));
    EXPECT_EQ(b.events, (std::vector<std::string>{"+" + a.key.peer_id(), "-" + a.key.peer_id()}));
  }
}

TEST(NetHost, GarbageAndSilenceAreClosed) {
  codex::testing::TempDir dir;
  IoRunner r;
  Peer a(r, dir.path(), "a", {"/yamux/1.0.0"}, 300ms);
  Peer b(r, dir.path(), "b");
  const auto at = a.listen();
  auto done = r.spawn([](Peer& a, Peer& b, asio::ip::tcp::endpoint at) -> asio::awaitable<void> {
    auto garbage = co_await raw_connect(at);
    // Read as a multistream message of 71 bytes ('G') that is not a header.
    const std::string junk = "GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: curl/7.88\r\nAccept: */*\r\n"
                             "Connection: close\r\n\r\n";
    co_await garbage->write(std::span(reinterpret_cast<const uint8_t*>(junk.data()), junk.size()));
    EXPECT_LT(co_await wait_closed(*garbage), 250ms);
    auto silent = co_await raw_connect(at);
    const auto waited = co_await wait_closed(*silent);
    EXPECT_GE(waited, 250ms);
    EXPECT_LT(waited, 2s);
    // The host still serves an honest peer.
    const PeerId id = co_await b.host.connect(at, a.key.id());
    EXPECT_EQ(co_await echo(b.host, id, "ok"), "ok");
    a.host.stop();
    b.host.stop();
  }(a, b, at));
  r.run();
  done.get();
}

// Connects as `key` through noise and mplex by hand, then sends a frame mplex
// cannot parse (a varint longer than 9 bytes).
asio::awaitable<std::unique_ptr<Stream>> connect_and_break(asio::ip::tcp::endpoint at,
                                                           const NodeKey& key, PeerId expected) {
  auto raw = co_await raw_connect(at);
  const std::vector<std::string> noise = {kNoiseProtocolId};
  co_await multistream_select(*raw, noise);
  auto secured = co_await noise_outbound(std::move(raw), key, expected, 2s);
  const std::vector<std::string> mplex = {"/mplex/6.7.0"};
  co_await multistream_select(*secured.stream, mplex);
  std::vector<uint8_t> bad(12, 0xff);
  co_await secured.stream->write(bad);
  co_return std::move(secured.stream);
}

TEST(NetHost, ABrokenFrameDisconnectsAndRepeatedOffencesBan) {
  codex::testing::TempDir dir;
  IoRunner r;
  Peer a(r, dir.path(), "a", {"/mplex/6.7.0"});
  const NodeKey bad = NodeKey::load_or_create(dir.path() / "bad");
  std::vector<std::string> diagnostics;
  a.host.on_diagnostic([&](const std::string& d) { diagnostics.push_back(d); });
  const auto at = a.listen();
  auto done =
      r.spawn([](Peer& a, const NodeKey& bad, asio::ip::tcp::endpoint at) -> asio::awaitable<void> {
        for (int i = 0; i < 3; ++i) {
          auto s = co_await connect_and_break(at, bad, a.key.id());
          EXPECT_LT(co_await wait_closed(*s), 1s) << "offence " << i;
        }
        EXPECT_TRUE(a.host.banned(bad.id()));
        // Banned: the handshake completes (the ban is by peer id), then A closes.
        auto raw = co_await raw_connect(at);
        const std::vector<std::string> noise = {kNoiseProtocolId};
        co_await multistream_select(*raw, noise);
        auto secured = co_await noise_outbound(std::move(raw), bad, a.key.id(), 2s);
        const std::vector<std::string> mplex = {"/mplex/6.7.0"};
        co_await multistream_select(*secured.stream, mplex);
        EXPECT_LT(co_await wait_closed(*secured.stream), 1s);
        EXPECT_FALSE(a.host.connected(bad.id()));
        a.host.stop();
      }(a, bad, at));
  r.run();
  done.get();
  size_t offences = 0;
  for (const auto& d : diagnostics)
    if (d.find("disconnecting " + bad.peer_id()) != std::string::npos) ++offences;
  EXPECT_EQ(offences, 3u);
}

}  // namespace
}  // namespace codex::net
