// A peer that lies to a real node process (spec node.md §8.3; issue: a peer
// serving corrupt blocks, wrong proofs or garbage is detected, disconnected,
// the download completes from honest peers and no corrupt block is stored).
// The liar is a scripted peer in this process (no real node lies on demand);
// the downloader and the honest holder are `codex-agent node` processes.
#include <gtest/gtest.h>

#include <future>
#include <nlohmann/json.hpp>

#include "exchange/manifest/manifest.h"
#include "tests/agent/support/agent_node.h"
#include "tests/exchange/support/blockexc_nodes.h"
#include "tests/exchange/support/store_test_support.h"

namespace codex::agent {
namespace {

using json = nlohmann::json;
using net::blockexc::testing::Dataset;
using net::blockexc::testing::Lie;
using net::blockexc::testing::RawPeer;
using test::AgentNode;

constexpr size_t kBlocks = 6;

// A data directory written before its node starts: the dataset's manifest
// and, with `blocks`, its blocks and leaves. Returns the manifest's CID.
Cid prepare(const std::filesystem::path& dir, const Dataset& d, bool blocks) {
  auto store = store::testing::open_store(dir, {});
  if (blocks) net::blockexc::testing::store_dataset(*store, d, 0, d.blocks.size());
  Manifest m;
  m.tree_cid = d.tree;
  m.dataset_size = d.blocks.size() * d.blocks[0].size();
  m.block_size = uint32_t(d.blocks[0].size());
  const std::string enc = m.encode();
  const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(enc.data()), enc.size());
  const Cid cid = Cid::sha256_of(multicodec::kManifest, bytes);
  store->put_block(cid, bytes);
  return cid;
}

bool has_peer(const AgentNode& n, const std::string& id) {
  const json peers = json::parse(n.client().get("/debug/info"))["peers"];
  for (const auto& p : peers)
    if (p["peerId"] == id) return true;
  return false;
}

class NodeLiar : public ::testing::TestWithParam<Lie> {};

TEST_P(NodeLiar, IsDisconnectedAndTheDownloadCompletesFromAnHonestNode) {
  codex::testing::TempDir tmp("node_liar");
  const Dataset d = net::blockexc::testing::make_dataset(kBlocks, 65536, 17);
  const Cid manifest = prepare(tmp.path() / "holder", d, true);
  // The downloader has the manifest already, so the liar is asked for the
  // dataset's blocks (by tree leaf, with proofs), where its lies are.
  prepare(tmp.path() / "downloader", d, false);
  AgentNode holder(tmp.path() / "holder");
  AgentNode downloader(tmp.path() / "downloader");
  RawPeer liar;
  net::blockexc::testing::make_liar(liar, d, GetParam());

  // Only the liar is known when the download starts: it is asked first.
  const std::string liar_id = liar.id().to_string();
  downloader.client().get("/connect/" + liar_id +
                          "?addrs=" + liar.network->addresses().at(0).to_string());
  ASSERT_TRUE(has_peer(downloader, liar_id));
  auto streamed = std::async(std::launch::async, [&] {
    return downloader.client().get("/data/" + manifest.to_string() + "/network/stream");
  });
  ASSERT_TRUE(net::blockexc::testing::eventually([&] { return !has_peer(downloader, liar_id); },
                                                 std::chrono::seconds(20)))
      << "the liar is disconnected";

  size_t leaf_wants = 0;
  for (const auto& m : liar.messages())
    for (const auto& e : m.want_list.entries)
      leaf_wants += e.address.leaf && e.address.tree_cid == d.tree ? 1 : 0;
  EXPECT_GT(leaf_wants, 0u) << "the liar was asked for the dataset's blocks";

  const json holder_info = json::parse(holder.client().get("/debug/info"));
  const std::string holder_id = holder_info["id"];
  const std::string holder_addr = holder_info["addrs"][0];
  downloader.client().get("/connect/" + holder_id + "?addrs=" + holder_addr);
  ASSERT_EQ(streamed.wait_for(std::chrono::seconds(60)), std::future_status::ready);
  std::string expected;
  for (const auto& b : d.blocks)
    expected += b;
  EXPECT_EQ(streamed.get(), expected) << "every byte from the honest holder";

  // Nothing the liar sent was stored: a full check of the downloader's store.
  EXPECT_EQ(downloader.client().get("/data/" + manifest.to_string()), expected);
  downloader.stop();
  const std::string check = test::agent_binary() + " repo check -d " +
                            (tmp.path() / "downloader").string() + " > " +
                            (tmp.path() / "check.out").string() + " 2>&1";
  EXPECT_EQ(std::system(check.c_str()), 0) << "repo check found damage";
}

INSTANTIATE_TEST_SUITE_P(Lies, NodeLiar,
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

}  // namespace
}  // namespace codex::agent
