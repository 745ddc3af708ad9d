#include "exchange/net/peer_record.h"

#include <sodium.h>

#include <string>

#include "exchange/net/error.h"
#include "exchange/net/peer_record.pb.h"

namespace codex::net {
namespace {

constexpr std::string_view kUriPrefix = "spr:";

std::span<const uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string base64url(std::span<const uint8_t> bytes) {
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_encoded_len(bytes.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), kVariant);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

// Unpadded (as the reference writes it) or padded to a multiple of 4.
std::vector<uint8_t> from_base64url(std::string_view text) {
  std::string_view body = text;
  while (!body.empty() && body.back() == '=' && text.size() - body.size() < 2)
    body.remove_suffix(1);
  if (body.size() != text.size() && text.size() % 4 != 0)
    throw ProtocolError("spr: base64url padding is malformed");
  std::vector<uint8_t> out(body.size() * 3 / 4 + 1);
  size_t len = 0;
  if (sodium_base642bin(out.data(), out.size(), body.data(), body.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      len == 0)
    throw ProtocolError("spr: not base64url");
  out.resize(len);
  return out;
}

}  // namespace

std::vector<uint8_t> PeerRecord::encode() const {
  pb::PeerRecordPb msg;
  msg.set_peer_id(peer_id.bytes().data(), peer_id.bytes().size());
  msg.set_seq(seq);
  for (const auto& a : addresses)
    msg.add_addresses()->set_multiaddr(a.bytes().data(), a.bytes().size());
  const std::string s = msg.SerializeAsString();
  return {s.begin(), s.end()};
}

PeerRecord PeerRecord::decode(std::span<const uint8_t> bytes) {
  pb::PeerRecordPb msg;
  if (!msg.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    throw FormatError("peer record: malformed protobuf");
  if (!msg.has_peer_id()) throw FormatError("peer record: no peer id");
  if (size_t(msg.addresses_size()) > kMaxAddresses)
    throw FormatError("peer record: " + std::to_string(msg.addresses_size()) +
                      " addresses exceed the limit of " + std::to_string(kMaxAddresses));
  PeerRecord record{PeerId::from_bytes(as_bytes(msg.peer_id())), msg.seq(), {}};
  for (const auto& info : msg.addresses()) {
    try {
      record.addresses.push_back(Multiaddr::from_bytes(as_bytes(info.multiaddr())));
    } catch (const FormatError&) {
      // Skipped: an address of a transport we do not speak.
    }
  }
  return record;
}

SignedPeerRecord SignedPeerRecord::sign(const NodeKey& key, uint64_t seq,
                                        std::vector<Multiaddr> addresses) {
  if (addresses.size() > PeerRecord::kMaxAddresses)
    throw FormatError("peer record: " + std::to_string(addresses.size()) +
                      " addresses exceed the limit of " +
                      std::to_string(PeerRecord::kMaxAddresses));
  PeerRecord record{key.id(), seq, std::move(addresses)};
  Envelope envelope =
      Envelope::seal(key, PeerRecord::kDomain, PeerRecord::kPayloadType, record.encode());
  return SignedPeerRecord(std::move(envelope), std::move(record));
}

SignedPeerRecord SignedPeerRecord::open(std::span<const uint8_t> bytes) {
  Envelope envelope = Envelope::open(bytes, PeerRecord::kDomain, PeerRecord::kPayloadType);
  std::optional<PeerRecord> record;
  try {
    record = PeerRecord::decode(envelope.payload());
  } catch (const FormatError& e) {
    throw ProtocolError(std::string("signed peer record: ") + e.what());
  }
  const PeerId signer = envelope.signer();
  if (record->peer_id != signer)
    throw ProtocolError("signed peer record: names peer " + record->peer_id.to_string() +
                        " but is signed by " + signer.to_string());
  return SignedPeerRecord(std::move(envelope), std::move(*record));
}

SignedPeerRecord SignedPeerRecord::from_uri(std::string_view uri) {
  if (uri.substr(0, kUriPrefix.size()) != kUriPrefix)
    throw ProtocolError("signed peer record URI does not start with \"spr:\"");
  const std::string_view body = uri.substr(kUriPrefix.size());
  // base64 of kMaxSize bytes, padded: refuse longer text before decoding it.
  if (body.size() > (Envelope::kMaxSize + 2) / 3 * 4)
    throw ProtocolError("signed peer record URI: longer than an envelope of " +
                        std::to_string(Envelope::kMaxSize) + " bytes");
  return open(from_base64url(body));
}

std::string SignedPeerRecord::to_uri() const {
  return std::string(kUriPrefix) + base64url(encode());
}

}  // namespace codex::net
