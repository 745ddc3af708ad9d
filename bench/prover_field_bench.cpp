// BN254 field arithmetic: the GMP mpn kernel, the portable CIOS kernel, the
// ADX assembly kernel and the register MULX kernel (the default) side by side.
// Each iteration is one dependent operation (latency-bound chain), the way
// Poseidon2 and curve code use the field.
#include <benchmark/benchmark.h>

#include <random>

#include "prover/curve/fq2.h"
#include "prover/field/bn254.h"

namespace {

using codex::prover::Fq;
using codex::prover::Fr;

template <class F>
void BM_MulGmp(benchmark::State& state) {
  std::mt19937_64 rng(1);
  F a = F::random(rng), b = F::random(rng);
  for (auto _ : state) {
    a = F::mul_gmp(a, b);
    benchmark::DoNotOptimize(a);
  }
}
template <class F>
void BM_MulAdx(benchmark::State& state) {
  std::mt19937_64 rng(1);
  F a = F::random(rng), b = F::random(rng);
  for (auto _ : state) {
    a = F::mul_adx(a, b);
    benchmark::DoNotOptimize(a);
  }
}
template <class F>
void BM_MulMulx(benchmark::State& state) {
  std::mt19937_64 rng(1);
  F a = F::random(rng), b = F::random(rng);
  for (auto _ : state) {
    a = F::mul_mulx(a, b);
    benchmark::DoNotOptimize(a);
  }
}
template <class F>
void BM_SqrDefault(benchmark::State& state) {
  std::mt19937_64 rng(1);
  F a = F::random(rng);
  for (auto _ : state) {
    a = a.square();
    benchmark::DoNotOptimize(a);
  }
  state.SetLabel(codex::prover::field::kernel_name(F::kKernel));
}
// x ← x^5 (two squarings, one product): the Poseidon2 S-box chain, with the
// values kept in registers.
template <class F>
void BM_Pow5Chain(benchmark::State& state) {
  std::mt19937_64 rng(1);
  F a = F::random(rng);
  for (auto _ : state) {
    for (int i = 0; i < 16; ++i)
      a = a.square().square() * a;
    benchmark::DoNotOptimize(a);
  }
  state.SetItemsProcessed(state.iterations() * 16);
}
template <class F>
void BM_MulDefault(benchmark::State& state) {
  std::mt19937_64 rng(1);
  F a = F::random(rng), b = F::random(rng);
  for (auto _ : state) {
    a = a * b;
    benchmark::DoNotOptimize(a);
  }
  state.SetLabel(codex::prover::field::kernel_name(F::kKernel));
}
template <class F>
void BM_SqrGmp(benchmark::State& state) {
  std::mt19937_64 rng(1);
  F a = F::random(rng);
  for (auto _ : state) {
    a = F::sqr_gmp(a);
    benchmark::DoNotOptimize(a);
  }
}
template <class F>
void BM_MulCios(benchmark::State& state) {
  std::mt19937_64 rng(1);
  F a = F::random(rng), b = F::random(rng);
  for (auto _ : state) {
    a = F::mul_cios(a, b);
    benchmark::DoNotOptimize(a);
  }
}
// Independent products (throughput rather than latency).
template <class F>
void BM_MulCiosThroughput(benchmark::State& state) {
  std::mt19937_64 rng(1);
  F a[4] = {F::random(rng), F::random(rng), F::random(rng), F::random(rng)};
  F b = F::random(rng);
  for (auto _ : state) {
    for (auto& x : a)
      x = F::mul_cios(x, b);
    benchmark::DoNotOptimize(a);
  }
  state.SetItemsProcessed(state.iterations() * 4);
}
template <class F>
void BM_Add(benchmark::State& state) {
  std::mt19937_64 rng(1);
  F a = F::random(rng), b = F::random(rng);
  for (auto _ : state) {
    a = a + b;
    benchmark::DoNotOptimize(a);
  }
}
template <class F>
void BM_Inverse(benchmark::State& state) {
  std::mt19937_64 rng(1);
  F a = F::random(rng);
  for (auto _ : state) {
    a = a.inverse() + F::one();
    benchmark::DoNotOptimize(a);
  }
}
template <class F>
void BM_BatchInverse1024(benchmark::State& state) {
  std::mt19937_64 rng(1);
  std::vector<F> xs(1024);
  for (auto& x : xs)
    x = F::random(rng);
  for (auto _ : state) {
    F::batch_inverse(xs);
    benchmark::DoNotOptimize(xs.data());
  }
  state.SetItemsProcessed(state.iterations() * 1024);
}
template <class F>
void BM_ToDecimal(benchmark::State& state) {
  std::mt19937_64 rng(1);
  F a = F::random(rng);
  for (auto _ : state)
    benchmark::DoNotOptimize(a.to_decimal());
}

// Fq2 (G2 coordinates): the current operators against the formulas with
// every base product and sum fully reduced (the "reference" rows), as
// dependent chains and as 4 independent chains (throughput).
using codex::prover::curve::Fq2;
Fq2 fq2_reference_mul(const Fq2& a, const Fq2& b) {
  Fq t0 = a.c0 * b.c0, t1 = a.c1 * b.c1;
  return Fq2(t0 - t1, (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1);
}
Fq2 fq2_reference_square(const Fq2& a) {
  return Fq2((a.c0 + a.c1) * (a.c0 - a.c1), (a.c0 * a.c1).dbl());
}
Fq2 fq2_random(std::mt19937_64& rng) {
  return Fq2(Fq::random(rng), Fq::random(rng));
}
struct Fq2Mul {
  static Fq2 f(const Fq2& a, const Fq2& b) { return a * b; }
};
struct Fq2MulReference {
  static Fq2 f(const Fq2& a, const Fq2& b) { return fq2_reference_mul(a, b); }
};
struct Fq2Sqr {
  static Fq2 f(const Fq2& a, const Fq2&) { return a.square(); }
};
struct Fq2SqrReference {
  static Fq2 f(const Fq2& a, const Fq2&) { return fq2_reference_square(a); }
};
template <class Op>
void BM_Fq2(benchmark::State& state) {
  std::mt19937_64 rng(1);
  Fq2 a = fq2_random(rng), b = fq2_random(rng);
  for (auto _ : state) {
    a = Op::f(a, b);
    benchmark::DoNotOptimize(a);
  }
}
template <class Op>
void BM_Fq2Throughput(benchmark::State& state) {
  std::mt19937_64 rng(1);
  Fq2 a[4] = {fq2_random(rng), fq2_random(rng), fq2_random(rng), fq2_random(rng)};
  Fq2 b = fq2_random(rng);
  for (auto _ : state) {
    for (auto& x : a)
      x = Op::f(x, b);
    benchmark::DoNotOptimize(a);
  }
  state.SetItemsProcessed(state.iterations() * 4);
}

BENCHMARK(BM_MulGmp<Fr>);
BENCHMARK(BM_MulCios<Fr>);
BENCHMARK(BM_MulAdx<Fr>);
BENCHMARK(BM_MulMulx<Fr>);
BENCHMARK(BM_MulDefault<Fr>);
BENCHMARK(BM_SqrGmp<Fr>);
BENCHMARK(BM_SqrDefault<Fr>);
BENCHMARK(BM_Pow5Chain<Fr>);
BENCHMARK(BM_MulCiosThroughput<Fr>);
BENCHMARK(BM_MulGmp<Fq>);
BENCHMARK(BM_MulCios<Fq>);
BENCHMARK(BM_MulAdx<Fq>);
BENCHMARK(BM_MulMulx<Fq>);
BENCHMARK(BM_SqrGmp<Fq>);
BENCHMARK(BM_SqrDefault<Fq>);
BENCHMARK(BM_Add<Fr>);
BENCHMARK(BM_Inverse<Fr>);
BENCHMARK(BM_BatchInverse1024<Fr>);
BENCHMARK(BM_ToDecimal<Fr>);
BENCHMARK(BM_Fq2<Fq2MulReference>);
BENCHMARK(BM_Fq2<Fq2Mul>);
BENCHMARK(BM_Fq2<Fq2SqrReference>);
BENCHMARK(BM_Fq2<Fq2Sqr>);
BENCHMARK(BM_Fq2Throughput<Fq2MulReference>);
BENCHMARK(BM_Fq2Throughput<Fq2Mul>);
BENCHMARK(BM_Fq2Throughput<Fq2SqrReference>);
BENCHMARK(BM_Fq2Throughput<Fq2Sqr>);

}  // namespace
