#include "prover/slots/block_tree.h"

#include <algorithm>
#include <array>
#include <string>

#include "prover/error.h"
#include "prover/poseidon2/bytes.h"
#include "prover/poseidon2/bytes_x8.h"

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
  auto cell = [&](size_t i) { return block.subspan(i * cell_size, cell_size); };
  // Groups of 8 cells share one pass of the 8-lane sponge; the rest go one by one.
  size_t i = 0;
  for (; i + 8 <= out.size(); i += 8) {
    std::array<std::span<const uint8_t>, 8> cells;
    for (size_t j = 0; j < 8; ++j)
      cells[j] = cell(i + j);
    std::array<Fr, 8> h = poseidon2::hash_bytes_x8(cells);
    std::copy(h.begin(), h.end(), out.begin() + ptrdiff_t(i));
  }
  for (; i < out.size(); ++i)
    out[i] = cell_hash(cell(i));
  return out;
}

merkle::MerkleTree block_tree(std::span<const uint8_t> block, uint64_t cell_size) {
  return merkle::MerkleTree(cell_hashes(block, cell_size));
}

Fr block_root(std::span<const uint8_t> block, uint64_t cell_size) {
  return merkle::merkle_root(cell_hashes(block, cell_size));
}

}  // namespace codex::prover::slots
