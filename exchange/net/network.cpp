#include "exchange/net/network.h"

#include <ifaddrs.h>
#include <netinet/in.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/use_future.hpp>
#include <chrono>
#include <future>
#include <map>
#include <thread>

#include "exchange/net/blockexc/engine.h"
#include "exchange/net/error.h"
#include "exchange/net/host.h"
#include "exchange/net/identify.h"
#include "exchange/net/peer_record.h"
#include "exchange/net/ping.h"
#include "exchange/net/standard_transports.h"
#include "exchange/net/timeout.h"

namespace codex::net {
namespace {

// Peers whose addresses we remember (from identify and records) for later
// dials; beyond it the oldest are forgotten.
constexpr size_t kMaxAddressBook = 4096;
constexpr int kBootstrapAttempts = 5;
constexpr auto kPingTimeout = std::chrono::seconds(10);
constexpr auto kIdentifyTimeout = std::chrono::seconds(15);

// The machine's interface addresses of one family, for announcing a
// listener bound to the unspecified address. Loopback last.
std::vector<asio::ip::address> interface_addresses(bool v6) {
  std::vector<asio::ip::address> out, loopback;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return out;
  for (ifaddrs* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr) continue;
    asio::ip::address a;
    if (!v6 && i->ifa_addr->sa_family == AF_INET) {
      const auto* sin = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
      asio::ip::address_v4::bytes_type b;
      std::memcpy(b.data(), &sin->sin_addr, 4);
      a = asio::ip::address_v4(b);
    } else if (v6 && i->ifa_addr->sa_family == AF_INET6) {
      const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(i->ifa_addr);
      asio::ip::address_v6::bytes_type b;
      std::memcpy(b.data(), &sin6->sin6_addr, 16);
      const asio::ip::address_v6 a6(b);
      if (a6.is_link_local()) continue;  // needs a scope id to be dialled
      a = a6;
    } else {
      continue;
    }
    (a.is_loopback() ? loopback : out).push_back(a);
  }
  ::freeifaddrs(list);
  out.insert(out.end(), loopback.begin(), loopback.end());
  return out;
}

std::string endpoint_text(const asio::ip::tcp::endpoint& e) {
  return Multiaddr::from_tcp(e).to_string();
}

}  // namespace

struct Network::Impl {
  Impl(const NodeKey& k, NetworkConfig c) : key(k), config(std::move(c)) {}

  const NodeKey& key;
  NetworkConfig config;
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::unique_ptr<Host> host;
  // After host: destroyed first (it uses the host until stopped).
  std::unique_ptr<blockexc::Engine> engine;
  std::vector<Multiaddr> announce;
  std::optional<SignedPeerRecord> record;
  // Network thread only.
  std::map<PeerId, IdentifyInfo> identified;
  std::map<PeerId, std::vector<Multiaddr>> address_book;
  std::vector<IdentifiedHook> identified_hooks;
  std::thread thread;
  std::promise<void> finished;

  void diagnose(const std::string& what) const {
    if (config.diagnostic) config.diagnostic(what);
  }

  void remember(const PeerId& peer, const std::vector<Multiaddr>& addrs) {
    if (addrs.empty()) return;
    if (!address_book.contains(peer) && address_book.size() >= kMaxAddressBook)
      address_book.erase(address_book.begin());
    address_book[peer] = addrs;
  }

  IdentifyInfo our_info(const PeerId& peer) const {
    IdentifyInfo info;
    info.agent_version = config.agent_version;
    info.public_key = PublicKey::from_protobuf(key.public_key_protobuf());
    info.listen_addrs = announce;
    info.protocols = host->protocols();
    info.signed_peer_record = record;
    for (const auto& c : host->connections())
      if (c.peer == peer) {
        info.observed_addr = Multiaddr::from_tcp(c.remote);
        break;
      }
    return info;
  }

  asio::awaitable<void> identify_peer(PeerId peer) {
    try {
      const std::vector<std::string> proto = {std::string(kIdentifyProtocol)};
      auto stream = co_await host->open_stream(peer, proto);
      IdentifyInfo info =
          co_await with_timeout(identify_request(*stream, peer), kIdentifyTimeout, "identify");
      std::vector<Multiaddr> addrs = info.listen_addrs;
      if (info.signed_peer_record) addrs = info.signed_peer_record->record().addresses;
      remember(peer, addrs);
      if (host->connected(peer)) {
        for (const auto& hook : identified_hooks)
          hook(peer, info.protocols);
        identified[peer] = std::move(info);
      }
    } catch (const ProtocolError& e) {
      host->penalize(peer, std::string("identify: ") + e.what());
    } catch (const std::exception& e) {
      diagnose("identify " + peer.to_string() + ": " + e.what());
    }
  }

  asio::awaitable<PeerId> dial(std::optional<PeerId> peer, std::vector<Multiaddr> addrs) {
    if (addrs.empty() && peer) {
      const auto it = address_book.find(*peer);
      if (it != address_book.end()) addrs = it->second;
    }
    if (addrs.empty())
      throw NetError("no address known for " +
                     (peer ? peer->to_string() : std::string("the peer")));
    std::string failures;
    for (const auto& a : addrs) {
      const auto ep = a.tcp_endpoint();
      if (!ep) continue;
      std::optional<PeerId> expected = peer;
      if (!expected) expected = a.peer_id();
      try {
        co_return co_await host->connect(*ep, expected);
      } catch (const std::exception& e) {
        failures += (failures.empty() ? "" : "; ") + endpoint_text(*ep) + ": " + e.what();
      }
    }
    if (failures.empty()) throw NetError("none of the addresses is a TCP address");
    throw NetError("dial failed: " + failures);
  }

  asio::awaitable<void> bootstrap(std::string entry) {
    std::optional<PeerId> peer;
    std::vector<Multiaddr> addrs;
    try {
      if (entry.rfind("spr:", 0) == 0) {
        const auto spr = SignedPeerRecord::from_uri(entry);
        peer = spr.peer_id();
        addrs = spr.record().addresses;
      } else {
        addrs.push_back(Multiaddr::parse(entry));
        peer = addrs.back().peer_id();
      }
    } catch (const std::exception& e) {
      diagnose("bootstrap node " + entry.substr(0, 80) + ": " + e.what());
      co_return;
    }
    if (peer) remember(*peer, addrs);
    auto delay = std::chrono::seconds(1);
    for (int attempt = 1; attempt <= kBootstrapAttempts; ++attempt) {
      try {
        const PeerId id = co_await dial(peer, addrs);
        diagnose("connected to bootstrap node " + id.to_string());
        co_return;
      } catch (const std::exception& e) {
        diagnose("bootstrap attempt " + std::to_string(attempt) + ": " + e.what());
      }
      asio::steady_timer t(io, delay);
      co_await t.async_wait(asio::use_awaitable);
      delay *= 2;
    }
  }
};

Network::Network(const NodeKey& key, NetworkConfig config)
    : impl_(std::make_unique<Impl>(key, std::move(config))) {
  Impl& m = *impl_;
  HostConfig hc = standard_host_config(key, m.config.muxers, m.config.handshake_timeout);
  hc.max_peers = m.config.max_peers;
  m.host = std::make_unique<Host>(m.io.get_executor(), key.id(), std::move(hc));
  m.host->on_diagnostic([&m](const std::string& what) { m.diagnose(what); });
  m.host->handle(std::string(kIdentifyProtocol),
                 [&m](std::unique_ptr<Stream> s, PeerId peer) -> asio::awaitable<void> {
                   co_await identify_serve(*s, m.our_info(peer));
                 });
  m.host->handle(
      std::string(kPingProtocol),
      [](std::unique_ptr<Stream> s, PeerId) -> asio::awaitable<void> { co_await ping_serve(*s); });
  m.host->on_peer([&m](const PeerId& peer, bool connected) {
    if (connected)
      asio::co_spawn(m.io, m.identify_peer(peer), asio::detached);
    else
      m.identified.erase(peer);
  });

  for (const auto& a : m.config.listen) {
    const auto ep = a.tcp_endpoint();
    if (!ep) throw NetError("listen address " + a.to_string() + " is not /ip4|ip6/…/tcp/…");
    const auto bound = m.host->listen(*ep);
    if (bound.address().is_unspecified()) {
      for (const auto& ip : interface_addresses(bound.address().is_v6()))
        m.announce.push_back(Multiaddr::from_tcp({ip, bound.port()}));
    } else {
      m.announce.push_back(Multiaddr::from_tcp(bound));
    }
  }
  // Wall-clock milliseconds, as js-libp2p does: a restarted node's record
  // supersedes the one peers kept.
  const auto seq = uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count());
  m.record = SignedPeerRecord::sign(key, seq, m.announce);

  if (m.config.repo) {
    blockexc::EngineConfig ec;
    ec.max_retries = m.config.block_retries;
    m.engine = std::make_unique<blockexc::Engine>(*m.host, *m.config.repo, ec);
    m.engine->start();
  }
  for (const auto& entry : m.config.bootstrap)
    asio::co_spawn(m.io, m.bootstrap(entry), asio::detached);
  // The one network thread: every protocol object lives on it.
  m.thread = std::thread([&m] {
    m.io.run();
    m.finished.set_value();
  });
}

Network::~Network() {
  Impl& m = *impl_;
  try {
    run([&m]() -> asio::awaitable<void> {
      if (m.engine) m.engine->stop();
      m.host->stop();
      co_return;
    });
  } catch (...) {
  }
  m.work.reset();
  // Everything ends once the connections are reset; a coroutine that does
  // not is cut short rather than hanging the node's shutdown.
  if (m.finished.get_future().wait_for(std::chrono::seconds(5)) != std::future_status::ready)
    m.io.stop();
  m.thread.join();
}

const PeerId& Network::id() const {
  return impl_->key.id();
}
std::vector<Multiaddr> Network::addresses() const {
  return impl_->announce;
}
std::string Network::spr() const {
  return impl_->record->to_uri();
}
Host& Network::host() {
  return *impl_->host;
}
blockexc::Engine* Network::engine() {
  return impl_->engine.get();
}

std::vector<std::string> Network::fetch_blocks(std::vector<blockexc::BlockAddress> addresses,
                                               size_t window) {
  if (!impl_->engine) throw NetError("the block exchange is not running");
  std::vector<std::string> blocks;
  run([&]() -> asio::awaitable<void> {
    blocks = co_await impl_->engine->want_blocks(std::move(addresses), window);
  });
  return blocks;
}

std::vector<std::optional<std::string>> Network::fetch_available(
    std::vector<blockexc::BlockAddress> addresses, int max_attempts, size_t window,
    std::function<bool(size_t)> enough) {
  if (!impl_->engine) throw NetError("the block exchange is not running");
  if (addresses.empty()) return {};
  // Shared with the workers, which may outlive the call when `enough` ends
  // it early (their wants run out in the background). Network thread only,
  // but for `finished`, which hands the results to the caller.
  struct Shared {
    std::vector<blockexc::BlockAddress> addresses;
    std::vector<std::optional<std::string>> results;
    size_t next = 0, active = 0;
    bool ended = false;
    std::exception_ptr error;  // a failure other than "nobody delivered it"
    std::function<bool(size_t)> enough;
    std::promise<void> finished;
    void end() {
      if (ended) return;
      ended = true;
      finished.set_value();
    }
  };
  auto sh = std::make_shared<Shared>();
  sh->results.resize(addresses.size());
  sh->addresses = std::move(addresses);
  sh->enough = std::move(enough);
  auto finished = sh->finished.get_future();
  // `window` workers take the next address in turn (as Engine::want_blocks).
  auto worker = [](blockexc::Engine& engine, std::shared_ptr<Shared> s,
                   int attempts) -> asio::awaitable<void> {
    while (!s->ended && s->next < s->addresses.size()) {
      const size_t i = s->next++;
      std::optional<std::string> block;
      try {
        block = co_await engine.want_block(s->addresses[i], attempts);
      } catch (const blockexc::RetriesExhaustedError&) {
      } catch (...) {
        if (!s->ended) s->error = std::current_exception();
        s->end();
      }
      if (s->ended) break;
      if (block) {
        s->results[i] = std::move(block);
        if (s->enough && s->enough(i)) s->end();
      }
    }
    if (--s->active == 0) s->end();
  };
  const size_t n = std::min(std::max<size_t>(window, 1), sh->addresses.size());
  sh->active = n;
  asio::post(impl_->io, [this, sh, n, max_attempts, worker] {
    for (size_t i = 0; i < n; ++i)
      asio::co_spawn(impl_->io, worker(*impl_->engine, sh, max_attempts), asio::detached);
  });
  finished.get();
  if (sh->error) std::rethrow_exception(sh->error);
  return std::move(sh->results);
}

void Network::fetch_tree_in_background(const Cid& tree, uint64_t count, size_t window) {
  if (!impl_->engine) throw NetError("the block exchange is not running");
  auto task = [](Impl& m, Cid tree, uint64_t count, size_t window) -> asio::awaitable<void> {
    for (uint64_t first = 0; first < count; first += window) {
      std::vector<blockexc::BlockAddress> part;
      for (uint64_t i = first; i < std::min<uint64_t>(count, first + window); ++i)
        part.push_back(blockexc::BlockAddress::of_leaf(tree, i));
      try {
        (void)co_await m.engine->want_blocks(std::move(part), window);
      } catch (const std::exception& e) {
        m.diagnose("background download of " + tree.to_string() + " stopped at block " +
                   std::to_string(first) + ": " + e.what());
        co_return;
      }
    }
    m.diagnose("background download of " + tree.to_string() + " (" + std::to_string(count) +
               " blocks) finished");
  };
  asio::co_spawn(impl_->io, task(*impl_, tree, count, window), asio::detached);
}
asio::any_io_executor Network::executor() {
  return impl_->io.get_executor();
}

asio::awaitable<PeerId> Network::dial(std::optional<PeerId> peer, std::vector<Multiaddr> addrs) {
  co_return co_await with_timeout(impl_->dial(peer, std::move(addrs)), impl_->config.dial_timeout,
                                  "connect");
}

std::vector<Multiaddr> Network::addresses_of(const PeerId& peer) const {
  const auto it = impl_->address_book.find(peer);
  if (it == impl_->address_book.end()) return {};
  return it->second;
}

void Network::learn_addresses(const PeerId& peer, const std::vector<Multiaddr>& addrs) {
  if (peer == id() || impl_->address_book.contains(peer)) return;
  impl_->remember(peer, addrs);
}

void Network::on_identified(IdentifiedHook hook) {
  impl_->identified_hooks.push_back(std::move(hook));
}

void Network::run(std::function<asio::awaitable<void>()> task) const {
  asio::co_spawn(impl_->io, std::move(task), asio::use_future).get();
}

PeerId Network::connect(std::optional<PeerId> peer, const std::vector<Multiaddr>& addrs) {
  std::optional<PeerId> result;
  Impl& m = *impl_;
  run([&]() -> asio::awaitable<void> {
    result = co_await with_timeout(m.dial(peer, addrs), m.config.dial_timeout, "connect");
  });
  return *result;
}

std::chrono::microseconds Network::ping(const PeerId& peer) {
  std::chrono::microseconds rtt{};
  Impl& m = *impl_;
  run([&]() -> asio::awaitable<void> {
    const std::vector<std::string> proto = {std::string(kPingProtocol)};
    auto stream = co_await m.host->open_stream(peer, proto);
    rtt = co_await with_timeout(net::ping(*stream), kPingTimeout, "ping");
    co_await stream->close_write();
  });
  return rtt;
}

blockexc::EngineStats Network::exchange_stats() const {
  blockexc::EngineStats out;
  const Impl& m = *impl_;
  run([&]() -> asio::awaitable<void> {
    if (m.engine) out = m.engine->stats();
    co_return;
  });
  return out;
}

std::vector<PeerSummary> Network::peers() const {
  std::vector<PeerSummary> out;
  const Impl& m = *impl_;
  run([&]() -> asio::awaitable<void> {
    for (const auto& c : m.host->connections()) {
      PeerSummary s{c.peer, endpoint_text(c.remote), c.outbound, c.muxer, {}, {}, {}};
      if (const auto it = m.identified.find(c.peer); it != m.identified.end()) {
        s.agent_version = it->second.agent_version;
        s.protocols = it->second.protocols;
        for (const auto& a : it->second.listen_addrs)
          s.listen_addrs.push_back(a.to_string());
      }
      out.push_back(std::move(s));
    }
    co_return;
  });
  return out;
}

}  // namespace codex::net
