// RootFromMerklePath (proofs.md §3.3 item 4) as an R1CS gadget: the root of a
// keyed Poseidon2 Merkle tree (§1.6) reached from a leaf, over a maximum depth
// D with a depth mask, matching merkle::root_from_path for any leaf count.
//
// Inputs (all linear combinations; the gadget does NOT check that they are
// bits, as in the reference: produce them with to_bits):
//   index_bits[D]  bits of the leaf index (LSB first, zero above the depth);
//   last_bits[D]   bits of nLeaves − 1;
//   mask_bits[D+1] mask_i = 1 iff 2^i < nLeaves; mask_0 is forced to 1 (a
//                  single leaf still gets one compression, key 3) and the
//                  caller keeps mask_D = 0;
//   siblings[D]    the path bottom-up, zero-padded.
// Level i (0 ≤ i < D): isLast_i = Π_{j ≥ i} [index_j = last_j];
// odd_i = isLast_i·(1 − index_i); swap (L, R) by s = (sib − node)·index_i;
// key = [i = 0] + 2·odd_i (an odd node's sibling entry must be 0, it is
// used as is, as in the reference);
// node ← compress(L, R, key). The root is node_{i+1} at the level i where the
// mask drops from 1 to 0: root = Σ_i (mask_i − mask_{i+1})·node_{i+1}.
//
// Cost per level: 240 (permutation) + 5 = 245 constraints (equality square,
// isLast product, odd, swap, mask selection), minus one at the top level
// (isLast_{D−1} needs no product): 245·D − 1 in all.
#pragma once

#include <span>

#include "prover/circuit/r1cs.h"

namespace codex::prover::circuit {

// The reconstructed root (a linear combination; constrain it equal to the
// expected root yourself). Throws InvalidInput if D = 0 or the sizes disagree.
LinearCombination root_from_merkle_path(CircuitBuilder& cb, const LinearCombination& leaf,
                                        std::span<const LinearCombination> index_bits,
                                        std::span<const LinearCombination> last_bits,
                                        std::span<const LinearCombination> mask_bits,
                                        std::span<const LinearCombination> siblings);

}  // namespace codex::prover::circuit
