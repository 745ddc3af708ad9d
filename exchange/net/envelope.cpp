#include "exchange/net/envelope.h"

#include <algorithm>
#include <optional>
#include <string>

#include "base/hex.h"
#include "exchange/multiformats/varint.h"
#include "exchange/net/envelope.pb.h"
#include "exchange/net/error.h"

namespace codex::net {
namespace {

void append_prefixed(std::vector<uint8_t>& out, std::span<const uint8_t> part) {
  const std::string n = varint::encode(part.size());
  out.insert(out.end(), n.begin(), n.end());
  out.insert(out.end(), part.begin(), part.end());
}

std::span<const uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// A short hex excerpt for error messages.
std::string hex_of(std::span<const uint8_t> b) {
  return base::to_hex(b.first(std::min<size_t>(b.size(), 16)), false) + (b.size() > 16 ? "…" : "");
}

}  // namespace

std::vector<uint8_t> envelope_signed_bytes(std::string_view domain,
                                           std::span<const uint8_t> payload_type,
                                           std::span<const uint8_t> payload) {
  std::vector<uint8_t> out;
  out.reserve(domain.size() + payload_type.size() + payload.size() + 6);
  append_prefixed(out, {reinterpret_cast<const uint8_t*>(domain.data()), domain.size()});
  append_prefixed(out, payload_type);
  append_prefixed(out, payload);
  return out;
}

Envelope Envelope::seal(const NodeKey& key, std::string_view domain,
                        std::span<const uint8_t> payload_type, std::span<const uint8_t> payload) {
  auto signature = key.sign(envelope_signed_bytes(domain, payload_type, payload));
  return Envelope(PublicKey::from_protobuf(key.public_key_protobuf()),
                  {payload_type.begin(), payload_type.end()}, {payload.begin(), payload.end()},
                  std::move(signature));
}

Envelope Envelope::open(std::span<const uint8_t> bytes, std::string_view domain,
                        std::span<const uint8_t> payload_type) {
  const std::string what = "signed envelope (" + std::string(domain) + "): ";
  if (bytes.size() > kMaxSize)
    throw ProtocolError(what + std::to_string(bytes.size()) + " bytes exceed the limit of " +
                        std::to_string(kMaxSize));
  pb::EnvelopePb msg;
  if (!msg.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    throw ProtocolError(what + "malformed protobuf");
  if (!msg.has_public_key() || !msg.has_payload() || !msg.has_signature())
    throw ProtocolError(what + "public key, payload or signature missing");
  std::optional<PublicKey> key;
  try {
    key = PublicKey::from_protobuf(as_bytes(msg.public_key()));
  } catch (const ProtocolError& e) {
    throw ProtocolError(what + e.what());
  }
  const auto type = as_bytes(msg.payload_type());
  if (!std::equal(type.begin(), type.end(), payload_type.begin(), payload_type.end()))
    throw ProtocolError(what + "payload type " + hex_of(type) + " is not the expected " +
                        hex_of(payload_type));
  const auto payload = as_bytes(msg.payload());
  const auto signature = as_bytes(msg.signature());
  if (!key->verify(envelope_signed_bytes(domain, type, payload), signature))
    throw ProtocolError(what + "signature does not verify with the envelope's key");
  return Envelope(std::move(*key), {type.begin(), type.end()}, {payload.begin(), payload.end()},
                  {signature.begin(), signature.end()});
}

std::vector<uint8_t> Envelope::encode() const {
  pb::EnvelopePb msg;
  const auto key = public_key_.protobuf();
  msg.set_public_key(key.data(), key.size());
  msg.set_payload_type(payload_type_.data(), payload_type_.size());
  msg.set_payload(payload_.data(), payload_.size());
  msg.set_signature(signature_.data(), signature_.size());
  const std::string s = msg.SerializeAsString();
  return {s.begin(), s.end()};
}

}  // namespace codex::net
