#include "exchange/net/public_key.h"

#include <sodium.h>

#include <string>

#include "base/error.h"
#include "exchange/crypto/secp256k1_public_key.h"
#include "exchange/crypto/sha256.h"
#include "exchange/net/error.h"

namespace codex::net {

PublicKey PublicKey::secp256k1(std::span<const uint8_t> compressed) {
  if (compressed.size() != 33) throw ProtocolError("secp256k1 public key is not 33 bytes");
  try {
    (void)crypto::Secp256k1PublicKey::parse(compressed);
  } catch (const base::InvalidInput& e) {
    throw ProtocolError(std::string("secp256k1 public key: ") + e.what());
  }
  return PublicKey(Type::Secp256k1, {compressed.begin(), compressed.end()});
}

PublicKey PublicKey::from_protobuf(std::span<const uint8_t> pb) {
  // 0x08 type 0x12 len data: the key types we accept have one-byte varints.
  if (pb.size() < 4 || pb[0] != 0x08 || pb[2] != 0x12 || pb[3] != pb.size() - 4)
    throw ProtocolError("public key protobuf is malformed");
  const auto data = pb.subspan(4);
  switch (pb[1]) {
    case uint8_t(Type::Secp256k1):
      return secp256k1(data);
    case uint8_t(Type::Ed25519):
      if (data.size() != crypto_sign_PUBLICKEYBYTES)
        throw ProtocolError("Ed25519 public key is not 32 bytes");
      return PublicKey(Type::Ed25519, {data.begin(), data.end()});
    default:
      throw ProtocolError("public key type " + std::to_string(pb[1]) + " is not supported");
  }
}

std::vector<uint8_t> PublicKey::protobuf() const {
  std::vector<uint8_t> out = {0x08, uint8_t(type_), 0x12, uint8_t(data_.size())};
  out.insert(out.end(), data_.begin(), data_.end());
  return out;
}

bool PublicKey::verify(std::span<const uint8_t> message, std::span<const uint8_t> signature) const {
  if (type_ == Type::Ed25519) {
    if (signature.size() != crypto_sign_BYTES) return false;
    return crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                       data_.data()) == 0;
  }
  const auto key = crypto::Secp256k1PublicKey::parse(data_);
  return key.verify_der(sha256(message), signature);
}

}  // namespace codex::net
