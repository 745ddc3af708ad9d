#pragma once
// The node's libp2p identity: a secp256k1 key kept in <data-dir>/key as the
// libp2p PrivateKey protobuf (as the reference stores it), and the PeerId
// derived from it (identity multihash of the PublicKey protobuf, base58btc).
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>

namespace codex::net {

class NodeKey {
 public:
  // Loads the key file, or creates it (mode 0600) when absent. Throws
  // std::runtime_error when the file is readable or writable by group or others,
  // or does not hold a valid secp256k1 libp2p private key.
  static NodeKey load_or_create(const std::filesystem::path& file);

  // "16Uiu2…": base58btc of the identity multihash of the public key protobuf.
  const std::string& peer_id() const { return peer_id_; }
  // Compressed 33-byte public key.
  const std::array<uint8_t, 33>& public_key() const { return public_key_; }

  // The private key never leaves this object: no accessor, no formatting.
  NodeKey(const NodeKey&) = delete;
  NodeKey& operator=(const NodeKey&) = delete;
  NodeKey(NodeKey&&) = default;
  ~NodeKey();

 private:
  NodeKey() = default;
  std::array<uint8_t, 32> secret_{};
  std::array<uint8_t, 33> public_key_{};
  std::string peer_id_;
};

}  // namespace codex::net
