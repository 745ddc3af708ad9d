// A secp256k1 private key: signing and address derivation. The key bytes are
// wiped on destruction and never printed: every formatting path redacts them.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <span>

#include "agent/eth/address.h"

struct secp256k1_context_struct;

namespace codex::eth {

// A recoverable ECDSA signature over a 32-byte hash.
struct Signature {
  std::array<uint8_t, 32> r{};
  std::array<uint8_t, 32> s{};
  uint8_t recovery_id = 0;  // 0 or 1 (y parity)
};

class PrivateKey {
 public:
  // Throws std::invalid_argument when `secret` is zero or not below the curve order.
  explicit PrivateKey(std::span<const uint8_t, 32> secret);
  // Parses hex (optional 0x, surrounding whitespace ignored). Throws std::invalid_argument.
  static PrivateKey from_hex(std::string_view text);
  // Reads a raw hex key file. Throws std::runtime_error if the file is missing,
  // malformed, or readable/writable by group or others (the error says so).
  static PrivateKey load_file(const std::filesystem::path& path);
  // A fresh random key from libsodium's CSPRNG.
  static PrivateKey generate();

  ~PrivateKey();
  PrivateKey(PrivateKey&&) noexcept;
  PrivateKey& operator=(PrivateKey&&) noexcept;
  PrivateKey(const PrivateKey&) = delete;
  PrivateKey& operator=(const PrivateKey&) = delete;

  const Address& address() const { return address_; }
  // Uncompressed public key without the 0x04 prefix (x ‖ y).
  std::array<uint8_t, 64> public_key() const;
  // Deterministic (RFC 6979) signature of `hash`. Not thread-safe on one key object.
  Signature sign(std::span<const uint8_t, 32> hash) const;
  // Explicit access to the secret, for keystore export only.
  std::array<uint8_t, 32> reveal_secret() const { return secret_; }

 private:
  std::array<uint8_t, 32> secret_{};
  secp256k1_context_struct* ctx_ = nullptr;
  Address address_;
};

// Prints "PrivateKey(<redacted> 0x…address)"; the secret is never written.
std::ostream& operator<<(std::ostream& os, const PrivateKey& key);

// Recovers the signer's address from a hash and signature. Throws std::invalid_argument.
Address recover_address(std::span<const uint8_t, 32> hash, const Signature& sig);

}  // namespace codex::eth
