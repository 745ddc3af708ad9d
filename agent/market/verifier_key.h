#pragma once
// Whether the marketplace's Groth16 verifier holds the verifying key of the
// node's proving key (issue: marketplace, node options). A provider whose key
// does not match would have every proof rejected (its fillSlot reverts with
// Proofs_InvalidProof), so the node checks at start.
//
// The marketplace keeps its verifier's address as an immutable (in its code,
// not readable by a view): the candidates are the PUSH32 operands of its
// runtime code that hold an address; the one whose code is the embedded
// Groth16Verifier's is the verifier, and its key is read from its storage
// (slots 0–13: alpha1, beta2, gamma2, delta2 with Fp2 as (real, imag); slot
// 14: the length of ic, whose points start at keccak256(14)).
#include <string>

#include "agent/eth/eth_client.h"
#include "agent/market/types.h"
#include "prover/groth16/types.h"

namespace codex::market {

struct VerifierKeyCheck {
  enum class Result { kMatch, kMismatch, kNoGroth16Verifier };
  Result result = Result::kNoGroth16Verifier;
  Address verifier{};  // when found
  std::string detail;  // what differs, or why nothing was compared
};

// Throws eth::RpcError when the chain cannot be read.
VerifierKeyCheck check_verifier_key(eth::EthClient& eth, const Address& marketplace,
                                    const prover::groth16::VerificationKey& vk);

}  // namespace codex::market
