// Development Groth16 setup (spec/proofs.md §5.3): a snarkjs-compatible
// proving key and verification key for an R1CS, with the toxic waste
// (τ, α, β, γ, δ) derived deterministically from a seed.
//
// DEVELOPMENT KEY, NOT FOR PRODUCTION: anyone who knows the seed can forge
// proofs. Production keys come from a ceremony (powers of tau + phase 2).
//
// The key follows snarkjs exactly: domain 2^k with k = bitlength(nConstraints
// + nPublic); nPublic + 1 extra A rows bind the public inputs; H holds
// δ⁻¹·L_{2i+1}(τ) of the doubled domain, so snarkjs' prover works with our
// keys and ours with theirs.
#pragma once

#include <cstdint>
#include <string_view>

#include "prover/formats/r1cs_file.h"
#include "prover/groth16/types.h"
#include "prover/groth16/zkey_file.h"

namespace codex::prover::groth16 {

// log2 of the snarkjs domain for a circuit. Throws InvalidInput if the
// circuit needs more than 2^27 rows (the H points use the 2n-th roots).
uint32_t snarkjs_domain_log(uint64_t n_constraints, uint64_t n_public);

struct SetupResult {
  ProvingKey pk;
  VerificationKey vk;
};

// Throws InvalidInput for an inconsistent R1CS (wire ids, counts).
SetupResult dev_setup(const formats::R1cs& r1cs, std::string_view seed, unsigned threads = 0);

}  // namespace codex::prover::groth16
