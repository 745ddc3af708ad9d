// The block-exchange engine (spec node.md §8.3) between real Networks over
// loopback (noise + yamux), each node with its own Repo: fetching by CID and
// by tree leaf, from several peers, lying and garbage-sending peers
// penalised with nothing stored, unrequested deliveries dropped, presence
// semantics, cancels, many concurrent wants.
#include <gtest/gtest.h>

#include <future>

#include "exchange/net/error.h"
#include "tests/exchange/support/blockexc_nodes.h"

namespace codex::net::blockexc {
namespace {

using namespace testing;
using namespace std::chrono_literals;

std::vector<BlockAddress> cid_addresses(const Dataset& d, size_t from, size_t to) {
  std::vector<BlockAddress> out;
  for (size_t i = from; i < to; ++i)
    out.push_back(BlockAddress::of_cid(d.cids[i]));
  return out;
}

TEST(Blockexc, FetchesByCidAndByLeafFromOnePeer) {
  const Dataset d = make_dataset(8, 65536, 1);
  Node a, b;
  store_dataset(*a.store, d, 0, 8);
  b.connect(a);
  EXPECT_EQ(b.fetch(BlockAddress::of_cid(d.cids[2])), d.blocks[2]);
  EXPECT_EQ(b.fetch(BlockAddress::of_leaf(d.tree, 5)), d.blocks[5]);
  EXPECT_TRUE(b.store->has_block(d.cids[2]));
  EXPECT_TRUE(b.store->has_block(d.cids[5]));
  const auto leaf = b.store->get_leaf(d.tree, 5);
  ASSERT_TRUE(leaf);
  EXPECT_EQ(leaf->block, d.cids[5]);
  EXPECT_EQ(leaf->proof, d.proofs[5]);
  EXPECT_FALSE(b.store->get_leaf(d.tree, 2));  // fetched by CID: no leaf
  // Now local: served without the network.
  EXPECT_EQ(b.fetch(BlockAddress::of_cid(d.cids[2])), d.blocks[2]);
  EXPECT_EQ(b.stats().blocks_received, 2u);
  EXPECT_EQ(a.stats().blocks_sent, 2u);
  // Block bytes, not message bytes (metrics: codex_exchange_bytes_*).
  EXPECT_EQ(b.stats().bytes_received, 2u * 65536);
  EXPECT_EQ(a.stats().bytes_sent, 2u * 65536);
  EXPECT_EQ(a.stats().bytes_received, 0u);
}

TEST(Blockexc, FetchesFromTwoPeersWhereOneLacksSome) {
  const Dataset d = make_dataset(30, 16384, 2);
  Node a, c, b;
  store_dataset(*a.store, d, 0, 20);
  store_dataset(*c.store, d, 10, 30);
  b.connect(a);
  b.connect(c);
  std::vector<BlockAddress> all;
  for (size_t i = 0; i < 30; ++i)
    all.push_back(i % 2 ? BlockAddress::of_leaf(d.tree, i) : BlockAddress::of_cid(d.cids[i]));
  const auto got = b.fetch_all(all, 30);
  for (size_t i = 0; i < 30; ++i)
    EXPECT_EQ(got[i], d.blocks[i]) << i;
  EXPECT_EQ(b.stats().blocks_received, 30u);
  EXPECT_EQ(b.stats().bytes_received, 30u * 16384);
  EXPECT_GE(a.stats().bytes_sent + c.stats().bytes_sent, 30u * 16384);  // duplicates may cross
  EXPECT_EQ(b.stats().peers_penalized, 0u);
}

TEST(Blockexc, AnAbsentBlockExhaustsItsRetries) {
  EngineConfig cfg = fast_config();
  cfg.max_retries = 3;
  cfg.retry_interval = 50ms;
  const Dataset d = make_dataset(1, 1024, 3);
  Node a, b(cfg);
  b.connect(a);
  EXPECT_THROW(b.fetch(BlockAddress::of_cid(d.cids[0])), RetriesExhaustedError);
  EXPECT_EQ(b.stats().pending, 0u);
}

TEST(Blockexc, ACallerCanGiveUpSoonerThanMaxRetries) {
  // A caller with another way to the block (erasure decoding) asks for few
  // attempts; the engine's own limit stays for everyone else.
  EngineConfig cfg = fast_config();
  cfg.max_retries = 1000;
  cfg.retry_interval = 50ms;
  const Dataset d = make_dataset(2, 1024, 4);
  Node a, b(cfg);
  store_dataset(*a.store, d, 1, 2);
  b.connect(a);
  const auto started = std::chrono::steady_clock::now();
  std::string error;
  b.network->run([&]() -> asio::awaitable<void> {
    try {
      co_await b.engine->want_block(BlockAddress::of_cid(d.cids[0]), 3);
    } catch (const RetriesExhaustedError& e) {
      error = e.what();
    }
  });
  EXPECT_NE(error.find("in 3 attempts"), std::string::npos) << error;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);  // 1000 attempts: ~40 s
  EXPECT_EQ(b.stats().pending, 0u);
  // A block a peer has arrives within the same limit.
  std::string got;
  b.network->run([&]() -> asio::awaitable<void> {
    got = co_await b.engine->want_block(BlockAddress::of_cid(d.cids[1]), 3);
  });
  EXPECT_EQ(got, d.blocks[1]);
}

class BlockexcLiar : public ::testing::TestWithParam<Lie> {};

TEST_P(BlockexcLiar, IsPenalisedNothingIsStoredAndAnHonestPeerServes) {
  const Dataset d = make_dataset(4, 65536, 4);
  RawPeer liar;
  make_liar(liar, d, GetParam());
  Node honest, b;
  store_dataset(*honest.store, d, 0, 4);
  b.connect(*liar.network);
  const BlockAddress want = BlockAddress::of_leaf(d.tree, 0);
  // The want starts with only the liar connected, so the liar is asked.
  auto fetched = std::async(std::launch::async, [&] { return b.fetch(want); });
  ASSERT_TRUE(eventually([&] { return b.stats().peers_penalized == 1; }));
  EXPECT_FALSE(b.connected(liar.id()));
  EXPECT_FALSE(b.store->has_block(d.cids[0]));
  EXPECT_FALSE(b.store->has_block(d.cids[1]));
  EXPECT_FALSE(b.store->get_leaf(d.tree, 0));
  b.connect(honest);
  ASSERT_EQ(fetched.wait_for(20s), std::future_status::ready);
  EXPECT_EQ(fetched.get(), d.blocks[0]);
  EXPECT_EQ(b.store->get_block(d.cids[0]), d.blocks[0]);
  EXPECT_FALSE(b.store->has_block(d.cids[1]));
  EXPECT_EQ(b.store->get_leaf(d.tree, 0)->proof, d.proofs[0]);
}

INSTANTIATE_TEST_SUITE_P(Lies, BlockexcLiar,
                         ::testing::Values(Lie::kCorruptData, Lie::kWrongProof, Lie::kWrongBlock),
                         [](const auto& info) {
                           switch (info.param) {
                             case Lie::kCorruptData:
                               return std::string("CorruptData");
                             case Lie::kWrongProof:
                               return std::string("WrongProof");
                             default:
                               return std::string("WrongBlock");
                           }
                         });

TEST(Blockexc, CorruptDataForACidIsPenalised) {
  const Dataset d = make_dataset(1, 4096, 5);
  RawPeer liar;
  make_liar(liar, d, Lie::kCorruptData);
  Node b;
  b.connect(*liar.network);
  auto fetched =
      std::async(std::launch::async, [&] { return b.fetch(BlockAddress::of_cid(d.cids[0])); });
  ASSERT_TRUE(eventually([&] { return b.stats().peers_penalized == 1; }));
  EXPECT_FALSE(b.store->has_block(d.cids[0]));
  Node honest;
  store_dataset(*honest.store, d, 0, 1);
  b.connect(honest);
  EXPECT_EQ(fetched.get(), d.blocks[0]);
}

TEST(Blockexc, UnrequestedDeliveriesAreDropped) {
  const Dataset d = make_dataset(2, 4096, 6);
  RawPeer pusher;
  Node b;
  pusher.connect(b);
  Message push;
  push.deliveries.push_back({d.cids[0], d.blocks[0], BlockAddress::of_cid(d.cids[0]), {}});
  push.deliveries.push_back(
      {d.cids[1], d.blocks[1], BlockAddress::of_leaf(d.tree, 1), d.proofs[1]});
  pusher.send(b.id(), push);
  ASSERT_TRUE(eventually([&] { return b.stats().dropped_unrequested == 2; }));
  EXPECT_FALSE(b.store->has_block(d.cids[0]));
  EXPECT_FALSE(b.store->has_block(d.cids[1]));
  EXPECT_TRUE(pusher.connected(b.id()));  // valid, just unasked: not an offence
}

TEST(Blockexc, WantHaveAnswersHaveAndDontHaveOnlyWhenAsked) {
  const Dataset d = make_dataset(3, 4096, 7);
  Node a;
  store_dataset(*a.store, d, 0, 1);
  RawPeer asker;
  asker.connect(a);
  Message m;
  m.want_list.entries.push_back(
      {BlockAddress::of_cid(d.cids[0]), 0, false, WantType::kWantHave, false});
  m.want_list.entries.push_back(
      {BlockAddress::of_cid(d.cids[1]), 0, false, WantType::kWantHave, false});
  m.want_list.entries.push_back(
      {BlockAddress::of_leaf(d.tree, 2), 0, false, WantType::kWantHave, true});
  m.want_list.entries.push_back(
      {BlockAddress::of_leaf(d.tree, 0), 0, false, WantType::kWantHave, false});
  asker.send(a.id(), m);
  ASSERT_TRUE(eventually([&] { return !asker.messages().empty(); }));
  std::this_thread::sleep_for(200ms);  // anything else would have come by now
  const auto got = asker.messages();
  ASSERT_EQ(got.size(), 1u);
  const auto& p = got[0].presences;
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0], (BlockPresence{BlockAddress::of_cid(d.cids[0]), PresenceType::kHave, ""}));
  EXPECT_EQ(p[1], (BlockPresence{BlockAddress::of_leaf(d.tree, 2), PresenceType::kDontHave, ""}));
  EXPECT_EQ(p[2], (BlockPresence{BlockAddress::of_leaf(d.tree, 0), PresenceType::kHave, ""}));
  EXPECT_TRUE(got[0].deliveries.empty());
}

TEST(Blockexc, CancelRemovesAWantedBlock) {
  const Dataset d = make_dataset(3, 4096, 8);
  Node a;
  store_dataset(*a.store, d, 0, 3);
  RawPeer asker;
  asker.connect(a);
  Message m;
  m.want_list.entries.push_back({BlockAddress::of_cid(d.cids[0]), 0, false, WantType::kWantBlock});
  m.want_list.entries.push_back({BlockAddress::of_cid(d.cids[0]), 0, true, WantType::kWantBlock});
  m.want_list.entries.push_back({BlockAddress::of_leaf(d.tree, 1), 0, false, WantType::kWantBlock});
  asker.send(a.id(), m);
  ASSERT_TRUE(eventually([&] { return !asker.messages().empty(); }));
  std::this_thread::sleep_for(200ms);
  const auto got = asker.messages();
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].deliveries.size(), 1u);
  const auto& del = got[0].deliveries[0];
  EXPECT_EQ(del.address, BlockAddress::of_leaf(d.tree, 1));
  EXPECT_EQ(del.cid, d.cids[1]);
  EXPECT_EQ(del.data, d.blocks[1]);
  EXPECT_EQ(del.proof, d.proofs[1]);  // leaf deliveries carry the stored proof
}

TEST(Blockexc, GarbageFramesEndTheStreamAndPenalise) {
  struct Case {
    std::string bytes;
  };
  const std::vector<std::string> garbage = {
      std::string("\x05\x0b\x00\x00\x00\x00", 6),                 // a group wire type
      std::string("\xff\xff\xff\x7f", 4),                         // a 268 MB length prefix
      std::string("\x03\x0a\x05\x01", 4) + std::string(1, '\0'),  // truncated field
  };
  for (const auto& g : garbage) {
    Node a;
    RawPeer bad;
    bad.connect(a);
    bad.send_bytes(a.id(), g);
    EXPECT_TRUE(eventually([&] { return !a.connected(bad.id()); })) << g.size();
  }
}

TEST(Blockexc, ASilentPeerTimesOutTheBlockComesFromAnotherAndTheSilentOneGetsACancel) {
  const Dataset d = make_dataset(2, 65536, 11);
  RawPeer silent;  // claims every block, never delivers
  silent.reply = [](const Message& m) {
    Message r;
    for (const auto& e : m.want_list.entries)
      if (!e.cancel && e.type == WantType::kWantHave)
        r.presences.push_back({e.address, PresenceType::kHave, {}});
    std::vector<Message> out;
    if (!r.presences.empty()) out.push_back(std::move(r));
    return out;
  };
  EngineConfig cfg = fast_config();
  cfg.block_timeout = 500ms;
  Node b(cfg), honest;
  store_dataset(*honest.store, d, 0, 2);
  b.connect(*silent.network);
  const BlockAddress want = BlockAddress::of_leaf(d.tree, 1);
  auto fetched = std::async(std::launch::async, [&] { return b.fetch(want); });
  auto asked_for_block = [&] {
    for (const auto& m : silent.messages())
      for (const auto& e : m.want_list.entries)
        if (e.address == want && e.type == WantType::kWantBlock && !e.cancel) return true;
    return false;
  };
  ASSERT_TRUE(eventually(asked_for_block));
  b.connect(honest);
  ASSERT_EQ(fetched.wait_for(20s), std::future_status::ready);
  EXPECT_EQ(fetched.get(), d.blocks[1]);
  EXPECT_TRUE(eventually([&] {
    for (const auto& m : silent.messages())
      for (const auto& e : m.want_list.entries)
        if (e.address == want && e.cancel) return true;
    return false;
  }));
  EXPECT_TRUE(b.connected(silent.id()));  // slow is not an offence
}

TEST(Blockexc, ManyConcurrentWantsCompleteWithBoundedPending) {
  const Dataset d = make_dataset(1000, 4096, 9);
  EngineConfig cfg = fast_config();
  cfg.max_pending = 300;
  cfg.max_retries = 20;
  Node a, b(cfg);
  store_dataset(*a.store, d, 0, 1000);
  b.connect(a);
  const auto got = b.fetch_all(cid_addresses(d, 0, 1000), 256);
  ASSERT_EQ(got.size(), 1000u);
  for (size_t i = 0; i < 1000; ++i)
    ASSERT_EQ(got[i], d.blocks[i]) << i;
  const auto s = b.stats();
  EXPECT_EQ(s.blocks_received, 1000u);
  EXPECT_EQ(s.pending, 0u);
  // More wants than max_pending at once: refused, not queued without bound.
  const Dataset e = make_dataset(400, 64, 10);
  EXPECT_THROW(b.fetch_all(cid_addresses(e, 0, 400), 400), NetError);
  EXPECT_EQ(b.stats().pending, 0u);
}

}  // namespace
}  // namespace codex::net::blockexc
