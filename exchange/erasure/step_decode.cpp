#include "exchange/erasure/step_decode.h"

#include <cstring>

#include "exchange/erasure/errors.h"

namespace codex::erasure {

void decode_step(const ReedSolomonCodec& codec, const SteppedLayout& layout, uint64_t step,
                 std::vector<std::optional<std::string>>& shards) {
  const uint32_t k = layout.k(), n = layout.params().slots();
  const size_t bs = codec.block_size();
  if (codec.params() != layout.params())
    throw ErasureError("erasure: codec and layout disagree on K and M");
  if (shards.size() != n)
    throw ErasureError("erasure: step " + std::to_string(step) + " needs " + std::to_string(n) +
                       " shard slots, got " + std::to_string(shards.size()));
  std::vector<uint64_t> lost;
  ShardMask erased, targets;
  uint32_t usable = 0;
  for (uint32_t p = 0; p < n; ++p) {
    auto& s = shards[p];
    const uint64_t index = layout.index(step, p);
    if (!s && layout.is_padding(index)) s.emplace(bs, '\0');
    if (s && s->size() != bs)
      throw ErasureError("erasure: block " + std::to_string(index) + " has " +
                         std::to_string(s->size()) + " bytes, not the block size " +
                         std::to_string(bs));
    if (s) {
      ++usable;
      continue;
    }
    lost.push_back(index);
    erased.set(p);
    if (p < k) targets.set(p);
  }
  if (usable < k) {
    std::string list;
    for (uint64_t i : lost)
      list += (list.empty() ? "" : ", ") + std::to_string(i);
    throw TooManyLossesError("erasure: step " + std::to_string(step) + " lost " +
                                 std::to_string(lost.size()) + " of its " + std::to_string(n) +
                                 " blocks (indices " + list +
                                 "); at most M=" + std::to_string(layout.m()) + " can be recovered",
                             step, std::move(lost));
  }
  if (targets.none()) return;  // every data block at hand

  std::vector<uint8_t*> ptrs(n, nullptr);
  for (uint32_t p = 0; p < n; ++p) {
    if (targets[p]) shards[p].emplace(bs, '\0');
    if (shards[p]) ptrs[p] = reinterpret_cast<uint8_t*>(shards[p]->data());
  }
  codec.reconstruct(ptrs, erased, targets);

  // Parity beyond the K blocks decoding used must agree with the decoded
  // data: blocks from different codewords (a wrong leaf) would not.
  if (usable == k) return;
  std::vector<const uint8_t*> data(ptrs.begin(), ptrs.begin() + k);
  std::vector<std::vector<uint8_t>> parity(layout.m(), std::vector<uint8_t>(bs));
  std::vector<uint8_t*> out;
  for (auto& p : parity)
    out.push_back(p.data());
  codec.encode(data, out);
  for (uint32_t p = k; p < n; ++p)
    if (ptrs[p] && std::memcmp(ptrs[p], parity[p - k].data(), bs) != 0)
      throw ErasureError("erasure: the blocks of step " + std::to_string(step) +
                         " are not one codeword (parity block " +
                         std::to_string(layout.index(step, p)) + " disagrees)");
}

}  // namespace codex::erasure
