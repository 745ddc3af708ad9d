#include "exchange/net/dataset_fetch.h"

#include "exchange/error.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/net/blockexc/message.h"
#include "exchange/net/kad/dht.h"
#include "exchange/net/network.h"
#include "exchange/store/repo.h"

namespace codex::net {

void connect_providers(Network& network, kad::Dht* dht, store::Repo& repo, const Cid& cid,
                       size_t limit) {
  if (!dht || repo.has_block(cid)) return;
  for (const auto& p : dht->find_providers(cid, limit)) {
    try {
      network.connect(p.id, p.addrs);
    } catch (const std::exception&) {
      // Another provider may answer; the fetch reports when none does.
    }
  }
}

Manifest fetch_manifest(Network& network, kad::Dht* dht, store::Repo& repo, const Cid& cid) {
  if (cid.codec() != multicodec::kManifest)
    throw FormatError("CID " + cid.to_string() + " is not a manifest");
  connect_providers(network, dht, repo, cid);
  std::vector<blockexc::BlockAddress> one;
  one.push_back(blockexc::BlockAddress::of_cid(cid));
  const auto blocks = network.fetch_blocks(std::move(one), 1);
  Manifest m = Manifest::decode(blocks.at(0));
  m.verify();
  return m;
}

}  // namespace codex::net
