// Bit decomposition of a linear combination as an R1CS gadget (proofs.md §3.1).
//
//   to_bits(cb, x, n), 1 ≤ n ≤ 254: n new private wires b_0..b_{n-1} (LSB
//   first) with b_i·(b_i − 1) = 0 each and one linear constraint
//   Σ 2^i·b_i = x. For n = 254 the bits are additionally range checked
//   against the modulus r (Σ 2^i·b_i < r), so they are the canonical
//   representation of x and unique; for n ≤ 253 the sum is < 2^253 < r and
//   unique already.
//
// Constraint counts: n + 1 for n ≤ 253; for n = 254, 254 + 1 + 253 + 1 = 509
// (the comparison with the constant r costs one product per bit below the
// top one plus the final "less than" check).
//
// Witness: the low n bits of the standard representation of x's value. If the
// value does not fit in n bits the sum constraint is left unsatisfied (the
// builder reports it; nothing is thrown).
#pragma once

#include <cstddef>
#include <vector>

#include "prover/circuit/r1cs.h"

namespace codex::prover::circuit {

inline constexpr size_t kFrBits = 254;

// The bits of x, least significant first. Throws InvalidInput unless
// 1 ≤ n ≤ 254.
std::vector<Wire> to_bits(CircuitBuilder& cb, const LinearCombination& x, size_t n);

// Constrains the boolean wires bits (LSB first, exactly 254 of them) to encode
// a value < r: 253 + 1 constraints. Throws InvalidInput on a wrong size.
void assert_bits_below_modulus(CircuitBuilder& cb, const std::vector<Wire>& bits);

}  // namespace codex::prover::circuit
