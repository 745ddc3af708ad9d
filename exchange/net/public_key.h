#pragma once
// A peer's libp2p public key (crypto.proto `PublicKey`: field 1 KeyType,
// field 2 key bytes) and signature verification with it. Our nodes use
// secp256k1; Ed25519 is accepted from other peers (js-libp2p's default).
// RSA and ECDSA keys are refused.
//
// A plain value; thread-safe.
#include <cstdint>
#include <span>
#include <vector>

namespace codex::net {

class PublicKey {
 public:
  enum class Type : uint8_t { Ed25519 = 1, Secp256k1 = 2 };

  // Parses the protobuf (deterministic encoding: field 1, then field 2).
  // Throws ProtocolError when malformed, of an unsupported type, or not a
  // valid key (a secp256k1 point off the curve, an Ed25519 key not 32 bytes).
  static PublicKey from_protobuf(std::span<const uint8_t> protobuf);
  // A compressed secp256k1 key (33 bytes). Throws ProtocolError if invalid.
  static PublicKey secp256k1(std::span<const uint8_t> compressed);

  Type type() const { return type_; }
  // The raw key: 33-byte compressed secp256k1 point or 32-byte Ed25519 key.
  const std::vector<uint8_t>& data() const { return data_; }
  std::vector<uint8_t> protobuf() const;

  // Whether `signature` signs `message` by libp2p's rule for the key type:
  // secp256k1 DER ECDSA over SHA-256(message) (low s), Ed25519 over message.
  bool verify(std::span<const uint8_t> message, std::span<const uint8_t> signature) const;

  friend bool operator==(const PublicKey&, const PublicKey&) = default;

 private:
  PublicKey(Type type, std::vector<uint8_t> data) : type_(type), data_(std::move(data)) {}
  Type type_;
  std::vector<uint8_t> data_;
};

}  // namespace codex::net
