#include "exchange/erasure/memory_dataset_blocks.h"

#include <stdexcept>
#include <vector>

#include "exchange/chunker/chunker.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/tree/sha256_tree.h"

namespace codex::erasure {

std::optional<Cid> MemoryDatasetBlocks::leaf_cid(const Cid& tree, uint64_t index) {
  std::lock_guard lock(mu_);
  auto it = leaves_.find({tree, index});
  if (it == leaves_.end()) return std::nullopt;
  return it->second.first;
}

std::optional<std::string> MemoryDatasetBlocks::block(const Cid& cid) {
  if (cid == Cid::empty_block()) return std::string();
  std::lock_guard lock(mu_);
  auto it = blocks_.find(cid);
  if (it == blocks_.end()) return std::nullopt;
  return it->second;
}

void MemoryDatasetBlocks::put_block(const Cid& cid, std::span<const uint8_t> bytes) {
  if (cid == Cid::empty_block()) return;
  std::lock_guard lock(mu_);
  ++puts_;
  // Replaces corrupt bytes (see corrupt_block), keeps a good copy.
  blocks_.insert_or_assign(cid,
                           std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

void MemoryDatasetBlocks::put_leaf(const Cid& tree, uint64_t index, const Cid& block,
                                   const TreeProof& proof) {
  std::lock_guard lock(mu_);
  leaves_.insert_or_assign({tree, index}, std::pair{block, proof});
}

void MemoryDatasetBlocks::put_leaves(const Cid& tree, std::span<const LeafEntry> entries) {
  std::lock_guard lock(mu_);
  for (const LeafEntry& e : entries)
    leaves_.insert_or_assign({tree, e.index}, std::pair{e.block, e.proof});
}

std::optional<std::pair<Cid, TreeProof>> MemoryDatasetBlocks::leaf(const Cid& tree,
                                                                   uint64_t index) const {
  std::lock_guard lock(mu_);
  auto it = leaves_.find({tree, index});
  if (it == leaves_.end()) return std::nullopt;
  return it->second;
}

void MemoryDatasetBlocks::erase_block(const Cid& cid) {
  std::lock_guard lock(mu_);
  blocks_.erase(cid);
}

void MemoryDatasetBlocks::erase_leaf(const Cid& tree, uint64_t index) {
  std::lock_guard lock(mu_);
  leaves_.erase({tree, index});
}

void MemoryDatasetBlocks::corrupt_block(const Cid& cid) {
  std::lock_guard lock(mu_);
  auto it = blocks_.find(cid);
  if (it != blocks_.end() && !it->second.empty()) it->second[0] ^= 0x01;
}

size_t MemoryDatasetBlocks::blocks() const {
  std::lock_guard lock(mu_);
  return blocks_.size();
}

size_t MemoryDatasetBlocks::puts() const {
  std::lock_guard lock(mu_);
  return puts_;
}

Manifest store_plain_dataset(DatasetBlocks& blocks, std::span<const uint8_t> bytes,
                             uint32_t block_size) {
  if (bytes.empty() || block_size == 0)
    throw std::invalid_argument("store_plain_dataset: needs bytes and a block size");
  std::vector<Cid> cids;
  std::vector<Digest32> leaves;
  Chunker chunker(block_size, [&](std::span<const uint8_t> block, size_t) {
    Cid cid = Cid::sha256_of(multicodec::kBlock, block);
    blocks.put_block(cid, block);
    leaves.push_back(block_digest(cid));
    cids.push_back(std::move(cid));
  });
  chunker.write(bytes);
  chunker.finish();
  Sha256Tree tree = Sha256Tree::build(std::move(leaves));
  Cid root = tree.root_cid();
  for (size_t i = 0; i < cids.size(); ++i)
    blocks.put_leaf(root, i, cids[i], tree.proof(i));
  Manifest m;
  m.tree_cid = root;
  m.dataset_size = bytes.size();
  m.block_size = block_size;
  return m;
}

}  // namespace codex::erasure
