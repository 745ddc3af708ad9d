#include "agent/eth/private_key.h"

#include <algorithm>
#include <ostream>
#include <utility>

#include "agent/eth/keccak.h"

namespace codex::eth {

PrivateKey::PrivateKey(crypto::Secp256k1Key key)
    : key_(std::move(key)), address_(address_of(key_.public_key())) {}

PrivateKey::PrivateKey(std::span<const uint8_t, 32> secret)
    : PrivateKey(crypto::Secp256k1Key(secret)) {}

PrivateKey PrivateKey::from_hex(std::string_view text) {
  return PrivateKey(crypto::Secp256k1Key::from_hex(text));
}

PrivateKey PrivateKey::load_file(const std::filesystem::path& path) {
  return PrivateKey(crypto::Secp256k1Key::load_hex_file(path));
}

PrivateKey PrivateKey::generate() {
  return PrivateKey(crypto::Secp256k1Key::generate());
}

std::array<uint8_t, 64> PrivateKey::public_key() const {
  const auto full = key_.public_key().uncompressed();
  std::array<uint8_t, 64> out;
  std::copy(full.begin() + 1, full.end(), out.begin());
  return out;
}

std::ostream& operator<<(std::ostream& os, const PrivateKey& key) {
  return os << "PrivateKey(<redacted> " << key.address().checksummed() << ")";
}

Address address_of(const crypto::Secp256k1PublicKey& key) {
  const auto full = key.uncompressed();
  const auto h = keccak256(std::span<const uint8_t>(full.data() + 1, 64));
  Address a;
  std::copy(h.begin() + 12, h.end(), a.bytes.begin());
  return a;
}

Address recover_address(std::span<const uint8_t, 32> hash, const Signature& sig) {
  return address_of(crypto::Secp256k1PublicKey::recover(hash, sig));
}

}  // namespace codex::eth
