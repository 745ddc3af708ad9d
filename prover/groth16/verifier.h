// The Groth16 verifier: accepts iff
//   e(−A, B) · e(α₁, β₂) · e(vk_x, γ₂) · e(C, δ₂) = 1,
//   vk_x = IC₀ + Σᵢ pubᵢ·ICᵢ₊₁,
// with one multi-Miller loop and one final exponentiation.
//
// Thread-safety: PreparedVerifier is immutable after construction; verify()
// may run concurrently from many threads.
#pragma once

#include <span>

#include "prover/groth16/types.h"
#include "prover/pairing/pairing.h"

namespace codex::prover::groth16 {

class PreparedVerifier {
 public:
  // Precomputes the Miller-loop lines of β₂, γ₂, δ₂.
  // Throws InvalidInput if the key has no IC points or any key point is not a
  // valid group element.
  explicit PreparedVerifier(const VerificationKey& vk);

  // True iff the proof verifies for these public inputs. Returns false for
  // proof points off the curve or outside their subgroup.
  // Throws InvalidInput if public_inputs.size() != vk.num_public().
  bool verify(std::span<const Fr> public_inputs, const Proof& proof) const;

  const VerificationKey& key() const { return vk_; }

 private:
  VerificationKey vk_;
  pairing::G2Prepared beta_, gamma_, delta_;
};

// One-shot form of PreparedVerifier(vk).verify(public_inputs, proof).
bool verify(const VerificationKey& vk, std::span<const Fr> public_inputs, const Proof& proof);

}  // namespace codex::prover::groth16
