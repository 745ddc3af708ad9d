#include "exchange/net/noise/handshake_payload.h"

#include <cstring>

#include "exchange/net/error.h"
#include "exchange/net/noise/payload.pb.h"
#include "exchange/net/public_key.h"

namespace codex::net::noise {

std::vector<uint8_t> HandshakePayload::encode() const {
  pb::NoiseHandshakePayload msg;
  msg.set_identity_key(identity_key.data(), identity_key.size());
  msg.set_identity_sig(identity_sig.data(), identity_sig.size());
  std::vector<uint8_t> out(msg.ByteSizeLong());
  msg.SerializeToArray(out.data(), int(out.size()));
  return out;
}

HandshakePayload HandshakePayload::parse(std::span<const uint8_t> bytes) {
  if (bytes.size() > kMaxHandshakePayloadSize)
    throw ProtocolError("noise: handshake payload of " + std::to_string(bytes.size()) +
                        " bytes exceeds the limit of " + std::to_string(kMaxHandshakePayloadSize));
  pb::NoiseHandshakePayload msg;
  if (!msg.ParseFromArray(bytes.data(), int(bytes.size())))
    throw ProtocolError("noise: handshake payload is not a NoiseHandshakePayload protobuf");
  HandshakePayload out;
  out.identity_key.assign(msg.identity_key().begin(), msg.identity_key().end());
  out.identity_sig.assign(msg.identity_sig().begin(), msg.identity_sig().end());
  return out;
}

std::vector<uint8_t> static_key_signature_message(const DhPublicKey& static_key) {
  const size_t prefix = std::strlen(kStaticKeySignaturePrefix);
  std::vector<uint8_t> msg(prefix + static_key.size());
  std::memcpy(msg.data(), kStaticKeySignaturePrefix, prefix);
  std::memcpy(msg.data() + prefix, static_key.data(), static_key.size());
  return msg;
}

PeerId verify_handshake_payload(const HandshakePayload& payload, const DhPublicKey& static_key) {
  const PublicKey key = PublicKey::from_protobuf(payload.identity_key);  // ProtocolError
  if (!key.verify(static_key_signature_message(static_key), payload.identity_sig))
    throw ProtocolError("noise: the identity signature of the static key does not verify");
  return PeerId::from_public_key(key);
}

}  // namespace codex::net::noise
