// Nodes on loopback find each other: bootstrap by signed peer record,
// /connect with addresses, /spr and /peerid, /debug/info's peers, the peer
// limit, and every bad input of these endpoints and options.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "agent/client/rest_client.h"
#include "tests/agent/support/agent_node.h"
#include "tests/support/require_tool.h"
#include "tests/support/temp_dir.h"

namespace codex {
namespace {

using json = nlohmann::json;
using test::AgentNode;
using namespace std::chrono_literals;

json info(const AgentNode& n) {
  return json::parse(n.client().get("/debug/info"));
}

// Waits until `n` lists `count` peers (identified: agent version known).
json wait_peers(const AgentNode& n, size_t count) {
  json peers;
  for (int i = 0; i < 200; ++i) {
    peers = info(n)["peers"];
    size_t identified = 0;
    for (const auto& p : peers)
      if (!p["agentVersion"].get<std::string>().empty()) ++identified;
    if (identified == count && peers.size() == count) return peers;
    std::this_thread::sleep_for(50ms);
  }
  ADD_FAILURE() << "peers: " << peers.dump();
  return peers;
}

long status_of(const AgentNode& n, const std::string& path) {
  try {
    n.client().get(path);
    return 200;
  } catch (const agent::HttpError& e) {
    return e.status();
  }
}

class NodeNetwork : public ::testing::Test {
 protected:
  void SetUp() override {
    CODEX_REQUIRE_TOOL(testing::executable(test::agent_binary()), "codex-agent (not built)");
  }
  testing::TempDir dir_;
};

TEST_F(NodeNetwork, BootstrapBySprThenConnectByAddress) {
  AgentNode a(dir_.path() / "a");
  const std::string spr = json::parse(a.client().get("/spr"))["spr"];
  ASSERT_EQ(spr.rfind("spr:", 0), 0u) << spr;
  AgentNode b(dir_.path() / "b", {"--bootstrap-node", spr, "--agent-string", "node-b"});
  AgentNode c(dir_.path() / "c", {"--bootstrap-node", spr});

  const json peers_of_a = wait_peers(a, 2);
  std::set<std::string> agents;
  for (const auto& p : peers_of_a) {
    agents.insert(p["agentVersion"].get<std::string>());
    EXPECT_EQ(p["direction"], "inbound");
  }
  EXPECT_EQ(agents, (std::set<std::string>{"Codex", "node-b"}));
  const json b_peers = wait_peers(b, 1);
  EXPECT_EQ(b_peers[0]["peerId"], info(a)["id"]);
  EXPECT_EQ(b_peers[0]["listenAddrs"], info(a)["addrs"]);

  // B dials C by the address C announces.
  const json ci = info(c);
  const std::string c_id = ci["id"];
  const std::string c_addr = ci["addrs"][0];
  EXPECT_EQ(b.client().get("/connect/" + c_id + "?addrs=" + c_addr),
            "Successfully connected to peer");
  wait_peers(b, 2);
  // Connecting again reuses the connection.
  EXPECT_EQ(b.client().get("/connect/" + c_id + "?addrs=" + c_addr),
            "Successfully connected to peer");
  EXPECT_EQ(info(b)["peers"].size(), 2u);
}

TEST_F(NodeNetwork, SprAndPeerIdInJsonAndText) {
  AgentNode a(dir_.path() / "a");
  const json i = info(a);
  EXPECT_EQ(json::parse(a.client().get("/peerid"))["id"], i["id"]);
  EXPECT_EQ(json::parse(a.client().get("/spr"))["spr"], i["spr"]);
  ASSERT_EQ(i["addrs"].size(), 1u);
  EXPECT_EQ(i["addrs"][0].get<std::string>().rfind("/ip4/127.0.0.1/tcp/", 0), 0u);
}

TEST_F(NodeNetwork, BadConnectRequestsAnswer400) {
  AgentNode a(dir_.path() / "a");
  AgentNode b(dir_.path() / "b");
  const std::string b_id = info(b)["id"];
  const std::string a_id = info(a)["id"];
  // Not a peer id, a bad address, an address of another peer, nobody there,
  // no address and none known.
  EXPECT_EQ(status_of(a, "/connect/not-a-peer-id"), 400);
  EXPECT_EQ(status_of(a, "/connect/" + b_id + "?addrs=/ip4/999.0.0.1/tcp/1"), 400);
  EXPECT_EQ(status_of(a, "/connect/" + b_id + "?addrs=/ip4/127.0.0.1/tcp/1/p2p/" + a_id), 400);
  EXPECT_EQ(status_of(a, "/connect/" + b_id + "?addrs=/ip4/127.0.0.1/tcp/1"), 400);
  EXPECT_EQ(status_of(a, "/connect/" + b_id), 400);
  // The wrong peer at the address: the noise handshake proves who answers.
  const std::string a_addr = info(a)["addrs"][0];
  EXPECT_EQ(status_of(b, "/connect/" + b_id + "?addrs=" + a_addr), 400);
  // Nothing above hurt the node.
  EXPECT_EQ(status_of(a, "/peerid"), 200);
}

TEST_F(NodeNetwork, MaxPeersRefusesTheNextPeer) {
  AgentNode a(dir_.path() / "a", {"--max-peers", "1"});
  AgentNode b(dir_.path() / "b");
  AgentNode c(dir_.path() / "c");
  const json ai = info(a);
  const std::string a_id = ai["id"];
  const std::string a_addr = ai["addrs"][0];
  EXPECT_EQ(status_of(b, "/connect/" + a_id + "?addrs=" + a_addr), 200);
  wait_peers(a, 1);
  // C's handshake completes, then A closes the connection: C ends up without A.
  c.client().get("/connect/" + a_id + "?addrs=" + a_addr);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(info(a)["peers"].size(), 1u);
  EXPECT_EQ(info(c)["peers"].size(), 0u);
}

TEST_F(NodeNetwork, BadNetworkOptionsStopTheNodeWithAMessage) {
  for (const std::vector<std::string>& bad :
       {std::vector<std::string>{"--listen-addrs", "/ip4/127.0.0.1/udp/5"},
        std::vector<std::string>{"--listen-addrs", "garbage"},
        std::vector<std::string>{"--max-peers", "0"},
        std::vector<std::string>{"--max-peers", "-3"}}) {
    testing::TempDir d;
    std::vector<std::string> argv = {test::agent_binary(),      "node", "-d",
                                     (d.path() / "n").string(), "-p",   "0"};
    argv.insert(argv.end(), bad.begin(), bad.end());
    const std::string log = (d.path() / "log").string();
    test::ChildProcess p(argv, log);
    const int status = p.wait_exit(20s);
    ASSERT_NE(status, -1) << bad[0] << " " << bad[1] << ": the node kept running";
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0) << bad[0] << " " << bad[1];
  }
}

TEST_F(NodeNetwork, ATakenPeerPortStopsTheSecondNode) {
  AgentNode a(dir_.path() / "a");
  const std::string a_addr = info(a)["addrs"][0];
  std::vector<std::string> argv = {
      test::agent_binary(), "node", "-d", (dir_.path() / "b").string(), "-p", "0",
      "--listen-addrs",     a_addr};
  test::ChildProcess p(argv, (dir_.path() / "b.log").string());
  const int status = p.wait_exit(20s);
  ASSERT_NE(status, -1) << "the second node kept running";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0);
}

}  // namespace
}  // namespace codex
