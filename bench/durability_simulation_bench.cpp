// The paper-model Monte Carlo (agent/durability/paper_simulation.h): simulated dataset-years
// per second, for the reference's default request (2+1), a wider code (3+2, 10+10) and proofs
// every minute (many more events per year); and the exact chain's P(loss within a year) beside
// it, which is what the simulation is checked against.
#include <benchmark/benchmark.h>

#include <cstdint>

#include "agent/durability/paper_simulation.h"
#include "agent/durability/reliability_model.h"

namespace codex::agent::durability {
namespace {

constexpr double kDay = 86400;

ReliabilityParams model(int k, int m, double mtbp) {
  ReliabilityParams p;
  p.k = k;
  p.m = m;
  p.l0 = 1;
  p.mttf = kSecondsPerYear;
  p.mtbp = mtbp;
  p.mttr = kDay;
  return p;
}

// Args: k, m, MTBP in seconds, repair mode (0 lazy, 1 per-slot).
void BM_PaperSimulation(benchmark::State& state) {
  PaperSimulationParams p;
  p.model = model(int(state.range(0)), int(state.range(1)), double(state.range(2)));
  p.repair = state.range(3) ? RepairMode::per_slot : RepairMode::lazy;
  p.datasets = 20000;
  p.years = 1;
  double dataset_years = 0;
  std::uint64_t seed = 1;
  for (auto _ : state) {
    p.seed = seed++;
    const PaperSimulationResult r = simulate_paper_model(p);
    dataset_years += r.dataset_years;
    benchmark::DoNotOptimize(r.lost);
  }
  state.counters["dataset-years/s"] =
      benchmark::Counter(dataset_years, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PaperSimulation)
    ->ArgNames({"k", "m", "mtbp_s", "per_slot"})
    ->Args({2, 1, 86400, 0})
    ->Args({2, 1, 86400, 1})
    ->Args({3, 2, 86400, 0})
    ->Args({3, 2, 86400, 1})
    ->Args({10, 10, 86400, 0})
    ->Args({3, 2, 60, 0})
    ->Unit(benchmark::kMillisecond);

// Args: k, m, MTBP in seconds.
void BM_ExactLossProbability(benchmark::State& state) {
  const ReliabilityParams p =
      model(int(state.range(0)), int(state.range(1)), double(state.range(2)));
  for (auto _ : state)
    benchmark::DoNotOptimize(loss_probability(p, kSecondsPerYear));
}
BENCHMARK(BM_ExactLossProbability)
    ->ArgNames({"k", "m", "mtbp_s"})
    ->Args({2, 1, 86400})
    ->Args({10, 10, 86400})
    ->Args({10, 10, 60})
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace codex::agent::durability
