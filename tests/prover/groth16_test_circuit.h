// A small test circuit for the Groth16 tests: `perms` chained Poseidon2
// permutations over (p0, p1, secret) whose final lane 0 must equal the third
// public input (240 constraints per permutation, plus one binding constraint).
#pragma once

#include <cstddef>

#include "prover/circuit/poseidon2_gadget.h"
#include "prover/circuit/r1cs.h"
#include "prover/poseidon2/permutation.h"

namespace codex::prover::testing {

inline circuit::CircuitBuilder poseidon2_chain_circuit(size_t perms, uint64_t seed = 7) {
  using circuit::LinearCombination;
  const Fr p0 = Fr::from_u64(seed), p1 = Fr::from_u64(seed * 31 + 1);
  const Fr secret = Fr::from_u64(seed * 1000003 + 12345);
  poseidon2::State s{p0, p1, secret};
  for (size_t i = 0; i < perms; ++i)
    poseidon2::permute(s);
  circuit::CircuitBuilder cb;
  circuit::Wire w0 = cb.add_public(p0);
  circuit::Wire w1 = cb.add_public(p1);
  circuit::Wire out = cb.add_public(s[0]);
  circuit::Wire ws = cb.add_private(secret);
  circuit::LcState st{LinearCombination(w0), LinearCombination(w1), LinearCombination(ws)};
  for (size_t i = 0; i < perms; ++i)
    st = circuit::permute_gadget(cb, st);
  // st[0] · 1 = out
  cb.add_constraint({st[0], LinearCombination::constant(Fr::one()), LinearCombination(out)});
  return cb;
}

}  // namespace codex::prover::testing
