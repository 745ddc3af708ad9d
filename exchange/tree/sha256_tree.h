#pragma once
// The keyed SHA-256 Merkle tree over block digests (spec node.md §1.5):
// node = sha256(left ‖ right ‖ key), odd nodes paired with zero, and a
// single leaf still compressed (root ≠ leaf).
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "exchange/crypto/sha256.h"
#include "exchange/multiformats/cid.h"
#include "exchange/tree/tree_key.h"
#include "exchange/tree/tree_proof.h"

namespace codex {

// sha256(left ‖ right ‖ key byte).
Digest32 sha256_compress(const Digest32& left, const Digest32& right, TreeKey key);

class Sha256Tree {
 public:
  // Throws FormatError when leaves is empty.
  static Sha256Tree build(std::vector<Digest32> leaves);
  // Leaves are the multihash digests of the CIDs; all must use sha2-256.
  static Sha256Tree from_cids(std::span<const Cid> cids);

  const Digest32& root() const { return layers_.back().front(); }
  // CIDv1(codex-root, multihash(sha2-256, root)).
  Cid root_cid() const;
  uint64_t leaves_count() const { return layers_.front().size(); }
  const Digest32& leaf(uint64_t i) const { return layers_.front().at(i); }

  // Throws std::out_of_range for index ≥ leaves_count().
  TreeProof proof(uint64_t index) const;

  // Protobuf {1: mcodec, 2: leavesCount, 3*: {1: node}} with every node layer by
  // layer; at most 100 MiB. decode() rebuilds and checks the layers.
  std::string encode() const;
  static Sha256Tree decode(std::span<const uint8_t> bytes);

 private:
  std::vector<std::vector<Digest32>> layers_;  // layers_[0] = leaves
};

// The root CID of a SHA-256 tree root digest; and back (throws FormatError
// unless codec is codex-root with a sha2-256 multihash).
Cid tree_root_cid(const Digest32& root);
Digest32 tree_root_of(const Cid& tree_cid);
// The sha2-256 digest inside a block CID (throws FormatError otherwise).
Digest32 block_digest(const Cid& block_cid);

}  // namespace codex
