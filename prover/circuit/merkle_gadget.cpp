#include "prover/circuit/merkle_gadget.h"

#include <string>
#include <vector>

#include "prover/circuit/poseidon2_gadget.h"
#include "prover/error.h"

namespace codex::prover::circuit {
namespace {

using LC = LinearCombination;

}  // namespace

LinearCombination root_from_merkle_path(CircuitBuilder& cb, const LinearCombination& leaf,
                                        std::span<const LinearCombination> index_bits,
                                        std::span<const LinearCombination> last_bits,
                                        std::span<const LinearCombination> mask_bits,
                                        std::span<const LinearCombination> siblings) {
  const size_t depth = siblings.size();
  if (depth == 0 || index_bits.size() != depth || last_bits.size() != depth ||
      mask_bits.size() != depth + 1) {
    throw InvalidInput("root_from_merkle_path: " + std::to_string(siblings.size()) + " siblings, " +
                       std::to_string(index_bits.size()) + " index bits, " +
                       std::to_string(last_bits.size()) + " last bits, " +
                       std::to_string(mask_bits.size()) +
                       " mask bits (expected D ≥ 1, D, D and D + 1)");
  }
  const LC one = LC::constant(Fr::one());

  // is_last[i] = Π_{j ≥ i} [index_j = last_j], with [a = b] = 1 − (a − b)².
  std::vector<LC> is_last(depth + 1);
  is_last[depth] = one;
  for (size_t i = depth; i-- > 0;) {
    LC eq = one - LC(cb.square(index_bits[i] - last_bits[i]));
    is_last[i] = i + 1 == depth ? eq : LC(cb.mul(is_last[i + 1], eq));
  }

  LC node = leaf;
  LC root;
  for (size_t i = 0; i < depth; ++i) {
    LC odd(cb.mul(is_last[i], one - index_bits[i]));
    LC swap(cb.mul(siblings[i] - node, index_bits[i]));
    LC left = node + swap;
    // As in the reference, an odd node's right input is the path entry as
    // given: the path must hold 0 there (merkle::MerkleTree::path does).
    LC right = siblings[i] - swap;
    LC key = Fr::from_u64(2) * odd;
    if (i == 0) key += one;
    node = permute_gadget(cb, {left, right, key})[0];
    // mask_0 is forced to 1.
    LC drop = (i == 0 ? one : mask_bits[i]) - mask_bits[i + 1];
    root += LC(cb.mul(drop, node));
  }
  return root;
}

}  // namespace codex::prover::circuit
