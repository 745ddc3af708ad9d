#include "prover/msm/msm.h"

#include "prover/msm/pippenger.h"

namespace codex::prover::msm {

curve::G1 msm_g1(std::span<const curve::G1Affine> points, std::span<const Fr> scalars,
                 unsigned threads) {
  return pippenger<curve::G1Curve>(points, scalars, MsmOptions{.threads = threads});
}

curve::G2 msm_g2(std::span<const curve::G2Affine> points, std::span<const Fr> scalars,
                 unsigned threads) {
  return pippenger<curve::G2Curve>(points, scalars, MsmOptions{.threads = threads});
}

}  // namespace codex::prover::msm
