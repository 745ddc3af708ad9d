// The storage circuit at production parameters SampleAndProve(32, 8, 5, 67, n),
// n = 5 and 10: witness generation (witness-only builder, what
// `codex-prover witness` does; full builder, which also stores the
// constraints) and the shape-only R1CS build (`codex-prover r1cs`).
// Inputs: the workflow dataset (fake data, seed 12345, 11 slots × 512 cells,
// slot 3, entropy 10941033813), built once per sample count.
#include <benchmark/benchmark.h>

#include <map>

#include "prover/circuit/storage_circuit.h"
#include "prover/slots/input_params.h"

namespace {

using namespace codex::prover;

const slots::ProofInput& example_input(uint32_t n_samples) {
  static std::map<uint32_t, slots::ProofInput> cache;
  auto it = cache.find(n_samples);
  if (it == cache.end()) {
    slots::InputParams p;
    p.nslots = 11;
    p.slot = 3;
    p.ncells = 512;
    p.nsamples = n_samples;
    p.entropy = Fr::from_u64(10941033813u);
    it = cache.emplace(n_samples, slots::fake_proof_input(p, 12345)).first;
  }
  return it->second;
}

circuit::StorageParams params(int64_t n) {
  circuit::StorageParams p;
  p.n_samples = uint32_t(n);
  return p;
}

void BM_Witness(benchmark::State& state) {
  const circuit::StorageParams p = params(state.range(0));
  const slots::ProofInput& in = example_input(p.n_samples);
  size_t wires = 0;
  for (auto _ : state) {
    auto c = circuit::build_storage_circuit(p, in, circuit::CircuitBuilder::Mode::kWitnessOnly);
    wires = c.cb.num_wires();
    benchmark::DoNotOptimize(c.cb.witness().back());
  }
  state.counters["wires"] = double(wires);
}

void BM_WitnessAndConstraints(benchmark::State& state) {
  const circuit::StorageParams p = params(state.range(0));
  const slots::ProofInput& in = example_input(p.n_samples);
  for (auto _ : state) {
    auto c = circuit::build_storage_circuit(p, in);
    benchmark::DoNotOptimize(c.cb.constraints().data());
  }
}

void BM_R1csShape(benchmark::State& state) {
  const circuit::StorageParams p = params(state.range(0));
  size_t constraints = 0;
  for (auto _ : state) {
    auto cb = circuit::build_storage_shape(p);
    constraints = cb.num_constraints();
    benchmark::DoNotOptimize(cb.constraints().data());
  }
  state.counters["constraints"] = double(constraints);
}

BENCHMARK(BM_Witness)->Arg(5)->Arg(10)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_WitnessAndConstraints)->Arg(5)->Arg(10)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_R1csShape)->Arg(5)->Arg(10)->Unit(benchmark::kMillisecond);

}  // namespace
