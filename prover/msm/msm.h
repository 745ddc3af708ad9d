// Multi-scalar multiplication for BN254 G1 and G2 (Pippenger with GLV and
// batched affine buckets, see
// pippenger.h): Σ scalars[i]·points[i].
//
// REQUIRES: points.size() == scalars.size() (throws InvalidInput otherwise).
// threads = 0: all hardware threads. Thread-safe (no shared state).
#pragma once

#include <span>

#include "prover/curve/g1.h"
#include "prover/curve/g2.h"

namespace codex::prover::msm {

curve::G1 msm_g1(std::span<const curve::G1Affine> points, std::span<const Fr> scalars,
                 unsigned threads = 0);
curve::G2 msm_g2(std::span<const curve::G2Affine> points, std::span<const Fr> scalars,
                 unsigned threads = 0);

}  // namespace codex::prover::msm
