#include "prover/merkle/tree.h"

#include <string>

#include "prover/error.h"
#include "prover/poseidon2/permutation.h"

namespace codex::prover::merkle {
namespace {

constexpr uint64_t kKeyBottom = 1;
constexpr uint64_t kKeyOdd = 2;

// One layer up. bottom: this is the tree's leaf layer.
std::vector<Fr> next_layer(std::span<const Fr> layer, bool bottom) {
  const uint64_t base = bottom ? kKeyBottom : 0;
  size_t n = layer.size();
  std::vector<Fr> up((n + 1) / 2);
  for (size_t i = 0; i + 1 < n; i += 2)
    up[i / 2] = poseidon2::compress(layer[i], layer[i + 1], base);
  if (n % 2 == 1) up[n / 2] = poseidon2::compress(layer[n - 1], Fr::zero(), base | kKeyOdd);
  return up;
}

void require_leaves(size_t n) {
  if (n == 0) throw InvalidInput("a Merkle tree needs at least one leaf");
}

}  // namespace

size_t tree_depth(uint64_t n) {
  size_t d = 0;
  while ((uint64_t(1) << d) < n)
    ++d;
  return d == 0 ? 1 : d;
}

MerkleTree::MerkleTree(std::vector<Fr> leaves) {
  require_leaves(leaves.size());
  layers_.push_back(std::move(leaves));
  do {
    layers_.push_back(next_layer(layers_.back(), layers_.size() == 1));
  } while (layers_.back().size() > 1);
}

MerklePath MerkleTree::path(uint64_t index) const {
  if (index >= leaf_count()) {
    throw InvalidInput("Merkle leaf index " + std::to_string(index) + " out of range (" +
                       std::to_string(leaf_count()) + " leaves)");
  }
  MerklePath p{index, leaf_count(), {}};
  p.siblings.reserve(depth());
  for (size_t level = 0; level < depth(); ++level) {
    uint64_t sib = (index >> level) ^ 1;
    const auto& layer = layers_[level];
    p.siblings.push_back(sib < layer.size() ? layer[sib] : Fr::zero());
  }
  return p;
}

Fr merkle_root(std::span<const Fr> leaves) {
  require_leaves(leaves.size());
  std::vector<Fr> layer = next_layer(leaves, true);
  while (layer.size() > 1)
    layer = next_layer(layer, false);
  return layer[0];
}

Fr root_from_path(const Fr& leaf, const MerklePath& path) {
  if (path.leaf_count == 0 || path.index >= path.leaf_count) {
    throw InvalidInput("Merkle path index " + std::to_string(path.index) + " out of range (" +
                       std::to_string(path.leaf_count) + " leaves)");
  }
  size_t depth = tree_depth(path.leaf_count);
  if (path.siblings.size() != depth) {
    throw InvalidInput("Merkle path has " + std::to_string(path.siblings.size()) +
                       " siblings, expected " + std::to_string(depth) + " for " +
                       std::to_string(path.leaf_count) + " leaves");
  }
  const uint64_t last = path.leaf_count - 1;
  Fr node = leaf;
  for (size_t level = 0; level < depth; ++level) {
    uint64_t key = level == 0 ? kKeyBottom : 0;
    bool right = (path.index >> level) & 1;
    bool odd = !right && (path.index >> level) == (last >> level);
    if (odd) {
      node = poseidon2::compress(node, Fr::zero(), key | kKeyOdd);
    } else if (right) {
      node = poseidon2::compress(path.siblings[level], node, key);
    } else {
      node = poseidon2::compress(node, path.siblings[level], key);
    }
  }
  return node;
}

bool verify(const Fr& leaf, const MerklePath& path, const Fr& root) {
  try {
    return root_from_path(leaf, path) == root;
  } catch (const InvalidInput&) {
    return false;
  }
}

}  // namespace codex::prover::merkle
