#pragma once
// Block-exchange test nodes: a Network on loopback with its own Repo in a
// temporary directory and an Engine (Node), and a scripted raw peer that
// speaks /codex/blockexc/1.0.0 message by message (RawPeer), for honest,
// lying and garbage-sending peers.
#include <asio/co_spawn.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "exchange/multiformats/multicodec.h"
#include "exchange/net/blockexc/engine.h"
#include "exchange/net/blockexc/message.h"
#include "exchange/net/host.h"
#include "exchange/net/multiaddr.h"
#include "exchange/net/network.h"
#include "exchange/net/node_key.h"
#include "exchange/net/stream_io.h"
#include "exchange/tree/sha256_tree.h"
#include "tests/exchange/support/store_test_support.h"

namespace codex::net::blockexc::testing {

using codex::testing::TempDir;

inline std::unique_ptr<Network> loopback_network(const NodeKey& key) {
  NetworkConfig c;
  c.listen.push_back(Multiaddr::parse("/ip4/127.0.0.1/tcp/0"));
  return std::make_unique<Network>(key, std::move(c));
}

// Polls `cond` until it holds or `limit` passes.
inline bool eventually(const std::function<bool()>& cond,
                       std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return cond();
}

// A dataset's blocks, its tree and every leaf proof.
struct Dataset {
  std::vector<std::string> blocks;
  std::vector<Cid> cids;
  Cid tree;
  std::vector<std::string> proofs;
};

inline Dataset make_dataset(size_t n, size_t block_size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Dataset d;
  for (size_t i = 0; i < n; ++i) {
    std::string b(block_size, '\0');
    for (auto& c : b)
      c = char(rng());
    d.cids.push_back(
        Cid::sha256_of(multicodec::kBlock, {reinterpret_cast<const uint8_t*>(b.data()), b.size()}));
    d.blocks.push_back(std::move(b));
  }
  const Sha256Tree tree = Sha256Tree::from_cids(d.cids);
  d.tree = tree.root_cid();
  for (size_t i = 0; i < n; ++i)
    d.proofs.push_back(tree.proof(i).encode());
  return d;
}

// Stores blocks [from, to) of d and their leaves.
inline void store_dataset(store::Repo& repo, const Dataset& d, size_t from, size_t to) {
  auto batch = repo.batch();
  for (size_t i = from; i < to; ++i) {
    batch.put_block(d.cids[i],
                    {reinterpret_cast<const uint8_t*>(d.blocks[i].data()), d.blocks[i].size()});
    batch.put_leaf(d.tree, i, d.cids[i], d.proofs[i]);
  }
  batch.commit();
}

inline EngineConfig fast_config() {
  EngineConfig c;
  c.block_timeout = std::chrono::seconds(3);
  c.retry_interval = std::chrono::milliseconds(100);
  c.max_retries = 100;
  return c;
}

struct Node {
  explicit Node(EngineConfig cfg = fast_config(), store::RepoOptions options = {})
      : key(NodeKey::load_or_create(dir.path() / "key")) {
    store = store::testing::open_store(dir.path() / "data", std::move(options));
    network = loopback_network(key);
    network->run([&]() -> asio::awaitable<void> {
      engine = std::make_unique<Engine>(network->host(), *store, cfg);
      engine->start();
      co_return;
    });
  }
  ~Node() {
    network->run([&]() -> asio::awaitable<void> {
      engine->stop();
      co_return;
    });
    engine.reset();
    network.reset();
    store.reset();
  }
  const PeerId& id() const { return key.id(); }
  void connect(Network& other) { network->connect(other.id(), {other.addresses().at(0)}); }
  void connect(Node& other) { connect(*other.network); }

  std::string fetch(const BlockAddress& a) {
    std::string out;
    network->run([&]() -> asio::awaitable<void> { out = co_await engine->want_block(a); });
    return out;
  }
  std::vector<std::string> fetch_all(const std::vector<BlockAddress>& as, size_t window) {
    std::vector<std::string> out;
    network->run(
        [&]() -> asio::awaitable<void> { out = co_await engine->want_blocks(as, window); });
    return out;
  }
  EngineStats stats() {
    EngineStats s;
    network->run([&]() -> asio::awaitable<void> {
      s = engine->stats();
      co_return;
    });
    return s;
  }
  bool connected(const PeerId& p) {
    bool c = false;
    network->run([&]() -> asio::awaitable<void> {
      c = network->host().connected(p);
      co_return;
    });
    return c;
  }

  TempDir dir;
  NodeKey key;
  store::testing::TestStore store;
  std::unique_ptr<Network> network;
  std::unique_ptr<Engine> engine;
};

// A peer that records every blockexc message it receives and answers them
// with a scripted reply (on the network thread).
struct RawPeer {
  using Reply = std::function<std::vector<Message>(const Message&)>;

  RawPeer() : key(NodeKey::load_or_create(dir.path() / "key")), network(loopback_network(key)) {
    network->run([this]() -> asio::awaitable<void> {
      network->host().handle(
          std::string(kProtocol),
          [this](std::unique_ptr<Stream> s, PeerId from) -> asio::awaitable<void> {
            for (;;) {
              bool ended = false;
              auto body = co_await read_length_prefixed_or_end(*s, kMaxMessageSize, ended);
              if (ended) co_return;
              Message m = decode(body);
              received.push_back(m);
              if (!reply) continue;
              for (const auto& r : reply(m))
                co_await send_on_thread(from, r);
            }
          });
      co_return;
    });
  }
  ~RawPeer() {
    network->run([this]() -> asio::awaitable<void> {
      for (auto& [p, s] : out)
        s->reset();
      co_return;
    });
    network.reset();
  }

  asio::awaitable<void> send_on_thread(const PeerId& to, const Message& m) {
    co_await send_raw_on_thread(to, encode(m));
  }
  asio::awaitable<void> send_raw_on_thread(const PeerId& to, std::string body) {
    auto& s = out[to];
    if (!s) {
      const std::vector<std::string> protos = {std::string(kProtocol)};
      s = co_await network->host().open_stream(to, protos);
    }
    co_await write_length_prefixed(*s, body);
  }
  // Writes bytes as they are (no length prefix added).
  void send_bytes(const PeerId& to, std::string bytes) {
    network->run([&]() -> asio::awaitable<void> {
      auto& s = out[to];
      if (!s) {
        const std::vector<std::string> protos = {std::string(kProtocol)};
        s = co_await network->host().open_stream(to, protos);
      }
      co_await s->write({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
    });
  }
  void send(const PeerId& to, const Message& m) {
    network->run([&]() -> asio::awaitable<void> { co_await send_on_thread(to, m); });
  }
  std::vector<Message> messages() {
    std::vector<Message> copy;
    network->run([&]() -> asio::awaitable<void> {
      copy = received;
      co_return;
    });
    return copy;
  }
  bool connected(const PeerId& p) {
    bool c = false;
    network->run([&]() -> asio::awaitable<void> {
      c = network->host().connected(p);
      co_return;
    });
    return c;
  }
  void connect(Node& n) { network->connect(n.id(), {n.network->addresses().at(0)}); }
  const PeerId& id() const { return key.id(); }

  TempDir dir;
  NodeKey key;
  std::unique_ptr<Network> network;
  Reply reply;  // set before traffic starts; used on the network thread
  std::vector<Message> received;
  std::map<PeerId, std::unique_ptr<Stream>> out;
};

enum class Lie { kCorruptData, kWrongProof, kWrongBlock };

// A peer that claims every block and delivers it falsified.
inline void make_liar(RawPeer& liar, const Dataset& d, Lie lie) {
  liar.reply = [&d, lie](const Message& m) {
    std::vector<Message> out;
    Message r;
    for (const auto& e : m.want_list.entries) {
      if (e.cancel) continue;
      if (e.type == WantType::kWantHave) {
        r.presences.push_back({e.address, PresenceType::kHave, {}});
        continue;
      }
      const size_t i = e.address.leaf ? e.address.index : 0;
      BlockDelivery del{d.cids[i], d.blocks[i], e.address, std::nullopt};
      if (e.address.leaf) del.proof = d.proofs[i];
      switch (lie) {
        case Lie::kCorruptData:
          del.data[7] ^= 0x40;
          break;
        case Lie::kWrongProof:
          del.proof = d.proofs[(i + 1) % d.proofs.size()];
          break;
        case Lie::kWrongBlock:  // a genuine block of the tree, at another index
          del.cid = d.cids[(i + 1) % d.cids.size()];
          del.data = d.blocks[(i + 1) % d.blocks.size()];
          break;
      }
      r.deliveries.push_back(std::move(del));
    }
    out.push_back(std::move(r));
    return out;
  };
}

}  // namespace codex::net::blockexc::testing
