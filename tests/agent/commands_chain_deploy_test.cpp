// `codex-agent chain deploy` (agent/commands/chain_command.cpp): on a fresh
// anvil it deploys in the reference order (the reference node's addresses for
// chain 31337, spec marketplace.md §13.3) and writes the devnet file; every bad
// input (preset, keys, verification key, token address, RPC URL, a used
// account) ends with a clear error and a non-zero exit, before anything is sent.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tests/agent/support/anvil.h"
#include "tests/prover/support/shell.h"
#include "tests/support/require_tool.h"
#include "tests/support/temp_dir.h"

namespace codex::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using prover::test_support::read_file;
using prover::test_support::run_shell;
using prover::test_support::ShellResult;

const std::string kAgent = std::string(CODEX_BINARY_DIR) + "/agent/codex-agent";
const std::string kSource = CODEX_SOURCE_DIR;
const std::string kVerificationKey = kSource + "/configs/verification_key_hardhat.json";

class ChainDeploy : public ::testing::Test {
 protected:
  void SetUp() override {
    CODEX_REQUIRE_TOOL(codex::testing::executable(kAgent), kAgent << " (not built)");
    keys_ = write("keys", some_keys(20));
    preset_ = kSource + "/configs/chain-devnet.json";
  }

  // n valid keys (secrets 1..n), with a comment and a blank line.
  static std::string some_keys(int n) {
    std::string text = "# test keys\n\n";
    for (int i = 1; i <= n; ++i) {
      std::string hex = std::to_string(i / 10) + std::to_string(i % 10);
      text += "0x" + std::string(62, '0') + hex + "\n";
    }
    return text;
  }

  std::string write(const std::string& name, const std::string& text,
                    fs::perms perms = fs::perms::owner_read | fs::perms::owner_write) {
    std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    fs::permissions(path, perms);
    return path;
  }

  // Runs `chain deploy` with the good options, each replaced by `overrides`
  // ("--option", "value"; a value of "" drops the option).
  ShellResult deploy(const std::string& rpc_url,
                     const std::vector<std::pair<std::string, std::string>>& overrides = {},
                     const std::string& extra = "") {
    std::vector<std::pair<std::string, std::string>> opts = {
        {"--rpc-url", rpc_url},
        {"--preset", preset_},
        {"--keys", keys_},
        {"--verification-key", kVerificationKey},
        {"--out", out()}};
    for (const auto& [k, v] : overrides) {
      bool found = false;
      for (auto& o : opts)
        if (o.first == k) o.second = v, found = true;
      if (!found) opts.emplace_back(k, v);
    }
    std::string cmd = "'" + kAgent + "' chain deploy";
    for (const auto& [k, v] : opts)
      if (!v.empty()) cmd += " " + k + " '" + v + "'";
    return run_shell(cmd + " " + extra);
  }

  std::string out() const { return (dir_ / "devnet.json").string(); }

  // An RPC URL nothing listens on.
  static std::string closed_url() { return "http://127.0.0.1:" + std::to_string(free_port()); }

  codex::testing::TempDir dir_{"codex-chain-deploy"};
  std::string keys_, preset_;
};

// Fails the test unless the command failed with `message` in its output.
void expect_error(const ShellResult& r, const std::string& message) {
  EXPECT_NE(r.status, 0) << r.output;
  EXPECT_NE(r.output.find(message), std::string::npos) << "expected \"" << message << "\" in:\n"
                                                       << r.output;
}

TEST_F(ChainDeploy, BadInputsFailClearlyBeforeAnythingIsSent) {
  const std::string url = closed_url();  // reached only once every input is good
  expect_error(deploy(url, {{"--preset", (dir_ / "missing.json").string()}}),
               "missing.json: cannot read");
  expect_error(deploy(url, {{"--preset", write("notjson.json", "{ marketplace")}}), "not JSON");
  expect_error(deploy(url, {{"--preset", write("empty.json", "{}")}}), "not a chain preset");
  json preset = json::parse(read_file(preset_));
  preset["marketplace"]["proofs"]["period"] = "ten";
  expect_error(deploy(url, {{"--preset", write("badfield.json", preset.dump())}}), "period");
  preset = json::parse(read_file(preset_));
  preset["token"]["mintPerAccount"] = "1e15";
  expect_error(deploy(url, {{"--preset", write("badmint.json", preset.dump())}}), "mintPerAccount");
  preset = json::parse(read_file(preset_));
  preset["token"]["accounts"] = 21;
  expect_error(deploy(url, {{"--preset", write("manymints.json", preset.dump())}}),
               "mints to 21 accounts, the keys file has 20");

  expect_error(deploy(url, {{"--keys", write("shared-keys", some_keys(20),
                                             fs::perms::owner_read | fs::perms::group_read)}}),
               "readable or writable by group or others");
  expect_error(deploy(url, {{"--keys", write("bad-keys", std::string(kDevKeys[0]) + "\nzz\n")}}),
               "line 2 is not a private key");
  expect_error(deploy(url, {{"--keys", write("no-keys", "# nothing\n")}}), "no keys");
  expect_error(deploy(url, {{"--verification-key", (dir_ / "vk.json").string()}}),
               "vk.json: cannot read");
  expect_error(deploy(url, {{"--verification-key", write("vk-bad.json", R"({"protocol":1})")}}),
               "verification key " + (dir_ / "vk-bad.json").string() + ": ");
  expect_error(deploy(url, {{"--token", "0x1234"}}), "--token");
  expect_error(deploy(url, {{"--token", "0x5FBdb2315678afecb367f032d93F642f64180aa3"}}),
               "--token");  // mixed case with a wrong checksum
  expect_error(deploy("ftp://127.0.0.1:1"), "--rpc-url: not an http(s) URL");
  expect_error(deploy(url, {{"--rpc-url", ""}}), "--rpc-url is required");
  expect_error(deploy(url), "cannot reach the chain at " + url);
  EXPECT_FALSE(fs::exists(out()));
}

// The reference order on a fresh anvil with its 20 dev accounts: addresses,
// mints, the devnet file (private: it holds keys); a second run finds the
// deployer's nonce used and stops.
TEST_F(ChainDeploy, DeploysInTheReferenceOrder) {
  CODEX_REQUIRE_TOOL(codex::testing::executable(anvil_binary()), "anvil at " << anvil_binary());
  const std::string config = (dir_ / "anvil.json").string();
  Anvil anvil({"--chain-id", "31337", "--accounts", "20", "--config-out", config});
  json accounts;  // anvil writes --config-out once it serves: wait for it
  for (int i = 0; i < 100 && !accounts.contains("private_keys"); ++i) {
    accounts = json::parse(fs::exists(config) ? read_file(config) : "", nullptr, false);
    if (!accounts.contains("private_keys"))
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(accounts.value("private_keys", json::array()).size(), 20u);
  std::string keys;
  for (const auto& k : accounts.at("private_keys"))
    keys += k.get<std::string>() + "\n";
  keys_ = write("dev-keys", keys);

  ShellResult r = deploy(anvil.url(), {}, "--test-verifier");
  ASSERT_EQ(r.status, 0) << r.output;
  json d = json::parse(read_file(out()));
  EXPECT_EQ(d.at("format"), "codex-devnet/1");
  EXPECT_EQ(d.at("rpcUrl"), anvil.url());
  EXPECT_EQ(d.at("chainId"), 31337);
  EXPECT_EQ(d.at("preset"), "devnet");
  EXPECT_EQ(d.at("contracts").at("token"), "0x5fbdb2315678afecb367f032d93f642f64180aa3");
  EXPECT_EQ(d.at("contracts").at("marketplace"), "0x322813fd9a801c5507c9de605d63cea4f2ce6c44");
  EXPECT_EQ(d.at("contracts").at("testMarketplace"), "0xa85233c63b9ee964add6f2cffe00fd84eb32338f");
  EXPECT_EQ(d.at("verifier"), "TestVerifier");
  EXPECT_EQ(d.at("marketplace"), d.at("contracts").at("testMarketplace"));
  EXPECT_EQ(d.at("configuration"), json::parse(read_file(preset_)).at("marketplace"));
  EXPECT_GT(d.at("deployBlock").get<int>(), 256);
  ASSERT_EQ(d.at("accounts").size(), 20u);
  EXPECT_EQ(d.at("accounts")[0].at("address"), "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
  EXPECT_EQ(d.at("accounts")[0].at("privateKey"), kDevKeys[0]);
  EXPECT_EQ(d.at("accounts")[19].at("tokens"), "1000000000000000");
  EXPECT_EQ(d.at("gasUsed").size(), 5u);
  struct stat st {};
  ASSERT_EQ(::stat(out().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // the last minted account holds its tokens: balanceOf(account 19)
  std::string holder = d.at("accounts")[19].at("address").get<std::string>().substr(2);
  json balance = anvil.rpc(
      "eth_call",
      json::array({{{"to", d.at("token")}, {"data", "0x70a08231" + std::string(24, '0') + holder}},
                   "latest"}));
  EXPECT_EQ(balance, "0x" + std::string(51, '0') + "38d7ea4c68000");  // 1e15

  expect_error(deploy(anvil.url()), "has nonce 25");
}

}  // namespace
}  // namespace codex::test
