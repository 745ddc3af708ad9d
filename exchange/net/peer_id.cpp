#include "exchange/net/peer_id.h"

#include <functional>

#include "exchange/crypto/sha256.h"
#include "exchange/error.h"
#include "exchange/multiformats/base58.h"

namespace codex::net {
namespace {

constexpr size_t kMaxInlineKey = 42;

}  // namespace

PeerId PeerId::from_public_key(const PublicKey& key) {
  const std::vector<uint8_t> pb = key.protobuf();
  std::vector<uint8_t> mh;
  if (pb.size() <= kMaxInlineKey) {
    mh = {0x00, uint8_t(pb.size())};
    mh.insert(mh.end(), pb.begin(), pb.end());
  } else {
    const auto digest = sha256(pb);
    mh = {0x12, 0x20};
    mh.insert(mh.end(), digest.begin(), digest.end());
  }
  return PeerId(std::move(mh));
}

PeerId PeerId::from_bytes(std::span<const uint8_t> mh) {
  if (mh.size() == 34 && mh[0] == 0x12 && mh[1] == 0x20) return PeerId({mh.begin(), mh.end()});
  if (mh.size() >= 2 && mh[0] == 0x00 && mh[1] <= kMaxInlineKey && mh.size() == size_t(mh[1]) + 2) {
    try {
      (void)PublicKey::from_protobuf(mh.subspan(2));
    } catch (const FormatError& e) {
      throw FormatError(std::string("peer id: ") + e.what());
    }
    return PeerId({mh.begin(), mh.end()});
  }
  throw FormatError("peer id: not an identity or SHA-256 multihash of a public key");
}

PeerId PeerId::parse(std::string_view text) {
  if (text.empty() || text.size() > 128) throw FormatError("peer id: empty or too long");
  const std::string raw = base58::decode(text);
  return from_bytes({reinterpret_cast<const uint8_t*>(raw.data()), raw.size()});
}

std::string PeerId::to_string() const {
  return base58::encode(bytes_);
}

std::optional<PublicKey> PeerId::public_key() const {
  if (bytes_[0] != 0x00) return std::nullopt;
  return PublicKey::from_protobuf(std::span(bytes_).subspan(2));
}

size_t PeerIdHash::operator()(const PeerId& id) const noexcept {
  return std::hash<std::string_view>()(
      std::string_view(reinterpret_cast<const char*>(id.bytes().data()), id.bytes().size()));
}

}  // namespace codex::net
