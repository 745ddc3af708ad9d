#pragma once
// The libp2p host ("switch"): listens and dials over TCP, upgrades every raw
// connection (multistream → security → multistream → muxer), keeps the
// connections by peer, and hands each inbound stream to the handler of the
// protocol the peer selects. Everything runs on one executor (the network
// thread); call members from coroutines or handlers on it.
//
// Limits: at most max_peers connected peers (further inbound connections are
// closed after the handshake, dials fail), a deadline on every handshake and
// stream negotiation; the muxers bound streams and frames. A peer that breaks
// a protocol is penalised: disconnected, and refused for a while after
// repeated offences.
#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "exchange/net/muxer.h"
#include "exchange/net/peer_id.h"
#include "exchange/net/secure_channel.h"
#include "exchange/net/stream.h"

namespace codex::net {

struct SecurityProtocol {
  std::string id;  // "/noise"
  std::function<asio::awaitable<SecuredConnection>(std::unique_ptr<Stream> raw, bool initiator,
                                                   std::optional<PeerId> expected)>
      upgrade;
};

struct MuxerProtocol {
  std::string id;  // "/yamux/1.0.0", "/mplex/6.7.0"
  std::function<std::unique_ptr<MuxedConnection>(std::unique_ptr<Stream> secured, bool initiator)>
      make;
};

struct HostConfig {
  std::vector<SecurityProtocol> security;  // preference order
  std::vector<MuxerProtocol> muxers;       // preference order
  size_t max_peers = 160;
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds negotiation_timeout{10'000};
  // Offences after which a peer is refused, and for how long.
  int offences_before_ban = 3;
  std::chrono::seconds ban_time{600};
};

struct ConnectionInfo {
  PeerId peer;
  asio::ip::tcp::endpoint remote;
  bool outbound = false;
  std::string muxer;
};

class Host {
 public:
  using Handler = std::function<asio::awaitable<void>(std::unique_ptr<Stream>, PeerId)>;
  // Called when a peer's first connection is up (true) or its last is gone.
  using PeerEvent = std::function<void(const PeerId&, bool connected)>;

  Host(asio::any_io_executor executor, PeerId self, HostConfig config);
  ~Host();
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  const PeerId& id() const { return self_; }
  const asio::any_io_executor& executor() const { return executor_; }

  void handle(std::string protocol, Handler handler);
  std::vector<std::string> protocols() const;
  void on_peer(PeerEvent event) { peer_events_.push_back(std::move(event)); }
  // Why a connection or stream was refused or ended (exchange/ does not log;
  // the node's edge does).
  void on_diagnostic(std::function<void(const std::string&)> sink) {
    diagnostic_ = std::move(sink);
  }

  // Binds (port 0 picks one) and accepts until stop(). Returns the bound
  // endpoint. Throws NetError when the address is taken.
  asio::ip::tcp::endpoint listen(const asio::ip::tcp::endpoint& at);
  std::vector<asio::ip::tcp::endpoint> listening() const;

  // A connection to the peer at `at` (an existing one to `expected` is
  // reused); returns the peer's verified id. Throws NetError or
  // ProtocolError.
  asio::awaitable<PeerId> connect(asio::ip::tcp::endpoint at, std::optional<PeerId> expected);

  // A new stream to a connected peer, negotiated to the first of `protocols`
  // the peer speaks (returned in `chosen` if given). Throws NetError when the
  // peer is not connected or speaks none.
  asio::awaitable<std::unique_ptr<Stream>> open_stream(const PeerId& peer,
                                                       std::span<const std::string> protocols,
                                                       std::string* chosen = nullptr);

  bool connected(const PeerId& peer) const;
  std::vector<ConnectionInfo> connections() const;
  void disconnect(const PeerId& peer);
  // Disconnects a peer that broke a protocol and counts the offence.
  void penalize(const PeerId& peer, const std::string& reason);
  bool banned(const PeerId& peer) const;

  // Closes the listeners and every connection. The executor must then run
  // until the host's coroutines have ended, before the host is destroyed.
  void stop();

 private:
  struct Connection;
  struct Listener;

  asio::awaitable<void> accept_loop(std::shared_ptr<Listener> listener);
  asio::awaitable<void> upgrade_inbound(asio::ip::tcp::socket socket);
  asio::awaitable<std::shared_ptr<Connection>> upgrade(std::unique_ptr<Stream> raw, bool initiator,
                                                       std::optional<PeerId> expected,
                                                       asio::ip::tcp::endpoint remote);
  void adopt(std::shared_ptr<Connection> conn);
  asio::awaitable<void> run_connection(std::shared_ptr<Connection> conn);
  asio::awaitable<void> accept_streams(std::shared_ptr<Connection> conn);
  asio::awaitable<void> serve_stream(std::unique_ptr<Stream> stream, PeerId peer);
  void drop(const std::shared_ptr<Connection>& conn);
  std::shared_ptr<Connection> any_connection(const PeerId& peer) const;

  asio::any_io_executor executor_;
  PeerId self_;
  HostConfig config_;
  std::map<std::string, Handler> handlers_;
  void diagnose(const std::string& what) const;

  std::vector<PeerEvent> peer_events_;
  std::function<void(const std::string&)> diagnostic_;
  size_t handshaking_ = 0;
  std::vector<std::shared_ptr<Listener>> listeners_;
  std::unordered_map<PeerId, std::vector<std::shared_ptr<Connection>>, PeerIdHash> connections_;
  struct Offences {
    int count = 0;
    std::chrono::steady_clock::time_point banned_until{};
  };
  std::unordered_map<PeerId, Offences, PeerIdHash> offences_;
  // Shared with running coroutines: they stop touching the host once false.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  bool stopped_ = false;
};

}  // namespace codex::net
