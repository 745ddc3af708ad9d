// NTT over Fr: forward and coset transforms at 2^16 … 2^20 points, on one
// thread and on all hardware threads (items/s = points per second).
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "prover/ntt/ntt.h"

namespace {

using codex::prover::Fr;
namespace ntt = codex::prover::ntt;

std::vector<Fr> random_vector(size_t n) {
  std::mt19937_64 rng(1);
  std::vector<Fr> v(n);
  for (auto& x : v)
    x = Fr::random(rng);
  return v;
}

// Args: log2 size, threads (0 = all).
void BM_NttForward(benchmark::State& state) {
  ntt::Domain d(size_t(state.range(0)));
  auto v = random_vector(d.size());
  for (auto _ : state) {
    ntt::forward(d, v, unsigned(state.range(1)));
    benchmark::DoNotOptimize(v.data());
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(d.size()));
}
BENCHMARK(BM_NttForward)
    ->ArgsProduct({{16, 17, 18, 19, 20}, {1, 0}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_NttCosetRoundTrip(benchmark::State& state) {
  ntt::Domain d(size_t(state.range(0)));
  auto v = random_vector(d.size());
  const Fr g = ntt::coset_generator();
  for (auto _ : state) {
    ntt::coset_forward(d, v, g, unsigned(state.range(1)));
    ntt::coset_inverse(d, v, g, unsigned(state.range(1)));
    benchmark::DoNotOptimize(v.data());
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(d.size()) * 2);
}
BENCHMARK(BM_NttCosetRoundTrip)
    ->ArgsProduct({{16, 18, 20}, {1, 0}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
