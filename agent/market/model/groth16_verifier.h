// The Groth16Verifier contract's verify() in C++, on prover/groth16's verifier:
// the ProofVerifier with which the model stands in for a marketplace deployed
// with Groth16Verifier instead of TestVerifier (ModelOptions::verifier).
// It returns false where the contract does (spec §11): a wrong number of
// public inputs, an input >= r, a coordinate >= q, a point off its curve or (G2)
// outside the subgroup, and a proof that does not verify; (0, 0) is the point
// at infinity, as the precompiles read it.
#pragma once

#include "agent/market/model/marketplace_contract.h"
#include "prover/groth16/types.h"

namespace codex::market::model {

// Throws prover::InvalidInput for a key without IC points or with a point that
// is not a valid group element. The verifier is thread-safe.
ProofVerifier groth16_verifier(const prover::groth16::VerificationKey& vk);

}  // namespace codex::market::model
