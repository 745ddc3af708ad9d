#pragma once
// The block repository seen through erasure coding's DatasetBlocks interface,
// so that datasets in the store can be protected, decoded and repaired.
#include "exchange/erasure/dataset_blocks.h"

namespace codex::store {
class Repo;
}

namespace codex {

// Thread-safe (the repo is). The repo must outlive this object.
class RepoDatasetBlocks : public erasure::DatasetBlocks {
 public:
  explicit RepoDatasetBlocks(store::Repo& repo) : repo_(repo) {}

  std::optional<Cid> leaf_cid(const Cid& tree, uint64_t index) override;
  // A block whose bytes fail their check is absent (and recorded as damage).
  std::optional<std::string> block(const Cid& cid) override;
  // Stores a recovered or parity block (its CID was computed from the bytes).
  void put_block(const Cid& cid, std::span<const uint8_t> bytes) override;
  void put_leaf(const Cid& tree, uint64_t index, const Cid& block, const TreeProof& proof) override;
  // One repo transaction per call.
  void put_leaves(const Cid& tree, std::span<const LeafEntry> entries) override;

 private:
  store::Repo& repo_;
};

}  // namespace codex
