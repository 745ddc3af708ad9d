#include "agent/eth/private_key.h"

#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <sodium.h>
#include <sys/stat.h>

#include <cctype>
#include <fstream>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include "agent/eth/hex.h"
#include "agent/eth/keccak.h"

namespace codex::eth {
namespace {

Address address_of(const secp256k1_context* ctx, const secp256k1_pubkey& pub) {
  uint8_t ser[65];
  size_t len = sizeof ser;
  secp256k1_ec_pubkey_serialize(ctx, ser, &len, &pub, SECP256K1_EC_UNCOMPRESSED);
  auto h = keccak256(std::span<const uint8_t>(ser + 1, 64));
  Address a;
  std::copy(h.begin() + 12, h.end(), a.bytes.begin());
  return a;
}

}  // namespace

PrivateKey::PrivateKey(std::span<const uint8_t, 32> secret) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium initialisation failed");
  std::copy(secret.begin(), secret.end(), secret_.begin());
  ctx_ = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
  if (!ctx_) throw std::runtime_error("secp256k1 context creation failed");
  uint8_t seed[32];
  randombytes_buf(seed, sizeof seed);
  if (!secp256k1_context_randomize(ctx_, seed)) {  // side-channel blinding
    secp256k1_context_destroy(ctx_);
    throw std::runtime_error("secp256k1 context randomisation failed");
  }
  if (!secp256k1_ec_seckey_verify(ctx_, secret_.data())) {
    secp256k1_context_destroy(ctx_);
    sodium_memzero(secret_.data(), secret_.size());
    throw std::invalid_argument("private key: zero or not below the curve order");
  }
  secp256k1_pubkey pub;
  if (!secp256k1_ec_pubkey_create(ctx_, &pub, secret_.data()))
    throw std::runtime_error("private key: pubkey failed");
  address_ = address_of(ctx_, pub);
}

PrivateKey PrivateKey::from_hex(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  std::array<uint8_t, 32> secret{};
  try {
    from_hex_exact(text, secret);
  } catch (const std::invalid_argument&) {
    // Rethrow without the input: it may be (part of) a secret.
    throw std::invalid_argument("private key: expected 64 hex digits");
  }
  PrivateKey k(secret);
  sodium_memzero(secret.data(), secret.size());
  return k;
}

PrivateKey PrivateKey::load_file(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw std::runtime_error("key file " + path.string() + ": cannot stat");
  if (st.st_mode & (S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH))
    throw std::runtime_error("key file " + path.string() +
                             ": accessible by group or others; run chmod 600 on it");
  std::ifstream in(path);
  if (!in) throw std::runtime_error("key file " + path.string() + ": cannot open");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  try {
    auto k = from_hex(text);
    sodium_memzero(text.data(), text.size());
    return k;
  } catch (const std::invalid_argument& e) {
    sodium_memzero(text.data(), text.size());
    throw std::runtime_error("key file " + path.string() + ": " + e.what());
  }
}

PrivateKey PrivateKey::generate() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium initialisation failed");
  for (;;) {
    std::array<uint8_t, 32> s{};
    randombytes_buf(s.data(), s.size());
    try {
      PrivateKey k(s);
      sodium_memzero(s.data(), s.size());
      return k;
    } catch (const std::invalid_argument&) {
      // Astronomically unlikely: retry with new randomness.
    }
  }
}

PrivateKey::~PrivateKey() {
  sodium_memzero(secret_.data(), secret_.size());
  if (ctx_) secp256k1_context_destroy(ctx_);
}

PrivateKey::PrivateKey(PrivateKey&& o) noexcept
    : secret_(o.secret_), ctx_(o.ctx_), address_(o.address_) {
  o.ctx_ = nullptr;
  sodium_memzero(o.secret_.data(), o.secret_.size());
}

PrivateKey& PrivateKey::operator=(PrivateKey&& o) noexcept {
  if (this != &o) {
    if (ctx_) secp256k1_context_destroy(ctx_);
    secret_ = o.secret_;
    ctx_ = o.ctx_;
    address_ = o.address_;
    o.ctx_ = nullptr;
    sodium_memzero(o.secret_.data(), o.secret_.size());
  }
  return *this;
}

std::array<uint8_t, 64> PrivateKey::public_key() const {
  secp256k1_pubkey pub;
  if (!ctx_ || !secp256k1_ec_pubkey_create(ctx_, &pub, secret_.data()))
    throw std::logic_error("private key: used after move");
  uint8_t ser[65];
  size_t len = sizeof ser;
  secp256k1_ec_pubkey_serialize(ctx_, ser, &len, &pub, SECP256K1_EC_UNCOMPRESSED);
  std::array<uint8_t, 64> out;
  std::copy(ser + 1, ser + 65, out.begin());
  return out;
}

Signature PrivateKey::sign(std::span<const uint8_t, 32> hash) const {
  if (!ctx_) throw std::logic_error("private key: used after move");
  secp256k1_ecdsa_recoverable_signature rsig;
  if (!secp256k1_ecdsa_sign_recoverable(ctx_, &rsig, hash.data(), secret_.data(), nullptr, nullptr))
    throw std::runtime_error("secp256k1 signing failed");
  uint8_t compact[64];
  int recid = 0;
  secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx_, compact, &recid, &rsig);
  Signature sig;
  std::copy(compact, compact + 32, sig.r.begin());
  std::copy(compact + 32, compact + 64, sig.s.begin());
  sig.recovery_id = static_cast<uint8_t>(recid);
  return sig;  // libsecp256k1 always produces low-s signatures (EIP-2)
}

std::ostream& operator<<(std::ostream& os, const PrivateKey& key) {
  return os << "PrivateKey(<redacted> " << key.address().checksummed() << ")";
}

Address recover_address(std::span<const uint8_t, 32> hash, const Signature& sig) {
  if (sig.recovery_id > 3) throw std::invalid_argument("signature: recovery id out of range");
  const secp256k1_context* ctx = secp256k1_context_static;
  uint8_t compact[64];
  std::copy(sig.r.begin(), sig.r.end(), compact);
  std::copy(sig.s.begin(), sig.s.end(), compact + 32);
  secp256k1_ecdsa_recoverable_signature rsig;
  if (!secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &rsig, compact, sig.recovery_id))
    throw std::invalid_argument("signature: malformed r/s");
  secp256k1_pubkey pub;
  if (!secp256k1_ecdsa_recover(ctx, &pub, &rsig, hash.data()))
    throw std::invalid_argument("signature: recovery failed");
  return address_of(ctx, pub);
}

}  // namespace codex::eth
