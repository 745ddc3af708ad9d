// The prover's Groth16 objects in the contract's form (spec/marketplace.md §11):
// G2 coordinates as {real, imag} = (c0, c1) with no swap, the point at infinity as
// (0, 0), field elements as 256-bit integers. The host uses it to submit proofs,
// deployment to pass the verifying key to Groth16Verifier's constructor.
#pragma once

#include <vector>

#include "agent/eth/abi_value.h"
#include "agent/market/types.h"
#include "prover/groth16/types.h"

namespace codex::market {

Groth16Proof proof_from_prover(const prover::groth16::Proof& p);

// Public inputs as verify()'s uint256[] (order kept).
std::vector<Uint256> inputs_from_prover(const std::vector<prover::Fr>& inputs);

// Groth16Verifier.VerifyingKey = (G1 alpha1, G2 beta2, G2 gamma2, G2 delta2, G1[] ic).
eth::AbiValue verifying_key_to_abi(const prover::groth16::VerificationKey& vk);
// The key's numbers in the verifier contract's order: alpha1 (x, y); beta2,
// gamma2, delta2 (x.real, x.imag, y.real, y.imag); then each ic point (x, y).
std::vector<Uint256> verifying_key_words(const prover::groth16::VerificationKey& vk);

// verify()'s second argument.
eth::AbiValue inputs_to_abi(const std::vector<Uint256>& inputs);

}  // namespace codex::market
