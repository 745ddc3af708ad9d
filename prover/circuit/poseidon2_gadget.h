// Poseidon2 (BN254, t = 3, x^5, 8 full + 56 partial rounds; proofs.md §1.1) as
// R1CS gadgets over CircuitBuilder, matching prover/poseidon2 exactly.
//
// Cost: 3 constraints per S-box (x², x⁴, x⁵) and 80 S-boxes, i.e. 240
// constraints and 240 private wires per permutation; round constants and the
// linear layers M_E, M_I are folded into linear combinations (free).
//
// In the 56 internal rounds the wire of the x⁵ constraint holds the next
// round's lane 0 (2·x⁵ + x1 + x2, a change of basis) rather than x⁵, so the
// S-box inputs stay two terms long and the long lane combinations appear
// once per round: about 3,200 stored terms per permutation instead of
// 6,600 (the size of circom --O2's r1cs).
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "prover/circuit/r1cs.h"

namespace codex::prover::circuit {

using LcState = std::array<LinearCombination, 3>;

// x^5 with 3 constraints; returns the wire holding x^5.
Wire sbox_gadget(CircuitBuilder& cb, const LinearCombination& x);

// The permutation: 240 constraints. The outputs are linear combinations whose
// values equal poseidon2::permute of the input values.
LcState permute_gadget(CircuitBuilder& cb, const LcState& in);

// Keyed 2-to-1 compression: lane 0 of perm(x, y, key) (poseidon2::compress).
LinearCombination compress_gadget(CircuitBuilder& cb, const LinearCombination& x,
                                  const LinearCombination& y, uint64_t key = 0);

// The rate-2 sponge with "10*" padding (poseidon2::sponge(xs, 2)):
// ⌊n/2⌋ + 1 permutations.
LinearCombination sponge2_gadget(CircuitBuilder& cb, std::span<const LinearCombination> xs);

}  // namespace codex::prover::circuit
