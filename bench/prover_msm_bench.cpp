// Pippenger MSM for G1 and G2 at 2^10 … 2^20 points (G2 up to 2^18), on one
// thread and on all hardware threads (items/s = points per second), plus
// GLV off and forced window widths for tuning, and witness-like scalars.
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

// kind 0: uniform; kind 1: witness-like (half 0/1, a quarter below 2^16,
// a quarter uniform).
std::vector<Fr> scalars(size_t n, int kind) {
  std::mt19937_64 rng(2);
  std::vector<Fr> v(n);
  for (size_t i = 0; i < n; ++i) {
    if (kind == 0 || i % 4 == 3) {
      v[i] = Fr::random(rng);
    } else if (i % 4 == 2) {
      v[i] = Fr::from_u64(rng() % 65536);
    } else {
      v[i] = Fr::from_u64(rng() % 2);
    }
  }
  return v;
}

// Args: log2 size, threads (0 = all), GLV (0 off, 1 on, 2 auto), window (0 = auto),
// scalar kind (0 uniform, 1 witness-like).
template <class C, class A, class J>
void BM_Msm(benchmark::State& state, A gen) {
  size_t n = size_t(1) << state.range(0);
  auto ps = points<A, J>(n, gen);
  auto ks = scalars(n, int(state.range(4)));
  std::span<const A> pspan(ps);
  msm::MsmOptions o{.threads = unsigned(state.range(1)),
                    .window = unsigned(state.range(3)),
                    .glv = state.range(2) == 0   ? msm::Glv::kOff
                           : state.range(2) == 1 ? msm::Glv::kOn
                                                 : msm::Glv::kAuto};
  for (auto _ : state) {
    benchmark::DoNotOptimize(msm::pippenger<C>(pspan, ks, o));
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
    ->ArgsProduct({{10, 16, 17, 18, 20}, {1, 0}, {2}, {0}, {0}})
    ->ArgsProduct({{16, 18}, {1}, {0, 1}, {0}, {0}})
    ->ArgsProduct({{16}, {1}, {1}, {11, 12, 13, 14, 15}, {0}})
    ->ArgsProduct({{17}, {0}, {2}, {0}, {1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_MsmG2)
    ->ArgsProduct({{10, 16, 17, 18}, {1, 0}, {2}, {0}, {0}})
    ->ArgsProduct({{16}, {1}, {0}, {0}, {0}})
    ->ArgsProduct({{18}, {1}, {2}, {13, 14, 15}, {0}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
