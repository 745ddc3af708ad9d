#pragma once
// A Kademlia DHT with provider records on the libp2p protocol
// /ipfs/kad/1.0.0 (message.h), over a Network's connections: js-libp2p and
// go-libp2p kad-dht nodes in server mode join the same network.
//
// Serving (unless client_mode): FIND_NODE returns the k closest peers we know
// with their addresses; GET_PROVIDERS the unexpired provider records of the
// key and the k closest peers; ADD_PROVIDER stores a record only for the
// sender itself (as libp2p requires), for provider_ttl; PING echoes. Each
// peer's requests are rate-limited (token bucket); a malformed message is a
// ProtocolError: the stream is reset and the peer penalised
// (Host::penalize). PUT_VALUE/GET_VALUE: we keep no values (GET_VALUE gets
// closer peers only, PUT_VALUE is refused by resetting the stream).
//
// Client: iterative lookups (lookup.h) with alpha-way concurrency. Keys are
// libp2p's (key.h: the CID's multihash, SHA-256 keyspace), which deviates
// from the reference's discv5 keys (spec node.md §8.4).
//
// Threads: the coroutine members (*_async) run on the network thread; the
// plain members are thread-safe and block, and must not be called from the
// network thread. Create and destroy the Dht outside the network thread,
// before the Network is destroyed.
#include <asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

#include "base/clock.h"
#include "exchange/multiformats/cid.h"
#include "exchange/net/kad/lookup.h"
#include "exchange/net/kad/message.h"
#include "exchange/net/network.h"

namespace codex::net::kad {

struct DhtConfig {
  size_t k = 20;
  size_t alpha = 3;
  int max_hops = 10;
  size_t max_requests_per_lookup = 200;
  std::chrono::milliseconds request_timeout{10'000};
  std::chrono::milliseconds lookup_timeout{60'000};
  // Serving.
  bool client_mode = false;  // no handler: we only ask
  std::chrono::milliseconds provider_ttl = std::chrono::hours(48);
  size_t max_providers_per_key = 20;
  size_t max_provider_records = 100'000;
  // Per peer: a burst of requests, refilled at a steady rate; ADD_PROVIDER
  // counts `add_provider_cost` requests.
  double requests_per_second = 50;
  double request_burst = 200;
  double add_provider_cost = 5;
  std::chrono::milliseconds inbound_message_timeout{10'000};
  // Routing table: a full bucket's least recently seen peer makes room only
  // once it is this old.
  std::chrono::milliseconds stale_after = std::chrono::minutes(10);
  // Re-provide of the announced keys. Measured by an asio timer on the
  // network thread (real time), unlike record expiry, which follows `clock`.
  std::chrono::milliseconds reprovide_interval = std::chrono::minutes(30);
  size_t max_announced = 100'000;
  size_t provide_concurrency = 10;
};

// A peer found by a lookup, with the addresses we learnt for it.
struct FoundPeer {
  PeerId id;
  std::vector<Multiaddr> addrs;
};

class Dht {
 public:
  // `network` and `clock` (provider record expiry) must outlive the Dht.
  Dht(Network& network, base::Clock& clock, DhtConfig config = {});
  // Calls stop().
  ~Dht();
  Dht(const Dht&) = delete;
  Dht& operator=(const Dht&) = delete;

  // Registers the protocol handler (unless client mode), watches identify
  // for peers that serve the protocol and starts the re-provide loop.
  // Blocking; call once.
  void start();
  // Ends the re-provide loop; later requests to us are reset. Blocking;
  // idempotent.
  void stop();

  // Lookup of our own id, seeded by the peers we are connected to, then one
  // lookup of a random key per bucket up to the deepest (at most 16): fills
  // the routing table. Returns its size.
  size_t bootstrap();
  // Stores a provider record for us at the k peers closest to the CID's key
  // (and locally). Returns how many peers it was sent to.
  size_t provide(const Cid& cid);
  // Up to `limit` providers of `cid`, not us, with their addresses.
  std::vector<FoundPeer> find_providers(const Cid& cid, size_t limit);
  // The peer's addresses, if a lookup finds it.
  std::optional<FoundPeer> find_peer(const PeerId& peer);
  // Provides `cid` now and every reprovide_interval until withdrawn (records
  // held by others then expire with their ttl). Throws std::length_error
  // beyond max_announced keys.
  void announce(const Cid& cid);
  void withdraw(const Cid& cid);

  // The same on the network thread.
  asio::awaitable<size_t> bootstrap_async();
  asio::awaitable<size_t> provide_async(const Cid& cid);
  asio::awaitable<std::vector<FoundPeer>> find_providers_async(const Cid& cid, size_t limit);
  asio::awaitable<std::optional<FoundPeer>> find_peer_async(const PeerId& peer);
  // The k closest peers to `key` that answered (FIND_NODE lookup).
  asio::awaitable<std::vector<FoundPeer>> closest_peers_async(std::vector<uint8_t> key);

  // Adds a peer we know serves the protocol (tests, a node's bootstrap list).
  // Network thread.
  void add_peer(const PeerId& peer);

  // Figures, blocking and thread-safe.
  size_t routing_table_size() const;
  size_t provider_records() const;
  // The last lookup's figures (of any kind).
  LookupStats last_lookup() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace codex::net::kad
