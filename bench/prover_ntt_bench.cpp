// NTT over Fr at 2^16 … 2^21 points on 1 and 2 threads (items/s = points per
// second): forward, the coset round trip, and the prover's step (values on
// the domain → values on the odd coset) fused vs as inverse + coset_forward.
// BM_BlockedDit sweeps the row length of the cache-blocked passes;
// BM_PerStageReference is the pre-blocking algorithm (bit reversal, then one
// pass over memory per stage) at equal load, for A/B figures on a busy host.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "base/parallel/parallel_for.h"
#include "prover/ntt/blocked.h"
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

void SetItems(benchmark::State& state, size_t n, int per_iteration = 1) {
  state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(n) * per_iteration);
}

// The former ntt.cpp transform: bit reversal, then stage after stage, each
// stage split across threads (fresh threads per stage).
void per_stage_forward(const ntt::Domain& d, std::vector<Fr>& a, unsigned threads,
                       bool inverse = false) {
  const size_t n = a.size(), log_n = d.log_size();
  codex::base::parallel_for(n, threads, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) {
      size_t r = 0;
      for (size_t k = 0, x = i; k < log_n; ++k, x >>= 1)
        r = (r << 1) | (x & 1);
      if (i < r) std::swap(a[i], a[r]);
    }
  });
  for (size_t half = 1; half < n; half *= 2) {
    const Fr* tw = (inverse ? d.inverse_stage_twiddles(half) : d.stage_twiddles(half)).data();
    codex::base::parallel_for(half, threads, [&](size_t jb, size_t je) {
      for (size_t blk = 0; blk < n; blk += 2 * half)
        for (size_t j = jb; j < je; ++j) {
          Fr t = a[blk + j + half] * tw[j];
          a[blk + j + half] = a[blk + j] - t;
          a[blk + j] = a[blk + j] + t;
        }
    });
  }
}

void BM_PerStageReference(benchmark::State& state) {
  ntt::Domain d(size_t(state.range(0)));
  auto v = random_vector(d.size());
  for (auto _ : state) {
    per_stage_forward(d, v, unsigned(state.range(1)));
    benchmark::DoNotOptimize(v.data());
  }
  SetItems(state, d.size());
}
BENCHMARK(BM_PerStageReference)
    ->ArgsProduct({{16, 17, 18, 19, 20, 21}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// a[i] *= c·g^i.
void scale_powers(std::vector<Fr>& a, const Fr& c, const Fr& g, unsigned threads) {
  codex::base::parallel_for(a.size(), threads, [&](size_t b, size_t e) {
    Fr p = c * g.pow(uint64_t(b));
    for (size_t i = b; i < e; ++i, p *= g)
      a[i] *= p;
  });
}

// The prover's step as the former code ran it: inverse, then coset_forward.
void BM_PerStageReferenceToCoset(benchmark::State& state) {
  ntt::Domain d(size_t(state.range(0)));
  auto v = random_vector(d.size());
  const Fr shift = ntt::root_of_unity(d.log_size() + 1);
  const unsigned t = unsigned(state.range(1));
  for (auto _ : state) {
    per_stage_forward(d, v, t, true);
    scale_powers(v, d.size_inv(), Fr::one(), t);
    scale_powers(v, Fr::one(), shift, t);
    per_stage_forward(d, v, t);
    benchmark::DoNotOptimize(v.data());
  }
  SetItems(state, d.size());
}
BENCHMARK(BM_PerStageReferenceToCoset)
    ->ArgsProduct({{16, 17, 18, 19, 20, 21}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Args: log2 size, threads.
void BM_NttForward(benchmark::State& state) {
  ntt::Domain d(size_t(state.range(0)));
  auto v = random_vector(d.size());
  for (auto _ : state) {
    ntt::forward(d, v, unsigned(state.range(1)));
    benchmark::DoNotOptimize(v.data());
  }
  SetItems(state, d.size());
}
BENCHMARK(BM_NttForward)
    ->ArgsProduct({{16, 17, 18, 19, 20, 21}, {1, 2}})
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
  SetItems(state, d.size(), 2);
}
BENCHMARK(BM_NttCosetRoundTrip)
    ->ArgsProduct({{16, 18, 20}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The Groth16 step, two transforms' worth of work per iteration.
void BM_EvaluationsToCoset(benchmark::State& state) {
  ntt::Domain d(size_t(state.range(0)));
  auto v = random_vector(d.size());
  const Fr shift = ntt::root_of_unity(d.log_size() + 1);
  for (auto _ : state) {
    ntt::evaluations_to_coset(d, v, shift, unsigned(state.range(1)));
    benchmark::DoNotOptimize(v.data());
  }
  SetItems(state, d.size());
}
BENCHMARK(BM_EvaluationsToCoset)
    ->ArgsProduct({{16, 17, 18, 19, 20, 21}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_InverseThenCosetForward(benchmark::State& state) {
  ntt::Domain d(size_t(state.range(0)));
  auto v = random_vector(d.size());
  const Fr shift = ntt::root_of_unity(d.log_size() + 1);
  for (auto _ : state) {
    ntt::inverse(d, v, unsigned(state.range(1)));
    ntt::coset_forward(d, v, shift, unsigned(state.range(1)));
    benchmark::DoNotOptimize(v.data());
  }
  SetItems(state, d.size());
}
BENCHMARK(BM_InverseThenCosetForward)
    ->ArgsProduct({{17, 21}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Args: log2 size, log2 row length, threads.
void BM_BlockedDit(benchmark::State& state) {
  ntt::Domain d(size_t(state.range(0)));
  auto v = random_vector(d.size());
  ntt::blocked::Plan plan;
  plan.log_block = size_t(state.range(1));
  plan.threads = unsigned(state.range(2));
  for (auto _ : state) {
    ntt::blocked::dit(v, d, false, plan);
    benchmark::DoNotOptimize(v.data());
  }
  SetItems(state, d.size());
}
BENCHMARK(BM_BlockedDit)
    ->ArgsProduct({{17, 21}, {10, 11, 12, 13, 14, 15}, {1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
