#pragma once
// Helpers shared by the erasure encoder and decoder: block CIDs from leaf
// digests, and storing leaf entries (CID + proof) of a tree in parallel.
#include <cstdint>
#include <span>

#include "base/parallel/worker_pool.h"
#include "exchange/crypto/sha256.h"
#include "exchange/erasure/dataset_blocks.h"
#include "exchange/tree/sha256_tree.h"

namespace codex::erasure {

// CIDv1(codec, multihash(sha2-256, digest)).
Cid block_cid_of(uint64_t codec, const Digest32& digest);

// The sha2-256 digest of the empty byte string (the leaf of padding blocks).
const Digest32& empty_block_digest();

// For each index i in `indices` (or every leaf, for the _all_ variant):
// put_leaf(tree root CID, i, block CID of leaf i, proof(i)). Runs on `pool`.
// Throws what DatasetBlocks throws.
void store_leaf_entries(base::WorkerPool& pool, DatasetBlocks& blocks, const Sha256Tree& tree,
                        uint64_t block_codec, std::span<const uint64_t> indices);
void store_all_leaf_entries(base::WorkerPool& pool, DatasetBlocks& blocks, const Sha256Tree& tree,
                            uint64_t block_codec);

}  // namespace codex::erasure
