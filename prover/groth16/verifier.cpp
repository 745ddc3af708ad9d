#include "prover/groth16/verifier.h"

#include <string>

#include "prover/error.h"

namespace codex::prover::groth16 {

namespace {

const VerificationKey& checked(const VerificationKey& vk) {
  if (vk.ic.empty()) throw InvalidInput("Groth16 verification key has no IC points");
  if (!curve::g1_is_valid(vk.alpha1)) throw InvalidInput("verification key: alpha_1 is not on G1");
  for (size_t i = 0; i < vk.ic.size(); ++i) {
    if (!curve::g1_is_valid(vk.ic[i])) {
      throw InvalidInput("verification key: IC[" + std::to_string(i) + "] is not on G1");
    }
  }
  const std::pair<const char*, const curve::G2Affine*> g2s[] = {
      {"beta_2", &vk.beta2}, {"gamma_2", &vk.gamma2}, {"delta_2", &vk.delta2}};
  for (const auto& [name, p] : g2s) {
    if (!curve::g2_is_valid(*p)) {
      throw InvalidInput(std::string("verification key: ") + name + " is not in G2");
    }
  }
  return vk;
}

}  // namespace

PreparedVerifier::PreparedVerifier(const VerificationKey& vk)
    : vk_(checked(vk)), beta_(vk.beta2), gamma_(vk.gamma2), delta_(vk.delta2) {}

bool PreparedVerifier::verify(std::span<const Fr> public_inputs, const Proof& proof) const {
  if (public_inputs.size() != vk_.num_public()) {
    throw InvalidInput("Groth16 verify: " + std::to_string(public_inputs.size()) +
                       " public inputs, the verification key expects " +
                       std::to_string(vk_.num_public()));
  }
  if (!curve::g1_is_valid(proof.a) || !curve::g1_is_valid(proof.c) ||
      !curve::g2_is_valid(proof.b)) {
    return false;
  }
  curve::G1 vk_x = vk_.ic[0];
  for (size_t i = 0; i < public_inputs.size(); ++i) {
    vk_x += curve::G1(vk_.ic[i + 1]) * public_inputs[i];
  }
  pairing::G2Prepared b(proof.b);
  const curve::G1Affine ps[4] = {-proof.a, vk_.alpha1, vk_x.to_affine(), proof.c};
  const pairing::G2Prepared* qs[4] = {&b, &beta_, &gamma_, &delta_};
  return pairing::final_exponentiation(pairing::miller_loop(ps, qs)).is_one();
}

bool verify(const VerificationKey& vk, std::span<const Fr> public_inputs, const Proof& proof) {
  return PreparedVerifier(vk).verify(public_inputs, proof);
}

}  // namespace codex::prover::groth16
