#include "exchange/erasure/erasure.h"

#include <algorithm>

#include "base/parallel/parallel_for.h"
#include "exchange/erasure/errors.h"

namespace codex::erasure {
namespace {

// The reference's --num-threads 0: all cores, at most 16.
size_t pool_size(size_t requested) {
  return requested != 0 ? requested : std::min<size_t>(base::resolve_threads(0), 16);
}

}  // namespace

Erasure::Erasure(DatasetBlocks& blocks, ErasureOptions options)
    : blocks_(blocks), options_(options), pool_(pool_size(options.threads)) {}

std::future<Manifest> Erasure::encode_async(Manifest plain, ErasureParams params) {
  return std::async(std::launch::async,
                    [this, plain = std::move(plain), params] { return encode(plain, params); });
}

std::future<Manifest> Erasure::decode_async(Manifest protected_manifest, ProofsToStore proofs) {
  return std::async(std::launch::async, [this, m = std::move(protected_manifest), proofs] {
    return decode(m, proofs);
  });
}

std::future<Manifest> Erasure::repair_async(Manifest protected_manifest) {
  return std::async(std::launch::async,
                    [this, m = std::move(protected_manifest)] { return repair(m); });
}

Manifest Erasure::repair(const Manifest& protected_manifest) {
  Manifest plain = decode(protected_manifest, ProofsToStore::kAll);
  const ErasureInfo& info = *protected_manifest.erasure;  // decode() checked it
  Manifest again = encode(plain, ErasureParams{info.ec_k, info.ec_m});
  if (again.tree_cid != protected_manifest.tree_cid)
    throw TreeMismatchError("erasure: repair re-encoded to tree " + again.tree_cid.to_string() +
                            ", expected the protected treeCid " +
                            protected_manifest.tree_cid.to_string());
  return again;
}

}  // namespace codex::erasure
