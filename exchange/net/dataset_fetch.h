#pragma once
// Fetching a dataset's parts from whoever holds them: providers found through
// the DHT are dialled first (when the block is not local), then blocks come
// through the block exchange, verified and stored.
#include <cstddef>

#include "exchange/manifest/manifest.h"

namespace codex::store {
class Repo;
}

namespace codex::net {

class Network;
namespace kad {
class Dht;
}

inline constexpr size_t kProvidersToDial = 8;

// Dials up to `limit` providers of `cid` the DHT knows, unless the repo holds
// the block; a provider that cannot be dialled is skipped. dht may be null.
void connect_providers(Network& network, kad::Dht* dht, store::Repo& repo, const Cid& cid,
                       size_t limit = kProvidersToDial);

// The manifest `cid`, local or fetched from peers (stored). Throws
// FormatError if `cid` is not a manifest CID or the block is not a valid
// manifest, blockexc errors (NetError) when no peer delivers it.
Manifest fetch_manifest(Network& network, kad::Dht* dht, store::Repo& repo, const Cid& cid);

}  // namespace codex::net
