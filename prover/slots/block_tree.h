// The bottom trees of Codex (proofs.md §2): a block is split into cells, each
// cell hashed with the Poseidon2 byte hash (rate-2 sponge over its 31-byte
// chunks), and the cell hashes form the block tree, whose root is the block's
// Poseidon2 digest.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "prover/field/bn254.h"
#include "prover/merkle/tree.h"

namespace codex::prover::slots {

// The cell hash of one cell.
Fr cell_hash(std::span<const uint8_t> cell);

// Hashes of the cells of a block. Throws InvalidInput if cell_size is 0 or
// does not divide block.size().
std::vector<Fr> cell_hashes(std::span<const uint8_t> block, uint64_t cell_size);

// The block tree (over cell_hashes) and its root.
merkle::MerkleTree block_tree(std::span<const uint8_t> block, uint64_t cell_size);
Fr block_root(std::span<const uint8_t> block, uint64_t cell_size);

}  // namespace codex::prover::slots
