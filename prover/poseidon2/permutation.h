// The Poseidon2 permutation over BN254 Fr with t = 3, x^5, 8 full + 56 partial
// rounds (proofs.md §1.1):
//   state ← M_E·state; 4 × (add 3 constants, x^5 on all lanes, M_E);
//   56 × (add a constant to lane 0, x^5 on lane 0, M_I); 4 × full rounds.
// M_E = circ(2,1,1): out_i = x_i + (x0+x1+x2).
// M_I = [[2,1,1],[1,2,1],[1,1,3]]: (x0+s, x1+s, 2·x2+s), s = x0+x1+x2.
// Pure functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>

#include "prover/field/bn254.h"

namespace codex::prover::poseidon2 {

using State = std::array<Fr, 3>;

void permute(State& state);

// Keyed 2-to-1 compression: the first lane of perm(x, y, key) (proofs.md §1.6).
// Keys used by the Merkle trees: 0 inner even, 1 bottom even, 2 inner odd,
// 3 bottom odd.
Fr compress(const Fr& x, const Fr& y, uint64_t key = 0);

}  // namespace codex::prover::poseidon2
