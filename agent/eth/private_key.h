// An Ethereum account key: the secp256k1 key (exchange/crypto/secp256k1_key.h,
// which holds, wipes and redacts the secret) and its address. Signatures are
// recoverable, over keccak-256 hashes.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <span>
#include <string_view>

#include "agent/eth/address.h"
#include "exchange/crypto/secp256k1_key.h"

namespace codex::eth {

// r, s (low s: EIP-2) and the recovery id (y parity, 0 or 1).
using Signature = crypto::RecoverableSignature;

class PrivateKey {
 public:
  // Throws std::invalid_argument when `secret` is zero or not below the curve order.
  explicit PrivateKey(std::span<const uint8_t, 32> secret);
  // Parses hex (optional 0x, surrounding whitespace ignored). Throws
  // std::invalid_argument (without quoting the text).
  static PrivateKey from_hex(std::string_view text);
  // Reads a raw hex key file. Throws std::runtime_error if the file is missing,
  // malformed, or accessible by group or others (the error says so).
  static PrivateKey load_file(const std::filesystem::path& path);
  // A fresh random key from libsodium's CSPRNG.
  static PrivateKey generate();

  const Address& address() const { return address_; }
  // Uncompressed public key without the 0x04 prefix (x ‖ y).
  std::array<uint8_t, 64> public_key() const;
  // Deterministic (RFC 6979) signature of `hash`. Throws std::logic_error on a
  // moved-from key. Thread-safe.
  Signature sign(std::span<const uint8_t, 32> hash) const { return key_.sign_recoverable(hash); }
  // Explicit access to the secret, for keystore export only.
  std::array<uint8_t, 32> reveal_secret() const { return key_.reveal_secret(); }

 private:
  explicit PrivateKey(crypto::Secp256k1Key key);

  crypto::Secp256k1Key key_;
  Address address_;
};

// Prints "PrivateKey(<redacted> 0x…address)"; the secret is never written.
std::ostream& operator<<(std::ostream& os, const PrivateKey& key);

// The address of an uncompressed public key: the last 20 bytes of
// keccak-256(x ‖ y).
Address address_of(const crypto::Secp256k1PublicKey& key);

// Recovers the signer's address from a hash and signature. Throws std::invalid_argument.
Address recover_address(std::span<const uint8_t, 32> hash, const Signature& sig);

}  // namespace codex::eth
