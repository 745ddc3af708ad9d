// Random field elements for the prover tests (seeded: failures reproduce).
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "prover/field/bn254.h"

namespace codex::prover::test_support {

inline std::vector<Fr> random_frs(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Fr> v(n);
  for (auto& x : v)
    x = Fr::random(rng);
  return v;
}

}  // namespace codex::prover::test_support
