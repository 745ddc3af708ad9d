// Option values and config files of `codex-agent node`.
#include <gtest/gtest.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>

#include "agent/commands/config_file_format.h"
#include "agent/config/node_config.h"
#include "agent/config/units.h"
#include "exchange/store/repo_options.h"

using namespace codex::agent;

TEST(Units, Sizes) {
  EXPECT_EQ(parse_size("1024"), 1024u);
  EXPECT_EQ(parse_size("20GiB"), 20ull << 30);
  EXPECT_EQ(parse_size("20 gib"), 20ull << 30);
  EXPECT_EQ(parse_size("5MB"), 5000000u);
  EXPECT_EQ(parse_size("64K"), 65536u);
  EXPECT_EQ(parse_size("1T"), 1ull << 40);
  for (const char* bad : {"", "GiB", "-1", "12XB", "1.5G", "99999999999999999999", "20000000TiB"})
    EXPECT_THROW(parse_size(bad), std::invalid_argument) << bad;
}

TEST(Units, Durations) {
  EXPECT_EQ(parse_duration("10s").count(), 10);
  EXPECT_EQ(parse_duration("10").count(), 10);
  EXPECT_EQ(parse_duration("5m").count(), 300);
  EXPECT_EQ(parse_duration("30d").count(), 30 * 86400);
  EXPECT_EQ(parse_duration("2w").count(), 14 * 86400);
  for (const char* bad : {"", "s", "10ms", "10y", "1e3s", "x10s"})
    EXPECT_THROW(parse_duration(bad), std::invalid_argument) << bad;
}

TEST(Units, FormatSize) {
  EXPECT_EQ(format_size(512), "512 B");
  EXPECT_EQ(format_size(1536), "1.5 KiB");
  EXPECT_EQ(format_size(3ull << 30), "3.0 GiB");
}

namespace {
struct Parsed {
  std::string data_dir = "default";
  std::string quota = "20GiB";
  int port = 8080;
};
// Parses args with a config file of the given text; returns the options.
Parsed parse(const std::string& text, std::vector<std::string> args = {}) {
  // One file per process: ctest runs the tests of this file in parallel processes.
  std::string path = ::testing::TempDir() + "/codex-config-test-" + std::to_string(::getpid());
  std::ofstream(path) << text;
  struct RemoveAtEnd {
    std::string p;
    ~RemoveAtEnd() { std::remove(p.c_str()); }
  } remove_at_end{path};
  CLI::App app;
  Parsed p;
  app.config_formatter(std::make_shared<ConfigFileFormat>());
  app.set_config("--config-file");
  app.allow_config_extras(CLI::config_extras_mode::error);
  app.add_option("--data-dir", p.data_dir);
  app.add_option("--storage-quota", p.quota);
  app.add_option("--api-port", p.port);
  args.insert(args.begin(), {"prog", "--config-file", path});
  std::vector<const char*> argv;
  for (auto& a : args)
    argv.push_back(a.c_str());
  app.parse(int(argv.size()), argv.data());
  return p;
}
}  // namespace

TEST(ConfigFile, TomlAndJson) {
  Parsed t = parse("data-dir = \"/tmp/x\"\nstorage-quota = \"1GiB\"\napi-port = 9000\n");
  EXPECT_EQ(t.data_dir, "/tmp/x");
  EXPECT_EQ(t.quota, "1GiB");
  EXPECT_EQ(t.port, 9000);
  Parsed j = parse(R"({"data-dir": "/tmp/y", "api-port": 9001})");
  EXPECT_EQ(j.data_dir, "/tmp/y");
  EXPECT_EQ(j.port, 9001);
}

TEST(ConfigFile, CommandLineWins) {
  Parsed t = parse("api-port = 9000\n", {"--api-port", "9100"});
  EXPECT_EQ(t.port, 9100);
}

TEST(ConfigFile, RejectsBadFiles) {
  EXPECT_THROW(parse("data-dir = \n"), CLI::ParseError);                  // bad TOML
  EXPECT_THROW(parse("{\"data-dir\": }"), CLI::ParseError);               // bad JSON
  EXPECT_THROW(parse("no-such-option = 1\n"), CLI::ParseError);           // unknown key
  EXPECT_THROW(parse("[node]\ndata-dir = \"x\"\n"), CLI::ParseError);     // tables
  EXPECT_THROW(parse("api-port = \"not a number\"\n"), CLI::ParseError);  // wrong type
  EXPECT_THROW(parse(R"({"data-dir": {"a": 1}})"), CLI::ParseError);
}

// The store's options, the node's settings and the command line agree on the
// default durability: process-crash, like the reference (which never syncs).
TEST(Durability, DefaultsAgree) {
  EXPECT_EQ(codex::store::RepoOptions{}.durability, codex::store::Durability::kProcessCrash);
  EXPECT_FALSE(NodeConfig{}.power_loss_durability);
  std::string cmd = std::string(CODEX_BINARY_DIR) + "/agent/codex-agent node --help";
  std::FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string help;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;)
    help.append(buf, n);
  ASSERT_EQ(::pclose(p), 0) << help;
  EXPECT_NE(help.find("--repo-durability TEXT=process-crash"), std::string::npos) << help;
}
