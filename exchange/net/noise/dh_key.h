#pragma once
// X25519 key pairs of the Noise handshake (Noise spec rev 34 §12.1, the
// "25519" DH functions), from libsodium.
//
// Move-only; the secret is wiped when destroyed or moved from.
#include <array>
#include <cstdint>
#include <span>

namespace codex::net::noise {

inline constexpr size_t kDhSize = 32;
using DhPublicKey = std::array<uint8_t, kDhSize>;

class DhKeyPair {
 public:
  // GENERATE_KEYPAIR: a fresh random key pair.
  static DhKeyPair generate();
  // The key pair of a given secret (test vectors).
  static DhKeyPair from_secret(std::span<const uint8_t, kDhSize> secret);

  ~DhKeyPair();
  DhKeyPair(DhKeyPair&& o) noexcept;
  DhKeyPair& operator=(DhKeyPair&& o) noexcept;
  DhKeyPair(const DhKeyPair&) = delete;
  DhKeyPair& operator=(const DhKeyPair&) = delete;

  const DhPublicKey& public_key() const { return public_; }

  // DH(self, remote): the 32-byte shared secret. Throws ProtocolError when
  // it is all zeros (a low-order remote point: the peer is hostile).
  std::array<uint8_t, kDhSize> dh(std::span<const uint8_t, kDhSize> remote) const;

 private:
  DhKeyPair() = default;
  std::array<uint8_t, kDhSize> secret_{};
  DhPublicKey public_{};
};

}  // namespace codex::net::noise
