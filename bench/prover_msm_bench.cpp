// Pippenger MSM for G1 and G2 at 2^10 … 2^20 points (G2 up to 2^18), on one
// thread and on all hardware threads (items/s = points per second).
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "prover/curve/g1.h"
#include "prover/curve/g2.h"
#include "prover/msm/pippenger.h"

namespace {

using namespace codex::prover;

// Distinct random points, built cheaply as multiples P, 2P, 3P … of a random P.
template <class A, class J>
std::vector<A> points(size_t n, const A& gen) {
  std::mt19937_64 rng(1);
  J p = J(gen) * Fr::random(rng), acc = p;
  std::vector<A> out(n);
  for (size_t i = 0; i < n; ++i) {
    out[i] = acc.to_affine();
    acc += out[0];
  }
  return out;
}

std::vector<Fr> scalars(size_t n) {
  std::mt19937_64 rng(2);
  std::vector<Fr> v(n);
  for (auto& x : v)
    x = Fr::random(rng);
  return v;
}

// Args: log2 size, threads (0 = all), batched affine buckets (0/1; off in
// msm_g1/msm_g2, measured here to show what batching gains or costs).
template <class C, class A, class J>
void BM_Msm(benchmark::State& state, A gen) {
  size_t n = size_t(1) << state.range(0);
  auto ps = points<A, J>(n, gen);
  auto ks = scalars(n);
  std::span<const A> pspan(ps);
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        msm::pippenger<C>(pspan, ks, unsigned(state.range(1)), 0, state.range(2) != 0));
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(n));
}
void BM_MsmG1(benchmark::State& state) {
  BM_Msm<curve::G1Curve, curve::G1Affine, curve::G1>(state, curve::g1_generator());
}
void BM_MsmG2(benchmark::State& state) {
  BM_Msm<curve::G2Curve, curve::G2Affine, curve::G2>(state, curve::g2_generator());
}
BENCHMARK(BM_MsmG1)
    ->ArgsProduct({{10, 16, 18, 20}, {1, 0}, {0}})
    ->ArgsProduct({{16, 18}, {1, 0}, {1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_MsmG2)
    ->ArgsProduct({{10, 16, 18}, {1, 0}, {0}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
