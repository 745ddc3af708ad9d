#pragma once
// What erasure coding needs from block storage: blocks by CID and the leaf
// entries (treeCid, index) → (block CID, proof) of dataset trees (spec node.md
// §1.3, §1.5, §9). The agent adapts its repository to this interface; tests
// use MemoryDatasetBlocks.
//
// Thread-safety: implementations must allow concurrent calls from several
// threads; the erasure worker pool reads and writes in parallel.
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "exchange/multiformats/cid.h"
#include "exchange/tree/tree_proof.h"

namespace codex::erasure {

class DatasetBlocks {
 public:
  virtual ~DatasetBlocks() = default;

  // The block CID recorded for leaf `index` of the dataset tree `tree`;
  // nullopt when there is no such entry (the leaf counts as lost).
  virtual std::optional<Cid> leaf_cid(const Cid& tree, uint64_t index) = 0;

  // The bytes of a block; nullopt when the block is not held. The empty CID
  // (Cid::empty_block()) is always present with zero bytes.
  virtual std::optional<std::string> block(const Cid& cid) = 0;

  // Stores a block under its CID. Storing a block already held is a no-op,
  // except that held bytes that do not match the CID (corruption) should be
  // replaced: decode and repair store recovered blocks through this call.
  // Throws (StoreError, QuotaError, …) when the write fails.
  virtual void put_block(const Cid& cid, std::span<const uint8_t> bytes) = 0;

  // Records leaf `index` of tree `tree`: its block CID and inclusion proof.
  // Throws when the write fails.
  virtual void put_leaf(const Cid& tree, uint64_t index, const Cid& block,
                        const TreeProof& proof) = 0;

  // Records several leaves of one tree (erasure coding writes them in runs of
  // a few hundred). The default calls put_leaf for each; a store can override
  // it to write them in one transaction.
  struct LeafEntry {
    uint64_t index = 0;
    Cid block;
    TreeProof proof;
  };
  virtual void put_leaves(const Cid& tree, std::span<const LeafEntry> entries) {
    for (const LeafEntry& e : entries)
      put_leaf(tree, e.index, e.block, e.proof);
  }
};

}  // namespace codex::erasure
