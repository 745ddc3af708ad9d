// Stream framing, multistream-select, peer ids and public keys: the ground of
// the libp2p stack, over real Unix socket pairs.
#include <gtest/gtest.h>
#include <sodium.h>

#include <string>
#include <vector>

#include "exchange/crypto/secp256k1_key.h"
#include "exchange/crypto/sha256.h"
#include "exchange/net/error.h"
#include "exchange/net/multistream.h"
#include "exchange/net/peer_id.h"
#include "exchange/net/socket_stream.h"
#include "exchange/net/stream_io.h"
#include "tests/exchange/support/net_io.h"

namespace codex::net {
namespace {

using testing::IoRunner;

std::vector<uint8_t> bytes(std::string_view s) {
  return {s.begin(), s.end()};
}

TEST(NetStreamIo, LengthPrefixedRoundTripAndEnd) {
  IoRunner r;
  auto [a, b] = local_stream_pair(r.executor());
  auto writer = r.spawn([](Stream& s) -> asio::awaitable<void> {
    co_await write_length_prefixed(s, std::string_view("hello"));
    co_await write_length_prefixed(s, std::vector<uint8_t>(300, 7));
    co_await s.close_write();
  }(*a));
  auto reader = r.spawn([](Stream& s) -> asio::awaitable<std::vector<std::vector<uint8_t>>> {
    std::vector<std::vector<uint8_t>> got;
    for (;;) {
      bool ended = false;
      auto m = co_await read_length_prefixed_or_end(s, 1000, ended);
      if (ended) break;
      got.push_back(std::move(m));
    }
    co_return got;
  }(*b));
  r.run();
  writer.get();
  const auto got = reader.get();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], bytes("hello"));
  EXPECT_EQ(got[1], std::vector<uint8_t>(300, 7));
}

TEST(NetStreamIo, OversizedTruncatedAndMalformedMessagesAreRefused) {
  struct Case {
    std::vector<uint8_t> wire;
    bool protocol_error;  // else NetError
  };
  const std::vector<Case> cases = {
      {{0xac, 0x02}, true},       // 300 > limit 100
      {{0x05, 'a', 'b'}, false},  // ends inside the body
      {{0x80}, false},            // ends inside the varint
      {{0x85, 0x00}, true},       // not minimal
      {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, true},  // too long
  };
  for (const auto& c : cases) {
    IoRunner r;
    auto [a, b] = local_stream_pair(r.executor());
    auto w = r.spawn([](Stream& s, std::vector<uint8_t> wire) -> asio::awaitable<void> {
      co_await s.write(wire);
      co_await s.close_write();
    }(*a, c.wire));
    auto rd = r.spawn([](Stream& s) -> asio::awaitable<std::vector<uint8_t>> {
      co_return co_await read_length_prefixed(s, 100);
    }(*b));
    r.run();
    w.get();
    if (c.protocol_error)
      EXPECT_THROW(rd.get(), ProtocolError);
    else
      EXPECT_THROW(rd.get(), NetError);
  }
}

TEST(NetMultistream, AgreesOnTheFirstProtocolBothSpeak) {
  IoRunner r;
  auto [a, b] = local_stream_pair(r.executor());
  const std::vector<std::string> proposals = {"/yamux/1.0.0", "/mplex/6.7.0"};
  const std::vector<std::string> supported = {"/mplex/6.7.0"};
  auto dialer = r.spawn(multistream_select(*a, proposals));
  auto listener = r.spawn(multistream_handle(*b, supported));
  r.run();
  EXPECT_EQ(dialer.get(), "/mplex/6.7.0");
  EXPECT_EQ(listener.get(), "/mplex/6.7.0");
}

TEST(NetMultistream, NoCommonProtocolFailsTheDialer) {
  IoRunner r;
  auto [a, b] = local_stream_pair(r.executor());
  const std::vector<std::string> proposals = {"/x/1", "/x/2"};
  const std::vector<std::string> supported = {"/y/1"};
  auto dialer = r.spawn([](Stream& s, std::vector<std::string> p) -> asio::awaitable<std::string> {
    try {
      co_return co_await multistream_select(s, p);
    } catch (...) {
      s.reset();  // what a dialer does with a stream nobody speaks on
      throw;
    }
  }(*a, proposals));
  auto listener = r.spawn(multistream_handle(*b, supported));
  r.run();
  EXPECT_THROW(dialer.get(), NetError);
  EXPECT_THROW(listener.get(), NetError);  // the stream ended mid-negotiation
}

TEST(NetMultistream, GarbageHeaderIsAProtocolError) {
  IoRunner r;
  auto [a, b] = local_stream_pair(r.executor());
  auto w = r.spawn([](Stream& s) -> asio::awaitable<void> {
    co_await write_length_prefixed(s, std::string_view("/http/1.1\n"));
  }(*a));
  const std::vector<std::string> supported = {"/noise"};
  auto listener = r.spawn(multistream_handle(*b, supported));
  r.run();
  w.get();
  EXPECT_THROW(listener.get(), ProtocolError);
}

TEST(NetMultistream, EndlessRefusedProposalsEndTheNegotiation) {
  IoRunner r;
  auto [a, b] = local_stream_pair(r.executor());
  auto w = r.spawn([](Stream& s) -> asio::awaitable<void> {
    co_await write_length_prefixed(s, std::string_view("/multistream/1.0.0\n"));
    for (int i = 0; i < 40; ++i)
      co_await write_length_prefixed(s, std::string_view("/nope\n"));
  }(*a));
  auto drain = r.spawn([](Stream& s) -> asio::awaitable<void> {
    std::vector<uint8_t> buf(4096);
    while (co_await s.read_some(buf) > 0) {
    }
  }(*a));
  const std::vector<std::string> supported = {"/noise"};
  auto listener = r.spawn([](Stream& s, std::vector<std::string> sup) -> asio::awaitable<void> {
    try {
      (void)co_await multistream_handle(s, sup);
    } catch (...) {
      s.reset();
      throw;
    }
  }(*b, supported));
  r.run();
  w.get();
  EXPECT_THROW(listener.get(), ProtocolError);
}

TEST(NetPeerId, Secp256k1IdRoundTripsAndInlinesItsKey) {
  const auto key = crypto::Secp256k1Key::generate();
  const auto pub = PublicKey::secp256k1(key.public_key().compressed());
  const PeerId id = PeerId::from_public_key(pub);
  EXPECT_EQ(id.to_string().substr(0, 6), "16Uiu2");
  EXPECT_EQ(PeerId::parse(id.to_string()), id);
  ASSERT_TRUE(id.public_key().has_value());
  EXPECT_EQ(*id.public_key(), pub);
}

TEST(NetPeerId, Ed25519IdsAndSignaturesAreAccepted) {
  ASSERT_GE(sodium_init(), 0);
  std::vector<uint8_t> pk(crypto_sign_PUBLICKEYBYTES), sk(crypto_sign_SECRETKEYBYTES);
  crypto_sign_keypair(pk.data(), sk.data());
  std::vector<uint8_t> pb = {0x08, 0x01, 0x12, 0x20};
  pb.insert(pb.end(), pk.begin(), pk.end());
  const auto key = PublicKey::from_protobuf(pb);
  EXPECT_EQ(PeerId::from_public_key(key).to_string().substr(0, 7), "12D3Koo");
  const auto msg = bytes("message");
  std::vector<uint8_t> sig(crypto_sign_BYTES);
  crypto_sign_detached(sig.data(), nullptr, msg.data(), msg.size(), sk.data());
  EXPECT_TRUE(key.verify(msg, sig));
  sig[3] ^= 1;
  EXPECT_FALSE(key.verify(msg, sig));
}

TEST(NetPeerId, Secp256k1SignaturesVerify) {
  const auto key = crypto::Secp256k1Key::generate();
  const auto pub = PublicKey::secp256k1(key.public_key().compressed());
  const auto msg = bytes("payload");
  auto sig = key.sign_der(sha256(msg));
  EXPECT_TRUE(pub.verify(msg, sig));
  EXPECT_FALSE(pub.verify(bytes("other"), sig));
  sig.back() ^= 1;
  EXPECT_FALSE(pub.verify(msg, sig));
}

TEST(NetPeerId, MalformedIdsAndKeysAreRefused) {
  EXPECT_THROW(PeerId::parse(""), FormatError);
  EXPECT_THROW(PeerId::parse("0OIl"), FormatError);       // not base58
  EXPECT_THROW(PeerId::parse("16Uiu2HAm"), FormatError);  // truncated
  EXPECT_THROW(PeerId::parse(std::string(200, '1')), FormatError);
  EXPECT_THROW(PublicKey::from_protobuf(bytes("\x08\x00\x12\x01x")), ProtocolError);  // RSA
  std::vector<uint8_t> bad_point = {0x08, 0x02, 0x12, 0x21, 0x02};
  bad_point.resize(37, 0xff);
  EXPECT_THROW(PublicKey::from_protobuf(bad_point), ProtocolError);
  std::vector<uint8_t> short_len = {0x08, 0x02, 0x12, 0x30, 0x02};
  EXPECT_THROW(PublicKey::from_protobuf(short_len), ProtocolError);
}

}  // namespace
}  // namespace codex::net
