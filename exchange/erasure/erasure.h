#pragma once
// Erasure coding of stored datasets (spec node.md §2): encode a plain manifest
// into a protected one, decode a protected one back, repair lost blocks.
// Blocks are read and written through DatasetBlocks; the codec is ISA-L
// Reed–Solomon (ReedSolomonCodec) over the stepped layout (SteppedLayout).
//
// Work runs on the object's worker pool, one step (codeword) per task, so
// memory stays bounded by threads · (K + M) · blockSize plus ~64 bytes per block
// for the SHA-256 tree. The synchronous calls block the calling thread until
// done; the *_async calls return at once (run them from threads that must not
// block, such as the REST or chain-watching loop).
//
// Thread-safety: all members may be called concurrently; calls share the pool.
#include <cstddef>
#include <future>

#include "base/parallel/worker_pool.h"
#include "exchange/erasure/dataset_blocks.h"
#include "exchange/erasure/params.h"
#include "exchange/manifest/manifest.h"

namespace codex::erasure {

struct ErasureOptions {
  size_t threads = 0;                 // worker threads; 0 ⇒ min(cores, 16)
  size_t decode_cache_capacity = 32;  // decode tables (loss patterns) kept per call
  // Decode hashes every block it reads and treats one that does not match
  // its CID as lost (it is then recovered and stored again).
  bool verify_blocks = true;
};

// Which leaf proofs decode() stores for the original tree.
enum class ProofsToStore { kRecovered, kAll };

class Erasure {
 public:
  // `blocks` must outlive this object.
  explicit Erasure(DatasetBlocks& blocks, ErasureOptions options = {});
  Erasure(const Erasure&) = delete;
  Erasure& operator=(const Erasure&) = delete;

  // Protects a plain manifest's dataset: computes the parity blocks of every
  // step, stores them, builds the SHA-256 tree over all encodedBlocks CIDs
  // (padding leaves = the empty CID) and stores every leaf's CID and proof.
  // Returns the protected manifest (not stored). Requires every data block of
  // the plain manifest to be held (leaf entries under its treeCid and blocks).
  // Throws ErasureParamsError / InsufficientBlocksError for bad K/M or too
  // small a dataset, ErasureError if the manifest is already protected or a
  // block has the wrong size, NotFoundError naming the missing leaf/block, and
  // whatever DatasetBlocks throws.
  Manifest encode(const Manifest& plain, ErasureParams params);

  // Restores a protected manifest's original data blocks from any K of the
  // K + M blocks of every step (blocks are looked up by the protected treeCid),
  // stores the recovered blocks, rebuilds the original tree and requires its
  // root to equal originalTreeCid, then stores leaf proofs for the recovered
  // indices (or all of them). Returns the plain manifest.
  // Throws TooManyLossesError naming the first failing step when a step has
  // fewer than K usable blocks, TreeMismatchError when the rebuilt root
  // differs, ErasureError/ErasureParamsError for a malformed protected manifest.
  Manifest decode(const Manifest& protected_manifest,
                  ProofsToStore proofs = ProofsToStore::kRecovered);

  // Repair (§2.3): decode (storing all original proofs), re-encode with the
  // same K/M and require the same protected treeCid (TreeMismatchError
  // otherwise). Regenerates lost data and parity blocks and their leaf entries.
  // Returns the protected manifest.
  Manifest repair(const Manifest& protected_manifest);

  // The same, on a thread of their own; the futures rethrow the errors above.
  // This object must outlive the futures' work (wait on them before destroying it).
  std::future<Manifest> encode_async(Manifest plain, ErasureParams params);
  std::future<Manifest> decode_async(Manifest protected_manifest,
                                     ProofsToStore proofs = ProofsToStore::kRecovered);
  std::future<Manifest> repair_async(Manifest protected_manifest);

  const ErasureOptions& options() const { return options_; }

 private:
  DatasetBlocks& blocks_;
  ErasureOptions options_;
  base::WorkerPool pool_;
};

}  // namespace codex::erasure
