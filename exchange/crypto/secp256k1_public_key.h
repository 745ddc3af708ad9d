#pragma once
// secp256k1 public keys (SEC1 encodings), ECDSA verification and public key
// recovery. Signing lives with the secret, in secp256k1_key.h.
//
// Digests are 32 bytes: the caller hashes (keccak-256 for Ethereum, SHA-256
// for libp2p). Verification accepts only low-s signatures, as libsecp256k1
// signs them (Ethereum's EIP-2 rule).
//
// Plain values; all functions are thread-safe.
#include <array>
#include <cstdint>
#include <span>

namespace codex::crypto {

using Digest = std::span<const uint8_t, 32>;

// A recoverable ECDSA signature: r and s (32-byte big-endian each, s low) and
// the recovery id (0 or 1 from signing; 0..3 accepted by recovery).
struct RecoverableSignature {
  std::array<uint8_t, 32> r{};
  std::array<uint8_t, 32> s{};
  uint8_t recovery_id = 0;
  friend bool operator==(const RecoverableSignature&, const RecoverableSignature&) = default;
};

class Secp256k1PublicKey {
 public:
  // A 33-byte compressed or 65-byte uncompressed SEC1 point. Throws
  // base::InvalidInput if it is neither or not on the curve.
  static Secp256k1PublicKey parse(std::span<const uint8_t> sec1);

  // The signer of `digest`. Throws base::InvalidInput if the signature is
  // malformed (r or s zero or not below the order, recovery id > 3) or no key
  // recovers from it.
  static Secp256k1PublicKey recover(Digest digest, const RecoverableSignature& sig);

  std::array<uint8_t, 33> compressed() const;
  // 0x04 ‖ x ‖ y.
  std::array<uint8_t, 65> uncompressed() const;

  // Whether sig (r ‖ s, 64 bytes) or a DER signature signs `digest` with this
  // key. False as well for a malformed signature or a high s.
  bool verify_compact(Digest digest, std::span<const uint8_t, 64> sig) const;
  bool verify_der(Digest digest, std::span<const uint8_t> der) const;

  friend bool operator==(const Secp256k1PublicKey& a, const Secp256k1PublicKey& b) {
    return a.compressed() == b.compressed();
  }

 private:
  friend class Secp256k1Key;
  Secp256k1PublicKey() = default;
  // libsecp256k1's parsed secp256k1_pubkey (opaque, 64 bytes, copyable).
  std::array<uint8_t, 64> parsed_{};
};

}  // namespace codex::crypto
