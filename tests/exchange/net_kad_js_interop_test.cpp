// Our Kademlia DHT against js-libp2p's (@libp2p/kad-dht, pinned in
// package.json): a js node in server mode on /ipfs/kad/1.0.0 joins a network
// of three of our nodes, finds the provider of a CID one of ours provides,
// and one of ours finds the js node as the provider of a CID it provides.
#include <gtest/gtest.h>

#include <asio/use_awaitable.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/net/host.h"
#include "exchange/net/kad/dht.h"
#include "exchange/net/kad/key.h"
#include "exchange/net/kad/message.h"
#include "exchange/net/multiaddr.h"
#include "exchange/net/network.h"
#include "exchange/net/node_key.h"
#include "tests/exchange/support/js_peer.h"
#include "tests/support/child_process.h"
#include "tests/support/require_tool.h"
#include "tests/support/temp_dir.h"

namespace codex::net::kad {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

bool js_kad_installed() {
  return test::js_package_installed("@libp2p/kad-dht");
}

std::vector<json> of_kind(const std::string& log, const std::string& kind) {
  return test::js_events(log, kind);
}

json wait_for(const std::string& log, const std::string& kind, std::chrono::milliseconds limit) {
  return test::wait_js_event(log, kind, limit);
}

using test::read_log;

struct Node {
  explicit Node(base::Clock& clock) : key(NodeKey::load_or_create(dir.path() / "key")) {
    NetworkConfig c;
    c.listen.push_back(Multiaddr::parse("/ip4/127.0.0.1/tcp/0"));
    network = std::make_unique<Network>(key, std::move(c));
    dht = std::make_unique<Dht>(*network, clock);
    dht->start();
  }
  ~Node() { dht.reset(); }
  std::string dial_address() const {
    return network->addresses().at(0).with_peer_id(key.id()).to_string();
  }
  testing::TempDir dir;
  NodeKey key;
  std::unique_ptr<Network> network;
  std::unique_ptr<Dht> dht;
};

Cid cid_of(const std::string& text) {
  return Cid::sha256_of(multicodec::kRaw,
                        {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

TEST(KadJsInterop, JsNodeJoinsOurNetworkAndProvidersAreFoundBothWays) {
  CODEX_REQUIRE_TOOL(js_kad_installed(), "node and node_modules/@libp2p/kad-dht (npm ci)");
  base::SystemClock clock;
  std::vector<std::unique_ptr<Node>> ours;
  for (int i = 0; i < 3; ++i)
    ours.push_back(std::make_unique<Node>(clock));
  for (int i = 1; i < 3; ++i) {
    ours[i]->network->connect(ours[0]->key.id(), ours[0]->network->addresses());
    for (int t = 0; t < 400 && ours[i]->dht->routing_table_size() == 0; ++t)
      std::this_thread::sleep_for(5ms);
    ours[i]->dht->bootstrap();
  }
  const Cid ours_cid = cid_of("provided by one of ours");
  const Cid js_cid = cid_of("provided by the js node");
  EXPECT_EQ(ours[1]->dht->provide(ours_cid), 2u);

  testing::TempDir dir;
  const std::string log = (dir.path() / "js.log").string();
  auto js = test::start_js_peer("kad_peer.mjs",
                                {"--bootstrap", ours[0]->dial_address(), "--provide",
                                 js_cid.to_string(), "--find", ours_cid.to_string()},
                                log);
  const json done = wait_for(log, "done", 60s);
  ASSERT_FALSE(done.is_null()) << read_log(log);
  const json listening = of_kind(log, "listening").at(0);
  const PeerId js_peer = PeerId::parse(listening["peer"].get<std::string>());

  // js found our provider, with its address.
  ASSERT_EQ(of_kind(log, "found").size(), 1u) << read_log(log);
  const json provider = of_kind(log, "provider").at(0);
  EXPECT_EQ(provider["peer"], ours[1]->key.peer_id());
  EXPECT_NE(std::find(provider["addrs"].begin(), provider["addrs"].end(),
                      ours[1]->network->addresses().at(0).to_string()),
            provider["addrs"].end())
      << provider.dump();
  // js provided its CID through our nodes.
  ASSERT_EQ(of_kind(log, "provided").size(), 1u) << read_log(log);

  // Our third node finds the js node as the provider and can reach it.
  const auto found = ours[2]->dht->find_providers(js_cid, 1);
  ASSERT_EQ(found.size(), 1u) << read_log(log);
  EXPECT_EQ(found[0].id, js_peer);
  EXPECT_FALSE(found[0].addrs.empty());
  EXPECT_EQ(ours[2]->network->connect(js_peer, found[0].addrs), js_peer);
  // Our ADD_PROVIDER reaches the js node too (4 nodes, k = 20: all of them).
  const Cid late_cid = cid_of("provided by ours after the js node joined");
  EXPECT_EQ(ours[2]->dht->provide(late_cid), 3u);

  // The js node answers our requests as a server: FIND_NODE names our
  // nodes, GET_PROVIDERS its own record and the one we just sent it.
  Message find_node, get_providers, get_late;
  get_late.type = MessageType::kGetProviders;
  get_late.key = provider_key(late_cid);
  Message late;
  find_node.type = MessageType::kFindNode;
  find_node.key = ours[0]->key.id().bytes();
  get_providers.type = MessageType::kGetProviders;
  get_providers.key = provider_key(js_cid);
  Message closer, providers;
  Network& net = *ours[2]->network;
  net.run([&]() -> asio::awaitable<void> {
    std::vector<std::string> protocols;
    protocols.push_back(std::string(kProtocol));
    auto s = co_await net.host().open_stream(js_peer, protocols);
    co_await write_message(*s, find_node);
    closer = co_await read_message(*s);
    co_await write_message(*s, get_providers);
    providers = co_await read_message(*s);
    co_await write_message(*s, get_late);
    late = co_await read_message(*s);
    co_await s->close_write();
  });
  EXPECT_EQ(closer.type, MessageType::kFindNode);
  std::vector<PeerId> named;
  for (const auto& p : closer.closer) {
    named.push_back(p.id);
    EXPECT_FALSE(p.addrs.empty());
  }
  EXPECT_NE(std::find(named.begin(), named.end(), ours[0]->key.id()), named.end());
  ASSERT_EQ(providers.providers.size(), 1u);
  EXPECT_EQ(providers.providers[0].id, js_peer);
  ASSERT_EQ(late.providers.size(), 1u);
  EXPECT_EQ(late.providers[0].id, ours[2]->key.id());
  EXPECT_EQ(late.providers[0].addrs, ours[2]->network->addresses());
  std::printf("js routing table: %d peers; ours[2]: %zu\n", done["routingTable"].get<int>(),
              ours[2]->dht->routing_table_size());
  js->kill(SIGTERM);
  js->wait_exit(10s);
}

}  // namespace
}  // namespace codex::net::kad
