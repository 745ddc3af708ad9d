// The Kademlia DHT (exchange/net/kad) at 30 nodes on loopback, each node a
// Network on its own thread, bootstrapped from one node: lookups per second
// and requests (messages) per lookup, with libp2p's k = 20 and with k = 4
// (where lookups must walk several hops). Connections stay up from one
// lookup to the next, as in a running network.
//   FindProviders: find_providers(cid, 1) of one of 16 provided CIDs, from
//     each node in turn (a node that holds the record itself asks nobody).
//   ClosestPeers: a FIND_NODE lookup of a random key to convergence.
//
// Figures (2026-12-05, RelWithDebInfo, 2 cores shared with another build at
// load 6-9; medians of 3 runs; msgs = requests a lookup sent):
//   FindProviders k=20  1.6k lookups/s  0.99 msgs/lookup  ≤1 hop   0 missed
//   FindProviders k=4   1.1k lookups/s  2.8 msgs/lookup   ≤2 hops  0 missed
//   ClosestPeers  k=20    89 lookups/s  20 msgs/lookup    1 hop (tables hold
//                                       nearly everyone; alpha=3 → 7 rounds)
//   ClosestPeers  k=4    425 lookups/s  5.3 msgs/lookup   ≤3 hops
// A request opens a new stream (multistream negotiation) each time.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <asio/use_awaitable.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/net/kad/dht.h"
#include "exchange/net/network.h"
#include "exchange/net/node_key.h"
#include "exchange/net/peer_id.h"

namespace {

using namespace codex;
using namespace codex::net;

constexpr size_t kNodes = 30;
constexpr size_t kCids = 16;

struct Node {
  Node(const std::filesystem::path& dir, base::Clock& clock, kad::DhtConfig config)
      : key(NodeKey::load_or_create((std::filesystem::create_directories(dir), dir / "key"))) {
    NetworkConfig c;
    c.listen.push_back(Multiaddr::parse("/ip4/127.0.0.1/tcp/0"));
    network = std::make_unique<Network>(key, std::move(c));
    dht = std::make_unique<kad::Dht>(*network, clock, config);
    dht->start();
  }
  ~Node() { dht.reset(); }
  NodeKey key;
  std::unique_ptr<Network> network;
  std::unique_ptr<kad::Dht> dht;
};

struct Net {
  explicit Net(size_t k)
      : dir(std::filesystem::temp_directory_path() /
            ("kad-bench-" + std::to_string(::getpid()) + "-" + std::to_string(k))) {
    std::filesystem::create_directories(dir);
    kad::DhtConfig config;
    config.k = k;
    config.requests_per_second = 1e6;  // the bench measures lookups, not the limiter
    config.request_burst = 1e6;
    for (size_t i = 0; i < kNodes; ++i)
      nodes.push_back(std::make_unique<Node>(dir / std::to_string(i), clock, config));
    for (size_t i = 1; i < kNodes; ++i) {
      nodes[i]->network->connect(nodes[0]->key.id(), nodes[0]->network->addresses());
      for (int t = 0; t < 400 && nodes[i]->dht->routing_table_size() == 0; ++t)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    for (int round = 0; round < 2; ++round)
      for (size_t i = 1; i < kNodes; ++i)
        nodes[i]->dht->bootstrap();
    std::mt19937 rng(7);
    for (size_t c = 0; c < kCids; ++c) {
      const std::string text = "bench " + std::to_string(c);
      cids.push_back(Cid::sha256_of(multicodec::kRaw,
                                    {reinterpret_cast<const uint8_t*>(text.data()), text.size()}));
      providers.push_back(rng() % kNodes);
      nodes[providers.back()]->dht->provide(cids.back());
    }
  }
  ~Net() {
    nodes.clear();
    std::filesystem::remove_all(dir);
  }
  std::filesystem::path dir;
  base::SystemClock clock;
  std::vector<std::unique_ptr<Node>> nodes;
  std::vector<Cid> cids;
  std::vector<size_t> providers;  // of each CID
};

Net& net(size_t k) {
  static std::map<size_t, std::unique_ptr<Net>> nets;
  auto& n = nets[k];
  if (!n) n = std::make_unique<Net>(k);
  return *n;
}

void BM_FindProviders(benchmark::State& state) {
  Net& n = net(size_t(state.range(0)));
  size_t i = 0, requests = 0, lookups = 0, missed = 0, failures = 0;
  int max_hop = 0;
  for (auto _ : state) {
    // The provider itself would find nobody else: the next node asks.
    size_t asker = i % kNodes;
    if (asker == n.providers[i % kCids]) asker = (asker + 1) % kNodes;
    auto& node = *n.nodes[asker];
    const auto found = node.dht->find_providers(n.cids[i % kCids], 1);
    if (found.empty()) ++missed;
    const auto s = node.dht->last_lookup();
    requests += s.requests;
    failures += s.failures;
    max_hop = std::max(max_hop, s.result_hop);
    ++lookups;
    ++i;
  }
  state.SetItemsProcessed(int64_t(lookups));
  state.counters["msgs/lookup"] = double(requests) / double(lookups);
  state.counters["max_hop"] = max_hop;
  state.counters["missed"] = double(missed);
  state.counters["failed_requests"] = double(failures);
}

void BM_ClosestPeers(benchmark::State& state) {
  Net& n = net(size_t(state.range(0)));
  std::mt19937_64 rng(11);
  size_t i = 0, requests = 0, lookups = 0;
  int max_hops = 0;
  for (auto _ : state) {
    std::vector<uint8_t> key(34);
    key[0] = 0x12;
    key[1] = 0x20;
    for (size_t b = 2; b < key.size(); ++b)
      key[b] = uint8_t(rng());
    auto& node = *n.nodes[i % kNodes];
    std::vector<kad::FoundPeer> out;
    node.network->run(
        [&]() -> asio::awaitable<void> { out = co_await node.dht->closest_peers_async(key); });
    benchmark::DoNotOptimize(out);
    const auto s = node.dht->last_lookup();
    requests += s.requests;
    max_hops = std::max(max_hops, s.hops);
    ++lookups;
    ++i;
  }
  state.SetItemsProcessed(int64_t(lookups));
  state.counters["msgs/lookup"] = double(requests) / double(lookups);
  state.counters["max_hops"] = max_hops;
}

BENCHMARK(BM_FindProviders)->Arg(20)->Arg(4)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_ClosestPeers)->Arg(20)->Arg(4)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
