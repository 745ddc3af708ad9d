#pragma once
// Repair of one slot of a protected dataset (spec node.md §2.3, marketplace
// §8.3): a provider taking a freed slot rebuilds the slot's blocks from what
// it holds and from any K blocks of each step that peers deliver, decoded
// with the Reed–Solomon codec, instead of asking for blocks the freed holder
// may never serve again.
//
// Peers are asked first for just what each step lacks of K, from other slots
// (the freed holder is gone: waiting for its blocks would cost every fetch's
// retries); only for a step where some of those never come are its other
// positions asked, the slot's own last. A slot whole here is left as it is.
//
// Every step is needed, not only the ones whose slot block is missing: a
// stored block needs its leaf proof, and the proof needs every leaf of the
// dataset tree. A leaf's digest comes from the local leaf entry when there is
// one, otherwise from the bytes (held, fetched or decoded). The rebuilt tree
// must have the manifest's treeCid before any leaf entry is written.
//
// Memory: a batch of steps × (K + M) blocks, and 32 bytes per dataset block
// for the tree's leaves.
// Not thread-safe; blocking (the fetches run on the network thread): call it
// from a thread of its own, never the network thread.
#include <cstddef>
#include <cstdint>

#include "exchange/erasure/dataset_blocks.h"
#include "exchange/manifest/manifest.h"

namespace codex::net {

class Network;

struct SlotRepairOptions {
  // Steps handled together; 0: about 256 blocks' worth (256 / (K + M)).
  uint64_t steps_per_batch = 0;
  // Attempts per block before a peer fetch counts as lost (the engine's
  // back-off makes one attempt 1–2 s when nobody has the block).
  int attempts_per_block = 5;
  size_t window = 64;  // fetches pending at once
};

struct SlotRepairReport {
  uint64_t slot_blocks = 0;    // the slot's blocks (erasure padding included)
  uint64_t slot_held = 0;      // of those, already held here
  uint64_t slot_stored = 0;    // of those, stored by the repair (fetched or decoded)
  uint64_t found_locally = 0;  // blocks read from the local store (any slot)
  uint64_t fetched = 0;        // blocks delivered by peers
  uint64_t steps_decoded = 0;  // steps that needed the codec
  double fetch_seconds = 0;    // local reads and peer fetches
  double decode_seconds = 0;
  double tree_seconds = 0;  // hashing, the dataset tree and the leaf entries
};

// Rebuilds slot `slot` of `protected_manifest` into `local`: stores the
// slot's blocks that `local` does not hold, then the leaf entries (block CID
// and proof) of every index of the slot. Blocks come from `local` first,
// then from connected peers through `network`'s block exchange (which
// verifies each against the tree and stores it in its own repo; normally the
// repo behind `local`).
// Throws erasure::ErasureError for a manifest that is not protected with the
// stepped strategy or a slot out of range, erasure::TooManyLossesError naming
// the first step of which fewer than K blocks are at hand,
// erasure::TreeMismatchError when the blocks rebuild another tree than
// treeCid (no leaf entry is written then), the network's errors, and what
// `local` throws.
SlotRepairReport repair_slot(Network& network, erasure::DatasetBlocks& local,
                             const Manifest& protected_manifest, uint32_t slot,
                             SlotRepairOptions options = {});

}  // namespace codex::net
