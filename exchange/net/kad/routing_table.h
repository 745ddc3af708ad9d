#pragma once
// The Kademlia routing table: peers in 256 buckets by the length of the
// prefix their point shares with ours (key.h), at most k per bucket.
//
// Peers are added when they answer one of our requests or identify shows
// they serve the protocol. A full bucket replaces its least recently seen
// peer only when that peer is stale (not seen for `stale_after`): no ping
// before eviction, unlike the paper and js-libp2p, so that adding never
// waits on the network. A peer whose request failed is removed at once.
//
// Not thread-safe (the DHT uses it on the network thread).
#include <chrono>
#include <cstddef>
#include <optional>
#include <vector>

#include "exchange/net/kad/key.h"
#include "exchange/net/peer_id.h"

namespace codex::net::kad {

class RoutingTable {
 public:
  using Millis = std::chrono::milliseconds;
  enum class Added { kNew, kUpdated, kReplaced, kFull, kSelf };

  RoutingTable(const PeerId& self, size_t k, Millis stale_after);

  // Records that `peer` was seen at `now`. kFull: its bucket is full of
  // fresh peers and it was not added.
  Added add(const PeerId& peer, Millis now);
  void remove(const PeerId& peer);
  bool contains(const PeerId& peer) const;
  size_t size() const { return size_; }

  // Up to `n` peers closest to `target`, closest first.
  std::vector<PeerId> closest(const Point& target, size_t n) const;
  std::vector<PeerId> all() const;
  // The longest prefix a peer of the table shares with us (-1 when empty):
  // buckets beyond it are empty because no such peer exists, not unvisited.
  int deepest_bucket() const;

 private:
  struct Entry {
    PeerId peer;
    Point point;
    Millis last_seen;
  };
  PeerId self_;
  Point self_point_;
  size_t k_;
  Millis stale_after_;
  std::vector<std::vector<Entry>> buckets_;  // by common prefix length, 0..255
  size_t size_ = 0;
};

}  // namespace codex::net::kad
