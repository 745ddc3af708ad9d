#pragma once
// An in-memory DatasetBlocks for tests and benchmarks, with helpers to lose or
// corrupt blocks and leaf entries. Thread-safe (one mutex).
#include <map>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "exchange/erasure/dataset_blocks.h"
#include "exchange/manifest/manifest.h"

namespace codex::erasure {

class MemoryDatasetBlocks : public DatasetBlocks {
 public:
  MemoryDatasetBlocks() = default;
  MemoryDatasetBlocks(const MemoryDatasetBlocks&) = delete;
  MemoryDatasetBlocks& operator=(const MemoryDatasetBlocks&) = delete;

  std::optional<Cid> leaf_cid(const Cid& tree, uint64_t index) override;
  std::optional<std::string> block(const Cid& cid) override;
  void put_block(const Cid& cid, std::span<const uint8_t> bytes) override;
  void put_leaf(const Cid& tree, uint64_t index, const Cid& block, const TreeProof& proof) override;
  void put_leaves(const Cid& tree, std::span<const LeafEntry> entries) override;

  // The stored leaf entry, if any.
  std::optional<std::pair<Cid, TreeProof>> leaf(const Cid& tree, uint64_t index) const;
  // Test helpers: forget a block / a leaf entry; overwrite a block's bytes.
  void erase_block(const Cid& cid);
  void erase_leaf(const Cid& tree, uint64_t index);
  void corrupt_block(const Cid& cid);
  size_t blocks() const;
  size_t puts() const;  // put_block calls so far

 private:
  mutable std::mutex mu_;
  std::unordered_map<Cid, std::string> blocks_;
  std::map<std::pair<Cid, uint64_t>, std::pair<Cid, TreeProof>> leaves_;
  size_t puts_ = 0;
};

// Stores `bytes` as a plain dataset the way the chunker does (§1.3): blocks of
// block_size (the last zero-padded), the SHA-256 tree over them and every leaf
// entry. Returns the plain manifest (not stored). For tests and benchmarks;
// requires non-empty bytes and block_size ≥ 1 (std::invalid_argument).
Manifest store_plain_dataset(DatasetBlocks& blocks, std::span<const uint8_t> bytes,
                             uint32_t block_size);

}  // namespace codex::erasure
