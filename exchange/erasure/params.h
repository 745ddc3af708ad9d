#pragma once
// Erasure-coding parameters K (data blocks per step) and M (parity blocks per
// step), with the rules of spec node.md §2 and §6.1. Plain value; thread-safe.
#include <cstdint>

namespace codex::erasure {

// Largest K + M: ISA-L's Cauchy Reed–Solomon code over GF(2^8) has at most 256 rows.
inline constexpr uint32_t kMaxShards = 256;

struct ErasureParams {
  uint32_t k = 0;  // data blocks per step (ecK)
  uint32_t m = 0;  // parity blocks per step (ecM)

  // From the REST request's `nodes` and `tolerance` (§6.1): K = nodes − tolerance,
  // M = tolerance. Throws ErasureParamsError naming the broken rule
  // (tolerance ≠ 0, tolerance ≤ nodes, 1 < K ≥ M, nodes ≤ 256).
  static ErasureParams from_nodes(uint64_t nodes, uint64_t tolerance);

  // Throws ErasureParamsError unless K ≥ 2, M ≥ 1, K ≥ M and K + M ≤ 256.
  void validate() const;

  // Throws InsufficientBlocksError ("need at least K·blockSize bytes") when the
  // dataset has fewer than K blocks (§2: encoding needs K ≤ blocksCount).
  void require_blocks(uint64_t blocks_count, uint64_t block_size) const;

  uint32_t slots() const { return k + m; }

  friend bool operator==(const ErasureParams&, const ErasureParams&) = default;
};

}  // namespace codex::erasure
