#include "exchange/net/host.h"

#include <algorithm>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>

#include "exchange/net/error.h"
#include "exchange/net/multistream.h"
#include "exchange/net/socket_stream.h"
#include "exchange/net/timeout.h"

namespace codex::net {
namespace {

// Inbound handshakes in flight at once; beyond it new sockets are closed (a
// flood of half-open connections must not pile up coroutines and memory).
constexpr size_t kMaxHandshakes = 64;

std::string endpoint_text(const asio::ip::tcp::endpoint& e) {
  return e.address().to_string() + ":" + std::to_string(e.port());
}

}  // namespace

struct Host::Connection {
  PeerId peer;
  asio::ip::tcp::endpoint remote;
  bool outbound = false;
  std::string muxer;
  std::unique_ptr<MuxedConnection> mux;
};

struct Host::Listener {
  explicit Listener(const asio::any_io_executor& ex) : acceptor(ex) {}
  asio::ip::tcp::acceptor acceptor;
  asio::ip::tcp::endpoint bound;
};

Host::Host(asio::any_io_executor executor, PeerId self, HostConfig config)
    : executor_(std::move(executor)), self_(std::move(self)), config_(std::move(config)) {
  if (config_.security.empty() || config_.muxers.empty())
    throw std::invalid_argument("host: needs a security protocol and a muxer");
}

Host::~Host() {
  stop();
}

void Host::handle(std::string protocol, Handler handler) {
  handlers_[std::move(protocol)] = std::move(handler);
}

std::vector<std::string> Host::protocols() const {
  std::vector<std::string> out;
  for (const auto& [id, _] : handlers_)
    out.push_back(id);
  return out;
}

void Host::diagnose(const std::string& what) const {
  if (diagnostic_) diagnostic_(what);
}

asio::ip::tcp::endpoint Host::listen(const asio::ip::tcp::endpoint& at) {
  auto l = std::make_shared<Listener>(executor_);
  try {
    l->acceptor.open(at.protocol());
    // SO_REUSEADDR (restart over TIME_WAIT), never SO_REUSEPORT: a second
    // node on the same port must fail here.
    l->acceptor.set_option(asio::ip::tcp::acceptor::reuse_address(true));
    l->acceptor.bind(at);
    l->acceptor.listen();
    l->bound = l->acceptor.local_endpoint();
  } catch (const std::system_error& e) {
    throw NetError("listen on " + endpoint_text(at) + ": " + e.code().message());
  }
  listeners_.push_back(l);
  asio::co_spawn(executor_, accept_loop(l), asio::detached);
  return l->bound;
}

std::vector<asio::ip::tcp::endpoint> Host::listening() const {
  std::vector<asio::ip::tcp::endpoint> out;
  for (const auto& l : listeners_)
    out.push_back(l->bound);
  return out;
}

asio::awaitable<void> Host::accept_loop(std::shared_ptr<Listener> listener) {
  const auto alive = alive_;
  while (*alive) {
    std::error_code ec;
    asio::ip::tcp::socket socket =
        co_await listener->acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (!*alive || ec == asio::error::operation_aborted) co_return;
    if (ec) {
      diagnose("accept: " + ec.message());
      continue;
    }
    if (handshaking_ >= kMaxHandshakes) {
      diagnose("too many handshakes in flight: closing a new connection");
      continue;  // the socket closes here
    }
    asio::co_spawn(executor_, upgrade_inbound(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> Host::upgrade_inbound(asio::ip::tcp::socket socket) {
  const auto alive = alive_;
  std::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  ++handshaking_;
  std::shared_ptr<Connection> conn;
  try {
    conn = co_await with_timeout(
        upgrade(make_tcp_stream(std::move(socket)), false, std::nullopt, remote),
        config_.handshake_timeout, "handshake with " + endpoint_text(remote));
  } catch (const std::exception& e) {
    if (*alive) {
      --handshaking_;
      diagnose(std::string("inbound connection from ") + endpoint_text(remote) + ": " + e.what());
    }
    co_return;
  }
  if (!*alive) {
    conn->mux->close();
    co_return;
  }
  --handshaking_;
  if (banned(conn->peer)) {
    diagnose("refused banned peer " + conn->peer.to_string());
    conn->mux->close();
    co_return;
  }
  if (!connections_.contains(conn->peer) && connections_.size() >= config_.max_peers) {
    diagnose("refused " + conn->peer.to_string() + ": " + std::to_string(config_.max_peers) +
             " peers connected");
    conn->mux->close();
    co_return;
  }
  adopt(std::move(conn));
}

asio::awaitable<std::shared_ptr<Host::Connection>> Host::upgrade(std::unique_ptr<Stream> raw,
                                                                 bool initiator,
                                                                 std::optional<PeerId> expected,
                                                                 asio::ip::tcp::endpoint remote) {
  std::vector<std::string> ids;
  for (const auto& s : config_.security)
    ids.push_back(s.id);
  // GCC 12 miscompiles co_await inside ?: (a temporary destroyed twice).
  std::string sec_id;
  if (initiator)
    sec_id = co_await multistream_select(*raw, ids);
  else
    sec_id = co_await multistream_handle(*raw, ids);
  const auto sec = std::find_if(config_.security.begin(), config_.security.end(),
                                [&](const SecurityProtocol& s) { return s.id == sec_id; });
  SecuredConnection secured = co_await sec->upgrade(std::move(raw), initiator, expected);

  ids.clear();
  for (const auto& m : config_.muxers)
    ids.push_back(m.id);
  std::string mux_id;
  if (initiator)
    mux_id = co_await multistream_select(*secured.stream, ids);
  else
    mux_id = co_await multistream_handle(*secured.stream, ids);
  const auto mux = std::find_if(config_.muxers.begin(), config_.muxers.end(),
                                [&](const MuxerProtocol& m) { return m.id == mux_id; });
  auto conn = std::make_shared<Connection>(
      Connection{std::move(secured.remote), remote, initiator, mux_id, nullptr});
  conn->mux = mux->make(std::move(secured.stream), initiator);
  co_return conn;
}

void Host::adopt(std::shared_ptr<Connection> conn) {
  auto& list = connections_[conn->peer];
  const bool first = list.empty();
  list.push_back(conn);
  asio::co_spawn(executor_, run_connection(conn), asio::detached);
  asio::co_spawn(executor_, accept_streams(conn), asio::detached);
  if (first)
    for (const auto& event : peer_events_)
      event(conn->peer, true);
}

asio::awaitable<void> Host::run_connection(std::shared_ptr<Connection> conn) {
  const auto alive = alive_;
  try {
    co_await conn->mux->run();
  } catch (const ProtocolError& e) {
    if (*alive) penalize(conn->peer, e.what());
  } catch (const std::exception& e) {
    if (*alive) diagnose("connection to " + conn->peer.to_string() + " ended: " + e.what());
  }
  if (*alive) drop(conn);
}

asio::awaitable<void> Host::accept_streams(std::shared_ptr<Connection> conn) {
  const auto alive = alive_;
  for (;;) {
    std::unique_ptr<Stream> stream;
    try {
      stream = co_await conn->mux->accept_stream();
    } catch (const std::exception&) {
      co_return;  // the connection ended; run_connection reports it
    }
    if (!*alive) co_return;
    asio::co_spawn(executor_, serve_stream(std::move(stream), conn->peer), asio::detached);
  }
}

asio::awaitable<void> Host::serve_stream(std::unique_ptr<Stream> stream, PeerId peer) {
  const auto alive = alive_;
  const std::vector<std::string> supported = protocols();
  std::string protocol;
  try {
    protocol = co_await with_timeout(multistream_handle(*stream, supported),
                                     config_.negotiation_timeout, "stream negotiation");
  } catch (const std::exception& e) {
    stream->reset();
    if (*alive) diagnose("stream from " + peer.to_string() + ": " + e.what());
    co_return;
  }
  if (!*alive) co_return;
  const Handler handler = handlers_.at(protocol);
  try {
    co_await handler(std::move(stream), peer);
  } catch (const ProtocolError& e) {
    if (*alive) penalize(peer, protocol + ": " + e.what());
  } catch (const std::exception& e) {
    if (*alive) diagnose(protocol + " stream from " + peer.to_string() + ": " + e.what());
  }
}

asio::awaitable<PeerId> Host::connect(asio::ip::tcp::endpoint at, std::optional<PeerId> expected) {
  if (expected) {
    if (connected(*expected)) co_return *expected;
    if (banned(*expected)) throw NetError("peer " + expected->to_string() + " is banned");
  }
  if (connections_.size() >= config_.max_peers)
    throw NetError("cannot dial " + endpoint_text(at) + ": " + std::to_string(config_.max_peers) +
                   " peers connected");
  const auto alive = alive_;
  auto dial = [](asio::any_io_executor ex,
                 asio::ip::tcp::endpoint to) -> asio::awaitable<std::unique_ptr<Stream>> {
    asio::ip::tcp::socket socket(ex);
    std::error_code ec;
    co_await socket.async_connect(to, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) throw NetError("dial " + endpoint_text(to) + ": " + ec.message());
    co_return make_tcp_stream(std::move(socket));
  };
  auto raw = co_await with_timeout(dial(executor_, at), config_.handshake_timeout,
                                   "dial " + endpoint_text(at));
  auto conn =
      co_await with_timeout(upgrade(std::move(raw), true, expected, at), config_.handshake_timeout,
                            "handshake with " + endpoint_text(at));
  if (!*alive) {
    conn->mux->close();
    throw NetError("host stopped");
  }
  if (banned(conn->peer)) {
    conn->mux->close();
    throw NetError("peer " + conn->peer.to_string() + " is banned");
  }
  const PeerId peer = conn->peer;
  adopt(std::move(conn));
  co_return peer;
}

asio::awaitable<std::unique_ptr<Stream>> Host::open_stream(const PeerId& peer,
                                                           std::span<const std::string> protocols,
                                                           std::string* chosen) {
  const auto conn = any_connection(peer);
  if (!conn) throw NetError("not connected to " + peer.to_string());
  std::unique_ptr<Stream> stream = co_await conn->mux->open_stream();
  try {
    std::string p = co_await with_timeout(multistream_select(*stream, protocols),
                                          config_.negotiation_timeout, "stream negotiation");
    if (chosen) *chosen = std::move(p);
  } catch (...) {
    stream->reset();
    throw;
  }
  co_return stream;
}

std::shared_ptr<Host::Connection> Host::any_connection(const PeerId& peer) const {
  const auto it = connections_.find(peer);
  if (it == connections_.end() || it->second.empty()) return nullptr;
  return it->second.front();
}

bool Host::connected(const PeerId& peer) const {
  return any_connection(peer) != nullptr;
}

std::vector<ConnectionInfo> Host::connections() const {
  std::vector<ConnectionInfo> out;
  for (const auto& [peer, list] : connections_)
    for (const auto& c : list)
      out.push_back({c->peer, c->remote, c->outbound, c->muxer});
  return out;
}

void Host::drop(const std::shared_ptr<Connection>& conn) {
  conn->mux->close();
  const auto it = connections_.find(conn->peer);
  if (it == connections_.end()) return;
  auto& list = it->second;
  list.erase(std::remove(list.begin(), list.end(), conn), list.end());
  if (!list.empty()) return;
  const PeerId peer = conn->peer;
  connections_.erase(it);
  for (const auto& event : peer_events_)
    event(peer, false);
}

void Host::disconnect(const PeerId& peer) {
  const auto it = connections_.find(peer);
  if (it == connections_.end()) return;
  const auto list = it->second;  // drop() edits the map
  for (const auto& c : list)
    drop(c);
}

void Host::penalize(const PeerId& peer, const std::string& reason) {
  auto& o = offences_[peer];
  if (++o.count >= config_.offences_before_ban) {
    o.banned_until = std::chrono::steady_clock::now() + config_.ban_time;
    o.count = 0;
  }
  diagnose("disconnecting " + peer.to_string() + ": " + reason);
  disconnect(peer);
}

bool Host::banned(const PeerId& peer) const {
  const auto it = offences_.find(peer);
  return it != offences_.end() && it->second.banned_until > std::chrono::steady_clock::now();
}

void Host::stop() {
  if (stopped_) return;
  stopped_ = true;
  *alive_ = false;
  for (const auto& l : listeners_) {
    std::error_code ignored;
    l->acceptor.close(ignored);
  }
  for (const auto& [peer, list] : connections_)
    for (const auto& c : list)
      c->mux->close();
  connections_.clear();
}

}  // namespace codex::net
