// Poseidon2 round constants for BN254, t = 3, R_F = 8, R_P = 56, generated at
// first use by the Grain LFSR (grain.h) with FIELD = 1, SBOX = 1 — the
// constants of the Codex reference (proofs.md §1.2), not today's HorizenLabs
// ones. tests/prover/poseidon2_test.cpp checks them against
// vectors/poseidon2_bn254_t3_codex_constants.txt.
#pragma once

#include <array>

#include "prover/field/bn254.h"

namespace codex::prover::poseidon2 {

inline constexpr size_t kWidth = 3;
inline constexpr size_t kFullRounds = 8;  // 4 initial + 4 final
inline constexpr size_t kPartialRounds = 56;

struct RoundConstants {
  std::array<std::array<Fr, kWidth>, kFullRounds / 2> initial;
  std::array<Fr, kPartialRounds> internal;
  std::array<std::array<Fr, kWidth>, kFullRounds / 2> final;
};

// Thread-safe (computed once, then read-only).
const RoundConstants& round_constants();

}  // namespace codex::prover::poseidon2
