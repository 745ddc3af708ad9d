// Erasure::decode — spec node.md §2.3.
#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

#include "exchange/erasure/codec.h"
#include "exchange/erasure/erasure.h"
#include "exchange/erasure/errors.h"
#include "exchange/erasure/layout.h"
#include "exchange/erasure/leaf_entries.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/tree/sha256_tree.h"

namespace codex::erasure {
namespace {

uint64_t ceil_div(uint64_t a, uint64_t b) {
  return a / b + (a % b != 0);
}

// Checks the protected manifest and returns its layout.
SteppedLayout layout_of(const Manifest& pm) {
  if (!pm.is_protected())
    throw ErasureError("erasure: manifest of " + pm.tree_cid.to_string() + " is not protected");
  const ErasureInfo& info = *pm.erasure;
  if (info.strategy != StrategyType::kStepped)
    throw ErasureError("erasure: only the stepped strategy can be decoded");
  if (pm.block_size == 0) throw ErasureError("erasure: manifest has block size 0");
  if (pm.hcodec != multicodec::kSha2_256)
    throw ErasureError("erasure: manifest hash codec must be sha2-256");
  SteppedLayout layout(ErasureParams{info.ec_k, info.ec_m},
                       ceil_div(info.original_dataset_size, pm.block_size), pm.block_size);
  uint64_t blocks = ceil_div(pm.dataset_size, pm.block_size);
  if (blocks != layout.encoded_blocks())
    throw ErasureError(
        "erasure: protected manifest has " + std::to_string(blocks) +
        " blocks, the layout needs steps·(K+M) = " + std::to_string(layout.encoded_blocks()));
  return layout;
}

// Decoding of one protected dataset: the per-step work shared by the pool's
// tasks. Tasks touch disjoint entries of `leaves`; `recovered` is locked.
class DatasetDecoder {
 public:
  DatasetDecoder(DatasetBlocks& blocks, const Manifest& pm, const ErasureOptions& options)
      : blocks_(blocks),
        pm_(pm),
        verify_(options.verify_blocks),
        layout_(layout_of(pm)),
        bs_(pm.block_size),
        codec_(layout_.params(), bs_, options.decode_cache_capacity),
        zeros_(bs_, 0),
        leaves_(layout_.original_blocks()) {}

  const SteppedLayout& layout() const { return layout_; }

  // Restores the lost data blocks of `step` and records its data leaves.
  void decode_step(uint64_t step);

  // The original tree over the recorded leaves, and the indices recovered.
  Sha256Tree tree() { return Sha256Tree::build(std::move(leaves_)); }
  std::vector<uint64_t> recovered() {
    std::sort(recovered_.begin(), recovered_.end());
    return std::move(recovered_);
  }

 private:
  // One step's blocks: bytes held, K + M shard pointers (null = not
  // available) and the leaf CIDs looked up.
  struct Step {
    explicit Step(uint32_t n) : held(n), shards(n, nullptr), cids(n) {}
    std::vector<std::string> held;
    std::vector<uint8_t*> shards;
    std::vector<std::optional<Cid>> cids;
  };

  bool fetch(uint64_t step, uint32_t p, Step& st);
  void record(uint64_t step, uint32_t p, const Cid& cid) {
    uint64_t i = layout_.index(step, p);
    if (i < layout_.original_blocks()) leaves_[i] = block_digest(cid);
  }
  [[noreturn]] void too_many_losses(uint64_t step, std::vector<uint64_t> lost) const;

  DatasetBlocks& blocks_;
  const Manifest& pm_;
  const bool verify_;
  const SteppedLayout layout_;
  const size_t bs_;
  const ReedSolomonCodec codec_;
  const std::vector<uint8_t> zeros_;  // the bytes of padding positions
  std::vector<Digest32> leaves_;
  std::mutex recovered_mu_;
  std::vector<uint64_t> recovered_;
};

// Fetches position p of a step; false when the block is lost (no leaf entry,
// not held, wrong size or, when verifying, bytes that do not match the CID).
// Padding positions are known zero blocks.
bool DatasetDecoder::fetch(uint64_t step, uint32_t p, Step& st) {
  uint64_t i = layout_.index(step, p);
  if (layout_.is_padding(i)) {
    st.shards[p] = const_cast<uint8_t*>(zeros_.data());  // only ever read
    return true;
  }
  st.cids[p] = blocks_.leaf_cid(pm_.tree_cid, i);
  if (!st.cids[p]) return false;
  std::optional<std::string> bytes = blocks_.block(*st.cids[p]);
  if (!bytes || bytes->size() != bs_) return false;
  auto* data = reinterpret_cast<uint8_t*>(bytes->data());
  if (verify_ && Cid::sha256_of(st.cids[p]->codec(), {data, bs_}) != *st.cids[p]) return false;
  st.held[p] = std::move(*bytes);
  st.shards[p] = reinterpret_cast<uint8_t*>(st.held[p].data());
  return true;
}

void DatasetDecoder::too_many_losses(uint64_t step, std::vector<uint64_t> lost) const {
  std::string list;
  for (uint64_t i : lost)
    list += (list.empty() ? "" : ", ") + std::to_string(i);
  throw TooManyLossesError("erasure: step " + std::to_string(step) + " of " +
                               pm_.tree_cid.to_string() + " lost " + std::to_string(lost.size()) +
                               " of its " + std::to_string(layout_.params().slots()) +
                               " blocks (indices " + list +
                               "); at most M=" + std::to_string(layout_.m()) + " can be recovered",
                           step, std::move(lost));
}

void DatasetDecoder::decode_step(uint64_t step) {
  const uint32_t k = layout_.k(), n = layout_.params().slots();
  Step st(n);
  // Fast path: every data position held, nothing to decode.
  bool all_data = true;
  for (uint32_t p = 0; p < k; ++p)
    all_data = fetch(step, p, st) && all_data;
  if (all_data) {
    for (uint32_t p = 0; p < k; ++p)
      if (st.cids[p]) record(step, p, *st.cids[p]);
    return;
  }

  // Gather K usable blocks: the held data blocks, then parity as needed.
  uint32_t usable = 0;
  std::vector<uint64_t> lost;
  for (uint32_t p = 0; p < n && usable < k; ++p) {
    if (p < k ? st.shards[p] != nullptr : fetch(step, p, st)) {
      ++usable;
    } else {
      lost.push_back(layout_.index(step, p));
    }
  }
  if (usable < k) too_many_losses(step, std::move(lost));

  ShardMask erased, targets;
  std::vector<std::vector<uint8_t>> out;
  out.reserve(k);
  for (uint32_t p = 0; p < n; ++p) {
    if (st.shards[p]) continue;
    erased.set(p);
    if (p < k) {  // parity is not needed to restore the data
      targets.set(p);
      st.shards[p] = out.emplace_back(bs_).data();
    }
  }
  codec_.reconstruct(st.shards, erased, targets);

  std::vector<uint64_t> mine;
  for (uint32_t p = 0; p < k; ++p) {
    if (targets[p]) {
      std::span<const uint8_t> block(st.shards[p], bs_);
      Cid cid = Cid::sha256_of(pm_.codec, block);
      blocks_.put_block(cid, block);
      record(step, p, cid);
      mine.push_back(layout_.index(step, p));
    } else if (st.cids[p]) {
      record(step, p, *st.cids[p]);
    }
  }
  std::lock_guard lock(recovered_mu_);
  recovered_.insert(recovered_.end(), mine.begin(), mine.end());
}

}  // namespace

Manifest Erasure::decode(const Manifest& pm, ProofsToStore proofs) {
  DatasetDecoder decoder(blocks_, pm, options_);
  pool_.parallel_for(decoder.layout().steps(), [&](size_t step) { decoder.decode_step(step); });

  const Sha256Tree tree = decoder.tree();
  const ErasureInfo& info = *pm.erasure;
  if (tree.root_cid() != info.original_tree_cid)
    throw TreeMismatchError("erasure: decoded dataset has tree " + tree.root_cid().to_string() +
                            ", expected originalTreeCid " + info.original_tree_cid.to_string());
  if (proofs == ProofsToStore::kAll) {
    store_all_leaf_entries(pool_, blocks_, tree, pm.codec);
  } else {
    store_leaf_entries(pool_, blocks_, tree, pm.codec, decoder.recovered());
  }

  Manifest out = pm;
  out.tree_cid = info.original_tree_cid;
  out.dataset_size = info.original_dataset_size;
  out.erasure.reset();
  return out;
}

}  // namespace codex::erasure
