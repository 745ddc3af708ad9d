// snarkjs' Groth16 JSON files (spec/proofs.md §5.4):
//   proof.json:              {"pi_a": G1, "pi_b": G2, "pi_c": G1, "protocol": "groth16", "curve":
//   "bn128"} public.json:             ["<decimal>", ...] in public-signal order
//   verification_key.json:  {"protocol", "curve", "nPublic", "vk_alpha_1", "vk_beta_2",
//                             "vk_gamma_2", "vk_delta_2", "vk_alphabeta_12", "IC"}
// G1 = [x, y, "1"], G2 = [[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]], decimal strings;
// the point at infinity is ["0", "1", "0"] / [["0","0"],["1","0"],["0","0"]].
//
// Readers are strict: every coordinate must be a canonical decimal string,
// z must be 1 (or the point be the identity), points must be on the curve and
// (G2) in the subgroup, counts must agree (nPublic = |IC| − 1), protocol and
// curve must be "groth16" / "bn128" (proof.json may omit "curve": rapidsnark
// does, and snarkjs ignores it); anything else throws InvalidInput naming
// the field. Writers produce the same layout snarkjs does (1-space indent).
//
// All functions are thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "prover/groth16/types.h"

namespace codex::prover::groth16 {

Proof parse_proof_json(std::string_view text);
std::string proof_to_json(const Proof& proof);

std::vector<Fr> parse_public_json(std::string_view text);
std::string public_to_json(const std::vector<Fr>& inputs);

VerificationKey parse_verification_key_json(std::string_view text);
std::string verification_key_to_json(const VerificationKey& vk);

}  // namespace codex::prover::groth16
