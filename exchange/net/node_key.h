#pragma once
// The node's libp2p identity: a secp256k1 key (crypto::Secp256k1Key) kept in
// <data-dir>/key as the libp2p PrivateKey protobuf (as the reference stores
// it), and the PeerId derived from it (identity multihash of the PublicKey
// protobuf, base58btc).
//
// Immutable after loading; const members are thread-safe.
#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "exchange/crypto/secp256k1_key.h"
#include "exchange/net/peer_id.h"

namespace codex::net {

class NodeKey {
 public:
  // Loads the key file, or creates it (mode 0600, written atomically) when
  // absent. Throws crypto::KeyFileError (a std::runtime_error) when the file
  // is accessible by group or others, cannot be read or written, or does not
  // hold a valid secp256k1 libp2p private key.
  static NodeKey load_or_create(const std::filesystem::path& file);

  // "16Uiu2…": base58btc of the identity multihash of the public key protobuf.
  const std::string& peer_id() const { return peer_id_; }
  const PeerId& id() const { return id_; }
  // Compressed 33-byte public key.
  const std::array<uint8_t, 33>& public_key() const { return public_key_; }
  // The libp2p PublicKey protobuf (KeyType Secp256k1, compressed key): what
  // the identify protocol and the noise handshake payload carry.
  std::vector<uint8_t> public_key_protobuf() const;

  // libp2p's secp256k1 signature of `message`: DER ECDSA over its SHA-256.
  std::vector<uint8_t> sign(std::span<const uint8_t> message) const;

  // The secret stays inside `key_`: no accessor, and formatting redacts it.
  NodeKey(NodeKey&&) = default;
  NodeKey& operator=(NodeKey&&) = default;

 private:
  explicit NodeKey(crypto::Secp256k1Key key);

  crypto::Secp256k1Key key_;
  std::array<uint8_t, 33> public_key_{};
  PeerId id_;
  std::string peer_id_;
};

}  // namespace codex::net
