// Signed envelopes and peer records: byte-exact against js-libp2p's
// @libp2p/peer-record 9.0.16 (same key, same deterministic signature), the
// reference's "spr:" URI form, and every refusal: tampering, another domain
// or payload type, a record naming another peer, truncation, oversize.
#include "exchange/net/peer_record.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/hex.h"
#include "exchange/net/envelope.h"
#include "exchange/net/error.h"
#include "tests/exchange/support/libp2p_vectors.h"

namespace codex::net {
namespace {

using testing::hex_bytes;
using testing::libp2p_vectors;
using testing::vector_node_key;

std::vector<Multiaddr> addrs(const nlohmann::json& list) {
  std::vector<Multiaddr> out;
  for (const auto& a : list)
    out.push_back(Multiaddr::parse(a.get<std::string>()));
  return out;
}

// The ProtocolError message of `f`, or "accepted".
template <typename F>
std::string refusal(F&& f) {
  try {
    f();
  } catch (const ProtocolError& e) {
    return e.what();
  }
  return "accepted";
}

TEST(SignedPeerRecord, SealsTheSameBytesAsJsLibp2p) {
  codex::testing::TempDir dir;
  const NodeKey key = vector_node_key(dir);
  for (const char* name : {"secp256k1", "secp256k1_no_addresses"}) {
    SCOPED_TRACE(name);
    const auto& v = libp2p_vectors()["signed_peer_records"][name];
    ASSERT_EQ(key.peer_id(), v["peer_id"]);
    const auto spr = SignedPeerRecord::sign(key, std::stoull(v["seq"].get<std::string>()),
                                            addrs(v["addresses"]));
    EXPECT_EQ(base::to_hex(spr.record().encode(), false), v["payload"]);
    EXPECT_EQ(base::to_hex(spr.encode(), false), v["envelope"]);
    EXPECT_EQ(spr.to_uri(), v["uri"]);
  }
}

TEST(SignedPeerRecord, OpensJsLibp2pRecords) {
  for (const auto& [name, v] : libp2p_vectors()["signed_peer_records"].items()) {
    SCOPED_TRACE(name);
    const auto spr = SignedPeerRecord::open(hex_bytes(v["envelope"]));
    EXPECT_EQ(spr.peer_id().to_string(), v["peer_id"]);
    EXPECT_EQ(spr.record().seq, std::stoull(v["seq"].get<std::string>()));
    EXPECT_EQ(spr.record().addresses, addrs(v["addresses"]));
    EXPECT_EQ(base::to_hex(spr.envelope().public_key().protobuf(), false), v["public_key"]);
    EXPECT_EQ(base::to_hex(spr.encode(), false), v["envelope"]);
    const auto from_uri = SignedPeerRecord::from_uri(v["uri"].get<std::string>());
    EXPECT_EQ(from_uri.envelope(), spr.envelope());
  }
}

TEST(SignedPeerRecord, UriPadding) {
  const std::string uri = libp2p_vectors()["signed_peer_records"]["secp256k1"]["uri"];
  ASSERT_EQ(uri.find('='), std::string::npos);  // the reference writes no padding
  std::string padded = uri;
  while ((padded.size() - 4) % 4)
    padded += '=';
  ASSERT_NE(padded, uri);
  EXPECT_EQ(SignedPeerRecord::from_uri(padded).envelope(),
            SignedPeerRecord::from_uri(uri).envelope());
  EXPECT_NE(refusal([&] { SignedPeerRecord::from_uri(padded + "="); }).find("padding"),
            std::string::npos);
  EXPECT_NE(refusal([&] { SignedPeerRecord::from_uri(uri.substr(4)); }).find("spr:"),
            std::string::npos);
  std::string bad = uri;
  bad[10] = '+';  // the standard alphabet is not base64url
  EXPECT_NE(refusal([&] { SignedPeerRecord::from_uri(bad); }).find("base64url"), std::string::npos);
  EXPECT_THROW(SignedPeerRecord::from_uri("spr:"), ProtocolError);
  EXPECT_THROW(SignedPeerRecord::from_uri("spr:A"), ProtocolError);
  EXPECT_THROW(SignedPeerRecord::from_uri("spr:" + std::string(6000, 'A')), ProtocolError);
  // A truncated URI is truncated protobuf or a broken signature.
  EXPECT_THROW(SignedPeerRecord::from_uri(uri.substr(0, uri.size() - 8)), ProtocolError);
}

TEST(SignedPeerRecord, RefusesTamperingAndTruncation) {
  const auto good = hex_bytes(libp2p_vectors()["signed_peer_records"]["secp256k1"]["envelope"]);
  // Every proper prefix lacks the signature (the last field) or is malformed.
  for (size_t n = 0; n < good.size(); ++n)
    EXPECT_THROW(SignedPeerRecord::open(std::span(good).first(n)), ProtocolError) << n;
  // A changed byte anywhere: the key, the type, the payload or the signature.
  for (size_t i = 0; i < good.size(); ++i) {
    auto bad = good;
    bad[i] ^= 0x01;
    EXPECT_THROW(SignedPeerRecord::open(bad), FormatError) << i;
  }
  std::vector<uint8_t> oversized = good;
  oversized.resize(Envelope::kMaxSize + 1);
  EXPECT_NE(refusal([&] { SignedPeerRecord::open(oversized); }).find("exceed the limit"),
            std::string::npos);
  EXPECT_NE(refusal([&] {
              SignedPeerRecord::open(std::vector<uint8_t>{0xff, 0xff});
            }).find("malformed protobuf"),
            std::string::npos);
}

TEST(SignedPeerRecord, ChecksDomainTypeAndSigner) {
  codex::testing::TempDir dir;
  const NodeKey key = vector_node_key(dir);
  const NodeKey other = NodeKey::load_or_create(dir / "other");
  const std::vector<uint8_t> payload =
      PeerRecord{key.id(), 7, {Multiaddr::parse("/ip4/1.2.3.4/tcp/5")}}.encode();

  // Signed under another domain: the signature does not verify here.
  const auto wrong_domain =
      Envelope::seal(key, "libp2p-routing-state", PeerRecord::kPayloadType, payload).encode();
  EXPECT_NE(refusal([&] { SignedPeerRecord::open(wrong_domain); }).find("signature"),
            std::string::npos);
  const std::vector<uint8_t> type = {0x03, 0x02};
  const auto wrong_type = Envelope::seal(key, PeerRecord::kDomain, type, payload).encode();
  EXPECT_NE(refusal([&] { SignedPeerRecord::open(wrong_type); }).find("payload type 0302"),
            std::string::npos);
  // A valid envelope by `other` carrying `key`'s record.
  const auto foreign =
      Envelope::seal(other, PeerRecord::kDomain, PeerRecord::kPayloadType, payload).encode();
  EXPECT_NE(
      refusal([&] { SignedPeerRecord::open(foreign); }).find("is signed by " + other.peer_id()),
      std::string::npos);
  const auto mine =
      Envelope::seal(key, PeerRecord::kDomain, PeerRecord::kPayloadType, payload).encode();
  EXPECT_EQ(SignedPeerRecord::open(mine).record().seq, 7u);
  // The payload is not a peer record.
  const std::vector<uint8_t> junk = {0x0a, 0x02, 0x00};
  const auto not_a_record =
      Envelope::seal(key, PeerRecord::kDomain, PeerRecord::kPayloadType, junk).encode();
  EXPECT_NE(refusal([&] { SignedPeerRecord::open(not_a_record); }).find("signed peer record"),
            std::string::npos);
}

TEST(SignedPeerRecord, AddressLimitAndUnknownAddresses) {
  codex::testing::TempDir dir;
  const NodeKey key = vector_node_key(dir);
  std::vector<Multiaddr> many(PeerRecord::kMaxAddresses + 1,
                              Multiaddr::parse("/ip4/127.0.0.1/tcp/1"));
  EXPECT_THROW(SignedPeerRecord::sign(key, 1, many), FormatError);
  PeerRecord record{key.id(), 1, many};
  const auto too_many =
      Envelope::seal(key, PeerRecord::kDomain, PeerRecord::kPayloadType, record.encode()).encode();
  EXPECT_NE(refusal([&] { SignedPeerRecord::open(too_many); }).find("addresses exceed"),
            std::string::npos);
  many.pop_back();
  EXPECT_EQ(SignedPeerRecord::sign(key, 1, many).record().addresses.size(),
            PeerRecord::kMaxAddresses);

  // A record with an address we cannot read (an unknown protocol, 0x90 0x03
  // = code 400 is unix, not ours) keeps its other addresses.
  std::vector<uint8_t> payload = PeerRecord{key.id(), 3, {}}.encode();
  const std::vector<uint8_t> unknown = {0x1a, 0x06, 0x0a, 0x04, 0x90, 0x03, 0x01, 0x2f};
  payload.insert(payload.end(), unknown.begin(), unknown.end());
  const auto tcp = Multiaddr::parse("/ip4/127.0.0.1/tcp/9");
  const auto known = PeerRecord{key.id(), 3, {tcp}}.encode();
  payload.insert(payload.end(), known.begin() + (known.size() - tcp.bytes().size() - 4),
                 known.end());
  const auto env =
      Envelope::seal(key, PeerRecord::kDomain, PeerRecord::kPayloadType, payload).encode();
  const auto spr = SignedPeerRecord::open(env);
  ASSERT_EQ(spr.record().addresses.size(), 1u);
  EXPECT_EQ(spr.record().addresses[0], tcp);
  EXPECT_EQ(spr.envelope().payload(), payload);  // kept as signed
}

TEST(PeerRecord, DecodeErrors) {
  EXPECT_THROW(PeerRecord::decode(std::vector<uint8_t>{0x10, 0x05}), FormatError);  // no peer id
  EXPECT_THROW(PeerRecord::decode(std::vector<uint8_t>{0x0a, 0x01, 0x00}), FormatError);
  EXPECT_THROW(PeerRecord::decode(std::vector<uint8_t>{0x0a, 0x05}), FormatError);  // truncated
}

}  // namespace
}  // namespace codex::net
