#include "exchange/net/kad/dht.h"

#include <algorithm>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <map>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "exchange/net/error.h"
#include "exchange/net/host.h"
#include "exchange/net/kad/provider_store.h"
#include "exchange/net/kad/routing_table.h"
#include "exchange/net/timeout.h"

namespace codex::net::kad {
namespace {

// Rate-limit buckets kept per peer; beyond it the full (idle) ones are
// forgotten. Only connected peers send requests, so Host's max_peers bounds
// the busy ones.
constexpr size_t kMaxRateBuckets = 4096;
// Buckets beyond it are not refreshed (a key of bucket 16 takes ~65k hashes).
constexpr int kMaxRefreshBucket = 15;
constexpr size_t kMaxReplyAddrs = 16;

std::vector<std::string> kad_protocols() {
  std::vector<std::string> out;
  out.push_back(std::string(kProtocol));
  return out;
}

// Runs `tasks` concurrently on the current executor and waits for all.
asio::awaitable<void> all_of(std::vector<std::function<asio::awaitable<void>()>> tasks) {
  struct Shared {
    explicit Shared(asio::any_io_executor ex) : wake(ex) {}
    asio::steady_timer wake;
    size_t left = 0;
  };
  const auto ex = co_await asio::this_coro::executor;
  auto shared = std::make_shared<Shared>(ex);
  shared->left = tasks.size();
  for (auto& t : tasks)
    asio::co_spawn(
        ex,
        [shared, t = std::move(t)]() -> asio::awaitable<void> {
          try {
            co_await t();
          } catch (const std::exception&) {
          }
          if (--shared->left == 0) shared->wake.cancel();
        },
        asio::detached);
  while (shared->left > 0) {
    shared->wake.expires_at(asio::steady_timer::time_point::max());
    asio::error_code ignored;
    co_await shared->wake.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
}

}  // namespace

struct Dht::Impl : std::enable_shared_from_this<Impl> {
  Impl(Network& n, base::Clock& c, DhtConfig cfg)
      : network(n),
        clock(c),
        config(cfg),
        table(n.id(), cfg.k, cfg.stale_after),
        store(cfg.max_providers_per_key, cfg.max_provider_records) {}

  Network& network;
  base::Clock& clock;
  DhtConfig config;
  // Network thread only, from here on.
  RoutingTable table;
  ProviderStore store;
  std::set<Cid> announced;
  std::mt19937_64 rng{std::random_device{}()};
  LookupStats last;
  bool started = false;
  bool stopped = false;
  std::unique_ptr<asio::steady_timer> reprovide_timer;
  struct Bucket {
    double tokens;
    std::chrono::milliseconds last;
  };
  std::unordered_map<PeerId, Bucket, PeerIdHash> rate;

  Host& host() { return network.host(); }
  std::chrono::milliseconds now() const { return clock.now(); }

  LookupConfig lookup_config() const {
    return {config.k, config.alpha, config.max_hops, config.max_requests_per_lookup,
            config.lookup_timeout};
  }

  PeerInfo info_of(const PeerId& peer) {
    PeerInfo p{peer, network.addresses_of(peer)};
    p.connection = host().connected(peer) ? Connection::kConnected : Connection::kNotConnected;
    return p;
  }

  PeerInfo self_info() { return PeerInfo{network.id(), network.addresses()}; }

  void add_peer(const PeerId& peer) {
    if (!host().banned(peer)) table.add(peer, now());
  }

  // The k closest peers we can give addresses for, without `except`.
  std::vector<PeerInfo> closer_peers(const Point& target, const PeerId& except) {
    std::vector<PeerInfo> out;
    for (const auto& p : table.closest(target, config.k + 1)) {
      if (p == except || out.size() == config.k) continue;
      auto info = info_of(p);
      if (!info.addrs.empty()) out.push_back(std::move(info));
    }
    return out;
  }

  // Token bucket of `peer`: false when the request must be refused.
  bool admit(const PeerId& peer, double cost) {
    const auto t = now();
    auto it = rate.find(peer);
    if (it == rate.end()) {
      if (rate.size() >= kMaxRateBuckets)
        std::erase_if(rate, [&](const auto& e) {
          const double refill =
              double((t - e.second.last).count()) / 1000.0 * config.requests_per_second;
          return e.second.tokens + refill >= config.request_burst;
        });
      it = rate.emplace(peer, Bucket{config.request_burst, t}).first;
    }
    auto& b = it->second;
    b.tokens = std::min(config.request_burst, b.tokens + double((t - b.last).count()) / 1000.0 *
                                                             config.requests_per_second);
    b.last = t;
    if (b.tokens < cost) return false;
    b.tokens -= cost;
    return true;
  }

  std::vector<PeerInfo> providers_of(const std::vector<uint8_t>& key) {
    std::vector<PeerInfo> out;
    for (auto& r : store.get(key, now())) {
      PeerInfo p{r.provider, r.addrs};
      if (r.provider == network.id()) p.addrs = network.addresses();
      if (p.addrs.empty()) p.addrs = network.addresses_of(r.provider);
      if (!p.addrs.empty()) out.push_back(std::move(p));
    }
    return out;
  }

  // The reply to one request, none when there is none to send.
  std::optional<Message> answer(const PeerId& from, const Message& m) {
    Message reply;
    reply.type = m.type;
    reply.key = m.key;
    reply.cluster_level = m.cluster_level;
    switch (m.type) {
      case MessageType::kPing:
        return reply;
      case MessageType::kFindNode:
      case MessageType::kGetValue:
        if (m.key.empty())
          throw ProtocolError(std::string("kad: ") + type_name(m.type) + " without a key");
        reply.closer = closer_peers(point_of(m.key), from);
        return reply;
      case MessageType::kGetProviders:
        if (m.key.empty()) throw ProtocolError("kad: GET_PROVIDERS without a key");
        reply.providers = providers_of(m.key);
        reply.closer = closer_peers(point_of(m.key), from);
        return reply;
      case MessageType::kAddProvider:
        if (m.key.empty()) throw ProtocolError("kad: ADD_PROVIDER without a key");
        for (const auto& p : m.providers) {
          // Only the sender may announce itself (libp2p kad-dht spec).
          if (p.id != from) {
            ++refused_providers;
            continue;
          }
          auto addrs = p.addrs;
          if (addrs.empty()) addrs = network.addresses_of(from);
          network.learn_addresses(from, addrs);
          store.add(m.key, from, std::move(addrs), now() + config.provider_ttl, now());
        }
        return std::nullopt;
      case MessageType::kPutValue:
        break;
    }
    throw std::logic_error("unreachable");
  }

  // Peers may have sent long address lists: a reply keeps at most
  // kMaxReplyAddrs per peer and drops the farthest closer peers, then
  // providers, until it fits in kMaxMessageSize.
  static void fit(Message& m) {
    for (auto* list : {&m.closer, &m.providers})
      for (auto& p : *list)
        if (p.addrs.size() > kMaxReplyAddrs) p.addrs.resize(kMaxReplyAddrs);
    while (encode_message(m).size() > kMaxMessageSize) {
      if (!m.closer.empty())
        m.closer.pop_back();
      else
        m.providers.pop_back();
    }
  }

  asio::awaitable<void> serve(std::unique_ptr<Stream> s, PeerId peer) {
    const auto keep = shared_from_this();
    try {
      for (;;) {
        auto m = co_await with_timeout(read_message_or_end(*s), config.inbound_message_timeout,
                                       "kad request");
        if (!m || stopped) break;
        const double cost = m->type == MessageType::kAddProvider ? config.add_provider_cost : 1.0;
        if (m->type == MessageType::kPutValue || !admit(peer, cost)) {
          ++refused_requests;
          s->reset();
          co_return;
        }
        ++served;
        auto reply = answer(peer, *m);
        if (reply) {
          fit(*reply);
          co_await write_message(*s, *reply);
        }
      }
      co_await s->close_write();
    } catch (const ProtocolError&) {
      s->reset();
      throw;  // the host penalises the peer
    }
  }

  asio::awaitable<Message> request_once(PeerInfo peer, Message m, bool expect_reply) {
    if (!host().connected(peer.id)) {
      network.learn_addresses(peer.id, peer.addrs);
      auto addrs = peer.addrs;
      if (addrs.empty()) addrs = network.addresses_of(peer.id);
      co_await network.dial(peer.id, std::move(addrs));
    }
    const auto protocols = kad_protocols();
    auto stream = co_await host().open_stream(peer.id, protocols);
    co_await write_message(*stream, m);
    if (!expect_reply) {
      co_await stream->close_write();
      // We wait for the server's end of the stream, so that the message is
      // not cut off by our reset. js-libp2p resets instead of closing when
      // our end of stream reaches it while it waits for a next message: the
      // message was whole by then, so a reset counts as delivered.
      try {
        co_await read_message_or_end(*stream);
      } catch (const NetError&) {
      }
      co_return m;
    }
    Message reply = co_await read_message(*stream);
    if (reply.type != m.type)
      throw ProtocolError(std::string("kad: a ") + type_name(reply.type) + " reply to " +
                          type_name(m.type));
    co_await stream->close_write();
    stream->reset();
    co_return reply;
  }

  // One request with its deadline; a peer that answers joins the routing
  // table, one that fails leaves it.
  asio::awaitable<Message> request(PeerInfo peer, Message m, bool expect_reply = true) {
    const auto keep = shared_from_this();
    if (stopped) throw NetError("kad: stopped");
    try {
      Message reply = co_await with_timeout(request_once(peer, std::move(m), expect_reply),
                                            config.request_timeout, "kad request");
      add_peer(peer.id);
      for (const auto& p : reply.closer)
        network.learn_addresses(p.id, p.addrs);
      co_return reply;
    } catch (const ProtocolError& e) {
      table.remove(peer.id);
      if (!stopped) host().penalize(peer.id, std::string("kad: ") + e.what());
      throw;
    } catch (const std::exception&) {
      table.remove(peer.id);
      throw;
    }
  }

  std::vector<PeerInfo> seeds(const Point& target) {
    std::vector<PeerInfo> out;
    for (const auto& p : table.closest(target, config.k))
      out.push_back(info_of(p));
    return out;
  }

  Query query_of(MessageType type, std::vector<uint8_t> key) {
    auto self = shared_from_this();
    return [self, type, key](const PeerInfo& peer) -> asio::awaitable<Message> {
      Message m;
      m.type = type;
      m.key = key;
      co_return co_await self->request(peer, std::move(m));
    };
  }

  asio::awaitable<std::vector<PeerInfo>> lookup(MessageType type, std::vector<uint8_t> key,
                                                OnReply on_reply, std::vector<PeerInfo> extra) {
    const Point target = point_of(key);
    auto s = seeds(target);
    for (auto& e : extra)
      s.push_back(std::move(e));
    LookupStats stats;
    auto out = co_await iterative_lookup(target, std::move(s), network.id(), lookup_config(),
                                         query_of(type, key), std::move(on_reply), stats);
    last = stats;
    co_return out;
  }

  asio::awaitable<std::vector<FoundPeer>> closest_peers(std::vector<uint8_t> key) {
    std::vector<PeerInfo> no_extra;
    auto found = co_await lookup(MessageType::kFindNode, key, nullptr, std::move(no_extra));
    std::vector<FoundPeer> out;
    for (auto& p : found)
      out.push_back(
          {p.id, network.addresses_of(p.id).empty() ? p.addrs : network.addresses_of(p.id)});
    co_return out;
  }

  asio::awaitable<size_t> provide(Cid cid) {
    const auto keep = shared_from_this();
    const auto key = provider_key(cid);
    store.add(key, network.id(), {}, now() + config.provider_ttl, now());
    const auto closest = co_await closest_peers(key);
    Message m;
    m.type = MessageType::kAddProvider;
    m.key = key;
    m.providers.push_back(self_info());
    auto sent = std::make_shared<size_t>(0);
    std::vector<std::function<asio::awaitable<void>()>> tasks;
    for (const auto& p : closest)
      tasks.push_back([keep, m, p, sent]() -> asio::awaitable<void> {
        // A named value: GCC 12 destroys a braced temporary alive across
        // co_await twice.
        PeerInfo to{p.id, p.addrs};
        co_await keep->request(std::move(to), m, false);
        ++*sent;
      });
    co_await all_of(std::move(tasks));
    last.requests += closest.size();
    co_return *sent;
  }

  asio::awaitable<std::vector<FoundPeer>> find_providers(Cid cid, size_t limit) {
    const auto keep = shared_from_this();
    const auto key = provider_key(cid);
    std::map<PeerId, FoundPeer> found;
    const auto take = [&](const PeerInfo& p) {
      if (p.id == network.id() || found.size() >= limit) return;
      network.learn_addresses(p.id, p.addrs);
      auto& f = found.try_emplace(p.id, FoundPeer{p.id, {}}).first->second;
      if (f.addrs.empty()) f.addrs = p.addrs;
    };
    for (const auto& p : providers_of(key))
      take(p);
    if (found.size() < limit) {
      // The hop of the first reply that named a provider.
      int first_hop = 0;
      std::vector<PeerInfo> no_extra;
      co_await lookup(
          MessageType::kGetProviders, key,
          [&](const PeerInfo&, const Message& reply, int hop) {
            for (const auto& p : reply.providers)
              take(p);
            if (first_hop == 0 && !found.empty()) first_hop = hop;
            return found.size() >= limit;
          },
          std::move(no_extra));
      last.result_hop = first_hop;
    } else {
      last = LookupStats{};
    }
    std::vector<FoundPeer> out;
    for (auto& [id, f] : found)
      out.push_back(std::move(f));
    co_return out;
  }

  asio::awaitable<std::optional<FoundPeer>> find_peer(PeerId target) {
    const auto keep = shared_from_this();
    if (host().connected(target)) co_return FoundPeer{target, network.addresses_of(target)};
    std::optional<FoundPeer> found;
    std::vector<PeerInfo> no_extra;
    co_await lookup(
        MessageType::kFindNode, target.bytes(),
        [&](const PeerInfo& from, const Message& reply, int) {
          if (from.id == target) found = FoundPeer{target, from.addrs};
          for (const auto& p : reply.closer)
            if (p.id == target && !p.addrs.empty()) found = FoundPeer{target, p.addrs};
          return found.has_value();
        },
        std::move(no_extra));
    co_return found;
  }

  asio::awaitable<size_t> bootstrap() {
    const auto keep = shared_from_this();
    // Connected peers seed it too: identify may not have told us yet that
    // they serve the protocol.
    std::vector<PeerInfo> extra;
    for (const auto& c : host().connections())
      if (!table.contains(c.peer)) extra.push_back(info_of(c.peer));
    co_await lookup(MessageType::kFindNode, network.id().bytes(), nullptr, std::move(extra));
    // Refresh every bucket up to the deepest one with a lookup of a random
    // key that falls in it (libp2p's refresh): the self lookup fills only the
    // nearest buckets, and sparse far buckets leave lookups stuck short of
    // the closest peers. A key of bucket i costs about 2^i hashes to find,
    // hence the cap.
    const int deepest = std::min(table.deepest_bucket(), kMaxRefreshBucket);
    const Point me = point_of(network.id());
    for (int cpl = 0; cpl <= deepest && !stopped; ++cpl) {
      std::vector<uint8_t> key(34);  // shaped like a SHA-256 peer id
      key[0] = 0x12;
      key[1] = 0x20;
      do {
        for (size_t b = 2; b < key.size(); ++b)
          key[b] = uint8_t(rng());
      } while (common_prefix_length(me, point_of(key)) != cpl);
      std::vector<PeerInfo> none;
      co_await lookup(MessageType::kFindNode, std::move(key), nullptr, std::move(none));
    }
    co_return table.size();
  }

  asio::awaitable<void> reprovide_loop() {
    const auto keep = shared_from_this();
    while (!stopped) {
      reprovide_timer->expires_after(config.reprovide_interval);
      asio::error_code ec;
      co_await reprovide_timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (stopped) break;
      store.expire(now());
      const std::vector<Cid> keys(announced.begin(), announced.end());
      for (size_t i = 0; i < keys.size() && !stopped; i += config.provide_concurrency) {
        std::vector<std::function<asio::awaitable<void>()>> tasks;
        for (size_t j = i; j < std::min(keys.size(), i + config.provide_concurrency); ++j)
          tasks.push_back(
              [keep, cid = keys[j]]() -> asio::awaitable<void> { co_await keep->provide(cid); });
        co_await all_of(std::move(tasks));
      }
    }
  }

  size_t refused_providers = 0;
  size_t refused_requests = 0;
  size_t served = 0;
};

Dht::Dht(Network& network, base::Clock& clock, DhtConfig config)
    : impl_(std::make_shared<Impl>(network, clock, config)) {}

Dht::~Dht() {
  try {
    stop();
  } catch (...) {
  }
}

void Dht::start() {
  auto impl = impl_;
  impl->network.run([impl]() -> asio::awaitable<void> {
    if (impl->started) throw std::logic_error("kad: Dht::start called twice");
    impl->started = true;
    std::weak_ptr<Impl> weak = impl;
    if (!impl->config.client_mode)
      impl->host().handle(std::string(kProtocol),
                          [weak](std::unique_ptr<Stream> s, PeerId peer) -> asio::awaitable<void> {
                            auto dht = weak.lock();
                            if (!dht || dht->stopped) {
                              s->reset();
                              co_return;
                            }
                            co_await dht->serve(std::move(s), std::move(peer));
                          });
    impl->network.on_identified([weak](const PeerId& peer, const std::vector<std::string>& ps) {
      auto dht = weak.lock();
      if (!dht || dht->stopped) return;
      if (std::find(ps.begin(), ps.end(), kProtocol) != ps.end()) dht->add_peer(peer);
    });
    impl->reprovide_timer = std::make_unique<asio::steady_timer>(impl->network.executor());
    asio::co_spawn(impl->network.executor(), impl->reprovide_loop(), asio::detached);
    co_return;
  });
}

void Dht::stop() {
  auto impl = impl_;
  impl->network.run([impl]() -> asio::awaitable<void> {
    impl->stopped = true;
    if (impl->reprovide_timer) impl->reprovide_timer->cancel();
    co_return;
  });
}

size_t Dht::bootstrap() {
  size_t out = 0;
  impl_->network.run([&]() -> asio::awaitable<void> { out = co_await bootstrap_async(); });
  return out;
}
size_t Dht::provide(const Cid& cid) {
  size_t out = 0;
  impl_->network.run([&]() -> asio::awaitable<void> { out = co_await provide_async(cid); });
  return out;
}
std::vector<FoundPeer> Dht::find_providers(const Cid& cid, size_t limit) {
  std::vector<FoundPeer> out;
  impl_->network.run(
      [&]() -> asio::awaitable<void> { out = co_await find_providers_async(cid, limit); });
  return out;
}
std::optional<FoundPeer> Dht::find_peer(const PeerId& peer) {
  std::optional<FoundPeer> out;
  impl_->network.run([&]() -> asio::awaitable<void> { out = co_await find_peer_async(peer); });
  return out;
}

void Dht::announce(const Cid& cid) {
  auto impl = impl_;
  impl->network.run([impl, cid]() -> asio::awaitable<void> {
    if (!impl->announced.contains(cid) && impl->announced.size() >= impl->config.max_announced)
      throw std::length_error("kad: more than " + std::to_string(impl->config.max_announced) +
                              " announced keys");
    impl->announced.insert(cid);
    asio::co_spawn(
        impl->network.executor(),
        [impl, cid]() -> asio::awaitable<void> {
          try {
            co_await impl->provide(cid);
          } catch (const std::exception&) {
          }
        },
        asio::detached);
    co_return;
  });
}

void Dht::withdraw(const Cid& cid) {
  auto impl = impl_;
  impl->network.run([impl, cid]() -> asio::awaitable<void> {
    impl->announced.erase(cid);
    co_return;
  });
}

asio::awaitable<size_t> Dht::bootstrap_async() {
  co_return co_await impl_->bootstrap();
}
asio::awaitable<size_t> Dht::provide_async(const Cid& cid) {
  co_return co_await impl_->provide(cid);
}
asio::awaitable<std::vector<FoundPeer>> Dht::find_providers_async(const Cid& cid, size_t limit) {
  co_return co_await impl_->find_providers(cid, limit);
}
asio::awaitable<std::optional<FoundPeer>> Dht::find_peer_async(const PeerId& peer) {
  co_return co_await impl_->find_peer(peer);
}
asio::awaitable<std::vector<FoundPeer>> Dht::closest_peers_async(std::vector<uint8_t> key) {
  co_return co_await impl_->closest_peers(std::move(key));
}

void Dht::add_peer(const PeerId& peer) {
  impl_->add_peer(peer);
}

size_t Dht::routing_table_size() const {
  size_t out = 0;
  impl_->network.run([&]() -> asio::awaitable<void> {
    out = impl_->table.size();
    co_return;
  });
  return out;
}
size_t Dht::provider_records() const {
  size_t out = 0;
  impl_->network.run([&]() -> asio::awaitable<void> {
    out = impl_->store.size();
    co_return;
  });
  return out;
}
LookupStats Dht::last_lookup() const {
  LookupStats out;
  impl_->network.run([&]() -> asio::awaitable<void> {
    out = impl_->last;
    co_return;
  });
  return out;
}

}  // namespace codex::net::kad
