#pragma once
// Verifiable manifests (spec node.md §3.1): the Poseidon2 slot trees of a
// protected dataset held locally and the manifest that names their roots.
// The client builds one before requesting storage; a provider rebuilds its
// slot and requires the root the manifest names.
#include <cstdint>

#include "exchange/manifest/manifest.h"
#include "prover/field/bn254.h"
#include "prover/slots/builder.h"
#include "prover/slots/layout.h"

namespace codex::erasure {
class DatasetBlocks;
}

namespace codex::slots {

using prover::Fr;

// The geometry of a protected manifest's slots: its blocks, K + M slots, its
// block size, cells of the verifiable manifest's size (2048 by default).
// Throws FormatError for a manifest that is not protected or whose geometry
// the circuit cannot take.
prover::slots::SlotLayout slot_layout(const Manifest& m);

// Dataset block i of a protected manifest: the block its tree's leaf i names,
// zeros for the empty block. Throws NotFoundError naming the leaf or block
// that is not held, CorruptBlockError as the store does.
prover::slots::BlockReader block_reader(erasure::DatasetBlocks& blocks, const Manifest& m);

// CIDv1(codex-slot-root / codex-proving-root, identity multihash of the
// root's 32-byte little-endian form), and back (FormatError for another
// codec, digest or a value ≥ the field's modulus).
Cid slot_root_cid(const Fr& root);
Cid verify_root_cid(const Fr& root);
Fr root_of(const Cid& cid, uint64_t codec);

// The verifiable manifest of `protected_manifest` with the roots of
// `dataset`.
Manifest with_roots(const Manifest& protected_manifest, const prover::slots::DatasetTree& dataset);

// Builds every slot from the blocks held and returns the verifiable manifest.
// Throws as slot_layout and block_reader do.
Manifest build_verifiable(erasure::DatasetBlocks& blocks, const Manifest& protected_manifest,
                          const prover::slots::BuildOptions& options = {});

// Builds slot `slot` and requires its root to be the one the verifiable
// manifest names (FormatError otherwise: the data is not what was sold).
prover::slots::SlotTree build_checked_slot(erasure::DatasetBlocks& blocks,
                                           const Manifest& verifiable, uint64_t slot,
                                           const prover::slots::BuildOptions& options = {});

}  // namespace codex::slots
