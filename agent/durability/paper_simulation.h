#pragma once
// A deterministic discrete-event Monte Carlo of D independent datasets under the whitepaper's
// assumptions (reliability_model.h), to set beside the exact chain: each slot has its own
// exponential clocks (loss, first missed proof, repair); a dataset is lost when more than m of
// its slots are lost at once, and is then left lost (not renewed).
//
// Repair modes:
//  - lazy (the paper, exactly the chain of reliability_model.h): a lost slot is seen after
//    exp(MTBP); once l₀ losses are seen, one repair starts and after exp(MTTR) restores every
//    slot, seen or not, including those lost while it ran.
//  - per-slot (the contract: each freed slot is refilled on its own): a lost slot is seen after
//    its own exp(MTBP), then repaired on its own after exp(MTTR); l₀ is not used. A slot stays
//    lost until its repair completes (exactly the chain of per_slot_model.h).
//
// Determinism: one std::mt19937_64 seeded with `seed`, datasets simulated in order; exponentials
// drawn here as −mean·log1p(−u), u from 53 random bits (std:: distributions are unspecified
// across standard libraries). The same parameters give the same result and the same JSON bytes
// (on one platform: log1p may differ in its last bit between C libraries).
// Pure function of its parameters, thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "agent/durability/reliability_model.h"

namespace codex::agent::durability {

enum class RepairMode { lazy, per_slot };

std::string_view name(RepairMode mode);  // "lazy", "per-slot"
// Throws std::invalid_argument for anything but "lazy" and "per-slot".
RepairMode parse_repair_mode(std::string_view text);

struct PaperSimulationParams {
  ReliabilityParams model;
  RepairMode repair = RepairMode::lazy;
  std::uint64_t datasets = 0;  // ≥ 1
  double years = 1;            // horizon per dataset, finite and > 0 (years of kSecondsPerYear)
  std::uint64_t seed = 0;
};

struct PaperSimulationResult {
  PaperSimulationParams params;
  std::uint64_t lost = 0;    // datasets lost within the horizon
  double loss_fraction = 0;  // lost / datasets
  double dataset_years = 0;  // Σ over datasets of min(time to loss, horizon), years
  // dataset_years / lost: the maximum-likelihood mean of an exponential time to loss observed
  // with censoring at the horizon. Comparable with the chain's MTTA when losses are rare (the
  // time to loss is then close to exponential). Empty when nothing was lost.
  std::optional<double> mean_years_to_loss;
  std::uint64_t repairs = 0;      // completed: whole-dataset repairs (lazy) or slot repairs
  std::uint64_t slot_losses = 0;  // slots lost, over all datasets
  // The exact chain of the same mode for the same parameters: reliability_model.h (lazy) or
  // per_slot_model.h (per-slot).
  double analytic_loss_probability = 0;  // P(lost within the horizon)
  double analytic_mtta_years = 0;        // mean time to loss
  double analytic_paper_loss = 0;        // horizon / MTTA, the paper's figure
  // sqrt(P(1−P)/D) with P the analytic probability: loss_fraction's standard deviation if the
  // chain is the truth (the simulation should land within a few of it).
  double binomial_sigma = 0;
};

// Throws std::invalid_argument for invalid model parameters (validate()), datasets = 0, a
// horizon not finite and > 0, or one too long for the exact chain (markov_chain.h), all before
// simulating anything.
PaperSimulationResult simulate_paper_model(const PaperSimulationParams& params);

// One JSON object, keys in a fixed order, numbers in their shortest round-trip form; the
// durations in seconds; mean_years_to_loss is null when nothing was lost.
std::string to_json(const PaperSimulationResult& r);

}  // namespace codex::agent::durability
