#pragma once
// A node's peer-to-peer network: the libp2p Host on its own network thread,
// with noise, yamux and mplex, identify and ping, the node's signed peer
// record, and the addresses learned about peers. The public members are
// thread-safe and blocking (the REST API calls them from its threads); the
// protocol engines (block exchange, DHT) live on the network thread and use
// host() and executor() from there.
#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "exchange/net/blockexc/message.h"
#include "exchange/net/multiaddr.h"
#include "exchange/net/node_key.h"
#include "exchange/net/peer_id.h"

namespace codex::store {
class Repo;
}

namespace codex::net {

class Host;
namespace blockexc {
class Engine;
struct EngineStats;
}  // namespace blockexc

struct NetworkConfig {
  // Where to listen; port 0 picks a free port. An unspecified address
  // (0.0.0.0, ::) is announced as the addresses of the machine's interfaces.
  std::vector<Multiaddr> listen;
  // Peers to connect to at start: "spr:" URIs or multiaddrs ending in /p2p/.
  std::vector<std::string> bootstrap;
  size_t max_peers = 160;
  std::string agent_version = "Codex";
  // Muxers offered when dialing, in order of preference; both are accepted.
  std::vector<std::string> muxers = {"/yamux/1.0.0", "/mplex/6.7.0"};
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds dial_timeout{15'000};
  // With a repo, the node serves its blocks and fetches blocks over the
  // block exchange (/codex/blockexc/1.0.0). Must outlive the Network.
  store::Repo* repo = nullptr;
  // Attempts per block before a fetch fails (--block-retries).
  int block_retries = 3000;
  // Why connections failed or peers were dropped; called on the network
  // thread (the node logs it).
  std::function<void(const std::string&)> diagnostic;
};

struct PeerSummary {
  PeerId id;
  std::string remote;  // the connection's remote TCP endpoint
  bool outbound = false;
  std::string muxer;
  // From identify (empty until it answers).
  std::string agent_version;
  std::vector<std::string> protocols;
  std::vector<std::string> listen_addrs;
};

class Network {
 public:
  // Binds every listen address (a taken port throws NetError), signs the
  // peer record and starts the network thread. `key` must outlive this.
  Network(const NodeKey& key, NetworkConfig config);
  // Stops the host and joins the network thread.
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  const PeerId& id() const;
  // The addresses we announce (bound ports, interfaces for 0.0.0.0), with
  // no /p2p suffix.
  std::vector<Multiaddr> addresses() const;
  // Our signed peer record as "spr:…" (the reference's form).
  std::string spr() const;

  // Connects to `peer` (or to whoever answers at the first address, when
  // `peer` is unset) at `addrs` (tried in order; the addresses identify and
  // records taught us when empty), identifies it, and returns its id.
  // Throws NetError (unreachable, no address known, timed out) or
  // ProtocolError (it broke the handshake).
  PeerId connect(std::optional<PeerId> peer, const std::vector<Multiaddr>& addrs);
  // Round trip of one ping to a connected peer.
  std::chrono::microseconds ping(const PeerId& peer);
  std::vector<PeerSummary> peers() const;
  // The block exchange's counters (all zero without a repo), read on the
  // network thread.
  blockexc::EngineStats exchange_stats() const;

  // Blocks by address, local first, else fetched from peers (verified and
  // stored), at most `window` requests pending; in order. Throws
  // blockexc::RetriesExhaustedError (a NetError) when no peer delivers one,
  // NetError when there is no block exchange (no repo).
  std::vector<std::string> fetch_blocks(std::vector<blockexc::BlockAddress> addresses,
                                        size_t window = 64);
  // The same, but a block no peer delivered within `max_attempts` attempts
  // (see blockexc::Engine::want_block) is nullopt instead of an error: for
  // callers that can recover it otherwise (erasure decoding). Other failures
  // (the exchange stopped, a bad address) still throw. `enough`, if given,
  // is called on the network thread with the index of each block that
  // arrives; once it returns true the call returns at once with what has
  // arrived (the fetches still pending run out in the background and their
  // blocks are stored, not returned).
  std::vector<std::optional<std::string>> fetch_available(
      std::vector<blockexc::BlockAddress> addresses, int max_attempts, size_t window = 64,
      std::function<bool(size_t)> enough = {});
  // Leaves 0 … count − 1 of `tree` in the background, `window` at a time
  // (addresses made per window: memory does not grow with the dataset);
  // failures go to the diagnostic sink.
  void fetch_tree_in_background(const Cid& tree, uint64_t count, size_t window = 64);

  // Network thread only.
  Host& host();
  blockexc::Engine* engine();
  asio::any_io_executor executor();
  // Hooks for the protocol engines (the DHT), network thread only:
  // connect() as a coroutine, with the same deadline;
  asio::awaitable<PeerId> dial(std::optional<PeerId> peer, std::vector<Multiaddr> addrs);
  // the addresses identify, records or learn_addresses taught us for `peer`;
  std::vector<Multiaddr> addresses_of(const PeerId& peer) const;
  // remembers `addrs` for `peer` unless we already know addresses for it
  // (what the peer said itself beats what others say of it);
  void learn_addresses(const PeerId& peer, const std::vector<Multiaddr>& addrs);
  // called each time identify of a peer succeeds, with its protocols.
  using IdentifiedHook = std::function<void(const PeerId&, const std::vector<std::string>&)>;
  void on_identified(IdentifiedHook hook);
  // Runs `task` on the network thread and waits for it (rethrowing what it
  // throws). Must not be called from the network thread.
  void run(std::function<asio::awaitable<void>()> task) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace codex::net
