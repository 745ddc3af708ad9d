#pragma once
// The libp2p noise secure channel (/noise): a Noise_XX_25519_ChaChaPoly_SHA256
// handshake with an empty prologue over a raw stream, each handshake message
// framed by a 2-byte big-endian length; the responder's message (1) and the
// initiator's (2) carry a signed HandshakePayload that binds each side's
// X25519 static key to its libp2p identity. multistream-select has agreed on
// "/noise" before these are called.
//
// A handshake that fails (malformed, oversized or undecryptable message, a
// bad signature, an unsupported key type, an unexpected peer) throws
// ProtocolError; one that does not finish within `timeout` (or whose stream
// ends or breaks) throws NetError. Either way the raw stream is reset first.
// A fresh X25519 static key is made per handshake; every secret is wiped.
//
// Run on the raw stream's executor.
#include <asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "exchange/net/node_key.h"
#include "exchange/net/noise/handshake_payload.h"
#include "exchange/net/noise/handshake_state.h"
#include "exchange/net/peer_id.h"
#include "exchange/net/secure_channel.h"
#include "exchange/net/stream.h"

namespace codex::net {

inline constexpr char kNoiseProtocolId[] = "/noise";

// Dialer side. `expected`: the peer id the dialer meant to reach (from
// /p2p/<id>); another peer at that address fails the handshake before the
// dialer sends its own identity.
asio::awaitable<SecuredConnection> noise_outbound(std::unique_ptr<Stream> raw, const NodeKey& key,
                                                  std::optional<PeerId> expected,
                                                  std::chrono::milliseconds timeout);

// Listener side.
asio::awaitable<SecuredConnection> noise_inbound(std::unique_ptr<Stream> raw, const NodeKey& key,
                                                 std::chrono::milliseconds timeout);

namespace noise {

// A handshake message is at most e, an encrypted s and an encrypted payload.
inline constexpr size_t kMaxHandshakeMessageSize =
    kMaxHandshakePayloadSize + 2 * kDhSize + 2 * CipherState::kTagSize;

// Who signs the handshake: the node key, or (tests, and key types NodeKey
// does not hold) any libp2p identity. `sign` follows libp2p's signing rule
// for the key type of `public_key_protobuf`.
struct Identity {
  std::vector<uint8_t> public_key_protobuf;
  std::function<std::vector<uint8_t>(std::span<const uint8_t>)> sign;

  // Refers to `key`, which must outlive the Identity.
  static Identity of(const NodeKey& key);
};

// Both sides of the handshake; noise_outbound/inbound call it.
asio::awaitable<SecuredConnection> handshake(std::unique_ptr<Stream> raw, Role role,
                                             const Identity& identity,
                                             std::optional<PeerId> expected,
                                             std::chrono::milliseconds timeout);

}  // namespace noise
}  // namespace codex::net
