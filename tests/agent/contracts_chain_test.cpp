// The contracts on a real anvil (contracts-abi/test/chain-test.mjs) and the
// devnet script (scripts/devnet-chain: anvil + `codex-agent chain deploy`):
// reference addresses and configuration, detach, stop, SIGTERM, no process
// left behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>

#include "tests/agent/support/anvil.h"
#include "tests/support/require_tool.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kSource = CODEX_SOURCE_DIR;
// The scripts deploy with this build's codex-agent.
const std::string kAgent = std::string(CODEX_BINARY_DIR) + "/agent/codex-agent";

bool have_tools() {
  return codex::testing::node_runs() && codex::testing::executable(codex::test::anvil_binary()) &&
         codex::testing::executable(kAgent);
}
const std::string kTools = "node, anvil ($CODEX_ANVIL or node_modules/.bin/anvil) or " + kAgent;

// Alive and not a zombie (an orphan may wait for a reaper).
bool running(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!stat || !std::getline(stat, text)) return false;
  auto close = text.rfind(')');
  return close != std::string::npos && close + 2 < text.size() && text[close + 2] != 'Z';
}

bool wait_gone(pid_t pid, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (running(pid)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// A scratch directory; kills an anvil it still knows of on the way out, so a
// failed test leaves no process behind.
struct Scratch {
  fs::path dir;
  pid_t anvil = 0;
  Scratch() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "codex-devnet-test-XXXXXX").string();
    dir = mkdtemp(tmpl.data());
  }
  ~Scratch() {
    if (anvil > 0 && running(anvil)) {
      ::kill(anvil, SIGKILL);
      wait_gone(anvil, std::chrono::seconds(5));
    }
    fs::remove_all(dir);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
};

json read_json(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return json::parse(s.str());
}

// The local chain's Groth16Verifier key (configs/) is the reference example's
// key of the vectors (tests/data/README.md): one file, kept in two places.
TEST(ContractsChain, DevnetVerificationKeyIsTheVectorsKey) {
  std::ifstream a(kSource + "/configs/verification_key_hardhat.json");
  std::ifstream b(kSource + "/tests/data/codex-example/verification_key_hardhat.json");
  std::stringstream sa, sb;
  sa << a.rdbuf();
  sb << b.rdbuf();
  EXPECT_FALSE(sa.str().empty());
  EXPECT_EQ(sa.str(), sb.str());
}

TEST(ContractsChain, ContractsBehaveOnAnvil) {
  CODEX_REQUIRE_TOOL(have_tools(), kTools);
  std::string cmd = "cd '" + kSource + "' && CODEX_AGENT='" + kAgent +
                    "' timeout -k 5 90 node contracts-abi/test/chain-test.mjs";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << "see the chain-test output above";
}

TEST(ContractsChain, DetachedDevnetStopsCleanly) {
  CODEX_REQUIRE_TOOL(have_tools(), kTools);
  Scratch s;
  auto out = s.dir / "devnet.json";
  auto pid_file = s.dir / "devnet.pid";
  std::string start = "cd '" + kSource + "' && CODEX_AGENT='" + kAgent +
                      "' timeout -k 5 60 scripts/devnet-chain --detach --preset reference --out '" +
                      out.string() + "' --pid-file '" + pid_file.string() + "' > /dev/null";
  ASSERT_EQ(std::system(start.c_str()), 0);
  json devnet = read_json(out);
  s.anvil = devnet.at("anvilPid").get<pid_t>();
  EXPECT_TRUE(running(s.anvil));
  EXPECT_EQ(devnet.at("rpcUrl").get<std::string>().rfind("http://127.0.0.1:", 0), 0u);
  EXPECT_EQ(devnet.at("chainId"), 31337);
  // the reference deployment order reproduces the reference node's addresses (spec §13.3)
  EXPECT_EQ(devnet.at("contracts").at("token"), "0x5fbdb2315678afecb367f032d93f642f64180aa3");
  EXPECT_EQ(devnet.at("contracts").at("marketplace"), "0x322813fd9a801c5507c9de605d63cea4f2ce6c44");
  EXPECT_EQ(devnet.at("contracts").at("testMarketplace"),
            "0xa85233c63b9ee964add6f2cffe00fd84eb32338f");
  EXPECT_EQ(devnet.at("marketplace"), devnet.at("contracts").at("marketplace"));
  EXPECT_EQ(devnet.at("configuration").at("proofs").at("period"), 120);
  ASSERT_EQ(devnet.at("accounts").size(), 20u);
  EXPECT_EQ(devnet.at("accounts")[0].at("address"), "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
  EXPECT_GT(devnet.at("deployBlock").get<int>(), 256);
  // configuration() of the reference preset returns the vectors' bytes (spec §3.3)
  codex::eth::HttpRpcClient rpc({devnet.at("rpcUrl").get<std::string>()});
  json call = {{"to", devnet.at("marketplace")}, {"data", "0x6c70bee9"}};  // configuration()
  EXPECT_EQ(rpc.call("eth_call", json::array({call, "latest"})),
            read_json(kSource + "/tests/data/codex-abi-vectors.json")
                .at("configurationReturnData")
                .get<std::string>());

  std::string stop = "cd '" + kSource + "' && scripts/devnet-chain stop --pid-file '" +
                     pid_file.string() + "' > /dev/null";
  ASSERT_EQ(std::system(stop.c_str()), 0);
  EXPECT_TRUE(wait_gone(s.anvil, std::chrono::seconds(5)));
  EXPECT_FALSE(fs::exists(pid_file));
}

// Starts scripts/devnet-chain in the foreground with a TestVerifier; returns
// the node pid once the devnet file is written (fails the test otherwise).
pid_t start_foreground(Scratch& s, const fs::path& out) {
  std::string script = kSource + "/scripts/devnet-chain";
  ::setenv("CODEX_AGENT", kAgent.c_str(), 1);
  std::string out_arg = out.string();
  std::string pid_arg = (s.dir / "devnet.pid").string();
  const char* argv[] = {script.c_str(), "--test-verifier", "--out", out_arg.c_str(),
                        "--pid-file",   pid_arg.c_str(),   nullptr};
  pid_t node = 0;
  if (posix_spawn(&node, script.c_str(), nullptr, nullptr, const_cast<char**>(argv), environ) != 0)
    return 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(out) && std::chrono::steady_clock::now() < deadline) {
    if (waitpid(node, nullptr, WNOHANG) == node) return 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (!fs::exists(out)) {
    ::kill(node, SIGKILL);
    waitpid(node, nullptr, 0);
    return 0;
  }
  s.anvil = read_json(out).at("anvilPid").get<pid_t>();
  return node;
}

TEST(ContractsChain, ForegroundDevnetStopsOnSigterm) {
  CODEX_REQUIRE_TOOL(have_tools(), kTools);
  Scratch s;
  auto out = s.dir / "devnet.json";
  pid_t node = start_foreground(s, out);
  ASSERT_NE(node, 0) << "devnet-chain did not start";
  json devnet = read_json(out);
  EXPECT_EQ(devnet.at("verifier"), "TestVerifier");
  EXPECT_EQ(devnet.at("marketplace"), devnet.at("contracts").at("testMarketplace"));
  EXPECT_TRUE(running(s.anvil));

  ::kill(node, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(node, &status, 0), node);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_TRUE(wait_gone(s.anvil, std::chrono::seconds(5))) << "anvil left running";
  EXPECT_FALSE(fs::exists(out)) << "devnet file of a stopped chain left behind";
}

// Even a SIGKILL of the script takes anvil down (parent-death signal).
TEST(ContractsChain, ForegroundDevnetDiesWithItsScript) {
  CODEX_REQUIRE_TOOL(have_tools(), kTools);
  CODEX_REQUIRE_TOOL(fs::exists("/usr/bin/setpriv"), "/usr/bin/setpriv (util-linux)");
  Scratch s;
  pid_t node = start_foreground(s, s.dir / "devnet.json");
  ASSERT_NE(node, 0) << "devnet-chain did not start";
  ::kill(node, SIGKILL);
  waitpid(node, nullptr, 0);
  EXPECT_TRUE(wait_gone(s.anvil, std::chrono::seconds(5))) << "anvil outlived its script";
}

}  // namespace
