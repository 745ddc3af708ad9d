// A protected (erasure-coded, K = 3, M = 2) dataset downloaded from the
// network by real node processes: five holders each hold one slot (codeword
// position h of every step, spec node.md §2.2), some are killed, and a
// downloader's /network/stream decodes the steps whose data blocks nobody
// serves; with too many holders gone it fails clearly (404 before the first
// byte, a cut stream after), and POST /network stores the decoded dataset.
// The holders' data directories are written by this process (upload,
// erasure-encode, then each holder gets its subset of blocks and proofs):
// the agent has no command that protects a dataset without a storage request.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "agent/client/rest_client.h"
#include "exchange/dataset/dataset_reader.h"
#include "exchange/dataset/dataset_writer.h"
#include "exchange/dataset/repo_dataset_blocks.h"
#include "exchange/erasure/erasure.h"
#include "exchange/erasure/layout.h"
#include "exchange/multiformats/multicodec.h"
#include "tests/agent/support/agent_node.h"
#include "tests/exchange/support/store_test_support.h"
#include "tests/support/require_tool.h"
#include "tests/support/temp_dir.h"

namespace codex {
namespace {

using json = nlohmann::json;
using test::AgentNode;
using namespace std::chrono_literals;

constexpr uint32_t kK = 3, kM = 2;

std::string random_bytes(size_t n, uint32_t seed) {
  std::string s(n, '\0');
  uint32_t x = seed;
  for (auto& c : s) {
    x = x * 1664525u + 1013904223u;
    c = char(x >> 24);
  }
  return s;
}

std::span<const uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Holders beyond the K + M slot holders: the block indices each holds.
using ExtraHolders =
    std::function<std::vector<std::vector<uint64_t>>(const erasure::SteppedLayout&)>;

// Uploads `bytes` into a store of this process, protects it, and writes the
// data directory of holder h (h < K + M) with the protected manifest and the
// blocks (with their leaf proofs) of slot h only, then those of `extra`.
// Returns the manifest CID.
std::string prepare_holders(const std::filesystem::path& root, const std::string& bytes,
                            const ExtraHolders& extra) {
  auto source = store::testing::open_store(root / "source", {});
  DatasetWriter writer(*source);
  writer.write(as_bytes(bytes));
  const Manifest plain = load_manifest(*source, writer.finish());
  RepoDatasetBlocks source_blocks(*source);
  erasure::Erasure ec(source_blocks, {.threads = 2});
  const Manifest prot = ec.encode(plain, {kK, kM});
  const std::string encoded = prot.encode();
  const Cid prot_cid = Cid::sha256_of(multicodec::kManifest, as_bytes(encoded));
  const erasure::SteppedLayout layout({kK, kM}, plain.blocks_count(), plain.block_size);

  std::vector<std::vector<uint64_t>> holders;
  for (uint32_t h = 0; h < kK + kM; ++h)
    holders.push_back(layout.slot_indices(h));
  if (extra)
    for (auto& more : extra(layout))
      holders.push_back(std::move(more));
  for (size_t h = 0; h < holders.size(); ++h) {
    auto holder = store::testing::open_store(root / ("h" + std::to_string(h)), {});
    auto upload = holder->upload();
    upload.hold_tree(prot.tree_cid);
    auto batch = holder->batch();
    for (uint64_t i : holders[h]) {
      if (layout.is_padding(i)) continue;  // zero blocks: never fetched
      const auto leaf = source->get_leaf(prot.tree_cid, i);
      const auto block = source->get_block(leaf.value().block);
      upload.put_block(batch, leaf->block, as_bytes(block.value()));
      batch.put_leaf(prot.tree_cid, i, leaf->block, leaf->proof);
    }
    batch.commit();
    const std::vector<Cid> trees = {prot.tree_cid};
    upload.commit(prot_cid, as_bytes(encoded), trees);
  }
  return prot_cid.to_string();
}

json info(const AgentNode& n) {
  return json::parse(n.client().get("/debug/info"));
}

// Waits until `n` lists exactly `count` identified peers.
void wait_peers(const AgentNode& n, size_t count) {
  json peers;
  for (int i = 0; i < 400; ++i) {
    peers = info(n)["peers"];
    size_t identified = 0;
    for (const auto& p : peers)
      if (!p["agentVersion"].get<std::string>().empty()) ++identified;
    if (identified == count && peers.size() == count) return;
    std::this_thread::sleep_for(50ms);
  }
  FAIL() << "peers: " << peers.dump();
}

class NodeProtectedStream : public ::testing::Test {
 protected:
  void SetUp() override {
    CODEX_REQUIRE_TOOL(testing::executable(test::agent_binary()), "codex-agent (not built)");
    // 82 blocks of 64 KiB (the last partial): 28 steps, 2 padding
    // positions, two stream windows.
    bytes_ = random_bytes((81 << 16) + 4464, 21);
    size_t count = kK + kM;
    cid_ = prepare_holders(dir_.path(), bytes_, [&](const erasure::SteppedLayout& layout) {
      auto more = extra_holders(layout);
      count += more.size();
      return more;
    });
    alive_ = count;
    for (size_t h = 0; h < count; ++h)
      holders_.push_back(std::make_unique<AgentNode>(dir_.path() / ("h" + std::to_string(h))));
    // The downloader knows every holder; few attempts per block, so that
    // a block nobody has counts as lost after seconds.
    std::vector<std::string> args = {"--block-retries", "3"};
    for (const auto& h : holders_) {
      args.push_back("--bootstrap-node");
      args.push_back(json::parse(h->client().get("/spr"))["spr"]);
    }
    downloader_ = std::make_unique<AgentNode>(dir_.path() / "d", args);
    wait_peers(*downloader_, alive_);
  }

  virtual std::vector<std::vector<uint64_t>> extra_holders(const erasure::SteppedLayout&) {
    return {};
  }

  void kill_holders(const std::vector<uint32_t>& which) {
    for (uint32_t h : which)
      holders_[h]->stop(SIGKILL);
    alive_ -= which.size();
    wait_peers(*downloader_, alive_);
  }

  testing::TempDir dir_;
  std::string bytes_, cid_;
  std::vector<std::unique_ptr<AgentNode>> holders_;
  std::unique_ptr<AgentNode> downloader_;
  size_t alive_ = 0;
};

TEST_F(NodeProtectedStream, TwoHoldersDownTheStreamDecodesTheirBlocks) {
  // Slots 0 and 2 are data: a third of the original blocks is served by
  // nobody and must be decoded from slot 1 and the two parity slots.
  kill_holders({0, 2});
  httplib::Client cli("127.0.0.1", downloader_->port());
  cli.set_read_timeout(120, 0);
  const auto started = std::chrono::steady_clock::now();
  const auto res = cli.Get(("/api/codex/v1/data/" + cid_ + "/network/stream").c_str());
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body.substr(0, 300);
  EXPECT_EQ(res->body.size(), bytes_.size());
  EXPECT_TRUE(res->body == bytes_) << "the bytes differ";
  EXPECT_LT(std::chrono::steady_clock::now() - started, 90s);
}

TEST_F(NodeProtectedStream, WithAllDataHoldersUpNothingIsDecoded) {
  // Only parity holders are gone: the data slots serve everything.
  kill_holders({3, 4});
  const std::string got = downloader_->client().get("/data/" + cid_ + "/network/stream");
  EXPECT_TRUE(got == bytes_) << "the bytes differ";
}

TEST_F(NodeProtectedStream, ThreeHoldersDownTheStreamFailsClearly) {
  // Two of five blocks per step remain, fewer than K = 3.
  kill_holders({0, 1, 3});
  httplib::Client cli("127.0.0.1", downloader_->port());
  cli.set_read_timeout(120, 0);
  const auto started = std::chrono::steady_clock::now();
  const auto res = cli.Get(("/api/codex/v1/data/" + cid_ + "/network/stream").c_str());
  ASSERT_TRUE(res) << "no answer";
  EXPECT_EQ(res->status, 404);
  EXPECT_NE(res->body.find("Not enough blocks on the network to decode"), std::string::npos)
      << res->body;
  EXPECT_NE(res->body.find("at most M=2 can be recovered"), std::string::npos) << res->body;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 90s);
  // The node is still up and answers.
  EXPECT_FALSE(info(*downloader_)["id"].get<std::string>().empty());
  // A holder of parity still serves the manifest: the failure was the data.
  const json m = json::parse(downloader_->client().get("/data/" + cid_ + "/network/manifest"));
  EXPECT_EQ(m["manifest"]["protected"], true);
}

TEST_F(NodeProtectedStream, ABackgroundDownloadStoresTheOriginalDecodingWhereNeeded) {
  kill_holders({1, 4});
  httplib::Client cli("127.0.0.1", downloader_->port());
  cli.set_read_timeout(60, 0);
  const auto posted =
      cli.Post(("/api/codex/v1/data/" + cid_ + "/network").c_str(), "", "application/octet-stream");
  ASSERT_TRUE(posted);
  ASSERT_EQ(posted->status, 200) << posted->body;
  EXPECT_EQ(json::parse(posted->body)["manifest"]["protected"], true);
  // Until the download is complete a local read is a 404 or cut short.
  std::string local;
  for (int i = 0; i < 1200 && local != bytes_; ++i) {
    try {
      local = downloader_->client().get("/data/" + cid_);
    } catch (const std::exception&) {
      std::this_thread::sleep_for(100ms);
    }
  }
  ASSERT_TRUE(local == bytes_) << "the local bytes differ (" << local.size() << " bytes)";
  // It is local now: with every holder gone it still reads.
  kill_holders({0, 2, 3});
  EXPECT_TRUE(downloader_->client().get("/data/" + cid_) == bytes_);
}

TEST_F(NodeProtectedStream, ANodeStopsCleanlyDuringABackgroundDownload) {
  // Its download is waiting for blocks nobody has when SIGTERM comes: the
  // node ends it after the window in flight, then stops its network.
  kill_holders({0, 2});
  httplib::Client cli("127.0.0.1", downloader_->port());
  const auto posted =
      cli.Post(("/api/codex/v1/data/" + cid_ + "/network").c_str(), "", "application/octet-stream");
  ASSERT_TRUE(posted);
  ASSERT_EQ(posted->status, 200) << posted->body;
  const auto started = std::chrono::steady_clock::now();
  const int status = downloader_->stop(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "wait status " << status;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 30s);
}

// One more holder: the first parity block (position K) of steps 0–7, the
// steps whose slot-2 blocks are in the first stream window.
class NodeProtectedStreamWithHelper : public NodeProtectedStream {
 protected:
  std::vector<std::vector<uint64_t>> extra_holders(const erasure::SteppedLayout& l) override {
    std::vector<uint64_t> helper;
    for (uint64_t step = 0; step < 8; ++step)
      helper.push_back(l.index(step, kK));
    return {helper};
  }
};

TEST_F(NodeProtectedStreamWithHelper, AWindowLostAfterTheStreamStartedCutsTheStream) {
  // Slots 2, 3 and 4 are gone: the first window's blocks of slot 2 (steps
  // 0–7) are decoded with the helper's parity; the second window is slot 2's
  // blocks of steps 8–25, which slots 0 and 1 alone cannot recover. The
  // node answers 200 and then cuts the stream: never bytes that are not
  // the dataset's.
  kill_holders({2, 3, 4});
  httplib::Client cli("127.0.0.1", downloader_->port());
  cli.set_read_timeout(120, 0);
  std::string got;
  const auto res = cli.Get(("/api/codex/v1/data/" + cid_ + "/network/stream").c_str(),
                           [&](const char* data, size_t n) {
                             got.append(data, n);
                             return true;
                           });
  EXPECT_LT(got.size(), bytes_.size());
  EXPECT_GE(got.size(), size_t(64) << 16) << "the first window did not arrive";
  EXPECT_TRUE(got == bytes_.substr(0, got.size())) << "the bytes that arrived differ";
  EXPECT_FALSE(res && res->body.size() == bytes_.size());
  // The node is still up and answers.
  EXPECT_FALSE(info(*downloader_)["id"].get<std::string>().empty());
}

}  // namespace
}  // namespace codex
