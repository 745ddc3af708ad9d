// The noise secure channel: the Noise state machine against the cacophony
// test vectors (an independent implementation), then the libp2p handshake
// and the encrypted stream over real Unix socket pairs, honest and hostile.
#include <gtest/gtest.h>
#include <sodium.h>

#include <asio/experimental/awaitable_operators.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "exchange/net/error.h"
#include "exchange/net/node_key.h"
#include "exchange/net/noise/cipher_state.h"
#include "exchange/net/noise/handshake_payload.h"
#include "exchange/net/noise/handshake_state.h"
#include "exchange/net/noise/noise_stream.h"
#include "exchange/net/noise/noise_upgrade.h"
#include "exchange/net/socket_stream.h"
#include "exchange/net/stream_io.h"
#include "tests/exchange/support/net_io.h"
#include "tests/support/temp_dir.h"

namespace codex::net {
namespace {

using namespace std::chrono_literals;
using noise::CipherState;
using noise::DhKeyPair;
using noise::HandshakeState;
using noise::Role;
using testing::IoRunner;

constexpr auto kTimeout = std::chrono::milliseconds(5000);

std::vector<uint8_t> unhex(const std::string& hex) {
  std::vector<uint8_t> out(hex.size() / 2);
  size_t len = 0;
  if (sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &len, nullptr) != 0 ||
      len != out.size())
    throw std::invalid_argument("bad hex in test vector: " + hex);
  return out;
}

std::string hex(std::span<const uint8_t> bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes.data(), bytes.size());
  out.pop_back();
  return out;
}

std::vector<uint8_t> bytes(std::string_view s) {
  return {s.begin(), s.end()};
}

std::vector<uint8_t> pattern(size_t n, uint32_t seed) {
  std::vector<uint8_t> out(n);
  uint32_t x = seed;
  for (auto& b : out) {
    x = x * 1664525u + 1013904223u;
    b = uint8_t(x >> 24);
  }
  return out;
}

DhKeyPair key_pair(const std::string& secret_hex) {
  const auto secret = unhex(secret_hex);
  return DhKeyPair::from_secret(std::span<const uint8_t, 32>(secret.data(), 32));
}

// ---------------------------------------------------------------------------
// The Noise state machine against the cacophony vectors.

TEST(NetNoiseVectors, CacophonyXX25519ChaChaPolySha256) {
  std::ifstream in(CODEX_SOURCE_DIR
                   "/tests/data/noise/cacophony_Noise_XX_25519_ChaChaPoly_SHA256.json");
  ASSERT_TRUE(in) << "missing test vector file";
  const auto v = nlohmann::json::parse(in);
  const auto str = [](const nlohmann::json& j) { return j.get<std::string>(); };
  ASSERT_EQ(str(v["protocol_name"]), noise::kNoiseXXProtocolName);
  const auto init_prologue = unhex(str(v["init_prologue"]));
  const auto resp_prologue = unhex(str(v["resp_prologue"]));
  HandshakeState init(Role::Initiator, init_prologue, key_pair(str(v["init_static"])),
                      key_pair(str(v["init_ephemeral"])));
  HandshakeState resp(Role::Responder, resp_prologue, key_pair(str(v["resp_static"])),
                      key_pair(str(v["resp_ephemeral"])));

  const auto& messages = v["messages"];
  ASSERT_EQ(messages.size(), 6u);
  for (size_t i = 0; i < 3; ++i) {
    HandshakeState& sender = i % 2 == 0 ? init : resp;
    HandshakeState& receiver = i % 2 == 0 ? resp : init;
    const auto payload = unhex(str(messages[i]["payload"]));
    const auto wire = sender.write_message(payload);
    EXPECT_EQ(hex(wire), str(messages[i]["ciphertext"])) << "handshake message " << i;
    EXPECT_EQ(receiver.read_message(wire), payload) << "handshake message " << i;
  }
  ASSERT_TRUE(init.finished() && resp.finished());
  EXPECT_EQ(init.handshake_hash(), resp.handshake_hash());
  EXPECT_EQ(hex(init.handshake_hash()), str(v["handshake_hash"]));
  EXPECT_EQ(*init.remote_static(), resp.local_static());
  EXPECT_EQ(*resp.remote_static(), init.local_static());

  auto ic = init.split();
  auto rc = resp.split();
  for (size_t i = 3; i < messages.size(); ++i) {
    CipherState& send = i % 2 == 0 ? ic.send : rc.send;
    CipherState& receive = i % 2 == 0 ? rc.receive : ic.receive;
    const auto payload = unhex(str(messages[i]["payload"]));
    const std::vector<uint8_t> no_ad;
    const auto wire = send.encrypt_with_ad(no_ad, payload);
    EXPECT_EQ(hex(wire), str(messages[i]["ciphertext"])) << "transport message " << i;
    EXPECT_EQ(receive.decrypt_with_ad(no_ad, wire), payload) << "transport message " << i;
  }
}

TEST(NetNoiseCipher, NonceNeverWrapsAndBadTagsLeaveTheNonce) {
  std::array<uint8_t, 32> key{};
  key[0] = 1;
  CipherState a, b;
  a.initialize_key(key);
  b.initialize_key(key);
  const std::vector<uint8_t> ad;
  auto c = a.encrypt_with_ad(ad, bytes("hello"));
  c[2] ^= 0x40;
  EXPECT_THROW(b.decrypt_with_ad(ad, c), ProtocolError);
  EXPECT_EQ(b.nonce(), 0u);
  c[2] ^= 0x40;
  EXPECT_EQ(b.decrypt_with_ad(ad, c), bytes("hello"));
  EXPECT_EQ(b.nonce(), 1u);
  EXPECT_THROW(b.decrypt_with_ad(ad, bytes("short")), ProtocolError);

  a.set_nonce(CipherState::kMaxNonce - 1);
  (void)a.encrypt_with_ad(ad, bytes("last"));
  EXPECT_THROW(a.encrypt_with_ad(ad, bytes("one too many")), NetError);
  b.set_nonce(CipherState::kMaxNonce);
  EXPECT_THROW(b.decrypt_with_ad(ad, c), NetError);
}

TEST(NetNoiseHandshakeState, LowOrderKeysShortMessagesAndTurnsAreRefused) {
  // A responder given the all-zero point as the initiator's e: ee is zero.
  HandshakeState resp(Role::Responder, {}, DhKeyPair::generate());
  EXPECT_EQ(resp.read_message(std::vector<uint8_t>(32, 0)), std::vector<uint8_t>{});
  EXPECT_THROW(resp.write_message({}), ProtocolError);

  HandshakeState short_first(Role::Responder, {}, DhKeyPair::generate());
  EXPECT_THROW(short_first.read_message(std::vector<uint8_t>(31, 7)), ProtocolError);

  HandshakeState init(Role::Initiator, {}, DhKeyPair::generate());
  EXPECT_THROW(init.read_message(std::vector<uint8_t>(32, 7)), std::logic_error);
  (void)init.write_message({});
  EXPECT_THROW(init.write_message({}), std::logic_error);
  // Message 1 needs e (32), s (48) and a payload tag (16).
  EXPECT_THROW(init.read_message(pattern(95, 1)), ProtocolError);
  EXPECT_THROW(init.read_message(pattern(96, 1)), std::logic_error);  // spent
}

// ---------------------------------------------------------------------------
// The libp2p handshake and the encrypted stream.

struct Keys {
  ::codex::testing::TempDir dir{"codex-noise"};
  NodeKey a = NodeKey::load_or_create(dir / "a.key");
  NodeKey b = NodeKey::load_or_create(dir / "b.key");
};

// What a TapStream does; owned by the test, as the stream goes with the connection.
struct Tap {
  std::optional<size_t> flip_at;  // flip one bit of the next write at this offset
  bool record = false;
  std::vector<uint8_t> written;
};

// A Stream in the middle of a real one: records what is written, and
// tampers with a write when told to.
class TapStream final : public Stream {
 public:
  TapStream(std::unique_ptr<Stream> inner, Tap& tap) : inner_(std::move(inner)), tap_(tap) {}
  asio::awaitable<size_t> read_some(std::span<uint8_t> buf) override {
    co_return co_await inner_->read_some(buf);
  }
  asio::awaitable<void> write(std::span<const uint8_t> data) override {
    std::vector<uint8_t> copy(data.begin(), data.end());
    if (tap_.flip_at && *tap_.flip_at < copy.size()) {
      copy[*tap_.flip_at] ^= 0x01;
      tap_.flip_at.reset();
    }
    if (tap_.record) tap_.written.insert(tap_.written.end(), copy.begin(), copy.end());
    co_await inner_->write(copy);
  }
  asio::awaitable<void> close_write() override { co_await inner_->close_write(); }
  void reset() noexcept override { inner_->reset(); }

 private:
  std::unique_ptr<Stream> inner_;
  Tap& tap_;
};

noise::Identity ed25519_identity(std::vector<uint8_t>& secret) {
  std::vector<uint8_t> pk(crypto_sign_PUBLICKEYBYTES);
  secret.resize(crypto_sign_SECRETKEYBYTES);
  crypto_sign_keypair(pk.data(), secret.data());
  std::vector<uint8_t> pb = {0x08, 0x01, 0x12, 0x20};
  pb.insert(pb.end(), pk.begin(), pk.end());
  return noise::Identity{pb, [&secret](std::span<const uint8_t> message) {
                           std::vector<uint8_t> sig(crypto_sign_BYTES);
                           crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(),
                                                secret.data());
                           return sig;
                         }};
}

asio::awaitable<void> send_all(Stream& s, const std::vector<uint8_t>& data, size_t chunk) {
  for (size_t off = 0; off < data.size(); off += chunk)
    co_await s.write(std::span(data).subspan(off, std::min(chunk, data.size() - off)));
  co_await s.close_write();
}

asio::awaitable<std::vector<uint8_t>> read_all(Stream& s) {
  std::vector<uint8_t> got, buf(50000);  // not a multiple of the frame size
  for (;;) {
    const size_t n = co_await s.read_some(buf);
    if (n == 0) co_return got;
    got.insert(got.end(), buf.begin(), buf.begin() + n);
  }
}

// The peer id a handshake reached (futures need a default-constructible value).
asio::awaitable<std::string> remote_of(asio::awaitable<SecuredConnection> handshake) {
  SecuredConnection conn = co_await std::move(handshake);
  co_return conn.remote.to_string();
}

struct Exchanged {
  std::string remote;
  std::vector<uint8_t> received;
};

// One side: the handshake, then sending `data` in `chunk`-byte writes (and
// end of stream) while reading everything the other side sends.
asio::awaitable<Exchanged> secure_and_exchange(asio::awaitable<SecuredConnection> handshake,
                                               std::vector<uint8_t> data, size_t chunk) {
  using namespace asio::experimental::awaitable_operators;
  SecuredConnection conn = co_await std::move(handshake);
  Exchanged out;
  out.remote = conn.remote.to_string();
  out.received = co_await (send_all(*conn.stream, data, chunk) && read_all(*conn.stream));
  co_return out;
}

TEST(NetNoise, NodesAuthenticateEachOtherAndExchangeDataBothWays) {
  Keys k;
  IoRunner r;
  auto [a, b] = local_stream_pair(r.executor());
  const auto from_a = pattern(1 << 20, 1);        // 1 MiB writes
  const auto from_b = pattern(3 * 65519 + 7, 2);  // frame-sized pieces and a remainder
  auto dialer = r.spawn(
      secure_and_exchange(noise_outbound(std::move(a), k.a, k.b.id(), kTimeout), from_a, 1 << 20));
  auto listener =
      r.spawn(secure_and_exchange(noise_inbound(std::move(b), k.b, kTimeout), from_b, 65519));
  r.run();
  const auto d = dialer.get();
  const auto l = listener.get();
  EXPECT_EQ(d.remote, k.b.peer_id());
  EXPECT_EQ(l.remote, k.a.peer_id());
  EXPECT_EQ(l.received, from_a);
  EXPECT_EQ(d.received, from_b);
}

TEST(NetNoise, TransportFramesFollowTheWireFormat) {
  Keys k;
  IoRunner r;
  auto [a, b] = local_stream_pair(r.executor());
  Tap t;
  auto tap = std::make_unique<TapStream>(std::move(a), t);
  const auto data = pattern(2 * 65519 + 100, 3);
  auto dialer = r.spawn([](std::unique_ptr<Stream> raw, const NodeKey& key, Tap& t,
                           const std::vector<uint8_t>& data) -> asio::awaitable<void> {
    auto conn = co_await noise_outbound(std::move(raw), key, std::nullopt, kTimeout);
    t.record = true;
    co_await conn.stream->write(data);
    co_await conn.stream->close_write();
  }(std::move(tap), k.a, t, data));
  auto listener = r.spawn(
      [](std::unique_ptr<Stream> raw, const NodeKey& key) -> asio::awaitable<std::vector<uint8_t>> {
        auto conn = co_await noise_inbound(std::move(raw), key, kTimeout);
        co_return co_await read_all(*conn.stream);
      }(std::move(b), k.b));
  r.run();
  dialer.get();
  EXPECT_EQ(listener.get(), data);
  // 2-byte big-endian lengths; full frames are 65535 bytes of ciphertext.
  std::vector<size_t> frames;
  for (size_t off = 0; off + 2 <= t.written.size();) {
    const size_t len = size_t(t.written[off]) << 8 | t.written[off + 1];
    frames.push_back(len);
    off += 2 + len;
  }
  EXPECT_EQ(frames, (std::vector<size_t>{65535, 65535, 116}));
  EXPECT_EQ(t.written.size(), 3 * 2 + 65535 * 2 + 116u);
}

TEST(NetNoise, Ed25519IdentityIsAccepted) {
  ASSERT_GE(sodium_init(), 0);
  Keys k;
  std::vector<uint8_t> secret;
  const noise::Identity ed = ed25519_identity(secret);
  const PeerId ed_id = PeerId::from_public_key(PublicKey::from_protobuf(ed.public_key_protobuf));
  IoRunner r;
  auto [a, b] = local_stream_pair(r.executor());
  auto dialer = r.spawn(
      secure_and_exchange(noise_outbound(std::move(a), k.a, ed_id, kTimeout), bytes("ping"), 4));
  auto listener = r.spawn(secure_and_exchange(
      noise::handshake(std::move(b), Role::Responder, ed, std::nullopt, kTimeout), bytes("pong"),
      4));
  r.run();
  const auto d = dialer.get();
  const auto l = listener.get();
  EXPECT_EQ(d.remote.substr(0, 7), "12D3Koo");
  EXPECT_EQ(d.remote, ed_id.to_string());
  EXPECT_EQ(l.remote, k.a.peer_id());
  EXPECT_EQ(d.received, bytes("pong"));
  EXPECT_EQ(l.received, bytes("ping"));
}

TEST(NetNoise, WrongExpectedPeerIsRefusedBeforeTheDialerIdentifies) {
  Keys k;
  IoRunner r;
  auto [a, b] = local_stream_pair(r.executor());
  // The dialer expects itself; it reaches b.
  auto dialer = r.spawn(remote_of(noise_outbound(std::move(a), k.a, k.a.id(), kTimeout)));
  auto listener = r.spawn(remote_of(noise_inbound(std::move(b), k.b, kTimeout)));
  r.run();
  try {
    dialer.get();
    FAIL() << "the dialer accepted the wrong peer";
  } catch (const ProtocolError& e) {
    EXPECT_NE(std::string(e.what()).find(k.b.peer_id()), std::string::npos) << e.what();
  }
  EXPECT_THROW(listener.get(), NetError);  // the dialer reset the stream
}

TEST(NetNoise, BadSignatureAndUnsupportedKeyTypeAreRefused) {
  Keys k;
  struct Case {
    std::string name;
    noise::Identity identity;
  };
  std::vector<Case> cases;
  // b's key, a's signature.
  cases.push_back({"signature by another key",
                   noise::Identity{k.b.public_key_protobuf(),
                                   [&k](std::span<const uint8_t> m) { return k.a.sign(m); }}});
  // A signature of something else than the static key.
  cases.push_back({"signature of the wrong message",
                   noise::Identity{k.b.public_key_protobuf(), [&k](std::span<const uint8_t> m) {
                                     std::vector<uint8_t> other(m.begin(), m.end());
                                     other.back() ^= 1;
                                     return k.b.sign(other);
                                   }}});
  // An RSA key (type 0): unsupported.
  std::vector<uint8_t> rsa = {0x08, 0x00, 0x12, 0x04, 1, 2, 3, 4};
  cases.push_back({"RSA key", noise::Identity{rsa, [](std::span<const uint8_t>) {
                                                return std::vector<uint8_t>(64, 1);
                                              }}});
  cases.push_back({"no key", noise::Identity{{}, [](std::span<const uint8_t>) {
                                               return std::vector<uint8_t>{};
                                             }}});
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    IoRunner r;
    auto [a, b] = local_stream_pair(r.executor());
    auto dialer = r.spawn(remote_of(noise_outbound(std::move(a), k.a, std::nullopt, kTimeout)));
    auto listener = r.spawn(remote_of(
        noise::handshake(std::move(b), Role::Responder, c.identity, std::nullopt, kTimeout)));
    r.run();
    EXPECT_THROW(dialer.get(), ProtocolError);
    EXPECT_THROW(listener.get(), NetError);
  }
}

TEST(NetNoise, FlippedCiphertextByteBreaksTheStream) {
  Keys k;
  IoRunner r;
  auto [a, b] = local_stream_pair(r.executor());
  Tap t;
  auto tap = std::make_unique<TapStream>(std::move(a), t);
  auto dialer =
      r.spawn([](std::unique_ptr<Stream> raw, const NodeKey& key, Tap& t) -> asio::awaitable<void> {
        auto conn = co_await noise_outbound(std::move(raw), key, std::nullopt, kTimeout);
        co_await conn.stream->write(bytes("first, intact"));
        t.flip_at = 2 + 5;  // inside the second frame's ciphertext
        co_await conn.stream->write(bytes("second, tampered"));
        t.flip_at.reset();
        co_await conn.stream->write(bytes("third, intact but after"));
        co_await conn.stream->close_write();
      }(std::move(tap), k.a, t));
  auto listener =
      r.spawn([](std::unique_ptr<Stream> raw, const NodeKey& key) -> asio::awaitable<std::string> {
        auto conn = co_await noise_inbound(std::move(raw), key, kTimeout);
        std::vector<uint8_t> buf(100);
        const size_t n = co_await conn.stream->read_some(buf);
        std::string first(buf.begin(), buf.begin() + n);
        try {
          (void)co_await conn.stream->read_some(buf);
          co_return "second read delivered data";
        } catch (const ProtocolError&) {
        }
        try {
          (void)co_await conn.stream->read_some(buf);
          co_return "third read delivered data";
        } catch (const ProtocolError&) {
        }
        co_return first;
      }(std::move(b), k.b));
  r.run();
  EXPECT_EQ(listener.get(), "first, intact");
  try {
    dialer.get();  // may or may not see the reset, depending on timing
  } catch (const NetError&) {
  }
}

// A hostile or broken peer speaking raw bytes to our side of the handshake.
struct RawPeerCase {
  std::string name;
  bool we_dial;               // our side is the initiator
  std::vector<uint8_t> wire;  // what the peer sends
  bool read_first_message;    // the peer reads our message 0 first
  bool close_after;           // then ends its writing half
  bool protocol_error;        // else NetError
};

TEST(NetNoise, HostileOrTruncatedHandshakesFail) {
  Keys k;
  std::vector<RawPeerCase> cases;
  cases.push_back({"truncated message 0 (frame cut short)",
                   false,
                   {0x00, 0x20, 1, 2, 3, 4, 5},
                   false,
                   true,
                   false});
  cases.push_back({"truncated frame header", false, {0x00}, false, true, false});
  cases.push_back({"message 0 shorter than a key",
                   false,
                   {0x00, 0x05, 'h', 'e', 'l', 'l', 'o'},
                   false,
                   true,
                   true});
  std::vector<uint8_t> oversized = {0xff, 0xff};
  cases.push_back({"oversized message", false, oversized, false, false, true});
  // One byte over the limit, body never sent: refused on the length alone.
  const size_t over = noise::kMaxHandshakeMessageSize + 1;
  std::vector<uint8_t> just_over = {uint8_t(over >> 8), uint8_t(over)};
  cases.push_back({"message one byte over the limit", false, just_over, false, false, true});
  std::vector<uint8_t> garbage2 = {0x00, 0xc8};
  const auto g = pattern(200, 9);
  garbage2.insert(garbage2.end(), g.begin(), g.end());
  cases.push_back({"garbage message 1 to the dialer", true, garbage2, true, false, true});
  std::vector<uint8_t> zero_key = {0x00, 0x20};
  zero_key.resize(34, 0);
  cases.push_back({"all-zero ephemeral key", false, zero_key, false, false, true});
  cases.push_back({"peer ends before message 1", true, {}, true, true, false});
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    IoRunner r;
    auto [ours, theirs] = local_stream_pair(r.executor());
    auto peer = r.spawn([](Stream& s, RawPeerCase c) -> asio::awaitable<void> {
      if (c.read_first_message) {
        std::vector<uint8_t> m0(2 + 32);
        co_await read_exact(s, m0);
      }
      if (!c.wire.empty()) co_await s.write(c.wire);
      if (c.close_after) co_await s.close_write();
      // Hold the stream open until our side gives up.
      std::vector<uint8_t> buf(256);
      try {
        while (co_await s.read_some(buf) > 0) {
        }
      } catch (const NetError&) {
      }
    }(*theirs, c));
    auto us = c.we_dial
                  ? r.spawn(remote_of(noise_outbound(std::move(ours), k.a, std::nullopt, kTimeout)))
                  : r.spawn(remote_of(noise_inbound(std::move(ours), k.a, kTimeout)));
    const auto start = std::chrono::steady_clock::now();
    r.run();
    peer.get();
    if (c.protocol_error) {
      EXPECT_THROW(us.get(), ProtocolError);
    } else {
      try {
        us.get();
        ADD_FAILURE() << "the handshake succeeded";
      } catch (const ProtocolError& e) {
        ADD_FAILURE() << "ProtocolError, expected NetError: " << e.what();
      } catch (const NetError&) {
      }
    }
    // Failures are immediate, not the time-out.
    EXPECT_LT(std::chrono::steady_clock::now() - start, kTimeout / 2);
  }
}

TEST(NetNoise, SilentPeerTimesOut) {
  Keys k;
  for (const bool we_dial : {false, true}) {
    SCOPED_TRACE(we_dial ? "dialer" : "listener");
    IoRunner r;
    auto [ours, theirs] = local_stream_pair(r.executor());
    const auto timeout = std::chrono::milliseconds(300);
    auto us = we_dial
                  ? r.spawn(remote_of(noise_outbound(std::move(ours), k.a, std::nullopt, timeout)))
                  : r.spawn(remote_of(noise_inbound(std::move(ours), k.a, timeout)));
    const auto start = std::chrono::steady_clock::now();
    r.run();
    const auto elapsed = std::chrono::steady_clock::now() - start;
    try {
      us.get();
      ADD_FAILURE() << "the handshake succeeded";
    } catch (const NetError& e) {
      EXPECT_NE(std::string(e.what()).find("did not finish"), std::string::npos) << e.what();
    }
    EXPECT_GE(elapsed, timeout);
    EXPECT_LT(elapsed, timeout + 3s);
    // Our side reset the stream: the silent peer sees it end.
    r.io().restart();
    auto seen = r.spawn([](Stream& s) -> asio::awaitable<bool> {
      std::vector<uint8_t> buf(64);
      try {
        while (co_await s.read_some(buf) > 0) {
        }
      } catch (const NetError&) {
      }
      co_return true;
    }(*theirs));
    r.run(5s);
    EXPECT_TRUE(seen.get());
  }
}

// Transport frames written by hand with the peer's cipher, read through a
// NoiseStream: empty frames are skipped, end of stream is clean only between
// frames, a frame shorter than a tag is a protocol error.
TEST(NetNoiseStream, FramesEmptyTruncatedAndShort) {
  struct Case {
    std::string name;
    std::vector<std::string> frames;  // plaintexts, sealed in order
    std::vector<uint8_t> tail;        // raw bytes after them, then end of stream
    std::string expect;               // what is read before the end or the error
    int outcome;                      // 0 clean end, 1 NetError, 2 ProtocolError
  };
  std::vector<Case> cases;
  cases.push_back({"empty frames are skipped", {"", "abc", "", "de"}, {}, "abcde", 0});
  cases.push_back({"end inside a length", {"abc"}, {0x00}, "abc", 1});
  cases.push_back({"end inside a frame", {"abc"}, {0x00, 0x20, 1, 2, 3}, "abc", 1});
  cases.push_back({"frame shorter than a tag", {"abc"}, {0x00, 0x05, 1, 2, 3, 4, 5}, "abc", 2});
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    // The transport ciphers of an in-memory handshake.
    HandshakeState init(Role::Initiator, {}, DhKeyPair::generate());
    HandshakeState resp(Role::Responder, {}, DhKeyPair::generate());
    (void)resp.read_message(init.write_message({}));
    (void)init.read_message(resp.write_message({}));
    (void)resp.read_message(init.write_message({}));
    auto peer = resp.split();
    IoRunner r;
    auto [a, b] = local_stream_pair(r.executor());
    std::vector<uint8_t> wire;
    for (const auto& f : c.frames) {
      const auto sealed = peer.send.encrypt_with_ad({}, bytes(f));
      wire.push_back(uint8_t(sealed.size() >> 8));
      wire.push_back(uint8_t(sealed.size()));
      wire.insert(wire.end(), sealed.begin(), sealed.end());
    }
    wire.insert(wire.end(), c.tail.begin(), c.tail.end());
    auto writer = r.spawn([](Stream& s, std::vector<uint8_t> wire) -> asio::awaitable<void> {
      co_await s.write(wire);
      co_await s.close_write();
    }(*b, wire));
    noise::NoiseStream ours(std::move(a), init.split());
    int outcome = 0;
    std::string got;
    auto reader = r.spawn([](Stream& s, std::string& got, int& outcome) -> asio::awaitable<void> {
      std::vector<uint8_t> buf(2);  // small reads: frames are delivered in pieces
      try {
        for (;;) {
          const size_t n = co_await s.read_some(buf);
          if (n == 0) break;
          got.append(buf.begin(), buf.begin() + n);
        }
      } catch (const ProtocolError&) {
        outcome = 2;
      } catch (const NetError&) {
        outcome = 1;
      }
    }(ours, got, outcome));
    r.run();
    writer.get();
    reader.get();
    EXPECT_EQ(got, c.expect);
    EXPECT_EQ(outcome, c.outcome);
  }
}

TEST(NetNoisePayload, RoundTripsAndSkipsExtensions) {
  noise::HandshakePayload p;
  p.identity_key = bytes("key");
  p.identity_sig = bytes("sig");
  auto wire = p.encode();
  EXPECT_EQ(wire, (std::vector<uint8_t>{0x0a, 3, 'k', 'e', 'y', 0x12, 3, 's', 'i', 'g'}));
  // Extensions (field 4: stream muxers, cert hashes) and an unknown field.
  const std::vector<uint8_t> ext = {0x22, 0x0e, 0x12, 0x0c, '/', 'y', 'a', 'm',  'u',
                                    'x',  '/',  '1',  '.',  '0', '.', '0', 0x18, 0x07};
  wire.insert(wire.end(), ext.begin(), ext.end());
  const auto q = noise::HandshakePayload::parse(wire);
  EXPECT_EQ(q.identity_key, p.identity_key);
  EXPECT_EQ(q.identity_sig, p.identity_sig);
  EXPECT_THROW(noise::HandshakePayload::parse(std::vector<uint8_t>{0x0a, 0x05, 'x'}),
               ProtocolError);
  EXPECT_THROW(
      noise::HandshakePayload::parse(std::vector<uint8_t>(noise::kMaxHandshakePayloadSize + 1)),
      ProtocolError);
}

}  // namespace
}  // namespace codex::net
