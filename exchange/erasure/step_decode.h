#pragma once
// Decoding of one step (codeword) from whatever of its K + M blocks a caller
// managed to get (spec node.md §2.3), for downloads that fetch only the steps
// they need instead of decoding a whole stored dataset (Erasure::decode).
// Pure computation; thread-safe (the codec is).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "exchange/erasure/codec.h"
#include "exchange/erasure/layout.h"

namespace codex::erasure {

// `shards` holds the step's K + M blocks in position order (data 0..K−1, then
// parity), nullopt where unknown; padding positions may be left nullopt (they
// are zero blocks). Fills every missing data position. When more than K
// blocks are at hand, the parity given is checked against the decoded data.
// Throws TooManyLossesError (naming the step's lost indices) with fewer than
// K usable blocks, ErasureError when a block has the wrong size or the blocks
// do not belong to one codeword. The codec must match the layout's K and M.
void decode_step(const ReedSolomonCodec& codec, const SteppedLayout& layout, uint64_t step,
                 std::vector<std::optional<std::string>>& shards);

}  // namespace codex::erasure
