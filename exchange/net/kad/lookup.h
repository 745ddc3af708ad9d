#pragma once
// The iterative Kademlia lookup: ask the `alpha` closest not yet asked peers
// at once, merge the closer peers each reply names, and go on until the k
// closest peers seen have all answered (or failed), a reply handler says it
// has what it wanted, or a bound is hit: hops (a seed is hop 1, a peer a
// hop-n reply named is hop n+1), requests, or the deadline. Whatever has been
// learnt by then is the result; a lookup never throws for peers that fail.
//
// Runs on the network thread. Requests still in flight when the lookup ends
// finish on their own and are ignored.
#include <asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <vector>

#include "exchange/net/kad/key.h"
#include "exchange/net/kad/message.h"

namespace codex::net::kad {

struct LookupConfig {
  size_t k = 20;
  size_t alpha = 3;
  int max_hops = 10;
  size_t max_requests = 200;
  std::chrono::milliseconds timeout{60'000};
};

struct LookupStats {
  // Deepest hop that answered; hop of the reply that ended the lookup early
  // (0 if none did).
  int hops = 0;
  int result_hop = 0;
  size_t requests = 0;
  size_t failures = 0;
};

// Sends one request to `peer` and returns its reply; throws when it fails.
using Query = std::function<asio::awaitable<Message>(const PeerInfo& peer)>;
// Sees each reply (with the hop of the peer that sent it); true ends the
// lookup.
using OnReply = std::function<bool(const PeerInfo& from, const Message& reply, int hop)>;

// The k closest peers to `target` that answered, closest first. `self` is
// never asked.
asio::awaitable<std::vector<PeerInfo>> iterative_lookup(const Point& target,
                                                        std::vector<PeerInfo> seeds,
                                                        const PeerId& self, LookupConfig config,
                                                        Query query, OnReply on_reply,
                                                        LookupStats& stats);

}  // namespace codex::net::kad
