#include "exchange/net/protected_download.h"

#include <algorithm>
#include <map>
#include <optional>

#include "exchange/erasure/errors.h"
#include "exchange/erasure/step_decode.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/net/blockexc/message.h"
#include "exchange/net/network.h"
#include "exchange/tree/sha256_tree.h"

namespace codex::net {
namespace {

erasure::SteppedLayout layout_of(const Manifest& pm) {
  if (!pm.is_protected())
    throw erasure::ErasureError("download: manifest of " + pm.tree_cid.to_string() +
                                " is not protected");
  const ErasureInfo& info = *pm.erasure;
  if (info.strategy != StrategyType::kStepped)
    throw erasure::ErasureError("download: only the stepped strategy can be decoded");
  if (pm.block_size == 0 || pm.hcodec != multicodec::kSha2_256)
    throw erasure::ErasureError("download: protected manifest needs sha2-256 blocks of size > 0");
  const uint64_t bs = pm.block_size;
  erasure::SteppedLayout layout(erasure::ErasureParams{info.ec_k, info.ec_m},
                                (info.original_dataset_size + bs - 1) / bs, bs);
  if (pm.blocks_count() != layout.encoded_blocks())
    throw erasure::ErasureError("download: protected manifest has " +
                                std::to_string(pm.blocks_count()) + " blocks, its K and M need " +
                                std::to_string(layout.encoded_blocks()));
  return layout;
}

}  // namespace

ProtectedDownload::ProtectedDownload(Network& network, Manifest pm,
                                     ProtectedDownloadOptions options)
    : network_(network),
      pm_(std::move(pm)),
      options_(options),
      layout_(layout_of(pm_)),
      codec_(std::make_unique<erasure::ReedSolomonCodec>(layout_.params(), pm_.block_size)) {
  if (options_.window == 0) options_.window = 1;
  leaves_.reserve(layout_.original_blocks());
}

std::vector<std::string> ProtectedDownload::window(uint64_t first) {
  if (first != next_)
    throw std::logic_error("download: window " + std::to_string(first) + " read out of order");
  const uint64_t end = std::min(first + options_.window, blocks());
  std::vector<blockexc::BlockAddress> addresses;
  for (uint64_t i = first; i < end; ++i)
    addresses.push_back(blockexc::BlockAddress::of_leaf(pm_.tree_cid, i));
  // Data index i of the protected tree is original block i (§2.1).
  auto got =
      network_.fetch_available(std::move(addresses), options_.attempts_per_block, options_.window);
  std::vector<uint64_t> missing;
  for (uint64_t i = first; i < end; ++i)
    if (!got[i - first]) missing.push_back(i);
  if (!missing.empty()) recover(first, got, missing);

  std::vector<std::string> out;
  out.reserve(got.size());
  for (auto& block : got) {
    if (!block) throw std::logic_error("download: a block was neither fetched nor decoded");
    if (block->size() != pm_.block_size)
      throw erasure::ErasureError("download: a block of " + pm_.tree_cid.to_string() + " has " +
                                  std::to_string(block->size()) + " bytes");
    leaves_.push_back(sha256({reinterpret_cast<const uint8_t*>(block->data()), block->size()}));
    out.push_back(std::move(*block));
  }
  next_ = end;
  if (end == blocks()) {
    Sha256Tree tree = Sha256Tree::build(std::move(leaves_));
    leaves_.clear();
    const Cid root = tree.root_cid();
    if (root != pm_.erasure->original_tree_cid)
      throw erasure::TreeMismatchError(
          "download: the blocks of " + pm_.tree_cid.to_string() + " rebuild the tree " +
          root.to_string() + ", not originalTreeCid " + pm_.erasure->original_tree_cid.to_string());
    tree_.emplace(std::move(tree));
  }
  return out;
}

void ProtectedDownload::recover(uint64_t first, std::vector<std::optional<std::string>>& got,
                                const std::vector<uint64_t>& missing) {
  const uint32_t n = layout_.params().slots();
  // Steps decoded together: their K + M blocks stay within about four
  // windows of memory, however large K + M is.
  const size_t group = std::max<size_t>(1, 4 * options_.window / n);
  std::vector<uint64_t> steps;
  for (uint64_t i : missing)
    steps.push_back(layout_.step_of(i));
  std::sort(steps.begin(), steps.end());
  steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
  for (size_t g = 0; g < steps.size(); g += group)
    recover_steps(first, got,
                  {steps.begin() + g, steps.begin() + std::min(steps.size(), g + group)});
}

void ProtectedDownload::recover_steps(uint64_t first, std::vector<std::optional<std::string>>& got,
                                      std::span<const uint64_t> step_list) {
  const uint32_t n = layout_.params().slots();
  const uint64_t end = first + got.size();
  // Each step's K + M shards: those this window already has, the rest
  // fetched all at once until K of every step are at hand (§2.3): waiting
  // for a lost one costs the same time-out whether it is asked alone or
  // with the others, and the others may already be enough.
  std::map<uint64_t, std::vector<std::optional<std::string>>> steps;
  std::map<uint64_t, uint32_t> have;  // usable shards per step
  for (uint64_t step : step_list)
    steps.emplace(step, std::vector<std::optional<std::string>>(n));
  std::vector<blockexc::BlockAddress> addresses;
  std::vector<std::pair<uint64_t, uint32_t>> wanted;  // (step, position)
  size_t unsatisfied = 0;
  for (auto& [step, shards] : steps) {
    uint32_t& count = have[step];
    std::vector<uint32_t> ask;
    for (uint32_t p = 0; p < n; ++p) {
      const uint64_t i = layout_.index(step, p);
      if (layout_.is_padding(i)) {
        ++count;  // a zero block, known
      } else if (i >= first && i < end) {
        if (got[i - first]) {
          shards[p] = got[i - first];
          ++count;
        }  // a missing one was asked already
      } else {
        ask.push_back(p);
      }
    }
    if (count >= layout_.k()) continue;
    ++unsatisfied;
    for (uint32_t p : ask) {
      addresses.push_back(blockexc::BlockAddress::of_leaf(pm_.tree_cid, layout_.index(step, p)));
      wanted.emplace_back(step, p);
    }
  }
  const uint32_t k = layout_.k();
  // Called on the network thread while this thread waits in fetch_available.
  auto enough = [&wanted, &have, &unsatisfied, k](size_t j) {
    if (++have[wanted[j].first] == k) --unsatisfied;
    return unsatisfied == 0;
  };
  auto more = network_.fetch_available(std::move(addresses), options_.attempts_per_block,
                                       options_.window, enough);
  for (size_t j = 0; j < wanted.size(); ++j)
    steps[wanted[j].first][wanted[j].second] = std::move(more[j]);
  for (auto& [step, shards] : steps) {
    erasure::decode_step(*codec_, layout_, step, shards);
    for (uint32_t p = 0; p < layout_.k(); ++p) {
      const uint64_t i = layout_.index(step, p);
      if (i >= first && i < end && !got[i - first]) {
        got[i - first] = std::move(shards[p]);
        ++recovered_;
      }
    }
  }
}

}  // namespace codex::net
