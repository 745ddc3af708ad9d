// Cache-blocked radix-2 transforms without bit reversal (internal to ntt/,
// exposed for tests and benchmarks).
//
// The 2^L points are viewed as rows of 2^B contiguous points (B = log_block).
// Butterflies of stages with a half-span ≥ 2^B pair whole rows: they run
// column group by column group (a few KB of every row, all rows: fits L2).
// The lower B stages stay inside one row (fits L2). So a transform makes two
// passes over memory instead of one per stage, and every pass splits into
// independent groups for the threads.
//
//   dif: natural order in, bit-reversed out (Gentleman–Sande);
//   dit: bit-reversed in, natural out (Cooley–Tukey);
//   `inverse` selects ω^{-1} twiddles (no 1/n factor).
//   evaluations_to_coset: values of a polynomial on the domain (natural) ↦
//   its values on shift·ω^i (natural): inverse DIF, scaling coefficient k by
//   shift^k/n while each row is in cache, then DIT — three memory passes.
//
// REQUIRES: values.size() == domain.size(); 0 < log_block.
#pragma once

#include <cstddef>
#include <span>

#include "prover/ntt/domain.h"

namespace codex::prover::ntt::blocked {

struct Plan {
  size_t log_block = 13;  // rows of 2^13 points (256 KB) plus their twiddles fit L2
  unsigned threads = 1;   // resolved count (≥ 1)
};

// The plan used by ntt.h for a transform of 2^log_n points on `threads`
// threads: at least 4 rows per thread when threaded.
Plan default_plan(size_t log_n, unsigned threads);

void dif(std::span<Fr> values, const Domain& domain, bool inverse, const Plan& plan);
void dit(std::span<Fr> values, const Domain& domain, bool inverse, const Plan& plan);
void evaluations_to_coset(std::span<Fr> values, const Domain& domain, const Fr& shift,
                          const Plan& plan);

}  // namespace codex::prover::ntt::blocked
