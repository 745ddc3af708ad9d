#pragma once
// A libp2p signed envelope (RFC 0002): a payload, its type, the signer's
// public key and a signature over
//   varint(len) ‖ domain ‖ varint(len) ‖ payload_type ‖ varint(len) ‖ payload.
// The domain string separates record kinds: it is signed, never sent, so the
// reader must name the domain (and payload type) it expects.
//
// A plain value; thread-safe.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "exchange/net/node_key.h"
#include "exchange/net/peer_id.h"
#include "exchange/net/public_key.h"

namespace codex::net {

class Envelope {
 public:
  // Our own records are a few hundred bytes; peers' are refused beyond this.
  static constexpr size_t kMaxSize = 4096;

  // Signs `payload` with our node key.
  static Envelope seal(const NodeKey& key, std::string_view domain,
                       std::span<const uint8_t> payload_type, std::span<const uint8_t> payload);
  // Parses the protobuf and checks the signature under `domain` and that the
  // payload type is `payload_type`. Throws ProtocolError (a FormatError)
  // saying what is wrong: oversized, malformed, missing field, bad key,
  // other payload type, signature that does not verify.
  static Envelope open(std::span<const uint8_t> bytes, std::string_view domain,
                       std::span<const uint8_t> payload_type);

  const PublicKey& public_key() const { return public_key_; }
  PeerId signer() const { return PeerId::from_public_key(public_key_); }
  const std::vector<uint8_t>& payload_type() const { return payload_type_; }
  const std::vector<uint8_t>& payload() const { return payload_; }
  const std::vector<uint8_t>& signature() const { return signature_; }

  // The protobuf: fields 1, 2, 3, 5 in order (as js-libp2p and nim-libp2p).
  std::vector<uint8_t> encode() const;

  friend bool operator==(const Envelope&, const Envelope&) = default;

 private:
  Envelope(PublicKey key, std::vector<uint8_t> type, std::vector<uint8_t> payload,
           std::vector<uint8_t> signature)
      : public_key_(std::move(key)),
        payload_type_(std::move(type)),
        payload_(std::move(payload)),
        signature_(std::move(signature)) {}

  PublicKey public_key_;
  std::vector<uint8_t> payload_type_;
  std::vector<uint8_t> payload_;
  std::vector<uint8_t> signature_;
};

// The bytes an envelope's signature covers.
std::vector<uint8_t> envelope_signed_bytes(std::string_view domain,
                                           std::span<const uint8_t> payload_type,
                                           std::span<const uint8_t> payload);

}  // namespace codex::net
