// The Poseidon2 permutation (permutation.h) on 8 independent states at once,
// one per SIMD lane (field/fr_x8.h). Lane i of the result equals
// poseidon2::permute of lane i. Pure functions; thread-safe.
#pragma once

#include <array>

#include "prover/field/fr_x8.h"
#include "prover/poseidon2/permutation.h"

namespace codex::prover::poseidon2 {

// Lane-sliced state: element j of the 8 states.
using StateX8 = std::array<FrX8, 3>;

void permute_x8(StateX8& state);

// Convenience for 8 scalar states (transposes in and out).
void permute_x8(std::array<State, 8>& states);

}  // namespace codex::prover::poseidon2
