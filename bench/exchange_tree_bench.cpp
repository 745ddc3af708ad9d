// SHA-256 tree building (spec node.md §1.5) and block hashing throughput.
#include <benchmark/benchmark.h>

#include <random>

#include "exchange/crypto/sha256.h"
#include "exchange/tree/sha256_tree.h"

namespace {

// Hashing 64 KiB blocks: what an upload spends most of its CPU on.
void BM_Sha256Block(benchmark::State& state) {
  std::vector<uint8_t> block(65536);
  std::mt19937 rng(1);
  for (auto& b : block)
    b = uint8_t(rng());
  for (auto _ : state)
    benchmark::DoNotOptimize(codex::sha256(block));
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(block.size()));
}
BENCHMARK(BM_Sha256Block);

// Building the tree over n leaf digests; bytes = the data those leaves stand
// for (64 KiB blocks), so MB/s compares with upload speed.
void BM_Sha256TreeBuild(benchmark::State& state) {
  std::vector<codex::Digest32> leaves(size_t(state.range(0)));
  std::mt19937 rng(2);
  for (auto& l : leaves)
    for (auto& b : l)
      b = uint8_t(rng());
  for (auto _ : state)
    benchmark::DoNotOptimize(codex::Sha256Tree::build(leaves).root());
  state.SetBytesProcessed(int64_t(state.iterations()) * state.range(0) * 65536);
  state.counters["leaves/s"] = benchmark::Counter(
      double(state.iterations()) * double(state.range(0)), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Sha256TreeBuild)->Arg(16)->Arg(1024)->Arg(16384);

void BM_Sha256TreeProofVerify(benchmark::State& state) {
  std::vector<codex::Digest32> leaves(16384);
  for (size_t i = 0; i < leaves.size(); ++i)
    leaves[i][0] = uint8_t(i);
  auto tree = codex::Sha256Tree::build(leaves);
  auto proof = tree.proof(1234);
  for (auto _ : state)
    benchmark::DoNotOptimize(proof.verify(leaves[1234], tree.root()));
}
BENCHMARK(BM_Sha256TreeProofVerify);

}  // namespace
