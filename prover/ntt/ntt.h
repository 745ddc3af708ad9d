// Radix-2 number-theoretic transforms over Fr, in place, multithreaded.
//
//   forward:  a ↦ (Σ_j a_j ω^{ij})_i          (coefficients → evaluations)
//   inverse:  the inverse map, including the 1/n factor
//   coset_forward(a, g):  evaluations at g·ω^i (scales a_j by g^j first)
//   coset_inverse(a, g):  the inverse of coset_forward
//   evaluations_to_coset(a, g):  values on the domain ↦ values on g·ω^i
//     (= inverse then coset_forward, with no bit reversal and the 1/n and
//     g^j factors applied while the data is in cache: the prover's step)
//
// Natural order in and out (bit reversal inside). threads = 0 means all
// hardware threads; small transforms run on the calling thread.
//
// REQUIRES: values.size() == domain.size() (throws InvalidInput otherwise).
// Thread-safety: different arrays may be transformed concurrently with one
// shared Domain.
#pragma once

#include <span>

#include "prover/ntt/domain.h"

namespace codex::prover::ntt {

void forward(const Domain& domain, std::span<Fr> values, unsigned threads = 0);
void inverse(const Domain& domain, std::span<Fr> values, unsigned threads = 0);
void coset_forward(const Domain& domain, std::span<Fr> values, const Fr& shift,
                   unsigned threads = 0);
void coset_inverse(const Domain& domain, std::span<Fr> values, const Fr& shift,
                   unsigned threads = 0);
void evaluations_to_coset(const Domain& domain, std::span<Fr> values, const Fr& shift,
                          unsigned threads = 0);

}  // namespace codex::prover::ntt
