// Poseidon2 (BN254, t = 3): one permutation, one 2 KiB cell hash, one block
// tree (64 KiB), and Merkle compression.
#include <benchmark/benchmark.h>

#include <vector>

#include "prover/poseidon2/bytes.h"
#include "prover/poseidon2/permutation.h"
#include "prover/slots/block_tree.h"

namespace {

using namespace codex::prover;

void BM_Permutation(benchmark::State& state) {
  poseidon2::State s = {Fr::from_u64(0), Fr::from_u64(1), Fr::from_u64(2)};
  for (auto _ : state) {
    poseidon2::permute(s);
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Compress(benchmark::State& state) {
  Fr x = Fr::from_u64(1), y = Fr::from_u64(2);
  for (auto _ : state) {
    x = poseidon2::compress(x, y, 1);
    benchmark::DoNotOptimize(x);
  }
}

void BM_CellHash2KiB(benchmark::State& state) {
  std::vector<uint8_t> cell(2048);
  for (size_t i = 0; i < cell.size(); ++i)
    cell[i] = uint8_t(i * 31 + 7);
  for (auto _ : state)
    benchmark::DoNotOptimize(slots::cell_hash(cell));
  state.SetBytesProcessed(state.iterations() * int64_t(cell.size()));
}

void BM_BlockRoot64KiB(benchmark::State& state) {
  std::vector<uint8_t> block(65536);
  for (size_t i = 0; i < block.size(); ++i)
    block[i] = uint8_t(i * 31 + 7);
  for (auto _ : state)
    benchmark::DoNotOptimize(slots::block_root(block, 2048));
  state.SetBytesProcessed(state.iterations() * int64_t(block.size()));
}

BENCHMARK(BM_Permutation);
BENCHMARK(BM_Compress);
BENCHMARK(BM_CellHash2KiB);
BENCHMARK(BM_BlockRoot64KiB)->Unit(benchmark::kMillisecond);

}  // namespace
