// The Kademlia DHT (exchange/net/kad): its wire messages, routing table and
// provider store on their own, then in-process networks of our nodes over
// loopback: 30 nodes bootstrapped from one, where every node finds a
// provider within a few hops; a late joiner; record expiry; ADD_PROVIDER for
// another peer refused; a malformed message penalised.
#include <gtest/gtest.h>

#include <algorithm>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "exchange/crypto/secp256k1_key.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/net/error.h"
#include "exchange/net/host.h"
#include "exchange/net/kad/dht.h"
#include "exchange/net/kad/key.h"
#include "exchange/net/kad/message.h"
#include "exchange/net/kad/provider_store.h"
#include "exchange/net/kad/routing_table.h"
#include "exchange/net/network.h"
#include "exchange/net/node_key.h"
#include "exchange/net/stream_io.h"
#include "tests/support/temp_dir.h"

namespace codex::net::kad {
namespace {

using namespace std::chrono_literals;

// A SHA-256 peer id over random bytes: enough for the keyspace.
PeerId random_peer() {
  static std::mt19937_64 rng(42);
  std::vector<uint8_t> mh = {0x12, 0x20};
  for (int i = 0; i < 32; ++i)
    mh.push_back(uint8_t(rng()));
  return PeerId::from_bytes(mh);
}

Cid cid_of(const std::string& text) {
  return Cid::sha256_of(multicodec::kRaw,
                        {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

// ---- messages ----

TEST(KadMessage, RoundTripsEveryField) {
  Message m;
  m.type = MessageType::kGetProviders;
  m.key = {1, 2, 3};
  m.record = std::vector<uint8_t>{9, 9};
  m.cluster_level = 2;
  PeerInfo p{random_peer(), {Multiaddr::parse("/ip4/127.0.0.1/tcp/4001")}};
  p.connection = Connection::kConnected;
  m.closer.push_back(p);
  m.providers.push_back(PeerInfo{random_peer()});
  const Message d = decode_message(encode_message(m));
  EXPECT_EQ(d.type, m.type);
  EXPECT_EQ(d.key, m.key);
  EXPECT_EQ(d.record, m.record);
  EXPECT_EQ(d.cluster_level, 2);
  ASSERT_EQ(d.closer.size(), 1u);
  EXPECT_EQ(d.closer[0].id, p.id);
  EXPECT_EQ(d.closer[0].addrs, p.addrs);
  EXPECT_EQ(d.closer[0].connection, Connection::kConnected);
  ASSERT_EQ(d.providers.size(), 1u);
  EXPECT_EQ(d.providers[0].id, m.providers[0].id);
}

TEST(KadMessage, KnownBytes) {
  // FIND_NODE (type 4) for key "ab": 08 04 12 02 61 62, as go and js encode it.
  Message m;
  m.type = MessageType::kFindNode;
  m.key = {'a', 'b'};
  EXPECT_EQ(encode_message(m), (std::vector<uint8_t>{0x08, 0x04, 0x12, 0x02, 'a', 'b'}));
  // A proto3 writer omits type 0: a message with only a key is PUT_VALUE.
  EXPECT_EQ(decode_message(std::vector<uint8_t>{0x12, 0x01, 'x'}).type, MessageType::kPutValue);
}

TEST(KadMessage, RefusesMalformedInput) {
  const auto refuses = [](std::vector<uint8_t> bytes) {
    EXPECT_THROW(decode_message(bytes), ProtocolError);
  };
  refuses({0xff, 0xff});                    // not a protobuf
  refuses({0x08, 0x06});                    // type 6
  refuses({0x08, 0x7f});                    // type 127
  refuses({0x42, 0x03, 0x0a, 0x01, 0x00});  // closer peer with a bad id
  // A closer peer with connection type 4: 42 len (0a 22 id) (18 04).
  Message one;
  one.closer.push_back(PeerInfo{random_peer()});
  auto enc = encode_message(one);
  enc[3] += 2;  // the PeerPb's length, then append field 3 = 4
  enc.push_back(0x18);
  enc.push_back(0x04);
  refuses(enc);
  // Too many closer peers.
  Message many;
  for (size_t i = 0; i <= kMaxPeersPerList; ++i)
    many.closer.push_back(PeerInfo{random_peer()});
  refuses(encode_message(many));
  // Oversized key, oversized message.
  Message big;
  big.key.assign(kMaxKeySize + 1, 7);
  refuses(encode_message(big));
  refuses(std::vector<uint8_t>(kMaxMessageSize + 1, 0));
}

// ---- keys, routing table, provider store ----

TEST(KadKey, ProviderKeyIsTheMultihash) {
  const Cid c = cid_of("hello");
  const auto key = provider_key(c);
  ASSERT_EQ(key.size(), 34u);
  EXPECT_EQ(key[0], 0x12);
  EXPECT_EQ(key[1], 0x20);
  EXPECT_EQ(std::string(key.begin() + 2, key.end()), c.hash().digest());
}

TEST(KadRoutingTable, ClosestMatchesBruteForce) {
  const PeerId self = random_peer();
  RoutingTable t(self, 20, 10min);
  std::vector<PeerId> added;
  for (int i = 0; i < 200; ++i) {
    const PeerId p = random_peer();
    if (t.add(p, 0ms) != RoutingTable::Added::kFull) added.push_back(p);
  }
  EXPECT_EQ(t.size(), added.size());
  EXPECT_EQ(t.add(self, 0ms), RoutingTable::Added::kSelf);
  const Point target = point_of(random_peer());
  std::sort(added.begin(), added.end(), [&](const PeerId& a, const PeerId& b) {
    return distance(point_of(a), target) < distance(point_of(b), target);
  });
  added.erase(added.begin() + 20, added.end());
  EXPECT_EQ(t.closest(target, 20), added);
}

TEST(KadRoutingTable, FullBucketReplacesOnlyAStalePeer) {
  const PeerId self = random_peer();
  RoutingTable t(self, 2, 10min);
  const Point me = point_of(self);
  // Peers of bucket 0 (first bit differs from ours): about half of all.
  std::vector<PeerId> b0;
  while (b0.size() < 4) {
    const PeerId p = random_peer();
    if (common_prefix_length(me, point_of(p)) == 0) b0.push_back(p);
  }
  EXPECT_EQ(t.add(b0[0], 0ms), RoutingTable::Added::kNew);
  EXPECT_EQ(t.add(b0[1], 1min), RoutingTable::Added::kNew);
  EXPECT_EQ(t.add(b0[2], 5min), RoutingTable::Added::kFull);  // both fresh
  EXPECT_EQ(t.add(b0[0], 6min), RoutingTable::Added::kUpdated);
  // At 12 min b0[1] (seen at 1) is stale, b0[0] (seen at 6) is not.
  EXPECT_EQ(t.add(b0[3], 12min), RoutingTable::Added::kReplaced);
  EXPECT_TRUE(t.contains(b0[0]));
  EXPECT_FALSE(t.contains(b0[1]));
  EXPECT_TRUE(t.contains(b0[3]));
  t.remove(b0[3]);
  EXPECT_EQ(t.size(), 1u);
}

TEST(KadProviderStore, BoundsAndExpiry) {
  ProviderStore s(2, 3);
  const std::vector<uint8_t> k1 = {1}, k2 = {2};
  const PeerId a = random_peer(), b = random_peer(), c = random_peer(), d = random_peer();
  EXPECT_TRUE(s.add(k1, a, {}, 100ms, 0ms));
  EXPECT_TRUE(s.add(k1, b, {}, 200ms, 0ms));
  EXPECT_TRUE(s.add(k1, c, {}, 300ms, 0ms));  // replaces a (expires first)
  EXPECT_EQ(s.size(), 2u);
  auto got = s.get(k1, 0ms);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(std::none_of(got.begin(), got.end(), [&](const auto& r) { return r.provider == a; }));
  EXPECT_TRUE(s.add(k2, a, {}, 100ms, 0ms));
  EXPECT_FALSE(s.add(k2, d, {}, 100ms, 0ms));   // 3 records in all
  EXPECT_TRUE(s.add(k2, d, {}, 500ms, 150ms));  // after a's record expired
  EXPECT_EQ(s.get(k1, 250ms).size(), 1u);
  EXPECT_TRUE(s.get(k1, 300ms).empty());
  s.expire(1s);
  EXPECT_EQ(s.size(), 0u);
}

// ---- networks of our nodes ----

struct Node {
  explicit Node(base::Clock& clock, DhtConfig config = {})
      : key(NodeKey::load_or_create(dir.path() / "key")) {
    NetworkConfig c;
    c.listen.push_back(Multiaddr::parse("/ip4/127.0.0.1/tcp/0"));
    network = std::make_unique<Network>(key, std::move(c));
    dht = std::make_unique<Dht>(*network, clock, config);
    dht->start();
  }
  ~Node() { dht.reset(); }
  const PeerId& id() const { return key.id(); }
  std::vector<Multiaddr> addrs() const { return network->addresses(); }
  bool connected(const PeerId& p) {
    bool out = false;
    network->run([&]() -> asio::awaitable<void> {
      out = network->host().connected(p);
      co_return;
    });
    return out;
  }

  testing::TempDir dir;
  NodeKey key;
  std::unique_ptr<Network> network;
  std::unique_ptr<Dht> dht;
};

// Connects `n` to `to` and waits until identify put `to` into n's table.
void join(Node& n, Node& to) {
  n.network->connect(to.id(), to.addrs());
  for (int i = 0; i < 400 && n.dht->routing_table_size() == 0; ++i)
    std::this_thread::sleep_for(5ms);
  ASSERT_GT(n.dht->routing_table_size(), 0u);
}

// k = 20 (libp2p's): at 30 nodes every table holds most of the network, so
// a lookup is one hop. k = 4: tables hold a few peers and lookups must walk.
struct Size {
  size_t k;
  int max_hops;
  size_t max_messages;
};
class KadThirty : public ::testing::TestWithParam<Size> {};

TEST_P(KadThirty, EveryNodeFindsAProviderWithinFewHops) {
  base::SystemClock clock;
  constexpr size_t kNodes = 30;
  DhtConfig config;
  config.k = GetParam().k;
  std::vector<std::unique_ptr<Node>> nodes;
  for (size_t i = 0; i < kNodes; ++i)
    nodes.push_back(std::make_unique<Node>(clock, config));
  for (size_t i = 1; i < kNodes; ++i)
    join(*nodes[i], *nodes[0]);
  for (size_t i = 1; i < kNodes; ++i)
    nodes[i]->dht->bootstrap();
  // Second round: the early joiners learn of the later ones.
  for (size_t i = 1; i < kNodes; ++i)
    nodes[i]->dht->bootstrap();
  size_t table_sum = 0;
  for (auto& n : nodes)
    table_sum += n->dht->routing_table_size();
  std::printf("routing tables: %.1f peers on average\n", double(table_sum) / kNodes);

  const Cid cid = cid_of("thirty nodes");
  Node& provider = *nodes[7];
  const size_t sent = provider.dht->provide(cid);
  EXPECT_GE(sent, std::min<size_t>(config.k, 10));
  const auto provide_stats = provider.dht->last_lookup();
  std::printf("provide: ADD_PROVIDER to %zu peers, %zu messages in all\n", sent,
              provide_stats.requests);

  int max_hops = 0;
  size_t max_messages = 0, all_messages = 0;
  for (size_t i = 0; i < kNodes; ++i) {
    if (i == 7) continue;
    const auto found = nodes[i]->dht->find_providers(cid, 1);
    ASSERT_EQ(found.size(), 1u) << "node " << i;
    EXPECT_EQ(found[0].id, provider.id());
    EXPECT_EQ(found[0].addrs, provider.addrs());
    const auto s = nodes[i]->dht->last_lookup();
    max_hops = std::max(max_hops, s.result_hop);
    max_messages = std::max(max_messages, s.requests);
    all_messages += s.requests;
  }
  std::printf("find_providers: at most %d hops, %zu messages (%.1f on average)\n", max_hops,
              max_messages, double(all_messages) / (kNodes - 1));
  EXPECT_LE(max_hops, GetParam().max_hops);
  EXPECT_LE(max_messages, GetParam().max_messages);

  // A node that joins later, through another node than the first.
  Node late(clock, config);
  join(late, *nodes[12]);
  late.dht->bootstrap();
  const auto found = late.dht->find_providers(cid, 5);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].id, provider.id());
  std::printf("late joiner: %d hops, %zu messages\n", late.dht->last_lookup().result_hop,
              late.dht->last_lookup().requests);

  // find_peer resolves a node the late joiner never met.
  const auto peer = late.dht->find_peer(nodes[23]->id());
  ASSERT_TRUE(peer.has_value());
  EXPECT_EQ(peer->addrs, nodes[23]->addrs());
  // And nobody provides an unknown CID.
  EXPECT_TRUE(nodes[3]->dht->find_providers(cid_of("nobody"), 1).empty());
}

TEST(KadNetwork, RecordsExpire) {
  base::ManualClock clock(base::Millis(1'000'000));
  DhtConfig c;
  c.provider_ttl = 1h;
  Node a(clock, c), b(clock, c), d(clock, c);
  join(b, a);
  join(d, a);
  b.dht->bootstrap();
  d.dht->bootstrap();
  const Cid cid = cid_of("expires");
  EXPECT_EQ(a.dht->provide(cid), 2u);
  EXPECT_EQ(d.dht->find_providers(cid, 1).size(), 1u);
  clock.advance(59min);
  EXPECT_EQ(d.dht->find_providers(cid, 1).size(), 1u);
  clock.advance(2min);
  EXPECT_TRUE(d.dht->find_providers(cid, 1).empty());
  EXPECT_EQ(b.dht->provider_records(), 0u);
}

// log2(30) ≈ 5: a lookup that needs more hops is not Kademlia's.
INSTANTIATE_TEST_SUITE_P(K, KadThirty, ::testing::Values(Size{20, 2, 20}, Size{4, 5, 40}),
                         [](const auto& info) { return "k" + std::to_string(info.param.k); });

TEST(KadNetwork, AnnouncedKeysAreReprovidedUntilWithdrawn) {
  base::ManualClock clock(base::Millis(1'000'000));
  DhtConfig c;
  c.provider_ttl = 1h;
  c.reprovide_interval = 100ms;  // real time: the loop's timer
  Node a(clock, c), b(clock, c), d(clock, c);
  join(b, a);
  join(d, a);
  b.dht->bootstrap();
  d.dht->bootstrap();
  const Cid cid = cid_of("announced");
  a.dht->announce(cid);
  const auto found_within = [&](std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    do {
      if (!d.dht->find_providers(cid, 1).empty()) return true;
      std::this_thread::sleep_for(20ms);
    } while (std::chrono::steady_clock::now() < end);
    return false;
  };
  EXPECT_TRUE(found_within(2s));
  // Past the ttl of the first records: the loop has stored fresh ones.
  clock.advance(61min);
  EXPECT_TRUE(found_within(2s));
  a.dht->withdraw(cid);
  std::this_thread::sleep_for(300ms);  // a re-provide already started may finish
  clock.advance(61min);
  EXPECT_FALSE(found_within(500ms));
}

// Sends one message to `to` on a fresh kad stream and reads until the end.
void send_raw(Node& from, const PeerId& to, std::vector<uint8_t> framed_body) {
  from.network->run([&]() -> asio::awaitable<void> {
    std::vector<std::string> protocols;
    protocols.push_back(std::string(kProtocol));
    auto s = co_await from.network->host().open_stream(to, protocols);
    co_await write_length_prefixed(*s, framed_body);
    co_await s->close_write();
    co_await read_message_or_end(*s);
  });
}

TEST(KadNetwork, AddProviderForAnotherPeerIsRefused) {
  base::SystemClock clock;
  Node a(clock), b(clock);
  join(a, b);
  const Cid cid = cid_of("not yours");
  Message m;
  m.type = MessageType::kAddProvider;
  m.key = provider_key(cid);
  m.providers.push_back(PeerInfo{random_peer(), {Multiaddr::parse("/ip4/127.0.0.1/tcp/1")}});
  send_raw(a, b.id(), encode_message(m));
  EXPECT_EQ(b.dht->provider_records(), 0u);
  // Its own record is kept.
  m.providers[0] = PeerInfo{a.id(), a.addrs()};
  send_raw(a, b.id(), encode_message(m));
  EXPECT_EQ(b.dht->provider_records(), 1u);
  const auto found = b.dht->find_providers(cid, 5);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].id, a.id());
}

TEST(KadNetwork, RepliesFitTheMessageLimit) {
  // 16 providers with 32 addresses of ~260 bytes each: 16 addresses of each
  // are still beyond 64 KiB.
  base::SystemClock clock;
  Node b(clock);
  std::vector<std::unique_ptr<Node>> providers;
  const Cid cid = cid_of("many long addresses");
  const std::string long_dns(245, 'a');
  std::vector<Multiaddr> addrs;
  for (int i = 0; i < 32; ++i)
    addrs.push_back(Multiaddr::parse("/dns4/" + long_dns + std::to_string(i) + "/tcp/1"));
  for (int i = 0; i < 16; ++i) {
    providers.push_back(std::make_unique<Node>(clock));
    join(*providers.back(), b);
    Message m;
    m.type = MessageType::kAddProvider;
    m.key = provider_key(cid);
    m.providers.push_back(PeerInfo{providers.back()->id(), addrs});
    send_raw(*providers.back(), b.id(), encode_message(m));
  }
  EXPECT_EQ(b.dht->provider_records(), 16u);
  Node asker(clock);
  join(asker, b);
  Message get;
  get.type = MessageType::kGetProviders;
  get.key = provider_key(cid);
  Message reply;
  asker.network->run([&]() -> asio::awaitable<void> {
    std::vector<std::string> protocols;
    protocols.push_back(std::string(kProtocol));
    auto s = co_await asker.network->host().open_stream(b.id(), protocols);
    co_await write_message(*s, get);
    reply = co_await read_message(*s);
  });
  EXPECT_GE(reply.providers.size(), 10u);
  EXPECT_LT(reply.providers.size(), 16u);  // some were dropped to fit
  EXPECT_LE(encode_message(reply).size(), kMaxMessageSize);
  for (const auto& p : reply.providers)
    EXPECT_LE(p.addrs.size(), 16u);
}

TEST(KadNetwork, MalformedMessageIsPenalised) {
  base::SystemClock clock;
  Node a(clock), b(clock);
  join(a, b);
  ASSERT_TRUE(b.connected(a.id()));
  // Type 9 does not exist: b throws ProtocolError, resets the stream and
  // penalises a (disconnects it).
  EXPECT_THROW(send_raw(a, b.id(), {0x08, 0x09}), NetError);
  for (int i = 0; i < 200 && b.connected(a.id()); ++i)
    std::this_thread::sleep_for(5ms);
  EXPECT_FALSE(b.connected(a.id()));
}

TEST(KadNetwork, RateLimitResetsAFloodingPeer) {
  base::ManualClock clock(base::Millis(0));  // no refill
  DhtConfig c;
  c.request_burst = 5;
  Node a(clock), b(clock, c);
  join(a, b);
  Message ping;
  ping.type = MessageType::kPing;
  int answered = 0, refused = 0;
  a.network->run([&]() -> asio::awaitable<void> {
    std::vector<std::string> protocols;
    protocols.push_back(std::string(kProtocol));
    for (int i = 0; i < 10; ++i) {
      auto s = co_await a.network->host().open_stream(b.id(), protocols);
      co_await write_message(*s, ping);
      try {
        co_await read_message(*s);
        ++answered;
      } catch (const NetError&) {
        ++refused;
      }
      s->reset();
    }
  });
  EXPECT_EQ(answered, 5);
  EXPECT_EQ(refused, 5);
  EXPECT_TRUE(b.connected(a.id()));  // refused, not penalised
}

}  // namespace
}  // namespace codex::net::kad
