// Erasure::encode — spec node.md §2.1.
#include <string>
#include <vector>

#include "exchange/crypto/sha256_multi.h"
#include "exchange/erasure/codec.h"
#include "exchange/erasure/erasure.h"
#include "exchange/erasure/errors.h"
#include "exchange/erasure/layout.h"
#include "exchange/erasure/leaf_entries.h"
#include "exchange/error.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/tree/sha256_tree.h"

namespace codex::erasure {
namespace {

uint64_t blocks_of(const Manifest& m) {
  return m.dataset_size / m.block_size + (m.dataset_size % m.block_size != 0);
}

void check_plain(const Manifest& plain) {
  if (plain.is_protected())
    throw ErasureError("erasure: manifest of " + plain.tree_cid.to_string() +
                       " is already protected");
  if (plain.block_size == 0) throw ErasureError("erasure: manifest has block size 0");
  if (plain.hcodec != multicodec::kSha2_256)
    throw ErasureError("erasure: manifest hash codec must be sha2-256");
}

}  // namespace

Manifest Erasure::encode(const Manifest& plain, ErasureParams params) {
  check_plain(plain);
  const size_t bs = plain.block_size;
  const SteppedLayout layout(params, blocks_of(plain), bs);
  const uint32_t k = params.k, m = params.m;
  ReedSolomonCodec codec(params, bs, options_.decode_cache_capacity);

  const std::vector<uint8_t> zeros(bs, 0);
  std::vector<Digest32> leaves(layout.encoded_blocks());
  for (uint64_t i = layout.original_blocks(); i < layout.rounded(); ++i)
    leaves[i] = empty_block_digest();

  pool_.parallel_for(layout.steps(), [&](size_t step) {
    std::vector<std::string> held(k);
    std::vector<const uint8_t*> data(k);
    for (uint32_t p = 0; p < k; ++p) {
      uint64_t i = layout.index(step, p);
      if (layout.is_padding(i)) {
        data[p] = zeros.data();
        continue;
      }
      std::optional<Cid> cid = blocks_.leaf_cid(plain.tree_cid, i);
      if (!cid)
        throw NotFoundError("erasure: dataset " + plain.tree_cid.to_string() + " has no leaf " +
                            std::to_string(i));
      std::optional<std::string> bytes = blocks_.block(*cid);
      if (!bytes)
        throw NotFoundError("erasure: block " + std::to_string(i) + " (" + cid->to_string() +
                            ") of dataset " + plain.tree_cid.to_string() + " is not held");
      if (bytes->size() != bs)
        throw ErasureError("erasure: block " + std::to_string(i) + " has " +
                           std::to_string(bytes->size()) + " bytes, expected " +
                           std::to_string(bs));
      leaves[i] = block_digest(*cid);
      held[p] = std::move(*bytes);
      data[p] = reinterpret_cast<const uint8_t*>(held[p].data());
    }
    std::vector<uint8_t> parity_buf(m * bs);
    std::vector<uint8_t*> parity(m);
    for (uint32_t j = 0; j < m; ++j)
      parity[j] = parity_buf.data() + j * bs;
    codec.encode(data, parity);
    // The M parity blocks are contiguous: hash them in one multi-buffer pass.
    std::vector<Digest32> digests(m);
    sha256_many(parity_buf.data(), bs, bs, m, digests.data());
    for (uint32_t j = 0; j < m; ++j) {
      Cid cid(plain.codec,
              Multihash(multicodec::kSha2_256, std::string(digests[j].begin(), digests[j].end())));
      blocks_.put_block(cid, {parity[j], bs});
      leaves[layout.index(step, k + j)] = digests[j];
    }
  });

  const Sha256Tree tree = Sha256Tree::build(std::move(leaves));
  store_all_leaf_entries(pool_, blocks_, tree, plain.codec);

  Manifest out = plain;
  out.tree_cid = tree.root_cid();
  out.dataset_size = layout.encoded_blocks() * bs;
  out.erasure =
      ErasureInfo{k, m, plain.tree_cid, plain.dataset_size, StrategyType::kStepped, std::nullopt};
  return out;
}

}  // namespace codex::erasure
