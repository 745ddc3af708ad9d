#include "exchange/net/slot_repair.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "exchange/crypto/sha256.h"
#include "exchange/erasure/codec.h"
#include "exchange/erasure/errors.h"
#include "exchange/erasure/layout.h"
#include "exchange/erasure/leaf_entries.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/net/blockexc/message.h"
#include "exchange/net/network.h"
#include "exchange/tree/sha256_tree.h"

namespace codex::net {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

Digest32 digest_of(const std::string& bytes) {
  return sha256({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
}

erasure::SteppedLayout layout_of(const Manifest& pm, uint32_t slot) {
  const std::string what = "slot repair: dataset " + pm.tree_cid.to_string();
  if (!pm.is_protected()) throw erasure::ErasureError(what + " is not protected");
  const ErasureInfo& info = *pm.erasure;
  if (info.strategy != StrategyType::kStepped)
    throw erasure::ErasureError(what + ": only the stepped strategy can be repaired");
  if (pm.block_size == 0 || pm.hcodec != multicodec::kSha2_256)
    throw erasure::ErasureError(what + ": needs sha2-256 blocks of size > 0");
  const uint64_t bs = pm.block_size;
  erasure::SteppedLayout layout(erasure::ErasureParams{info.ec_k, info.ec_m},
                                (info.original_dataset_size + bs - 1) / bs, bs);
  if (pm.blocks_count() != layout.encoded_blocks())
    throw erasure::ErasureError(what + " has " + std::to_string(pm.blocks_count()) +
                                " blocks, its K and M need " +
                                std::to_string(layout.encoded_blocks()));
  if (slot >= layout.params().slots())
    throw erasure::ErasureError(what + " has " + std::to_string(layout.params().slots()) +
                                " slots, no slot " + std::to_string(slot));
  return layout;
}

// One step of a batch: its K + M shards as far as they are at hand.
struct StepWork {
  uint64_t step = 0;
  std::vector<std::optional<std::string>> shards;
  std::vector<bool> asked;  // fetched or tried already
  uint32_t have = 0;        // usable shards (padding counts)
};

class SlotRepair {
 public:
  SlotRepair(Network& network, erasure::DatasetBlocks& local, const Manifest& pm, uint32_t slot,
             SlotRepairOptions options)
      : network_(network),
        local_(local),
        pm_(pm),
        slot_(slot),
        options_(options),
        layout_(layout_of(pm, slot)),
        codec_(layout_.params(), pm.block_size),
        zeros_(pm.block_size, 0),
        leaves_(layout_.encoded_blocks()),
        known_(layout_.encoded_blocks(), false) {
    if (options_.steps_per_batch == 0)
      options_.steps_per_batch = std::max<uint64_t>(1, 256 / layout_.params().slots());
    if (options_.window == 0) options_.window = 1;
  }

  SlotRepairReport run() {
    report_.slot_blocks = layout_.steps();
    // The slot whole here (its blocks and their leaf entries, which carry
    // their proofs): nothing to rebuild, and no reason to fetch anything.
    const auto t0 = Clock::now();
    std::vector<bool> held(layout_.steps(), false);
    for (uint64_t s = 0; s < layout_.steps(); ++s)
      held[s] = slot_block_held(s);
    report_.slot_held = std::count(held.begin(), held.end(), true);
    report_.fetch_seconds += seconds_since(t0);
    if (report_.slot_held == layout_.steps()) {
      for (uint64_t s = 0; s < layout_.steps(); ++s)
        report_.found_locally += layout_.is_padding(layout_.index(s, slot_)) ? 0 : 1;
      return report_;
    }

    for (uint64_t first = 0; first < layout_.steps(); first += options_.steps_per_batch)
      run_batch(first, std::min(layout_.steps(), first + options_.steps_per_batch), held);

    const auto t1 = Clock::now();
    const Sha256Tree tree = Sha256Tree::build(std::move(leaves_));
    const Cid root = tree.root_cid();
    if (root != pm_.tree_cid)
      throw erasure::TreeMismatchError("slot repair: the blocks of slot " + std::to_string(slot_) +
                                       " and its steps rebuild the tree " + root.to_string() +
                                       ", not the dataset's treeCid " + pm_.tree_cid.to_string());
    constexpr uint64_t kRun = 512;  // leaf entries per store transaction
    std::vector<erasure::DatasetBlocks::LeafEntry> entries;
    for (uint64_t s = 0; s < layout_.steps(); ++s) {
      const uint64_t i = layout_.index(s, slot_);
      entries.push_back({i, erasure::block_cid_of(pm_.codec, tree.leaf(i)), tree.proof(i)});
      if (entries.size() == kRun || s + 1 == layout_.steps()) {
        local_.put_leaves(pm_.tree_cid, entries);
        entries.clear();
      }
    }
    report_.tree_seconds += seconds_since(t1);
    return report_;
  }

 private:
  // Reads the local leaf entry of `i` into the tree's leaves; its CID.
  std::optional<Cid> local_leaf(uint64_t i) {
    if (layout_.is_padding(i)) {
      leaves_[i] = erasure::empty_block_digest();
      known_[i] = true;
      return std::nullopt;
    }
    std::optional<Cid> cid = local_.leaf_cid(pm_.tree_cid, i);
    if (cid) {
      leaves_[i] = block_digest(*cid);
      known_[i] = true;
    }
    return cid;
  }

  std::optional<std::string> local_block(const Cid& cid) {
    std::optional<std::string> bytes = local_.block(cid);
    if (bytes && bytes->size() != pm_.block_size) bytes.reset();  // unusable: lost
    return bytes;
  }

  bool slot_block_held(uint64_t step) {
    const uint64_t i = layout_.index(step, slot_);
    if (layout_.is_padding(i)) return true;
    const std::optional<Cid> cid = local_.leaf_cid(pm_.tree_cid, i);
    return cid && local_block(*cid).has_value();
  }

  void run_batch(uint64_t first, uint64_t end, const std::vector<bool>& held) {
    const uint32_t n = layout_.params().slots(), k = layout_.k();
    auto t = Clock::now();
    std::vector<StepWork> work;
    for (uint64_t s = first; s < end; ++s) {
      bool all_known = true;
      std::vector<std::optional<Cid>> cids(n);
      for (uint32_t p = 0; p < n; ++p) {
        cids[p] = local_leaf(layout_.index(s, p));
        all_known = all_known && known_[layout_.index(s, p)];
      }
      // Its slot block held and every leaf known: nothing to do for this step.
      if (held[s] && all_known) continue;
      StepWork w{s, std::vector<std::optional<std::string>>(n), std::vector<bool>(n, false), 0};
      for (uint32_t p = 0; p < n; ++p) {
        const uint64_t i = layout_.index(s, p);
        if (layout_.is_padding(i)) {
          w.asked[p] = true;
          ++w.have;  // a zero block
          continue;
        }
        if (!cids[p]) continue;
        w.shards[p] = local_block(*cids[p]);
        if (w.shards[p]) {
          w.asked[p] = true;
          ++w.have;
          ++report_.found_locally;
        }
      }
      work.push_back(std::move(w));
    }
    if (work.empty()) {
      report_.fetch_seconds += seconds_since(t);
      return;
    }

    // First what each step lacks of K, from other slots than the one being
    // repaired (its holder is gone, so its blocks are asked last); then, for
    // steps still short because some of those never came, all the rest.
    std::vector<std::pair<size_t, uint32_t>> wanted;
    for (size_t w = 0; w < work.size(); ++w) {
      uint32_t need = work[w].have < k ? k - work[w].have : 0;
      for (uint32_t p = 0; p < n && need > 0; ++p)
        if (p != slot_ && !work[w].asked[p]) {
          wanted.emplace_back(w, p);
          --need;
        }
    }
    fetch(work, wanted);
    wanted.clear();
    for (size_t w = 0; w < work.size(); ++w)
      if (work[w].have < k)
        for (uint32_t p = 0; p < n; ++p)
          if (p != slot_ && !work[w].asked[p]) wanted.emplace_back(w, p);
    for (size_t w = 0; w < work.size(); ++w)
      if (work[w].have < k && !work[w].asked[slot_]) wanted.emplace_back(w, slot_);
    fetch(work, wanted);
    report_.fetch_seconds += seconds_since(t);

    for (StepWork& w : work) {
      if (w.have < k) throw too_many_losses(w);
      rebuild(w);
    }
  }

  // Fetches the (step, position) pairs until K shards of every step are at
  // hand or every fetch ran out of attempts.
  void fetch(std::vector<StepWork>& work, const std::vector<std::pair<size_t, uint32_t>>& wanted) {
    if (wanted.empty()) return;
    const uint32_t k = layout_.k();
    std::vector<blockexc::BlockAddress> addresses;
    size_t unsatisfied = 0;
    std::vector<uint32_t> have(work.size());
    for (size_t w = 0; w < work.size(); ++w) {
      have[w] = work[w].have;
      if (have[w] < k) ++unsatisfied;
    }
    for (const auto& [w, p] : wanted) {
      addresses.push_back(
          blockexc::BlockAddress::of_leaf(pm_.tree_cid, layout_.index(work[w].step, p)));
      work[w].asked[p] = true;
    }
    // Called on the network thread while this thread waits.
    auto enough = [&](size_t j) {
      if (++have[wanted[j].first] == k) --unsatisfied;
      return unsatisfied == 0;
    };
    auto got = network_.fetch_available(std::move(addresses), options_.attempts_per_block,
                                        options_.window, enough);
    for (size_t j = 0; j < wanted.size(); ++j) {
      if (!got[j]) continue;
      StepWork& w = work[wanted[j].first];
      if (got[j]->size() != pm_.block_size)
        throw erasure::ErasureError("slot repair: block " +
                                    std::to_string(layout_.index(w.step, wanted[j].second)) +
                                    " of " + pm_.tree_cid.to_string() + " has " +
                                    std::to_string(got[j]->size()) + " bytes");
      w.shards[wanted[j].second] = std::move(got[j]);
      ++w.have;
      ++report_.fetched;
    }
  }

  erasure::TooManyLossesError too_many_losses(const StepWork& w) const {
    std::vector<uint64_t> lost;
    std::string list;
    for (uint32_t p = 0; p < w.shards.size(); ++p) {
      if (w.shards[p] || layout_.is_padding(layout_.index(w.step, p))) continue;
      lost.push_back(layout_.index(w.step, p));
      list += (list.empty() ? "" : ", ") + std::to_string(lost.back());
    }
    return erasure::TooManyLossesError(
        "slot repair: step " + std::to_string(w.step) + " of " + pm_.tree_cid.to_string() +
            " has " + std::to_string(w.have) + " of the K=" + std::to_string(layout_.k()) +
            " blocks needed to rebuild slot " + std::to_string(slot_) +
            " (neither held here nor delivered by a peer: indices " + list + ")",
        w.step, std::move(lost));
  }

  // Decodes what the step lacks (the slot's block, blocks whose leaf is
  // unknown), completes the tree's leaves and stores the slot's block.
  void rebuild(StepWork& w) {
    const uint32_t n = layout_.params().slots();
    const size_t bs = pm_.block_size;
    const uint64_t slot_index = layout_.index(w.step, slot_);
    const bool slot_missing = !w.shards[slot_] && !layout_.is_padding(slot_index);
    erasure::ShardMask erased, targets;
    std::vector<uint8_t*> ptrs(n, nullptr);
    for (uint32_t p = 0; p < n; ++p) {
      const uint64_t i = layout_.index(w.step, p);
      if (layout_.is_padding(i)) {
        ptrs[p] = zeros_.data();  // read only: never a target
        continue;
      }
      if (!w.shards[p]) {
        erased.set(p);
        if (!known_[i] || p == slot_) {
          targets.set(p);
          w.shards[p].emplace(bs, '\0');
        }
      }
      if (w.shards[p]) ptrs[p] = reinterpret_cast<uint8_t*>(w.shards[p]->data());
    }
    if (targets.any()) {
      const auto t = Clock::now();
      codec_.reconstruct(ptrs, erased, targets);
      ++report_.steps_decoded;
      report_.decode_seconds += seconds_since(t);
    }

    const auto t = Clock::now();
    for (uint32_t p = 0; p < n; ++p) {
      const uint64_t i = layout_.index(w.step, p);
      if (known_[i] && !(p == slot_ && slot_missing)) continue;
      const Digest32 d = digest_of(*w.shards[p]);
      // A decoded slot block is stored under its own hash: it must be the
      // one a local leaf entry already names (the tree check would not see
      // a leaf taken from the entry).
      if (known_[i] && d != leaves_[i])
        throw erasure::TreeMismatchError(
            "slot repair: block " + std::to_string(i) + " of " + pm_.tree_cid.to_string() +
            " decodes to other bytes than its leaf entry names (step " + std::to_string(w.step) +
            ")");
      leaves_[i] = d;
      known_[i] = true;
    }
    report_.tree_seconds += seconds_since(t);
    if (slot_missing) {
      const std::string& bytes = *w.shards[slot_];
      local_.put_block(erasure::block_cid_of(pm_.codec, leaves_[slot_index]),
                       {reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
      ++report_.slot_stored;
    }
  }

  Network& network_;
  erasure::DatasetBlocks& local_;
  const Manifest& pm_;
  uint32_t slot_;
  SlotRepairOptions options_;
  erasure::SteppedLayout layout_;
  erasure::ReedSolomonCodec codec_;
  std::vector<uint8_t> zeros_;
  std::vector<Digest32> leaves_;
  std::vector<bool> known_;
  SlotRepairReport report_;
};

}  // namespace

SlotRepairReport repair_slot(Network& network, erasure::DatasetBlocks& local,
                             const Manifest& protected_manifest, uint32_t slot,
                             SlotRepairOptions options) {
  return SlotRepair(network, local, protected_manifest, slot, options).run();
}

}  // namespace codex::net
