#include "exchange/dataset/repo_dataset_blocks.h"

#include "exchange/store/corrupt_block_error.h"
#include "exchange/store/repo.h"

namespace codex {

std::optional<Cid> RepoDatasetBlocks::leaf_cid(const Cid& tree, uint64_t index) {
  auto leaf = repo_.get_leaf(tree, index);
  if (!leaf) return std::nullopt;
  return leaf->block;
}

std::optional<std::string> RepoDatasetBlocks::block(const Cid& cid) {
  try {
    return repo_.get_block(cid);
  } catch (const store::CorruptBlockError&) {
    // Recorded by the store; as a missing block, decoding can rebuild it
    // from the others, and put_block then replaces the damaged bytes.
    return std::nullopt;
  }
}

void RepoDatasetBlocks::put_block(const Cid& cid, std::span<const uint8_t> bytes) {
  repo_.put_block(cid, bytes);  // erasure coding derives the CID from these bytes
}

void RepoDatasetBlocks::put_leaf(const Cid& tree, uint64_t index, const Cid& block,
                                 const TreeProof& proof) {
  repo_.put_leaf(tree, index, block, proof.encode());
}

void RepoDatasetBlocks::put_leaves(const Cid& tree, std::span<const LeafEntry> entries) {
  auto batch = repo_.batch();
  for (const LeafEntry& e : entries)
    batch.put_leaf(tree, e.index, e.block, e.proof.encode());
  batch.commit();
}

}  // namespace codex
