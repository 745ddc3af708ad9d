// Multiaddrs: byte-exact against js-multiaddr 13.0.3 (tests/data/libp2p),
// the spec's examples, refusals with context, and the dialer's accessors.
#include "exchange/net/multiaddr.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/hex.h"
#include "exchange/error.h"
#include "tests/exchange/support/libp2p_vectors.h"

namespace codex::net {
namespace {

using testing::hex_bytes;
using testing::libp2p_vectors;

constexpr std::string_view kSecpId = "16Uiu2HAmMUjGmiUhJeiZgu6ZZnLRkE2VViR2JgjqtW9aTZnHQqgg";

std::string hex(const Multiaddr& m) {
  return base::to_hex(m.bytes(), false);
}

TEST(Multiaddr, SpecExamples) {
  // multiformats/multiaddr README and js tests.
  EXPECT_EQ(hex(Multiaddr::parse("/ip4/127.0.0.1/tcp/4001")), "047f000001060fa1");
  EXPECT_EQ(hex(Multiaddr::parse("/ip4/127.0.0.1/udp/1234")), "047f000001910204d2");
  EXPECT_EQ(hex(Multiaddr::parse("/ip6/::1/tcp/0")), "2900000000000000000000000000000001060000");
  EXPECT_EQ(hex(Multiaddr::parse("/dns4/a.b/tcp/1")), "3603612e62060001");
}

TEST(Multiaddr, MatchesJsMultiaddrBytesAndText) {
  const auto& vectors = libp2p_vectors()["multiaddrs"];
  ASSERT_GE(vectors.size(), 20u);
  for (const auto& v : vectors) {
    const std::string text = v["text"], canonical = v["canonical"];
    const auto bytes = hex_bytes(v["bytes"]);
    SCOPED_TRACE(text);
    const Multiaddr m = Multiaddr::parse(text);
    EXPECT_EQ(m.bytes(), bytes);
    EXPECT_EQ(m.to_string(), canonical);
    EXPECT_EQ(Multiaddr::from_bytes(bytes), m);
    EXPECT_EQ(Multiaddr::parse(canonical), m);
  }
}

TEST(Multiaddr, RefusesWhatJsRefuses) {
  for (const auto& v : libp2p_vectors()["invalid_multiaddrs"]) {
    const std::string text = v;
    EXPECT_THROW(Multiaddr::parse(text), FormatError) << text;
  }
}

TEST(Multiaddr, TextErrorsNameTheProblem) {
  auto message = [](std::string_view text) {
    try {
      Multiaddr::parse(text);
    } catch (const FormatError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(message("/ip4/1.2.3.4/sctp/1").find("unknown protocol 'sctp'"), std::string::npos);
  EXPECT_NE(message("/ip4/1.2.3.4/tcp/99999").find("tcp port '99999'"), std::string::npos);
  EXPECT_NE(message("/ip4/1.2.3.4/tcp").find("tcp without a value"), std::string::npos);
  EXPECT_NE(message("ip4/1.2.3.4").find("does not start with '/'"), std::string::npos);
  EXPECT_NE(message("/ip6/fe80::1%eth0/tcp/1").find("ip6 address"), std::string::npos);
  for (std::string_view bad :
       {"", "/", "//", "/ip4/01.2.3.4/tcp/1", "/ip4/1.2.3.4/tcp/080", "/ip4/1.2.3.4/tcp/-1",
        "/ip4/1.2.3.4/tcp/+1", "/dns4//tcp/1", "/p2p/16Uiu2", "/ip4/1.2.3.4//tcp/1"})
    EXPECT_THROW(Multiaddr::parse(bad), FormatError) << bad;
  // A trailing slash is tolerated (js and go strip it).
  EXPECT_EQ(Multiaddr::parse("/ip4/1.2.3.4/tcp/1/"), Multiaddr::parse("/ip4/1.2.3.4/tcp/1"));
  EXPECT_EQ(Multiaddr::parse("/ipfs/" + std::string(kSecpId)).to_string(),
            "/p2p/" + std::string(kSecpId));
}

TEST(Multiaddr, BinaryErrors) {
  const std::vector<std::string> bad = {
      "",                // empty
      "047f0000",        // ip4 truncated
      "047f00000106",    // tcp without its port
      "047f000001060f",  // port truncated
      "8f01",            // unknown code 143
      "ff",              // truncated varint
      "3605612e",        // dns4 value longer than the input
      "3600",            // empty dns4 name
      "3603612f62",      // '/' inside a name
      "360361 0062",     // NUL inside a name (space removed below)
      "a50303000000",    // p2p value that is no peer id
      "29000000",        // ip6 truncated
  };
  for (std::string h : bad) {
    std::erase(h, ' ');
    EXPECT_THROW(Multiaddr::from_bytes(base::from_hex(h)), FormatError) << h;
  }
  EXPECT_THROW(Multiaddr::from_bytes(std::vector<uint8_t>(Multiaddr::kMaxSize + 1, 0xdd)),
               FormatError);
  std::vector<uint8_t> many;
  for (size_t i = 0; i <= Multiaddr::kMaxComponents; ++i) {
    many.push_back(0xdd);  // ws
    many.push_back(0x03);
  }
  EXPECT_THROW(Multiaddr::from_bytes(many), FormatError);
  many.resize(2 * Multiaddr::kMaxComponents);
  EXPECT_EQ(Multiaddr::from_bytes(many).components().size(), Multiaddr::kMaxComponents);
  std::string text;
  for (size_t i = 0; i <= Multiaddr::kMaxComponents; ++i)
    text += "/ws";
  EXPECT_THROW(Multiaddr::parse(text), FormatError);
}

TEST(Multiaddr, TcpEndpointForTheDialer) {
  auto ep = Multiaddr::parse("/ip4/127.0.0.1/tcp/4001").tcp_endpoint();
  ASSERT_TRUE(ep);
  EXPECT_EQ(ep->address().to_string(), "127.0.0.1");
  EXPECT_EQ(ep->port(), 4001);
  ep = Multiaddr::parse("/ip6/::1/tcp/65535/p2p/" + std::string(kSecpId)).tcp_endpoint();
  ASSERT_TRUE(ep);
  EXPECT_TRUE(ep->address().is_v6());
  EXPECT_EQ(ep->address().to_string(), "::1");
  EXPECT_EQ(ep->port(), 65535);
  for (std::string_view other :
       {"/dns4/localhost/tcp/1", "/ip4/1.2.3.4/udp/1", "/ip4/1.2.3.4/tcp/80/ws", "/ip4/1.2.3.4",
        "/tcp/1", "/ip4/1.2.3.4/tcp/1/p2p-circuit"})
    EXPECT_FALSE(Multiaddr::parse(other).tcp_endpoint()) << other;
  EXPECT_FALSE(Multiaddr().tcp_endpoint());

  const asio::ip::tcp::endpoint local(asio::ip::make_address("10.0.0.7"), 8070);
  EXPECT_EQ(Multiaddr::from_tcp(local).to_string(), "/ip4/10.0.0.7/tcp/8070");
  EXPECT_EQ(Multiaddr::from_tcp(local).tcp_endpoint(), local);
  const asio::ip::tcp::endpoint v6(asio::ip::make_address("2001:db8::1"), 1);
  EXPECT_EQ(Multiaddr::from_tcp(v6).to_string(), "/ip6/2001:db8::1/tcp/1");
}

TEST(Multiaddr, PeerIdSuffix) {
  const PeerId id = PeerId::parse(kSecpId);
  const Multiaddr bare = Multiaddr::parse("/ip4/127.0.0.1/tcp/4001");
  const Multiaddr full = bare.with_peer_id(id);
  EXPECT_EQ(full.to_string(), "/ip4/127.0.0.1/tcp/4001/p2p/" + std::string(kSecpId));
  EXPECT_EQ(full.peer_id(), id);
  EXPECT_FALSE(bare.peer_id());
  EXPECT_EQ(full.without_peer_id(), bare);
  EXPECT_EQ(bare.without_peer_id(), bare);
  EXPECT_EQ(full.with_peer_id(id), full);
  const PeerId other = PeerId::parse("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N");
  EXPECT_THROW(full.with_peer_id(other), FormatError);
  // A relayed address names the target last.
  const Multiaddr relayed = Multiaddr::parse("/ip4/1.2.3.4/tcp/1/p2p/" + other.to_string() +
                                             "/p2p-circuit/p2p/" + std::string(kSecpId));
  EXPECT_EQ(relayed.peer_id(), id);
  EXPECT_FALSE(relayed.tcp_endpoint());
}

}  // namespace
}  // namespace codex::net
