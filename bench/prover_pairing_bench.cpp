// BN254 pairing and group arithmetic: one pairing, Miller loop, final
// exponentiation, the Groth16 verifier, G1/G2 scalar multiplication, and the
// Fq2/Fq12 multiplications underneath.
#include <benchmark/benchmark.h>

#include <random>
#include <string>

#include "prover/formats/json.h"
#include "prover/groth16/snarkjs_json.h"
#include "prover/groth16/verifier.h"
#include "prover/pairing/pairing.h"

namespace {

using namespace codex::prover;

using curve::G1;
using curve::G2;

void BM_Fq2Mul(benchmark::State& state) {
  std::mt19937_64 rng(1);
  curve::Fq2 a(Fq::random(rng), Fq::random(rng)), b(Fq::random(rng), Fq::random(rng));
  for (auto _ : state) {
    a = a * b;
    benchmark::DoNotOptimize(a);
  }
}
BENCHMARK(BM_Fq2Mul);

void BM_Fq12Mul(benchmark::State& state) {
  curve::Fq12 a = pairing::pairing(curve::g1_generator(), curve::g2_generator());
  curve::Fq12 b = a.square();
  for (auto _ : state) {
    a = a * b;
    benchmark::DoNotOptimize(a);
  }
}
BENCHMARK(BM_Fq12Mul);

void BM_Pairing(benchmark::State& state) {
  auto p = curve::g1_generator();
  auto q = curve::g2_generator();
  for (auto _ : state)
    benchmark::DoNotOptimize(pairing::pairing(p, q));
}
BENCHMARK(BM_Pairing)->Unit(benchmark::kMicrosecond);

void BM_MillerLoopPrepared(benchmark::State& state) {
  auto p = curve::g1_generator();
  pairing::G2Prepared q(curve::g2_generator());
  const pairing::G2Prepared* qs[1] = {&q};
  for (auto _ : state)
    benchmark::DoNotOptimize(pairing::miller_loop(std::span(&p, 1), qs));
}
BENCHMARK(BM_MillerLoopPrepared)->Unit(benchmark::kMicrosecond);

void BM_FinalExponentiation(benchmark::State& state) {
  auto p = curve::g1_generator();
  pairing::G2Prepared q(curve::g2_generator());
  const pairing::G2Prepared* qs[1] = {&q};
  auto f = pairing::miller_loop(std::span(&p, 1), qs);
  for (auto _ : state)
    benchmark::DoNotOptimize(pairing::final_exponentiation(f));
}
BENCHMARK(BM_FinalExponentiation)->Unit(benchmark::kMicrosecond);

void BM_Groth16VerifyReference(benchmark::State& state) {
  const std::string dir = std::string(CODEX_SOURCE_DIR) + "/tests/data/codex-example/";
  auto vk = groth16::parse_verification_key_json(
      formats::read_text_file(dir + "verification_key_hardhat.json"));
  auto proof = groth16::parse_proof_json(formats::read_text_file(dir + "proof.json"));
  auto inputs = groth16::parse_public_json(formats::read_text_file(dir + "public.json"));
  groth16::PreparedVerifier v(vk);
  for (auto _ : state) {
    bool ok = v.verify(inputs, proof);
    if (!ok) state.SkipWithError("reference proof rejected");
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(BM_Groth16VerifyReference)->Unit(benchmark::kMicrosecond);

curve::G1Affine generator_of(const G1*) {
  return curve::g1_generator();
}
curve::G2Affine generator_of(const G2*) {
  return curve::g2_generator();
}

template <class J>
void BM_ScalarMul(benchmark::State& state) {
  std::mt19937_64 rng(2);
  J p = J(generator_of(static_cast<const J*>(nullptr))) * Fr::random(rng);
  Fr k = Fr::random(rng);
  for (auto _ : state)
    benchmark::DoNotOptimize(p * k);
}
BENCHMARK_TEMPLATE(BM_ScalarMul, G1)->Unit(benchmark::kMicrosecond);
BENCHMARK_TEMPLATE(BM_ScalarMul, G2)->Unit(benchmark::kMicrosecond);

void BM_G2SubgroupCheck(benchmark::State& state) {
  auto q = curve::g2_generator();
  for (auto _ : state)
    benchmark::DoNotOptimize(curve::g2_in_subgroup(q));
}
BENCHMARK(BM_G2SubgroupCheck)->Unit(benchmark::kMicrosecond);

void BM_G1AddMixed(benchmark::State& state) {
  std::mt19937_64 rng(4);
  G1 acc = G1(curve::g1_generator()) * Fr::random(rng);
  auto q = (G1(curve::g1_generator()) * Fr::random(rng)).to_affine();
  for (auto _ : state) {
    acc += q;
    benchmark::DoNotOptimize(acc);
  }
}
BENCHMARK(BM_G1AddMixed);

void BM_G1Double(benchmark::State& state) {
  G1 acc = curve::g1_generator();
  for (auto _ : state) {
    acc = acc.dbl();
    benchmark::DoNotOptimize(acc);
  }
}
BENCHMARK(BM_G1Double);

}  // namespace
