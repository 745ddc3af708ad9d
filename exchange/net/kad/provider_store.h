#pragma once
// Provider records this node keeps for others: under a key (a content
// multihash, key.h), the peers that said they provide it, each with the
// addresses it sent and an expiry. Bounded: at most `per_key` providers per
// key (a full key replaces the record that expires first) and `total`
// records overall (beyond it new providers are refused until records
// expire). Kept in memory: records are refreshed by their providers every
// re-provide interval, so a restarted node refills within one.
//
// Not thread-safe (the DHT uses it on the network thread).
#include <chrono>
#include <cstddef>
#include <map>
#include <vector>

#include "exchange/net/multiaddr.h"
#include "exchange/net/peer_id.h"

namespace codex::net::kad {

class ProviderStore {
 public:
  using Millis = std::chrono::milliseconds;
  struct Record {
    PeerId provider;
    std::vector<Multiaddr> addrs;
    Millis expires;
  };

  ProviderStore(size_t per_key, size_t total) : per_key_(per_key), total_(total) {}

  // Adds or refreshes `provider` under `key` until `expires`. Returns false
  // when the store is full.
  bool add(const std::vector<uint8_t>& key, const PeerId& provider, std::vector<Multiaddr> addrs,
           Millis expires, Millis now);
  // The unexpired records of `key`.
  std::vector<Record> get(const std::vector<uint8_t>& key, Millis now);
  // Drops every expired record.
  void expire(Millis now);
  size_t size() const { return size_; }

 private:
  void expire_key(std::map<std::vector<uint8_t>, std::vector<Record>>::iterator it, Millis now);

  size_t per_key_;
  size_t total_;
  size_t size_ = 0;
  std::map<std::vector<uint8_t>, std::vector<Record>> records_;
};

}  // namespace codex::net::kad
