#pragma once
// The whitepaper's reliability model of one dataset (spec/durability.md §1): k data and m parity
// slots on n = k + m independent nodes; each slot is lost after an exponential time of mean
// MTTF; a lost slot is first seen missing after an exponential time of mean MTBP (one missed
// proof, l₁ = 1); once l₀ losses have been seen, one repair of mean MTTR restores every slot,
// seen or not. The dataset is lost when more than m slots are lost at once.
//
// The chain (§1.2): transient states S(l, f), 0 ≤ f ≤ l ≤ m (l lost, f of them seen), and one
// absorbing state "lost"; from S(l, f): loss → S(l+1, f) at (n−l)/MTTF, observation →
// S(l, f+1) at (l−f)/MTBP, repair → S(0, 0) at 1/MTTR while f ≥ l₀. Starts in S(0, 0).
// Pure functions of their arguments, thread-safe. Times in seconds.
#include <string_view>

namespace codex::agent::durability {

inline constexpr double kSecondsPerYear = 365.0 * 86400;  // the paper's 8760 h
inline constexpr int kMaxParity = 40;                     // 862 states in the exact chain

struct ReliabilityParams {
  int k = 0;        // data slots, ≥ 1
  int m = 0;        // parity slots (tolerated losses), 0..kMaxParity
  int l0 = 1;       // seen losses that start a repair, ≥ 1; l0 > m: repair never starts
  double mttf = 0;  // mean time to a slot's permanent loss, seconds, > 0
  double mtbp = 0;  // mean time between proofs (until a lost slot is seen), seconds, > 0
  double mttr = 0;  // mean time of one repair, seconds, > 0
};

struct ErasureCode {
  int k = 0;
  int m = 0;
};

// "K+M" (decimal, K ≥ 1, 0 ≤ M ≤ kMaxParity; "3+2"). Throws std::invalid_argument saying what
// is wrong.
ErasureCode parse_erasure_code(std::string_view text);

// Throws std::invalid_argument naming the first parameter out of range (k < 1, k > 10000,
// m < 0, m > kMaxParity, l0 < 1, a duration not finite and > 0).
void validate(const ReliabilityParams& p);

// Mean time to absorption from S(0, 0), seconds: the renewal recursion of §1.3 (sums and
// products of positive terms only, no linear solve). Validates p.
double mean_time_to_loss(const ReliabilityParams& p);

// The paper's figure of merit, horizon / MTTA (§1.3). Not a probability: it exceeds 1 when
// losses are frequent. Validates p; horizon in seconds, ≥ 0.
double paper_loss(const ReliabilityParams& p, double horizon);

// P(the dataset is lost within horizon seconds), exact for the chain (markov_chain.h; keeps
// its relative precision down to the smallest probabilities). ≈ 1 − exp(−horizon/MTTA) when
// losses are rare. Validates p; horizon finite and ≥ 0.
double loss_probability(const ReliabilityParams& p, double horizon);

}  // namespace codex::agent::durability
