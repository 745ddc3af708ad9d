#include "exchange/erasure/params.h"

#include <string>

#include "exchange/erasure/errors.h"

namespace codex::erasure {

ErasureParams ErasureParams::from_nodes(uint64_t nodes, uint64_t tolerance) {
  if (tolerance == 0) throw ErasureParamsError("erasure: tolerance must be greater than zero");
  if (tolerance > nodes)
    throw ErasureParamsError("erasure: tolerance (" + std::to_string(tolerance) +
                             ") cannot be greater than nodes (" + std::to_string(nodes) + ")");
  uint64_t k = nodes - tolerance;
  if (k <= 1 || k < tolerance)
    throw ErasureParamsError(
        "erasure: parameters must satisfy 1 < (nodes - tolerance) >= tolerance, got nodes=" +
        std::to_string(nodes) + " tolerance=" + std::to_string(tolerance));
  if (nodes > kMaxShards)
    throw ErasureParamsError("erasure: nodes (" + std::to_string(nodes) + ") must be at most " +
                             std::to_string(kMaxShards));
  ErasureParams p{static_cast<uint32_t>(k), static_cast<uint32_t>(tolerance)};
  p.validate();
  return p;
}

void ErasureParams::validate() const {
  auto params = [&] { return " (K=" + std::to_string(k) + ", M=" + std::to_string(m) + ")"; };
  if (k < 2) throw ErasureParamsError("erasure: K must be at least 2" + params());
  if (m < 1) throw ErasureParamsError("erasure: M must be at least 1" + params());
  if (k < m) throw ErasureParamsError("erasure: K must be at least M" + params());
  if (static_cast<uint64_t>(k) + m > kMaxShards)
    throw ErasureParamsError("erasure: K + M must be at most " + std::to_string(kMaxShards) +
                             params());
}

void ErasureParams::require_blocks(uint64_t blocks_count, uint64_t block_size) const {
  if (blocks_count >= k) return;
  uint64_t min_bytes = static_cast<uint64_t>(k) * block_size;
  throw InsufficientBlocksError("erasure: dataset too small, need at least " +
                                    std::to_string(min_bytes) + " bytes (K=" + std::to_string(k) +
                                    " blocks of " + std::to_string(block_size) + " bytes, have " +
                                    std::to_string(blocks_count) + " blocks)",
                                min_bytes);
}

}  // namespace codex::erasure
