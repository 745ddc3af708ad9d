#include "exchange/crypto/secp256k1_key.h"

#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <sodium.h>

#include <cctype>
#include <cstring>
#include <ostream>
#include <stdexcept>

#include "base/error.h"
#include "base/hex.h"
#include "base/strings.h"
#include "exchange/crypto/key_file.h"
#include "exchange/crypto/secret_bytes.h"

namespace codex::crypto {
namespace {

using base::trim;

void init_sodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium initialisation failed");
}

}  // namespace

Secp256k1Key::Secp256k1Key(std::span<const uint8_t, kSecretSize> secret) {
  init_sodium();
  // Checked on the static context first: nothing to clean up if it fails.
  if (!secp256k1_ec_seckey_verify(secp256k1_context_static, secret.data()))
    throw base::InvalidInput("secp256k1 private key: zero or not below the curve order");
  ctx_ = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
  if (!ctx_) throw std::runtime_error("secp256k1 context creation failed");
  std::copy(secret.begin(), secret.end(), secret_.begin());
  uint8_t seed[32];
  randombytes_buf(seed, sizeof seed);
  const int blinded = secp256k1_context_randomize(ctx_, seed);  // side-channel blinding
  sodium_memzero(seed, sizeof seed);
  secp256k1_pubkey pub;
  if (!blinded || !secp256k1_ec_pubkey_create(ctx_, &pub, secret_.data())) {
    sodium_memzero(secret_.data(), secret_.size());
    secp256k1_context_destroy(ctx_);
    throw std::runtime_error("secp256k1 key setup failed");
  }
  std::memcpy(public_.parsed_.data(), pub.data, sizeof pub.data);
}

Secp256k1Key Secp256k1Key::generate() {
  init_sodium();
  std::array<uint8_t, kSecretSize> s{};
  // A uniform 256-bit value is a valid key but with probability ~2^-128.
  do {
    randombytes_buf(s.data(), s.size());
  } while (!secp256k1_ec_seckey_verify(secp256k1_context_static, s.data()));
  Secp256k1Key k(s);
  sodium_memzero(s.data(), s.size());
  return k;
}

Secp256k1Key Secp256k1Key::from_hex(std::string_view text) {
  std::array<uint8_t, kSecretSize> secret{};
  try {
    base::from_hex_exact(trim(text), secret);
  } catch (const base::InvalidInput&) {
    // Without the text: it may be (part of) a secret.
    throw base::InvalidInput("secp256k1 private key: expected 64 hex digits");
  }
  struct Wipe {
    std::array<uint8_t, kSecretSize>& s;
    ~Wipe() { sodium_memzero(s.data(), s.size()); }
  } wipe{secret};
  return Secp256k1Key(secret);
}

Secp256k1Key Secp256k1Key::load_hex_file(const std::filesystem::path& file) {
  const SecretBytes content = read_key_file(file);
  try {
    return from_hex(
        std::string_view(reinterpret_cast<const char*>(content.data()), content.size()));
  } catch (const base::InvalidInput& e) {
    throw KeyFileError("key file " + file.string() + ": " + e.what());
  }
}

Secp256k1Key::~Secp256k1Key() {
  sodium_memzero(secret_.data(), secret_.size());
  if (ctx_) secp256k1_context_destroy(ctx_);
}

Secp256k1Key::Secp256k1Key(Secp256k1Key&& o) noexcept
    : secret_(o.secret_), ctx_(o.ctx_), public_(o.public_) {
  o.ctx_ = nullptr;
  sodium_memzero(o.secret_.data(), o.secret_.size());
}

Secp256k1Key& Secp256k1Key::operator=(Secp256k1Key&& o) noexcept {
  if (this != &o) {
    if (ctx_) secp256k1_context_destroy(ctx_);
    secret_ = o.secret_;
    ctx_ = o.ctx_;
    public_ = o.public_;
    o.ctx_ = nullptr;
    sodium_memzero(o.secret_.data(), o.secret_.size());
  }
  return *this;
}

const secp256k1_context_struct* Secp256k1Key::context() const {
  if (!ctx_) throw std::logic_error("secp256k1 private key: used after move");
  return ctx_;
}

const Secp256k1PublicKey& Secp256k1Key::public_key() const {
  context();
  return public_;
}

RecoverableSignature Secp256k1Key::sign_recoverable(Digest digest) const {
  secp256k1_ecdsa_recoverable_signature rsig;
  if (!secp256k1_ecdsa_sign_recoverable(context(), &rsig, digest.data(), secret_.data(), nullptr,
                                        nullptr))
    throw std::runtime_error("secp256k1 signing failed");
  uint8_t compact[64];
  int recid = 0;
  secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx_, compact, &recid, &rsig);
  RecoverableSignature sig;
  std::memcpy(sig.r.data(), compact, 32);
  std::memcpy(sig.s.data(), compact + 32, 32);
  sig.recovery_id = static_cast<uint8_t>(recid);
  return sig;
}

namespace {

secp256k1_ecdsa_signature sign_plain(const secp256k1_context* ctx, Digest digest,
                                     const uint8_t* secret) {
  secp256k1_ecdsa_signature sig;
  if (!secp256k1_ecdsa_sign(ctx, &sig, digest.data(), secret, nullptr, nullptr))
    throw std::runtime_error("secp256k1 signing failed");
  return sig;
}

}  // namespace

std::array<uint8_t, 64> Secp256k1Key::sign_compact(Digest digest) const {
  const secp256k1_ecdsa_signature sig = sign_plain(context(), digest, secret_.data());
  std::array<uint8_t, 64> out;
  secp256k1_ecdsa_signature_serialize_compact(ctx_, out.data(), &sig);
  return out;
}

std::vector<uint8_t> Secp256k1Key::sign_der(Digest digest) const {
  const secp256k1_ecdsa_signature sig = sign_plain(context(), digest, secret_.data());
  std::vector<uint8_t> out(72);  // the longest DER ECDSA signature
  size_t len = out.size();
  secp256k1_ecdsa_signature_serialize_der(ctx_, out.data(), &len, &sig);
  out.resize(len);
  return out;
}

std::array<uint8_t, Secp256k1Key::kSecretSize> Secp256k1Key::reveal_secret() const {
  context();
  return secret_;
}

std::ostream& operator<<(std::ostream& os, const Secp256k1Key& key) {
  os << "Secp256k1Key(<redacted>";
  try {
    os << ", public " << base::to_hex(key.public_key().compressed(), false);
  } catch (const std::logic_error&) {
    os << ", moved from";
  }
  return os << ")";
}

}  // namespace codex::crypto
