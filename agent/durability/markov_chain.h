#pragma once
// Two exact computations on a small continuous-time Markov chain with an absorbing state,
// given by its off-diagonal rates (the durability models build theirs: reliability_model.h,
// per_slot_model.h). Both add and multiply nonnegative numbers only, so that tiny
// probabilities and huge mean times keep their relative precision. Pure functions, thread-safe.
//
// transition_probability: P(X_t = to | X_0 = from) by uniformization, exp(Qt) =
// Σ_k Pois(k; Λt)·P^k with P = I + Q/Λ ≥ 0 (Λ the largest exit rate), and scaling and squaring,
// exp(Qt) = exp(Qt/2^s)^(2^s) with Λt/2^s ≤ 64, so that long horizons with fast rates (MTBP of
// a minute over a year: Λt ≈ 1e6) stay cheap. Error: the series is cut where what it leaves out
// is below 1e-17 of the result (checked after the fact; recomputed with more terms if not);
// rounding grows as 2^s·1e-16 relative (a squaring doubles the relative error of a product of
// nonnegative matrices): ≈ 2e-15 for Λt = 1e3, ≈ 2e-12 for Λt = 1e6. Cost: s dense products
// (states³ multiply-adds each) and about Λt/2^s sparse ones.
#include <cstddef>
#include <vector>

namespace codex::agent::durability {

// One off-diagonal entry of the generator Q: from → to at `rate` (per unit of time).
struct Transition {
  std::size_t from = 0;
  std::size_t to = 0;
  double rate = 0;
};

// REQUIRES: from, to < states; every transition's states < states, from != to, rate finite
// and ≥ 0 (std::invalid_argument otherwise); t finite and ≥ 0; states ≤ 1024 (dense matrices).
// Repeated (from, to) pairs add up. An absorbing `to` gives P(absorbed by t).
double transition_probability(std::size_t states, const std::vector<Transition>& transitions,
                              std::size_t from, std::size_t to, double t);

// Expected time from `from` until the chain first reaches `absorbing`; +infinity when it may
// never (a state reachable from `from` that cannot leave, or a closed set of states without the
// absorbing one). Exact elimination of every other state (Grassmann–Taksar–Heyman: each
// eliminated state's rates are folded into its predecessors' and every exit rate is re-summed
// from positive terms, never obtained by a subtraction). Cost: states³ multiply-adds.
// REQUIRES as above; `absorbing` has no transition out (std::invalid_argument otherwise).
double mean_time_to_absorption(std::size_t states, const std::vector<Transition>& transitions,
                               std::size_t from, std::size_t absorbing);

}  // namespace codex::agent::durability
