// The Groth16 prover of snarkjs and rapidsnark (spec/proofs.md §5.3), on a
// memory-mapped .zkey:
//   A·w, B·w from the coefficient section, C = A∘B; per polynomial: inverse
//   NTT, scale coefficient i by ω_{2n}^i, NTT (values on the odd coset of the
//   doubled domain); h = A·B − C there; then five MSMs (A, B1, B2, C, H) and
//   π_A = α₁ + Σw·A + r·δ₁, π_B = β₂ + Σw·B2 + s·δ₂,
//   π_C = Σ_priv w·C + Σh·H + s·π_A + r·(β₁ + Σw·B1 + s·δ₁) − r·s·δ₁.
// Point sections are converted one at a time, skipping wires whose value is
// 0 and summing those whose value is 1 directly, then released.
//
// Thread-safety: concurrent proofs on one ZkeyReader are fine.
#pragma once

#include <span>
#include <vector>

#include "prover/groth16/types.h"
#include "prover/groth16/zkey_file.h"

namespace codex::prover::groth16 {

struct ProveResult {
  Proof proof;
  std::vector<Fr> public_inputs;  // witness[1 ..= nPublic]
};

// Wall time of each phase (seconds), for benchmarks.
struct ProveTimings {
  double abc = 0;  // A·w, B·w, C from the coefficient section
  double ntt = 0;  // the three iNTT + odd-coset NTT, h
  double msm_a = 0, msm_b1 = 0, msm_b2 = 0, msm_c = 0, msm_h = 0;  // incl. point loading
};

// r and s from the operating system's CSPRNG (getrandom).
// Throws InvalidInput if the witness length is not nVars or witness[0] ≠ 1.
// A witness that does not satisfy the circuit yields a proof that does not
// verify (callers check it when it matters).
ProveResult prove(const ZkeyReader& zkey, std::span<const Fr> witness, unsigned threads = 0,
                  ProveTimings* timings = nullptr);

// The same with given blinding factors (tests; reproducible proofs).
ProveResult prove_with_randomness(const ZkeyReader& zkey, std::span<const Fr> witness, const Fr& r,
                                  const Fr& s, unsigned threads = 0,
                                  ProveTimings* timings = nullptr);

// A uniformly random field element from the OS CSPRNG.
Fr random_fr();

}  // namespace codex::prover::groth16
