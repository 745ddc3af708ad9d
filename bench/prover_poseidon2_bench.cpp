// Poseidon2 (BN254, t = 3): one permutation (scalar and 8-lane), one 2 KiB cell
// hash (scalar and 8 cells at once), one block tree (64 KiB, through the 8-lane
// path), and Merkle compression.
#include <benchmark/benchmark.h>

#include <array>
#include <span>
#include <vector>

#include "prover/poseidon2/bytes.h"
#include "prover/poseidon2/bytes_x8.h"
#include "prover/poseidon2/permutation.h"
#include "prover/poseidon2/permutation_x8.h"
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

// 8 states at once (permutation_x8.h); time per permutation.
void BM_PermutationX8(benchmark::State& state) {
  poseidon2::StateX8 s = {FrX8::broadcast(Fr::from_u64(0)), FrX8::broadcast(Fr::from_u64(1)),
                          FrX8::broadcast(Fr::from_u64(2))};
  for (auto _ : state) {
    poseidon2::permute_x8(s);
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(8 * state.iterations());
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

// 8 cells of 2 KiB at once (bytes_x8.h).
void BM_CellHash2KiBX8(benchmark::State& state) {
  std::vector<uint8_t> data(8 * 2048);
  for (size_t i = 0; i < data.size(); ++i)
    data[i] = uint8_t(i * 31 + 7);
  std::array<std::span<const uint8_t>, 8> cells;
  for (size_t i = 0; i < 8; ++i)
    cells[i] = std::span<const uint8_t>(data).subspan(i * 2048, 2048);
  for (auto _ : state)
    benchmark::DoNotOptimize(poseidon2::hash_bytes_x8(cells));
  state.SetBytesProcessed(state.iterations() * int64_t(data.size()));
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
BENCHMARK(BM_PermutationX8);
BENCHMARK(BM_Compress);
BENCHMARK(BM_CellHash2KiB);
BENCHMARK(BM_CellHash2KiBX8);
BENCHMARK(BM_BlockRoot64KiB)->Unit(benchmark::kMillisecond);

}  // namespace
