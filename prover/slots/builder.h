// The slot builder (node.md §3.1): block roots → slot trees (one per slot, over
// its blocks padded with all-zero blocks to a power-of-two cell count) →
// dataset ("verify") tree over the slot roots.
//
// It reads blocks through a BlockReader, so it does not depend on the block
// store. Blocks are hashed on worker threads (all cores by default); at most
// one block per worker is held in memory at any time.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "prover/field/bn254.h"
#include "prover/merkle/tree.h"
#include "prover/slots/layout.h"

namespace codex::prover::slots {

// Fills `out` (exactly block_size bytes) with dataset block `index`
// (index < blocks_count; pad blocks are never read). An empty-CID block reads
// as zeros. May throw; the build then stops and rethrows the first error.
using BlockReader = std::function<void(uint64_t index, std::span<uint8_t> out)>;

struct BuildOptions {
  // Worker threads; 0 = all hardware threads.
  unsigned threads = 0;
  // If false (default), calls to the reader are serialised by a mutex; set it
  // when the reader may run on several threads at once.
  bool concurrent_reads = false;
};

// Roots of the given dataset blocks, in order; indices ≥ blocks_count are pad
// blocks (all zero). Thread-safe if the reader is.
std::vector<Fr> compute_block_roots(const SlotLayout& layout, std::span<const uint64_t> indices,
                                    const BlockReader& read, const BuildOptions& options = {});

// The Poseidon2 root of an all-zero block of the layout's sizes.
Fr zero_block_root(const SlotLayout& layout);

// One slot's tree over its block roots.
class SlotTree {
 public:
  SlotTree(uint64_t slot_index, std::vector<uint64_t> block_indices, std::vector<Fr> block_roots);

  uint64_t slot_index() const { return slot_index_; }
  const Fr& root() const { return tree_.root(); }
  // Dataset block indices of the slot's positions, pads included.
  const std::vector<uint64_t>& block_indices() const { return block_indices_; }
  std::span<const Fr> block_roots() const { return tree_.leaves(); }
  const merkle::MerkleTree& tree() const { return tree_; }
  // Path of the block at slot position pos (what the store keeps per leaf).
  merkle::MerklePath block_path(uint64_t pos) const { return tree_.path(pos); }
  std::vector<merkle::MerklePath> all_block_paths() const;

 private:
  uint64_t slot_index_;
  std::vector<uint64_t> block_indices_;
  merkle::MerkleTree tree_;
};

// The slot trees of a dataset and the tree over their roots.
class DatasetTree {
 public:
  explicit DatasetTree(std::vector<SlotTree> slots);

  const Fr& root() const { return tree_.root(); }
  const std::vector<SlotTree>& slots() const { return slots_; }
  const SlotTree& slot(uint64_t i) const;  // throws InvalidInput if out of range
  std::vector<Fr> slot_roots() const;
  // Path of slot i's root to the dataset root.
  merkle::MerklePath slot_proof(uint64_t i) const;

 private:
  std::vector<SlotTree> slots_;
  merkle::MerkleTree tree_;
};

// Builds one slot. Throws InvalidInput if slot ≥ num_slots.
SlotTree build_slot(const SlotLayout& layout, uint64_t slot, const BlockReader& read,
                    const BuildOptions& options = {});

// Builds every slot (all blocks of the dataset hashed in one parallel pass)
// and the dataset tree.
DatasetTree build_dataset(const SlotLayout& layout, const BlockReader& read,
                          const BuildOptions& options = {});

}  // namespace codex::prover::slots
