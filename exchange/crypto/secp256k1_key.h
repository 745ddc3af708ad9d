#pragma once
// A secp256k1 private key: the one class that holds such a secret, for the
// Ethereum account (agent/eth/private_key.h) and the libp2p identity
// (exchange/net/node_key.h).
//
// The secret is wiped on destruction and on move, and never printed: the only
// formatting path (operator<<) redacts it, errors never quote it, and it
// leaves the object only through reveal_secret(). Signing is deterministic
// (RFC 6979) on a context blinded with fresh randomness, always low-s.
//
// Thread-safety: const members may run concurrently on one key (libsecp256k1
// contexts are read-only while signing); a moved-from key throws
// std::logic_error from every member but the destructor and assignment.
#include <array>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <span>
#include <string_view>
#include <vector>

#include "exchange/crypto/secp256k1_public_key.h"

struct secp256k1_context_struct;

namespace codex::crypto {

class Secp256k1Key {
 public:
  static constexpr size_t kSecretSize = 32;

  // Throws base::InvalidInput when `secret` is zero or not below the curve
  // order (the message does not quote it).
  explicit Secp256k1Key(std::span<const uint8_t, kSecretSize> secret);
  // A fresh key from libsodium's CSPRNG.
  static Secp256k1Key generate();
  // 64 hex digits, optional 0x, surrounding whitespace ignored. Throws
  // base::InvalidInput without quoting the text.
  static Secp256k1Key from_hex(std::string_view text);
  // A private key file holding the hex form (key_file.h: refused when group or
  // others may access it). Throws KeyFileError naming the file and the
  // problem: missing, accessible by others, or not a valid key.
  static Secp256k1Key load_hex_file(const std::filesystem::path& file);

  ~Secp256k1Key();
  Secp256k1Key(Secp256k1Key&& other) noexcept;
  Secp256k1Key& operator=(Secp256k1Key&& other) noexcept;
  Secp256k1Key(const Secp256k1Key&) = delete;
  Secp256k1Key& operator=(const Secp256k1Key&) = delete;

  const Secp256k1PublicKey& public_key() const;

  // ECDSA signatures of a 32-byte digest: with the recovery id (Ethereum),
  // compact r ‖ s, and DER (libp2p).
  RecoverableSignature sign_recoverable(Digest digest) const;
  std::array<uint8_t, 64> sign_compact(Digest digest) const;
  std::vector<uint8_t> sign_der(Digest digest) const;

  // The secret itself, for exporting the key (keystore files, key files).
  // The caller wipes the copy.
  std::array<uint8_t, kSecretSize> reveal_secret() const;

 private:
  const secp256k1_context_struct* context() const;  // throws after a move

  std::array<uint8_t, kSecretSize> secret_{};
  secp256k1_context_struct* ctx_ = nullptr;
  Secp256k1PublicKey public_;
};

// "Secp256k1Key(<redacted>, public 02…)": never the secret.
std::ostream& operator<<(std::ostream& os, const Secp256k1Key& key);

}  // namespace codex::crypto
