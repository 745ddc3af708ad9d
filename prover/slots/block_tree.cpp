#include "prover/slots/block_tree.h"

#include <string>

#include "prover/error.h"
#include "prover/poseidon2/bytes.h"

namespace codex::prover::slots {

Fr cell_hash(std::span<const uint8_t> cell) {
  return poseidon2::hash_bytes(cell);
}

std::vector<Fr> cell_hashes(std::span<const uint8_t> block, uint64_t cell_size) {
  if (cell_size == 0 || block.size() % cell_size != 0 || block.empty()) {
    throw InvalidInput("block of " + std::to_string(block.size()) +
                       " bytes is not a positive whole number of " + std::to_string(cell_size) +
                       "-byte cells");
  }
  std::vector<Fr> out(block.size() / cell_size);
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = cell_hash(block.subspan(i * cell_size, cell_size));
  return out;
}

merkle::MerkleTree block_tree(std::span<const uint8_t> block, uint64_t cell_size) {
  return merkle::MerkleTree(cell_hashes(block, cell_size));
}

Fr block_root(std::span<const uint8_t> block, uint64_t cell_size) {
  return merkle::merkle_root(cell_hashes(block, cell_size));
}

}  // namespace codex::prover::slots
