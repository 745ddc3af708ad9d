#pragma once
// A leaf's inclusion proof in the SHA-256 ("Codex") tree, spec node.md §1.5.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "exchange/crypto/sha256.h"

namespace codex {

struct TreeProof {
  uint64_t mcodec = 0x12;      // hash codec of the tree (sha2-256)
  uint64_t index = 0;          // leaf index
  uint64_t nleaves = 0;        // leaves in the tree
  std::vector<Digest32> path;  // siblings bottom → top; a missing sibling is zero

  // The root that this proof and leaf imply. Throws FormatError if the proof's
  // shape is inconsistent (index ≥ nleaves, path length not the tree depth).
  Digest32 reconstruct_root(const Digest32& leaf) const;
  // True when the leaf is at `index` in the tree with this root.
  bool verify(const Digest32& leaf, const Digest32& root) const;

  // Protobuf {1: mcodec, 2: index, 3: nleaves, 4*: {1: node bytes}}; at most 1 MiB.
  std::string encode() const;
  // Throws FormatError on malformed bytes, wrong node sizes or over-limit input.
  static TreeProof decode(std::span<const uint8_t> bytes);
  static TreeProof decode(std::string_view bytes);

  friend bool operator==(const TreeProof&, const TreeProof&) = default;
};

// Depth of a tree over n leaves (number of path elements of a proof): 1 for a
// single leaf (its root is compress(leaf, 0, OddAndBottomLayer)).
size_t tree_depth(uint64_t nleaves);

}  // namespace codex
