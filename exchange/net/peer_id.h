#pragma once
// A libp2p peer id: the multihash of the peer's PublicKey protobuf, identity
// (inline key) when the protobuf is at most 42 bytes (secp256k1, Ed25519),
// SHA-256 otherwise. Text form: base58btc of the multihash ("16Uiu2…" for
// secp256k1 keys, "12D3Koo…" for Ed25519).
//
// A plain value; thread-safe.
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "exchange/net/public_key.h"

namespace codex::net {

class PeerId {
 public:
  static PeerId from_public_key(const PublicKey& key);
  // The multihash bytes. Throws FormatError unless an identity multihash of
  // a valid public key protobuf or a SHA-256 multihash.
  static PeerId from_bytes(std::span<const uint8_t> multihash);
  // Base58btc text. Throws FormatError when malformed.
  static PeerId parse(std::string_view text);

  const std::vector<uint8_t>& bytes() const { return bytes_; }
  std::string to_string() const;
  // The key inlined in an identity peer id; none for SHA-256 ids.
  std::optional<PublicKey> public_key() const;

  friend bool operator==(const PeerId&, const PeerId&) = default;
  friend auto operator<=>(const PeerId& a, const PeerId& b) { return a.bytes_ <=> b.bytes_; }

 private:
  explicit PeerId(std::vector<uint8_t> bytes) : bytes_(std::move(bytes)) {}
  std::vector<uint8_t> bytes_;
};

struct PeerIdHash {
  size_t operator()(const PeerId& id) const noexcept;
};

}  // namespace codex::net
