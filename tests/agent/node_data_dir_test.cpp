// The data directory of a real `codex-agent node` process: one database file
// and one lock; a directory written by an older build (block index in
// repo/repo.sqlite3) is upgraded at start with its blocks and quota; a second
// node on the same directory and bad directories fail at start with a
// message, and `codex-agent repo check` refuses a directory that is not there.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/agent/support/agent_node.h"
#include "tests/exchange/support/old_layout.h"
#include "tests/support/temp_dir.h"

using namespace codex;
using codex::test::AgentNode;

namespace {

// Runs a codex-agent command line (killed after 30 s: a node that should
// have refused to start would run forever); returns (exit status, output).
std::pair<int, std::string> run(const std::string& args, const std::filesystem::path& out) {
  std::string cmd = "timeout -s KILL 30 " + codex::test::agent_binary() + " " + args + " > " +
                    out.string() + " 2>&1";
  int status = std::system(cmd.c_str());
  std::ifstream in(out);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text};
}

nlohmann::json space(const AgentNode& node) {
  return nlohmann::json::parse(node.client().get("/space"));
}

}  // namespace

TEST(NodeDataDir, OneDatabaseAndAnOldLayoutUpgradedAtStart) {
  codex::testing::TempDir tmp("node_data_dir_test");
  const auto dir = tmp.path() / "node";
  store::testing::OldStore old =
      store::testing::make_old_layout(dir, store::BlockStorage::kPacks, 25, 65536);
  {
    AgentNode node(dir);
    auto s = space(node);
    EXPECT_EQ(s["totalBlocks"], old.blocks.size() + 1);
    EXPECT_EQ(s["quotaUsedBytes"], old.used);
    EXPECT_EQ(s["quotaReservedBytes"], old.reserved);
    // A second node on the same directory stops at start.
    auto [rc, text] = run("node -d " + dir.string() + " -p 0", tmp.path() / "second.out");
    EXPECT_NE(rc, 0);
    EXPECT_NE(text.find("in use by another process"), std::string::npos) << text;
    ASSERT_NE(node.stop(SIGTERM), -1);
  }
  EXPECT_TRUE(std::filesystem::exists(dir / "codex.sqlite3"));
  EXPECT_TRUE(std::filesystem::exists(dir / "key"));
  for (auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    std::ifstream in(e.path(), std::ios::binary);
    std::string head(16, '\0');
    in.read(head.data(), 16);
    if (in && head == std::string("SQLite format 3\0", 16)) {
      EXPECT_EQ(e.path(), dir / "codex.sqlite3") << "a second database";
    }
  }
  auto [rc, text] = run("repo check -d " + dir.string(), tmp.path() / "check.out");
  EXPECT_EQ(rc, 0) << text;
  EXPECT_NE(text.find("blocks 26"), std::string::npos) << text;
  EXPECT_NE(text.find("leaves 25"), std::string::npos) << text;
}

TEST(NodeDataDir, BadDirectoriesAreRefusedWithAMessage) {
  codex::testing::TempDir tmp("node_data_dir_test");
  auto [rc, text] = run("repo check -d " + (tmp.path() / "nowhere").string(), tmp.path() / "a.out");
  EXPECT_NE(rc, 0);
  EXPECT_NE(text.find("does not exist"), std::string::npos) << text;
  EXPECT_FALSE(std::filesystem::exists(tmp.path() / "nowhere"));  // not created by a check

  const auto open_dir = tmp.path() / "open";
  std::filesystem::create_directories(open_dir);
  ::chmod(open_dir.c_str(), 0755);
  std::tie(rc, text) = run("node -d " + open_dir.string() + " -p 0", tmp.path() / "b.out");
  EXPECT_NE(rc, 0);
  EXPECT_NE(text.find("chmod 700"), std::string::npos) << text;
}
