// Our libp2p stack against an independent implementation: js-libp2p (pinned
// in package.json) dials our Network and is dialled by it, over noise with
// yamux and with mplex, with secp256k1 and Ed25519 identities; identify and
// ping both ways, and the signed peer record each side sends.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "exchange/net/multiaddr.h"
#include "exchange/net/network.h"
#include "exchange/net/node_key.h"
#include "tests/exchange/support/js_peer.h"
#include "tests/support/child_process.h"
#include "tests/support/require_tool.h"
#include "tests/support/temp_dir.h"

namespace codex::net {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

using test::js_events;
using test::read_log;

bool js_libp2p_installed() {
  return test::js_package_installed("libp2p");
}

std::vector<json> of_kind(const std::vector<json>& all, const std::string& kind) {
  std::vector<json> out;
  for (const auto& e : all)
    if (e.value("event", "") == kind) out.push_back(e);
  return out;
}

std::unique_ptr<test::ChildProcess> start_js(std::vector<std::string> args,
                                             const std::string& log) {
  return test::start_js_peer("libp2p_peer.mjs", std::move(args), log);
}

struct Ours {
  explicit Ours(const std::filesystem::path& dir, std::vector<std::string> muxers = {})
      : key(NodeKey::load_or_create(dir / "key")) {
    NetworkConfig c;
    c.listen.push_back(Multiaddr::parse("/ip4/127.0.0.1/tcp/0"));
    c.agent_version = "codex-interop-test";
    if (!muxers.empty()) c.muxers = muxers;
    network = std::make_unique<Network>(key, std::move(c));
  }
  std::string dial_address() const {
    return network->addresses().at(0).with_peer_id(key.id()).to_string();
  }
  NodeKey key;
  std::unique_ptr<Network> network;
};

struct Case {
  std::string muxer;  // "yamux" | "mplex"
  std::string key;    // js identity: "secp256k1" | "ed25519"
};

std::string muxer_id(const std::string& m) {
  return m == "mplex" ? "/mplex/6.7.0" : "/yamux/1.0.0";
}

class JsInterop : public ::testing::TestWithParam<Case> {};

TEST_P(JsInterop, JsDialsUsPingsAndIdentifiesUs) {
  CODEX_REQUIRE_TOOL(js_libp2p_installed(), "node and node_modules/libp2p (npm ci)");
  testing::TempDir dir;
  Ours ours(dir.path());
  const std::string log = (dir.path() / "js.log").string();
  auto js = start_js({"--dial", ours.dial_address(), "--muxer", GetParam().muxer, "--key",
                      GetParam().key, "--pings", "3"},
                     log);
  const int status = js->wait_exit(60s);
  ASSERT_EQ(status, 0) << read_log(log);
  const auto all = js_events(log);
  const auto connected = of_kind(all, "connected");
  ASSERT_EQ(connected.size(), 1u) << read_log(log);
  EXPECT_EQ(connected[0]["peer"], ours.key.peer_id());
  EXPECT_EQ(connected[0]["muxer"], muxer_id(GetParam().muxer));
  EXPECT_EQ(connected[0]["encryption"], "/noise");
  EXPECT_EQ(of_kind(all, "ping").size(), 3u) << read_log(log);
  const auto identify = of_kind(all, "identify");
  ASSERT_FALSE(identify.empty()) << read_log(log);
  const auto& id = identify.back();
  EXPECT_EQ(id["peer"], ours.key.peer_id());
  EXPECT_EQ(id["agentVersion"], "codex-interop-test");
  EXPECT_EQ(id["protocolVersion"], "ipfs/0.1.0");
  const auto protocols = id["protocols"].get<std::vector<std::string>>();
  EXPECT_NE(std::find(protocols.begin(), protocols.end(), "/ipfs/ping/1.0.0"), protocols.end());
  EXPECT_NE(std::find(protocols.begin(), protocols.end(), "/ipfs/id/1.0.0"), protocols.end());
  // js verified our signed peer record and read our address from it.
  ASSERT_TRUE(id["signedPeerRecord"].is_object()) << id.dump();
  EXPECT_EQ(id["signedPeerRecord"]["addresses"][0], ours.network->addresses().at(0).to_string());
}

TEST_P(JsInterop, WeDialJsPingAndIdentifyIt) {
  CODEX_REQUIRE_TOOL(js_libp2p_installed(), "node and node_modules/libp2p (npm ci)");
  testing::TempDir dir;
  // Offer only the muxer under test, so that it is the one used.
  Ours ours(dir.path(), {muxer_id(GetParam().muxer)});
  const std::string log = (dir.path() / "js.log").string();
  auto js = start_js({"--listen", "--muxer", GetParam().muxer, "--key", GetParam().key}, log);
  json listening;
  for (int i = 0; i < 300 && listening.is_null(); ++i) {
    const auto l = of_kind(js_events(log), "listening");
    if (!l.empty())
      listening = l[0];
    else
      std::this_thread::sleep_for(50ms);
  }
  ASSERT_FALSE(listening.is_null()) << read_log(log);
  const auto js_addr = Multiaddr::parse(listening["addrs"][0].get<std::string>());
  const PeerId js_peer = PeerId::parse(listening["peer"].get<std::string>());

  EXPECT_EQ(ours.network->connect(std::nullopt, {js_addr}), js_peer);
  for (int i = 0; i < 3; ++i)
    EXPECT_LT(ours.network->ping(js_peer), 5s);

  // Our identify of the js peer, and its identify of us.
  PeerSummary seen{js_peer, "", false, "", "", {}, {}};
  for (int i = 0; i < 200 && seen.agent_version.empty(); ++i) {
    for (const auto& p : ours.network->peers())
      if (p.id == js_peer) seen = p;
    if (seen.agent_version.empty()) std::this_thread::sleep_for(25ms);
  }
  EXPECT_EQ(seen.agent_version, "js-interop");
  EXPECT_EQ(seen.muxer, muxer_id(GetParam().muxer));
  EXPECT_TRUE(seen.outbound);
  EXPECT_NE(std::find(seen.protocols.begin(), seen.protocols.end(), "/ipfs/ping/1.0.0"),
            seen.protocols.end());
  ASSERT_FALSE(seen.listen_addrs.empty());
  EXPECT_EQ(seen.listen_addrs[0], js_addr.without_peer_id().to_string());

  std::vector<json> theirs;
  for (int i = 0; i < 200 && theirs.empty(); ++i) {
    theirs = of_kind(js_events(log), "identify");
    if (theirs.empty()) std::this_thread::sleep_for(25ms);
  }
  ASSERT_FALSE(theirs.empty()) << read_log(log);
  EXPECT_EQ(theirs.back()["peer"], ours.key.peer_id());
  EXPECT_EQ(theirs.back()["agentVersion"], "codex-interop-test");
}

INSTANTIATE_TEST_SUITE_P(NoiseMuxers, JsInterop,
                         ::testing::Values(Case{"yamux", "secp256k1"}, Case{"mplex", "secp256k1"},
                                           Case{"yamux", "ed25519"}, Case{"mplex", "ed25519"}),
                         [](const auto& info) { return info.param.muxer + "_" + info.param.key; });

}  // namespace
}  // namespace codex::net
