// The keyed Poseidon2 Merkle tree of Codex (proofs.md §1.6), for any number of
// leaves:
//   - each layer is compressed pairwise until one node remains;
//   - key = bit0 + 2·bit1: bit0 set on the bottom layer of this tree,
//     bit1 set for an odd node (the last node of an odd-length layer), which is
//     compressed with 0: compress(x, 0, key);
//   - a single leaf is still compressed: root([x]) = compress(x, 0, 3).
// A path lists the siblings bottom-up (0 for an odd node's missing sibling);
// verifying it needs the leaf index and the leaf count.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "prover/field/bn254.h"

namespace codex::prover::merkle {

struct MerklePath {
  uint64_t index = 0;        // leaf index
  uint64_t leaf_count = 0;   // leaves of the tree
  std::vector<Fr> siblings;  // bottom-up, depth(leaf_count) entries
};

// Compression levels of a tree with n ≥ 1 leaves: max(1, ceil(log2 n)).
size_t tree_depth(uint64_t n);

// An immutable tree holding all its layers (2n nodes). Thread-safe to read.
class MerkleTree {
 public:
  // Throws InvalidInput if leaves is empty.
  explicit MerkleTree(std::vector<Fr> leaves);

  const Fr& root() const { return layers_.back()[0]; }
  uint64_t leaf_count() const { return layers_[0].size(); }
  size_t depth() const { return layers_.size() - 1; }
  std::span<const Fr> leaves() const { return layers_[0]; }
  // Throws InvalidInput if index ≥ leaf_count().
  MerklePath path(uint64_t index) const;

 private:
  std::vector<std::vector<Fr>> layers_;
};

// The root without keeping the layers. Throws InvalidInput if leaves is empty.
Fr merkle_root(std::span<const Fr> leaves);

// The root reached from leaf along path. Throws InvalidInput if the path is
// inconsistent (index ≥ leaf_count, or siblings.size() != tree_depth).
Fr root_from_path(const Fr& leaf, const MerklePath& path);

// True iff the path is consistent and leads from leaf to root.
bool verify(const Fr& leaf, const MerklePath& path, const Fr& root);

}  // namespace codex::prover::merkle
