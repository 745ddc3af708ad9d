// codex-agent's numeric options through the real program (issue 11): CLI11
// reads unsigned options with strtoull, which wrapped a negative value
// (`--block-mn -1` became 2^64 - 1, `-p -18446744073709551615` port 1) and
// clamped an overflow. Every unsigned option now goes through
// base/cli/unsigned_range.h: a negative, too large or junk-led value is
// refused with the option's name, from the command line, the environment and
// a config file alike, and nothing starts.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/agent/support/agent_node.h"
#include "tests/support/require_tool.h"
#include "tests/support/temp_dir.h"

namespace {

namespace fs = std::filesystem;
using codex::testing::TempDir;

struct Result {
  int status = -1;
  std::string output;
};

// Arguments, what the output must say, and the environment.
struct Bad {
  std::string args, needle;
  std::string env = "";
};

class AgentCliNumbers : public ::testing::Test {
 protected:
  void SetUp() override {
    CODEX_REQUIRE_TOOL(codex::testing::executable(codex::test::agent_binary()),
                       codex::test::agent_binary() << " (not built)");
  }
  // Runs `env codex-agent args` with a time limit (a node that started in
  // spite of a bad value would run for ever: the limit fails the test).
  Result run(const std::string& args, const std::string& env = "") {
    const fs::path out = tmp_.path() / "out";
    std::string cmd = "env " + env + " timeout 20 " + codex::test::agent_binary() + " " + args +
                      " > " + out.string() + " 2>&1";
    int st = std::system(cmd.c_str());
    std::ifstream in(out);
    Result r;
    r.output.assign(std::istreambuf_iterator<char>(in), {});
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
  }
  void expect_refused(const std::vector<Bad>& cases) {
    for (const auto& c : cases) {
      Result r = run(c.args, c.env);
      EXPECT_NE(r.status, 0) << c.args;
      EXPECT_NE(r.status, 124) << c.args << ": not refused, it ran until the time limit";
      EXPECT_NE(r.output.find(c.needle), std::string::npos) << c.env << " " << c.args << "\n"
                                                            << r.output;
    }
  }
  std::string node(const std::string& more) {
    return "node -d " + (tmp_.path() / "n").string() + " " + more;
  }
  TempDir tmp_{"agent_cli_numbers"};
};

TEST_F(AgentCliNumbers, NodeRefusesNegativeTooLargeAndJunkNumbers) {
  const std::vector<Bad> cases = {
      // --block-mn: -1 wrapped to 2^64 - 1 (then to LIMIT -1, no limit at all).
      {node("--block-mn -1"),
       "--block-mn: -1 is not a non-negative decimal integer (1 to 1000000)"},
      {node("--block-mn=-18446744073709551615"), "--block-mn: -18446744073709551615 is not a"},
      {node("--block-mn 18446744073709551616"), "--block-mn: 18446744073709551616 is out of range"},
      {node("--block-mn 1000001"), "--block-mn: 1000001 is out of range (1 to 1000000)"},
      {node("--block-mn 0"), "--block-mn: 0 is out of range (1 to 1000000)"},
      {node("--block-mn 12abc"), "--block-mn: 12abc is not a non-negative decimal integer"},
      {node("--block-mn ' 12'"), "--block-mn:  12 is not a non-negative decimal integer"},
      {node("--block-mn +12"), "--block-mn: +12 is not a non-negative decimal integer"},
      {node("--block-mn 012"), "--block-mn: 012 has a leading zero"},
      {node("--block-mn 1e3"), "--block-mn: 1e3 is not a non-negative decimal integer"},
      // -p: -18446744073709551615 became port 1; 65536 and beyond were refused
      // only by the 16-bit conversion, with CLI11's generic message.
      {node("-p -18446744073709551615"), "--api-port: -18446744073709551615 is not a"},
      {node("--api-port -1"), "--api-port: -1 is not a non-negative decimal integer (0 to 65535)"},
      {node("--api-port 65536"), "--api-port: 65536 is out of range (0 to 65535)"},
      {node("--api-port 0x1F90"), "--api-port: 0x1F90 is not a non-negative decimal integer"},
      {node("--metrics-port -1"),
       "--metrics-port: -1 is not a non-negative decimal integer (0 to 65535)"},
      {node("--metrics-port 65536"), "--metrics-port: 65536 is out of range (0 to 65535)"},
      {node(""), "--metrics-port: 8x is not a non-negative", "CODEX_METRICS_PORT=8x"},
      // The environment and config files go through the same check.
      {node(""), "--api-port: -1 is not a non-negative", "CODEX_API_PORT=-1"},
      {node(""), "--block-mn: 99999999999999999999 is out of range",
       "CODEX_BLOCK_MN=99999999999999999999"},
      // Sizes and durations have their own parser, which refused these already.
      {node("--storage-quota -1GiB"), "does not start with a number"},
      {node("--block-ttl -5m"), "does not start with a number"},
      {node("--block-size 18446744073709551616"), "number too large"},
  };
  expect_refused(cases);
  std::ofstream(tmp_.path() / "neg.toml") << "block-mn = -1\n";
  Result r = run(node("--config-file " + (tmp_.path() / "neg.toml").string()));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("--block-mn: -1 is not a non-negative"), std::string::npos) << r.output;
  std::ofstream(tmp_.path() / "big.json") << R"({"api-port": 70000})";
  r = run(node("--config-file " + (tmp_.path() / "big.json").string()));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("--api-port: 70000 is out of range"), std::string::npos) << r.output;
  // Refused before anything is created.
  EXPECT_FALSE(fs::exists(tmp_.path() / "n"));
}

TEST_F(AgentCliNumbers, NodeRefusesBadValidatorOptions) {
  const std::vector<Bad> cases = {
      {node("--validator"), "--validator needs --persistence"},
      {node("--validator-groups 1"), "--validator-groups: 1 is out of range (2 to 65535)"},
      {node("--validator-groups 65536"), "--validator-groups: 65536 is out of range"},
      {node("--validator-groups -2"), "--validator-groups: -2 is not a non-negative"},
      {node("--validator-groups 2 --validator-group-index 2"),
       "--validator-group-index must be below --validator-groups"},
      {node("--validator-max-slots -1"), "--validator-max-slots: -1 is not a non-negative"},
      {node(""), "--validator-group-index: x is not a non-negative",
       "CODEX_VALIDATOR_GROUP_INDEX=x"},
  };
  expect_refused(cases);
  EXPECT_FALSE(fs::exists(tmp_.path() / "n"));
}

TEST_F(AgentCliNumbers, ClientsRefuseBadPorts) {
  const fs::path file = tmp_.path() / "f";
  std::ofstream(file) << "x";
  const std::string cid = "zDvZRwzm4EH492rHzo4RrG2zT6nvTYZzJeM9fuGZ3meLm2y8H7Yd";
  const std::vector<Bad> cases = {
      {"upload " + file.string() + " -p -18446744073709551615", "--api-port: -1844"},
      {"upload " + file.string() + " -p 0", "--api-port: 0 is out of range (1 to 65535)"},
      {"download " + cid + " -p 65536", "--api-port: 65536 is out of range (1 to 65535)"},
      {"download " + cid + " --api-port=-80", "--api-port: -80 is not a non-negative"},
      {"download " + cid, "--api-port: 8o8o is not a non-negative", "CODEX_API_PORT=8o8o"},
  };
  expect_refused(cases);
  // A good value passes the check: the program then fails to connect.
  Result r = run("download " + cid + " -o " + (tmp_.path() / "o").string() + " -p 1");
  EXPECT_NE(r.status, 0);
  EXPECT_EQ(r.output.find("--api-port"), std::string::npos) << r.output;
}

}  // namespace
