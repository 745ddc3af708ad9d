#pragma once
// The libp2p payload of noise handshake messages 1 (responder) and 2
// (initiator): the sender's identity key (the libp2p PublicKey protobuf) and
// its signature of "noise-libp2p-static-key:" ‖ the sender's X25519 static
// key, which binds the noise session to the peer id.
//
// Plain values and pure functions; thread-safe.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "exchange/net/noise/dh_key.h"
#include "exchange/net/peer_id.h"

namespace codex::net::noise {

inline constexpr char kStaticKeySignaturePrefix[] = "noise-libp2p-static-key:";
// Identity keys and signatures are tens of bytes (RSA, which we refuse, a
// few hundred); extensions a few names and hashes. A larger payload is hostile.
inline constexpr size_t kMaxHandshakePayloadSize = 4096;

struct HandshakePayload {
  std::vector<uint8_t> identity_key;  // PublicKey protobuf
  std::vector<uint8_t> identity_sig;
  // Extensions (stream muxers, WebTransport cert hashes) are parsed and
  // ignored; we send none.

  std::vector<uint8_t> encode() const;
  // Throws ProtocolError when larger than kMaxHandshakePayloadSize or not a
  // NoiseHandshakePayload protobuf.
  static HandshakePayload parse(std::span<const uint8_t> bytes);
};

// "noise-libp2p-static-key:" ‖ static_key: what the identity key signs.
std::vector<uint8_t> static_key_signature_message(const DhPublicKey& static_key);

// Checks a received payload against the sender's X25519 static key and
// returns the sender's peer id. Throws ProtocolError when the identity key is
// malformed or of an unsupported type, or the signature does not verify.
PeerId verify_handshake_payload(const HandshakePayload& payload, const DhPublicKey& static_key);

}  // namespace codex::net::noise
