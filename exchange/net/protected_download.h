#pragma once
// Download of a protected (erasure-coded) dataset's original bytes from peers
// (spec node.md §2.3), window by window: each window's data blocks are
// fetched from the protected tree; a block no peer delivers in time is
// recovered by fetching other blocks (data and parity) of its step and
// decoding that step. The original tree (originalTreeCid) is rebuilt over
// the blocks as they pass and checked before the last window is handed out,
// so a stream never completes with bytes the manifest does not promise.
//
// Memory: a window of blocks, K + M blocks per step being decoded, and 32
// bytes per block for the original tree's leaves.
// Not thread-safe; blocking (runs the fetches on the network thread): call
// it from a thread of its own, never the network thread.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "exchange/crypto/sha256.h"
#include "exchange/erasure/codec.h"
#include "exchange/erasure/layout.h"
#include "exchange/manifest/manifest.h"
#include "exchange/tree/sha256_tree.h"

namespace codex::net {

class Network;

struct ProtectedDownloadOptions {
  uint64_t window = 64;  // original blocks per window
  // Attempts per block before it counts as lost and is decoded instead
  // (the engine's back-off makes one attempt 1–2 s when nobody has it).
  int attempts_per_block = 5;
};

class ProtectedDownload {
 public:
  // Throws erasure::ErasureError for a manifest that is not protected with
  // the stepped strategy or whose block count does not fit its K and M.
  // `network` must outlive this object.
  ProtectedDownload(Network& network, Manifest protected_manifest,
                    ProtectedDownloadOptions options = {});

  const Manifest& manifest() const { return pm_; }
  uint64_t size() const { return pm_.erasure->original_dataset_size; }
  uint64_t blocks() const { return layout_.original_blocks(); }
  uint64_t window_blocks() const { return options_.window; }

  // Original blocks [first, first + window) (fewer at the end), each of the
  // full block size (the caller trims the last one to size()). Windows are
  // read in order from 0. Throws erasure::TooManyLossesError when a step
  // cannot be recovered from what the peers have, erasure::TreeMismatchError
  // when the data does not rebuild originalTreeCid, erasure::ErasureError
  // for blocks that are not one codeword, and the network's errors.
  std::vector<std::string> window(uint64_t first);

  // Blocks recovered by decoding so far.
  uint64_t recovered() const { return recovered_; }
  // The original tree, checked, once the last window was read (for storing
  // its leaf proofs); null before.
  const Sha256Tree* original_tree() const { return tree_ ? &*tree_ : nullptr; }

 private:
  // Recovers the blocks of `missing` (indices in [first, first + got.size()))
  // into `got`, decoding their steps.
  void recover(uint64_t first, std::vector<std::optional<std::string>>& got,
               const std::vector<uint64_t>& missing);
  void recover_steps(uint64_t first, std::vector<std::optional<std::string>>& got,
                     std::span<const uint64_t> steps);

  Network& network_;
  Manifest pm_;
  ProtectedDownloadOptions options_;
  erasure::SteppedLayout layout_;
  std::unique_ptr<erasure::ReedSolomonCodec> codec_;
  uint64_t next_ = 0;             // the window expected next
  std::vector<Digest32> leaves_;  // original tree leaves so far
  uint64_t recovered_ = 0;
  std::optional<Sha256Tree> tree_;
};

}  // namespace codex::net
