// Groth16 (BN254) verification key and proof, as plain values.
//
// Points are affine; the readers (snarkjs_json.h, zkey_file.h)
// validate them (on curve, in subgroup) before building these values.
#pragma once

#include <optional>
#include <vector>

#include "prover/curve/fq12.h"
#include "prover/curve/g1.h"
#include "prover/curve/g2.h"

namespace codex::prover::groth16 {

struct Proof {
  curve::G1Affine a;  // π_A
  curve::G2Affine b;  // π_B
  curve::G1Affine c;  // π_C
  friend bool operator==(const Proof&, const Proof&) = default;
};

struct VerificationKey {
  curve::G1Affine alpha1;
  curve::G2Affine beta2, gamma2, delta2;
  // IC₀ … IC_n for n public inputs: vk_x = IC₀ + Σ pubᵢ·ICᵢ₊₁.
  std::vector<curve::G1Affine> ic;
  // e(α₁, β₂) as stored in snarkjs' vk_alphabeta_12 (informative; verify()
  // does not trust it).
  std::optional<curve::Fq12> alphabeta12;

  size_t num_public() const { return ic.empty() ? 0 : ic.size() - 1; }
};

}  // namespace codex::prover::groth16
