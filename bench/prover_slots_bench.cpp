// Slot building MB/s on 1 thread and on all cores, and the must-show fake
// dataset (11 slots × 512 cells, 176 blocks of 64 KiB) end to end.
#include <benchmark/benchmark.h>

#include "base/parallel/parallel_for.h"
#include "prover/slots/builder.h"
#include "prover/slots/fake_data.h"
#include "prover/slots/input_params.h"

namespace {

using namespace codex::prover;

// 2 slots × 8 blocks of 64 KiB (1 MiB) of cheap synthetic data, so the figure
// is hashing, not data generation.
void BM_BuildDataset(benchmark::State& state) {
  slots::SlotLayout layout(16, 2);
  slots::BlockReader read = [](uint64_t index, std::span<uint8_t> out) {
    for (size_t i = 0; i < out.size(); ++i)
      out[i] = uint8_t(index * 131 + i * 7);
  };
  slots::BuildOptions opts;
  opts.threads = unsigned(state.range(0));
  opts.concurrent_reads = true;
  for (auto _ : state)
    benchmark::DoNotOptimize(slots::build_dataset(layout, read, opts).root());
  state.SetBytesProcessed(state.iterations() *
                          int64_t(layout.blocks_count() * layout.block_size()));
  state.SetLabel(std::to_string(opts.threads) + " threads");
}

// The must-show dataset: fake data (seed 12345), 11 slots × 512 cells, all
// trees, sampling slot 3 and assembling the circuit input.
void BM_FakeExampleInput(benchmark::State& state) {
  slots::InputParams p;
  p.nslots = 11;
  p.slot = 3;
  p.ncells = 512;
  p.nsamples = 5;
  p.entropy = Fr::from_u64(10941033813ull);
  slots::BuildOptions opts;
  opts.threads = unsigned(state.range(0));
  for (auto _ : state)
    benchmark::DoNotOptimize(slots::fake_proof_input(p, 12345, opts));
  state.SetBytesProcessed(state.iterations() * int64_t(176) * 65536);
  state.SetLabel(std::to_string(opts.threads) + " threads");
}

const int kCores = int(codex::base::resolve_threads(0));

BENCHMARK(BM_BuildDataset)->Arg(1)->Arg(kCores)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_FakeExampleInput)
    ->Arg(1)
    ->Arg(kCores)
    ->Unit(benchmark::kSecond)
    ->UseRealTime()
    ->Iterations(1);

}  // namespace
