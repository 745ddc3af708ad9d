#include "exchange/erasure/leaf_entries.h"

#include <algorithm>
#include <string>
#include <vector>

#include "exchange/multiformats/multicodec.h"

namespace codex::erasure {
namespace {

// Leaf entries written per task: big enough to amortise scheduling and let a
// store batch them, small enough to spread over the workers.
constexpr uint64_t kLeavesPerTask = 512;

// Writes the leaf entries of `count` leaves; leaf_at(j) is the j-th index.
template <class LeafAt>
void store_runs(base::WorkerPool& pool, DatasetBlocks& blocks, const Sha256Tree& tree,
                uint64_t block_codec, uint64_t count, const LeafAt& leaf_at) {
  const Cid root = tree.root_cid();
  size_t tasks = (count + kLeavesPerTask - 1) / kLeavesPerTask;
  pool.parallel_for(tasks, [&](size_t t) {
    uint64_t end = std::min<uint64_t>(count, (t + 1) * kLeavesPerTask);
    std::vector<DatasetBlocks::LeafEntry> run;
    run.reserve(end - t * kLeavesPerTask);
    for (uint64_t j = t * kLeavesPerTask; j < end; ++j) {
      uint64_t i = leaf_at(j);
      run.push_back({i, block_cid_of(block_codec, tree.leaf(i)), tree.proof(i)});
    }
    blocks.put_leaves(root, run);
  });
}

}  // namespace

Cid block_cid_of(uint64_t codec, const Digest32& digest) {
  return Cid(codec, Multihash(multicodec::kSha2_256, std::string(digest.begin(), digest.end())));
}

const Digest32& empty_block_digest() {
  static const Digest32 kDigest = sha256({});
  return kDigest;
}

void store_leaf_entries(base::WorkerPool& pool, DatasetBlocks& blocks, const Sha256Tree& tree,
                        uint64_t block_codec, std::span<const uint64_t> indices) {
  store_runs(pool, blocks, tree, block_codec, indices.size(),
             [&](uint64_t j) { return indices[j]; });
}

void store_all_leaf_entries(base::WorkerPool& pool, DatasetBlocks& blocks, const Sha256Tree& tree,
                            uint64_t block_codec) {
  store_runs(pool, blocks, tree, block_codec, tree.leaves_count(), [](uint64_t j) { return j; });
}

}  // namespace codex::erasure
