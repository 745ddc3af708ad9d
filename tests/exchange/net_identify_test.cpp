// Identify and ping over real Unix socket pairs: a full identify exchange
// with a signed peer record, and the refusals: oversized, truncated,
// malformed, a key of another peer, a missing key, a bad or foreign record.
// Ping: echoes, the per-stream bound, a wrong echo, a stream ending mid-block.
#include "exchange/net/identify.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "exchange/net/error.h"
#include "exchange/net/identify.pb.h"
#include "exchange/net/ping.h"
#include "exchange/net/socket_stream.h"
#include "exchange/net/stream_io.h"
#include "tests/exchange/support/libp2p_vectors.h"
#include "tests/exchange/support/net_io.h"

namespace codex::net {
namespace {

using testing::IoRunner;

IdentifyInfo our_info(const NodeKey& key) {
  IdentifyInfo info;
  info.agent_version = "Codex/test";
  info.public_key = PublicKey::from_protobuf(key.public_key_protobuf());
  info.listen_addrs.push_back(Multiaddr::parse("/ip4/127.0.0.1/tcp/8070"));
  info.listen_addrs.push_back(Multiaddr::parse("/ip6/::1/tcp/8070"));
  info.observed_addr = Multiaddr::parse("/ip4/10.1.2.3/tcp/50000");
  info.protocols = {std::string(kIdentifyProtocol), std::string(kPingProtocol),
                    "/codex/blockexc/1.0.0"};
  info.signed_peer_record = SignedPeerRecord::sign(key, 9, info.listen_addrs);
  return info;
}

// Runs identify_request against a peer that writes `wire` and closes.
IdentifyInfo request_from_raw(const std::vector<uint8_t>& wire, const PeerId& expected) {
  IoRunner r;
  auto [a, b] = local_stream_pair(r.executor());
  auto w = r.spawn([](Stream& s, std::vector<uint8_t> wire) -> asio::awaitable<void> {
    co_await s.write(wire);
    co_await s.close_write();
  }(*a, wire));
  auto rd = r.spawn(identify_request(*b, expected));
  r.run();
  w.get();
  return rd.get();
}

std::vector<uint8_t> framed(const IdentifyInfo& info) {
  return length_prefixed(encode_identify(info));
}

template <typename F>
std::string protocol_refusal(F&& f) {
  try {
    f();
  } catch (const ProtocolError& e) {
    return e.what();
  }
  return "accepted";
}

TEST(Identify, FullExchange) {
  codex::testing::TempDir dir;
  const NodeKey key = NodeKey::load_or_create(dir / "key");
  const IdentifyInfo sent = our_info(key);
  IoRunner r;
  auto [a, b] = local_stream_pair(r.executor());
  auto serve = r.spawn(identify_serve(*a, sent));
  // After the message the listener has closed its writing half.
  auto req = r.spawn([](Stream& s, const PeerId& id) -> asio::awaitable<IdentifyInfo> {
    IdentifyInfo info = co_await identify_request(s, id);
    uint8_t byte;
    if (co_await s.read_some({&byte, 1}) != 0) throw std::runtime_error("bytes after identify");
    co_return info;
  }(*b, key.id()));
  r.run();
  serve.get();
  const IdentifyInfo got = req.get();
  EXPECT_EQ(got.protocol_version, "ipfs/0.1.0");
  EXPECT_EQ(got.agent_version, "Codex/test");
  EXPECT_EQ(got.public_key, sent.public_key);
  EXPECT_EQ(got.listen_addrs, sent.listen_addrs);
  EXPECT_EQ(got.observed_addr, sent.observed_addr);
  EXPECT_EQ(got.protocols, sent.protocols);
  ASSERT_TRUE(got.signed_peer_record);
  EXPECT_EQ(got.signed_peer_record->record(), sent.signed_peer_record->record());
  EXPECT_EQ(got.signed_peer_record->envelope(), sent.signed_peer_record->envelope());
}

TEST(Identify, WireFieldNumbers) {
  // Field numbers of the identify spec: 5 protocolVersion, 6 agentVersion,
  // 1 publicKey, 2 listenAddrs, 4 observedAddr, 3 protocols, 8 signedPeerRecord.
  codex::testing::TempDir dir;
  const NodeKey key = testing::vector_node_key(dir);
  IdentifyInfo info;
  info.public_key = PublicKey::from_protobuf(key.public_key_protobuf());
  info.listen_addrs.push_back(Multiaddr::parse("/ip4/127.0.0.1/tcp/4001"));
  info.protocols = {"/ipfs/ping/1.0.0"};
  const std::string expected =
      "0a2508021221038318535b54105d4a7aae60c08fc45f9687181b4fdfc625bd1a753fa7397fed75"  // 1
      "1208047f000001060fa1"                                                            // 2
      "1a102f697066732f70696e672f312e302e30"                                            // 3
      "2a0a697066732f302e312e30"                                                        // 5
      "3205436f646578";                                                                 // 6
  EXPECT_EQ(base::to_hex(encode_identify(info), false), expected);
  const auto back = decode_identify(base::from_hex(expected));
  EXPECT_EQ(back.public_key, info.public_key);
  EXPECT_EQ(back.listen_addrs, info.listen_addrs);
  EXPECT_EQ(back.protocols, info.protocols);
  EXPECT_EQ(back.agent_version, "Codex");
}

TEST(Identify, RefusesKeyOfAnotherPeerAndMissingKey) {
  codex::testing::TempDir dir;
  const NodeKey key = NodeKey::load_or_create(dir / "key");
  const NodeKey other = NodeKey::load_or_create(dir / "other");
  const auto wire = framed(our_info(key));
  EXPECT_NE(protocol_refusal([&] {
              request_from_raw(wire, other.id());
            }).find("public key is peer " + key.peer_id() + ", not " + other.peer_id()),
            std::string::npos);
  IdentifyInfo keyless = our_info(key);
  keyless.public_key.reset();
  EXPECT_NE(
      protocol_refusal([&] { request_from_raw(framed(keyless), key.id()); }).find("no public key"),
      std::string::npos);
  // Our key, but the signed peer record of another peer.
  IdentifyInfo foreign = our_info(key);
  foreign.signed_peer_record = SignedPeerRecord::sign(other, 1, {});
  EXPECT_NE(protocol_refusal([&] {
              request_from_raw(framed(foreign), key.id());
            }).find("signed peer record of " + other.peer_id()),
            std::string::npos);
}

TEST(Identify, RefusesABadRecord) {
  codex::testing::TempDir dir;
  const NodeKey key = NodeKey::load_or_create(dir / "key");
  pb::IdentifyPb msg;
  const auto pk = key.public_key_protobuf();
  msg.set_public_key(pk.data(), pk.size());
  auto spr = SignedPeerRecord::sign(key, 1, {Multiaddr::parse("/ip4/1.2.3.4/tcp/1")}).encode();
  spr[spr.size() - 40] ^= 1;  // inside the signature
  msg.set_signed_peer_record(spr.data(), spr.size());
  const std::string body = msg.SerializeAsString();
  const auto wire = length_prefixed({reinterpret_cast<const uint8_t*>(body.data()), body.size()});
  EXPECT_NE(
      protocol_refusal([&] { request_from_raw(wire, key.id()); }).find("identify: signed envelope"),
      std::string::npos);
  msg.set_signed_peer_record("garbage");
  const std::string body2 = msg.SerializeAsString();
  EXPECT_THROW(request_from_raw(
                   length_prefixed({reinterpret_cast<const uint8_t*>(body2.data()), body2.size()}),
                   key.id()),
               ProtocolError);
  // A bad public key.
  msg.clear_signed_peer_record();
  msg.set_public_key(std::string("\x08\x02\x12\x21", 4) + std::string(33, '\x05'));
  const std::string body3 = msg.SerializeAsString();
  EXPECT_NE(protocol_refusal([&] {
              request_from_raw(
                  length_prefixed({reinterpret_cast<const uint8_t*>(body3.data()), body3.size()}),
                  key.id());
            }).find("identify: secp256k1 public key"),
            std::string::npos);
}

TEST(Identify, RefusesOversizedTruncatedAndMalformedMessages) {
  codex::testing::TempDir dir;
  const NodeKey key = NodeKey::load_or_create(dir / "key");
  // A length above 8 KiB is refused before the body is read.
  const std::vector<uint8_t> oversized = {0xa9, 0x40};  // 8233
  EXPECT_NE(protocol_refusal([&] {
              request_from_raw(oversized, key.id());
            }).find("exceeds the limit of 8192"),
            std::string::npos);
  // Ends inside the body, or before any message.
  auto truncated = framed(our_info(key));
  truncated.resize(truncated.size() / 2);
  EXPECT_THROW(request_from_raw(truncated, key.id()), NetError);
  EXPECT_THROW(request_from_raw({}, key.id()), NetError);
  // Not a protobuf.
  const std::vector<uint8_t> junk = {0x03, 0xff, 0xff, 0xff};
  EXPECT_NE(protocol_refusal([&] { request_from_raw(junk, key.id()); }).find("malformed protobuf"),
            std::string::npos);
  // Too many addresses or protocols.
  IdentifyInfo many = our_info(key);
  many.signed_peer_record.reset();
  many.listen_addrs.assign(kMaxIdentifyAddrs + 1, Multiaddr::parse("/ip4/1.2.3.4/tcp/1"));
  EXPECT_NE(protocol_refusal([&] {
              request_from_raw(framed(many), key.id());
            }).find("listen addresses exceed"),
            std::string::npos);
  many.listen_addrs.clear();
  many.protocols.assign(kMaxIdentifyProtocols + 1, "/p");
  EXPECT_NE(
      protocol_refusal([&] { request_from_raw(framed(many), key.id()); }).find("protocols exceed"),
      std::string::npos);
  EXPECT_THROW(decode_identify(std::vector<uint8_t>(kMaxIdentifySize + 1, 0)), ProtocolError);
}

TEST(Identify, SkipsAddressesItCannotRead) {
  codex::testing::TempDir dir;
  const NodeKey key = NodeKey::load_or_create(dir / "key");
  pb::IdentifyPb msg;
  const auto pk = key.public_key_protobuf();
  msg.set_public_key(pk.data(), pk.size());
  msg.add_listen_addrs(std::string("\x90\x03\x01/", 4));  // unix: not ours
  const auto tcp = Multiaddr::parse("/ip4/127.0.0.1/tcp/1");
  msg.add_listen_addrs(tcp.bytes().data(), tcp.bytes().size());
  msg.set_observed_addr("\xff");
  const std::string body = msg.SerializeAsString();
  const auto info = decode_identify({reinterpret_cast<const uint8_t*>(body.data()), body.size()});
  ASSERT_EQ(info.listen_addrs.size(), 1u);
  EXPECT_EQ(info.listen_addrs[0], tcp);
  EXPECT_FALSE(info.observed_addr);
  EXPECT_EQ(info.protocol_version, "");  // absent fields stay empty
}

TEST(Ping, EchoesSeveralPingsOnOneStream) {
  IoRunner r;
  auto [a, b] = local_stream_pair(r.executor());
  auto serve = r.spawn(ping_serve(*b));
  auto client = r.spawn([](Stream& s) -> asio::awaitable<int> {
    int n = 0;
    for (; n < 5; ++n) {
      const auto rtt = co_await ping(s);
      if (rtt.count() < 0) throw std::runtime_error("negative round trip");
    }
    co_await s.close_write();
    uint8_t byte;
    if (co_await s.read_some({&byte, 1}) != 0) throw std::runtime_error("no end of stream");
    co_return n;
  }(*a));
  r.run();
  serve.get();
  EXPECT_EQ(client.get(), 5);
}

TEST(Ping, ListenerStopsAfterItsBound) {
  IoRunner r;
  auto [a, b] = local_stream_pair(r.executor());
  auto serve = r.spawn(ping_serve(*b, 2));
  auto client = r.spawn([](Stream& s) -> asio::awaitable<void> {
    co_await ping(s);
    co_await ping(s);
    co_await ping(s);  // the listener has closed: end of stream
  }(*a));
  r.run();
  serve.get();
  EXPECT_THROW(client.get(), NetError);
}

TEST(Ping, WrongEchoAndPartialBlock) {
  {
    IoRunner r;
    auto [a, b] = local_stream_pair(r.executor());
    auto liar = r.spawn([](Stream& s) -> asio::awaitable<void> {
      std::vector<uint8_t> block(kPingSize);
      co_await read_exact(s, block);
      block[0] ^= 1;
      co_await s.write(block);
      co_await s.close_write();
    }(*b));
    auto client = r.spawn(ping(*a));
    r.run();
    liar.get();
    EXPECT_THROW(client.get(), ProtocolError);
  }
  {
    IoRunner r;
    auto [a, b] = local_stream_pair(r.executor());
    auto serve = r.spawn(ping_serve(*b));
    auto half = r.spawn([](Stream& s) -> asio::awaitable<void> {
      std::vector<uint8_t> part(kPingSize / 2, 1);
      co_await s.write(part);
      co_await s.close_write();
    }(*a));
    r.run();
    half.get();
    EXPECT_THROW(serve.get(), NetError);
  }
}

}  // namespace
}  // namespace codex::net
