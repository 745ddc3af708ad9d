// The commented example configuration starts a real node, and its values are
// the ones the node uses.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "tests/agent/support/agent_node.h"

using codex::test::AgentNode;

TEST(NodeConfigFile, ExampleConfigStartsANode) {
  auto dir =
      std::filesystem::path(::testing::TempDir()) / ("codex-cfg-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ifstream in(std::string(CODEX_SOURCE_DIR) + "/configs/node.example.toml");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(text.empty());
  // Point it at a temporary data dir and a smaller quota we can recognise.
  text = std::regex_replace(text, std::regex("data-dir = \"[^\"]*\""),
                            "data-dir = \"" + (dir / "node").string() + "\"");
  text =
      std::regex_replace(text, std::regex("storage-quota = \"20GiB\""), "storage-quota = \"3GiB\"");
  std::ofstream(dir / "node.toml") << text;
  // The data dir given on the command line by AgentNode wins over the file's;
  // the quota comes from the file.
  AgentNode node(dir / "node", {"--config-file", (dir / "node.toml").string()});
  auto space = nlohmann::json::parse(node.client().get("/space"));
  EXPECT_EQ(space["quotaMaxBytes"], 3ull << 30);
  node.stop();
  std::filesystem::remove_all(dir);
}

TEST(NodeConfigFile, BadConfigFileFailsClearly) {
  auto dir =
      std::filesystem::path(::testing::TempDir()) / ("codex-cfg-bad-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "bad.toml") << "storage-quota = \"12 parsecs\"\n";
  std::string cmd = codex::test::agent_binary() + " node -d " + (dir / "n").string() +
                    " --config-file " + (dir / "bad.toml").string() + " > " +
                    (dir / "out").string() + " 2>&1";
  int rc = std::system(cmd.c_str());
  EXPECT_NE(rc, 0);
  std::ifstream out(dir / "out");
  std::string msg((std::istreambuf_iterator<char>(out)), std::istreambuf_iterator<char>());
  EXPECT_NE(msg.find("parsecs"), std::string::npos) << msg;
  std::filesystem::remove_all(dir);
}
