#include "exchange/net/noise/dh_key.h"

#include <sodium.h>

#include <cstring>
#include <stdexcept>

#include "exchange/net/error.h"

namespace codex::net::noise {

DhKeyPair DhKeyPair::generate() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium initialisation failed");
  DhKeyPair k;
  randombytes_buf(k.secret_.data(), k.secret_.size());
  if (crypto_scalarmult_base(k.public_.data(), k.secret_.data()) != 0)
    throw std::runtime_error("noise: X25519 key generation failed");
  return k;
}

DhKeyPair DhKeyPair::from_secret(std::span<const uint8_t, kDhSize> secret) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium initialisation failed");
  DhKeyPair k;
  std::memcpy(k.secret_.data(), secret.data(), kDhSize);
  if (crypto_scalarmult_base(k.public_.data(), k.secret_.data()) != 0)
    throw std::invalid_argument("noise: X25519 secret gives no public key");
  return k;
}

DhKeyPair::~DhKeyPair() {
  sodium_memzero(secret_.data(), secret_.size());
}

DhKeyPair::DhKeyPair(DhKeyPair&& o) noexcept : secret_(o.secret_), public_(o.public_) {
  sodium_memzero(o.secret_.data(), o.secret_.size());
}

DhKeyPair& DhKeyPair::operator=(DhKeyPair&& o) noexcept {
  if (this != &o) {
    secret_ = o.secret_;
    public_ = o.public_;
    sodium_memzero(o.secret_.data(), o.secret_.size());
  }
  return *this;
}

std::array<uint8_t, kDhSize> DhKeyPair::dh(std::span<const uint8_t, kDhSize> remote) const {
  std::array<uint8_t, kDhSize> shared;
  // libsodium refuses (-1) when the result is all zeros.
  if (crypto_scalarmult(shared.data(), secret_.data(), remote.data()) != 0)
    throw ProtocolError("noise: X25519 with a low-order point (all-zero shared secret)");
  return shared;
}

}  // namespace codex::net::noise
