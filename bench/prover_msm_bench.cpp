// Pippenger MSM for G1 and G2 at 2^10 … 2^20 points (G2 at 2^20 on all
// threads only), on one thread and on all hardware threads (items/s = points
// per second), plus GLV on/off and forced window widths for tuning,
// witness-like scalars, and the MSMs of a real proving key (BM_MsmZkey*).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "prover/curve/g1.h"
#include "prover/curve/g2.h"
#include "prover/formats/wtns_file.h"
#include "prover/groth16/batch_normalize.h"
#include "prover/groth16/zkey_file.h"
#include "prover/msm/pippenger.h"

namespace {

using namespace codex::prover;

// Distinct random points, built cheaply as multiples P, 2P, 3P … of a random P
// and normalised with one inversion.
template <class C, class A = curve::Affine<C>, class J = curve::Jacobian<C>>
std::vector<A> points(size_t n, const A& gen) {
  std::mt19937_64 rng(1);
  const A p = (J(gen) * Fr::random(rng)).to_affine();
  std::vector<J> jac(n);
  J acc(p);
  for (size_t i = 0; i < n; ++i) {
    jac[i] = acc;
    acc += p;
  }
  std::vector<A> out(n);
  groth16::batch_to_affine<C>(jac, out);
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
  auto ps = points<C>(n, gen);
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
    ->ArgsProduct({{16, 18, 20}, {1}, {0, 1}, {0}, {0}})
    ->ArgsProduct({{16}, {1}, {1}, {11, 12, 13, 14, 15, 16}, {0}})
    ->ArgsProduct({{20}, {0}, {0}, {15, 16}, {0}})
    ->ArgsProduct({{17}, {0}, {2}, {0}, {1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_MsmG2)
    ->ArgsProduct({{10, 16, 17, 18}, {1, 0}, {2}, {0}, {0}})
    ->ArgsProduct({{20}, {0}, {2}, {0}, {0}})
    ->ArgsProduct({{16}, {1}, {0}, {0}, {0}})
    ->ArgsProduct({{18}, {1}, {2}, {13, 14, 15, 16}, {0}})
    ->ArgsProduct({{20}, {0}, {2}, {14, 15, 16}, {0}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Real keys: with CODEX_MSM_ZKEY and CODEX_MSM_WTNS set, the G1 MSMs of a
// proof as the prover runs them (scalars 0 and 1 left out): A and C with the
// witness, H with random scalars. Args: threads (0 = all).
void BM_MsmZkey(benchmark::State& state, groth16::ZkeyReader::Section sec) {
  const groth16::ZkeyReader zkey(std::getenv("CODEX_MSM_ZKEY"));
  auto all = zkey.g1_points(sec);
  std::vector<Fr> ws;
  if (sec == groth16::ZkeyReader::kH) {
    ws = scalars(all.size(), 0);
  } else {
    ws = formats::read_wtns(std::getenv("CODEX_MSM_WTNS"));
    if (sec == groth16::ZkeyReader::kC)
      ws.erase(ws.begin(), ws.begin() + 1 + zkey.header().n_public);
  }
  if (ws.size() != all.size()) {
    state.SkipWithError("the witness does not match the key");
    return;
  }
  std::vector<curve::G1Affine> ps;
  std::vector<Fr> ks;
  for (size_t i = 0; i < all.size(); ++i) {
    if (ws[i].is_zero() || ws[i].is_one()) continue;
    ps.push_back(all[i]);
    ks.push_back(ws[i]);
  }
  msm::MsmOptions o{.threads = unsigned(state.range(0))};
  for (auto _ : state) {
    benchmark::DoNotOptimize(msm::pippenger<curve::G1Curve>(ps, ks, o));
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(ps.size()));
}
[[maybe_unused]] const bool kZkeyRegistered = [] {
  if (std::getenv("CODEX_MSM_ZKEY") == nullptr || std::getenv("CODEX_MSM_WTNS") == nullptr)
    return false;
  for (auto [name, sec] :
       {std::pair{"A", groth16::ZkeyReader::kA}, std::pair{"C", groth16::ZkeyReader::kC},
        std::pair{"H", groth16::ZkeyReader::kH}}) {
    benchmark::RegisterBenchmark((std::string("BM_MsmZkey") + name).c_str(), BM_MsmZkey, sec)
        ->Args({1})
        ->Args({0})
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  return true;
}();

}  // namespace
