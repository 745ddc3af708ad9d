#include "prover/slots/builder.h"

#include <mutex>
#include <string>

#include "base/parallel/parallel_for.h"
#include "prover/error.h"
#include "prover/slots/block_tree.h"

namespace codex::prover::slots {

Fr zero_block_root(const SlotLayout& layout) {
  std::vector<uint8_t> zeros(layout.block_size(), 0);
  return block_root(zeros, layout.cell_size());
}

std::vector<Fr> compute_block_roots(const SlotLayout& layout, std::span<const uint64_t> indices,
                                    const BlockReader& read, const BuildOptions& options) {
  std::vector<Fr> roots(indices.size());
  bool any_pad = false;
  for (uint64_t i : indices)
    any_pad |= layout.is_pad(i);
  const Fr zero_root = any_pad ? zero_block_root(layout) : Fr::zero();

  // Blocks go to the next free thread, each thread reading into its own buffer.
  std::mutex read_mutex;
  base::parallel_for_each(
      indices.size(), options.threads, [&] { return std::vector<uint8_t>(layout.block_size()); },
      [&](std::vector<uint8_t>& block, size_t k) {
        const uint64_t index = indices[k];
        if (layout.is_pad(index)) {
          roots[k] = zero_root;
          return;
        }
        if (options.concurrent_reads) {
          read(index, block);
        } else {
          std::lock_guard<std::mutex> lock(read_mutex);
          read(index, block);
        }
        roots[k] = block_root(block, layout.cell_size());
      });
  return roots;
}

SlotTree::SlotTree(uint64_t slot_index, std::vector<uint64_t> block_indices,
                   std::vector<Fr> block_roots)
    : slot_index_(slot_index),
      block_indices_(std::move(block_indices)),
      tree_(std::move(block_roots)) {
  if (block_indices_.size() != tree_.leaf_count()) {
    throw InvalidInput("slot tree: " + std::to_string(block_indices_.size()) +
                       " block indices for " + std::to_string(tree_.leaf_count()) + " roots");
  }
}

std::vector<merkle::MerklePath> SlotTree::all_block_paths() const {
  std::vector<merkle::MerklePath> out;
  out.reserve(tree_.leaf_count());
  for (uint64_t i = 0; i < tree_.leaf_count(); ++i)
    out.push_back(tree_.path(i));
  return out;
}

namespace {

std::vector<Fr> roots_of(const std::vector<SlotTree>& slots) {
  std::vector<Fr> r;
  r.reserve(slots.size());
  for (const auto& s : slots)
    r.push_back(s.root());
  return r;
}

}  // namespace

DatasetTree::DatasetTree(std::vector<SlotTree> slots)
    : slots_(std::move(slots)), tree_(roots_of(slots_)) {}

const SlotTree& DatasetTree::slot(uint64_t i) const {
  if (i >= slots_.size()) {
    throw InvalidInput("slot index " + std::to_string(i) + " out of range (" +
                       std::to_string(slots_.size()) + " slots)");
  }
  return slots_[i];
}

std::vector<Fr> DatasetTree::slot_roots() const {
  return roots_of(slots_);
}

merkle::MerklePath DatasetTree::slot_proof(uint64_t i) const {
  slot(i);  // range check
  return tree_.path(i);
}

SlotTree build_slot(const SlotLayout& layout, uint64_t slot, const BlockReader& read,
                    const BuildOptions& options) {
  auto indices = layout.slot_block_indices(slot);
  auto roots = compute_block_roots(layout, indices, read, options);
  return SlotTree(slot, std::move(indices), std::move(roots));
}

DatasetTree build_dataset(const SlotLayout& layout, const BlockReader& read,
                          const BuildOptions& options) {
  std::vector<uint64_t> all;
  std::vector<std::vector<uint64_t>> per_slot;
  for (uint64_t s = 0; s < layout.num_slots(); ++s) {
    per_slot.push_back(layout.slot_block_indices(s));
    all.insert(all.end(), per_slot.back().begin(), per_slot.back().end());
  }
  auto roots = compute_block_roots(layout, all, read, options);
  std::vector<SlotTree> slots;
  size_t k = 0;
  for (uint64_t s = 0; s < layout.num_slots(); ++s) {
    size_t n = per_slot[s].size();
    std::vector<Fr> slot_roots(roots.begin() + k, roots.begin() + k + n);
    k += n;
    slots.emplace_back(s, std::move(per_slot[s]), std::move(slot_roots));
  }
  return DatasetTree(std::move(slots));
}

}  // namespace codex::prover::slots
