// Block exchange against an independent implementation: a js-libp2p peer
// (tests/interop/blockexc_fetch.mjs) dials our node, sends a WantBlock built
// with protons-runtime's protobuf writer, receives the delivery on the
// stream our engine opens back, and checks the block against its CID with
// node:crypto's SHA-256.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/hex.h"
#include "exchange/crypto/sha256.h"
#include "tests/exchange/support/blockexc_nodes.h"
#include "tests/exchange/support/js_peer.h"
#include "tests/support/child_process.h"
#include "tests/support/require_tool.h"

namespace codex::net::blockexc {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
using namespace testing;

std::vector<json> events(const std::string& log, const std::string& kind) {
  return test::js_events(log, kind);
}

using test::read_log;

class BlockexcJsInterop : public ::testing::TestWithParam<std::string> {};

TEST_P(BlockexcJsInterop, JsPeerFetchesABlockFromUs) {
  CODEX_REQUIRE_TOOL(
      codex::testing::node_runs() &&
          std::filesystem::exists(std::string(CODEX_SOURCE_DIR) + "/node_modules/libp2p"),
      "node and node_modules/libp2p (npm ci)");
  const Dataset d = make_dataset(3, 65536, 42);
  Node ours;
  store_dataset(*ours.store, d, 0, 3);
  const std::string log = (ours.dir.path() / "js.log").string();
  const std::string addr = ours.network->addresses().at(0).with_peer_id(ours.key.id()).to_string();
  auto js = test::start_js_peer(
      "blockexc_fetch.mjs", {"--dial", addr, "--cid", d.cids[1].to_string(), "--muxer", GetParam()},
      log);
  ASSERT_EQ(js->wait_exit(60s), 0) << read_log(log);
  const auto blocks = events(log, "block");
  ASSERT_EQ(blocks.size(), 1u) << read_log(log);
  const auto digest = sha256({reinterpret_cast<const uint8_t*>(d.blocks[1].data()), 65536});
  EXPECT_EQ(blocks[0]["cid"], d.cids[1].to_string());
  EXPECT_EQ(blocks[0]["addressCid"], d.cids[1].to_string());
  EXPECT_EQ(blocks[0]["size"], 65536);
  EXPECT_EQ(blocks[0]["sha256"], base::to_hex(digest, false));
  EXPECT_EQ(blocks[0]["cidMatchesData"], true);
  EXPECT_EQ(ours.stats().blocks_sent, 1u);
}

INSTANTIATE_TEST_SUITE_P(Muxers, BlockexcJsInterop, ::testing::Values("yamux", "mplex"));

}  // namespace
}  // namespace codex::net::blockexc
