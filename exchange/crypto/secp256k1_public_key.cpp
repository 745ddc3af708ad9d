#include "exchange/crypto/secp256k1_public_key.h"

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <cstring>
#include <string>

#include "base/error.h"

namespace codex::crypto {
namespace {

// Verification and recovery use no secret: the static context serves.
const secp256k1_context* ctx() {
  return secp256k1_context_static;
}

secp256k1_pubkey to_lib(const std::array<uint8_t, 64>& parsed) {
  secp256k1_pubkey p;
  static_assert(sizeof p.data == 64);
  std::memcpy(p.data, parsed.data(), 64);
  return p;
}

std::array<uint8_t, 64> from_lib(const secp256k1_pubkey& p) {
  std::array<uint8_t, 64> out;
  std::memcpy(out.data(), p.data, 64);
  return out;
}

template <size_t N>
std::array<uint8_t, N> serialize(const std::array<uint8_t, 64>& parsed, unsigned flags) {
  const secp256k1_pubkey p = to_lib(parsed);
  std::array<uint8_t, N> out;
  size_t len = N;
  secp256k1_ec_pubkey_serialize(ctx(), out.data(), &len, &p, flags);
  return out;
}

bool verify(const std::array<uint8_t, 64>& parsed, Digest digest,
            const secp256k1_ecdsa_signature& sig) {
  const secp256k1_pubkey p = to_lib(parsed);
  return secp256k1_ecdsa_verify(ctx(), &sig, digest.data(), &p) == 1;
}

}  // namespace

Secp256k1PublicKey Secp256k1PublicKey::parse(std::span<const uint8_t> sec1) {
  if (sec1.size() != 33 && sec1.size() != 65)
    throw base::InvalidInput("secp256k1 public key: " + std::to_string(sec1.size()) +
                             " bytes, expected 33 (compressed) or 65 (uncompressed)");
  secp256k1_pubkey p;
  if (!secp256k1_ec_pubkey_parse(ctx(), &p, sec1.data(), sec1.size()))
    throw base::InvalidInput("secp256k1 public key: not a point on the curve");
  Secp256k1PublicKey k;
  k.parsed_ = from_lib(p);
  return k;
}

Secp256k1PublicKey Secp256k1PublicKey::recover(Digest digest, const RecoverableSignature& sig) {
  if (sig.recovery_id > 3)
    throw base::InvalidInput("signature: recovery id " + std::to_string(sig.recovery_id) +
                             " out of range");
  uint8_t compact[64];
  std::memcpy(compact, sig.r.data(), 32);
  std::memcpy(compact + 32, sig.s.data(), 32);
  secp256k1_ecdsa_recoverable_signature rsig;
  if (!secp256k1_ecdsa_recoverable_signature_parse_compact(ctx(), &rsig, compact, sig.recovery_id))
    throw base::InvalidInput("signature: malformed r/s");
  secp256k1_pubkey p;
  if (!secp256k1_ecdsa_recover(ctx(), &p, &rsig, digest.data()))
    throw base::InvalidInput("signature: no public key recovers from it");
  Secp256k1PublicKey k;
  k.parsed_ = from_lib(p);
  return k;
}

std::array<uint8_t, 33> Secp256k1PublicKey::compressed() const {
  return serialize<33>(parsed_, SECP256K1_EC_COMPRESSED);
}

std::array<uint8_t, 65> Secp256k1PublicKey::uncompressed() const {
  return serialize<65>(parsed_, SECP256K1_EC_UNCOMPRESSED);
}

bool Secp256k1PublicKey::verify_compact(Digest digest, std::span<const uint8_t, 64> sig) const {
  secp256k1_ecdsa_signature s;
  return secp256k1_ecdsa_signature_parse_compact(ctx(), &s, sig.data()) == 1 &&
         verify(parsed_, digest, s);
}

bool Secp256k1PublicKey::verify_der(Digest digest, std::span<const uint8_t> der) const {
  // An empty signature (a peer's empty noise identity_sig) has no data
  // pointer, which libsecp256k1 must not be given (found by fuzzing).
  if (der.empty()) return false;
  secp256k1_ecdsa_signature s;
  return secp256k1_ecdsa_signature_parse_der(ctx(), &s, der.data(), der.size()) == 1 &&
         verify(parsed_, digest, s);
}

}  // namespace codex::crypto
