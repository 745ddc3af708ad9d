// The log formats of agent/commands/logging: with --log-format json every line
// is a JSON object that parses, whatever the message holds (quotes, backslashes,
// control characters, NUL, invalid UTF-8), and the message reads back as logged
// (ill-formed bytes as U+FFFD).
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include "agent/commands/logging.h"
#include "tests/support/temp_dir.h"

namespace codex::agent {
namespace {

using namespace std::string_literals;

// Points file descriptor 2 at `path` while alive.
class StderrToFile {
 public:
  explicit StderrToFile(const std::string& path) {
    std::fflush(stderr);
    saved_ = ::dup(STDERR_FILENO);
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (saved_ < 0 || f == nullptr) throw std::runtime_error("cannot redirect stderr to " + path);
    ::dup2(::fileno(f), STDERR_FILENO);
    std::fclose(f);
  }
  ~StderrToFile() {
    std::fflush(stderr);
    ::dup2(saved_, STDERR_FILENO);
    ::close(saved_);
  }
  StderrToFile(const StderrToFile&) = delete;
  StderrToFile& operator=(const StderrToFile&) = delete;

 private:
  int saved_ = -1;
};

TEST(JsonEscape, EscapesWhatJsonRequires) {
  EXPECT_EQ(json_escape("plain text"), "plain text");
  EXPECT_EQ(json_escape(R"(say "hi")"), R"(say \"hi\")");
  EXPECT_EQ(json_escape(R"(C:\dir\)"), R"(C:\\dir\\)");
  EXPECT_EQ(json_escape("a\nb\r\tc\b\f"), R"(a\nb\r\tc\b\f)");
  EXPECT_EQ(json_escape("\x01\x1f\x7f"s), R"(\u0001\u001f\u007f)");
  EXPECT_EQ(json_escape("nul\0here"s), R"(nul\u0000here)");
  EXPECT_EQ(json_escape(""), "");
}

TEST(JsonEscape, KeepsUtf8AndReplacesIllFormedBytes) {
  EXPECT_EQ(json_escape("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"),
            "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");  // 2-, 3- and 4-byte forms kept
  const std::string r = R"(\ufffd)";
  EXPECT_EQ(json_escape("\xFF"), r);
  EXPECT_EQ(json_escape("a\xC3"), "a" + r);                   // truncated at the end
  EXPECT_EQ(json_escape("\xC3("), r + "(");                   // bad continuation
  EXPECT_EQ(json_escape("\xC0\xAF"), r + r);                  // overlong '/'
  EXPECT_EQ(json_escape("\xE0\x80\xAF"), r + r + r);          // overlong, 3 bytes
  EXPECT_EQ(json_escape("\xED\xA0\x80"), r + r + r);          // UTF-16 surrogate
  EXPECT_EQ(json_escape("\xF4\x90\x80\x80"), r + r + r + r);  // above U+10FFFF
  EXPECT_EQ(json_escape("\x80\xBF"), r + r);                  // lone continuation bytes
}

TEST(JsonLogFormat, EveryLineParsesWhateverTheMessage) {
  const std::vector<std::string> hostile = {
      "plain",
      R"(quote " and backslash \ and a fake end "})",
      "newline\nin the middle\r\nand a tab\t",
      "control \x01\x02\x1b[31mred\x1b[0m and DEL \x7f",
      "nul\0inside"s,
      "{} {:>10} braces as text",
      "utf-8 caf\xC3\xA9 \xF0\x9F\x98\x80",
      "invalid \xFF\xFE and truncated \xE2\x82",
      "surrogate \xED\xA0\x80 overlong \xC0\xAF",
      std::string(100000, 'x') + "\"",
      "",
  };
  testing::TempDir dir("codex-log-test");
  const std::string path = (dir / "stderr.log").string();
  {
    StderrToFile redirect(path);
    setup_logging("info", "json");
    for (const auto& m : hostile)
      spdlog::info("{}", m);
    spdlog::warn("after {} messages: {}", hostile.size(), "\"done\"");
    spdlog::debug("below the level: not written");
    spdlog::default_logger()->flush();
  }
  setup_logging("info", "none");

  std::ifstream in(path);
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);) {
    try {
      lines.push_back(nlohmann::json::parse(line));
    } catch (const nlohmann::json::exception& e) {
      FAIL() << "line " << lines.size() + 1 << " is not JSON (" << e.what()
             << "): " << line.substr(0, 200);
    }
  }
  ASSERT_EQ(lines.size(), hostile.size() + 1);
  const std::regex time(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d)");
  for (size_t i = 0; i < lines.size(); ++i) {
    const auto& j = lines[i];
    ASSERT_TRUE(j.is_object()) << i;
    EXPECT_EQ(j.size(), 3u) << j.dump();
    EXPECT_TRUE(std::regex_match(j.at("time").get<std::string>(), time)) << j.at("time");
    EXPECT_EQ(j.at("level"), i < hostile.size() ? "info" : "warning");
  }
  for (size_t i = 0; i < hostile.size(); ++i) {
    if (i == 7 || i == 8) continue;  // ill-formed UTF-8: below
    EXPECT_EQ(lines[i].at("msg"), hostile[i]) << "message " << i;
  }
  EXPECT_EQ(lines[7].at("msg"),
            "invalid \xEF\xBF\xBD\xEF\xBF\xBD and truncated \xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(lines[8].at("msg"),
            "surrogate \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD overlong "
            "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(lines.back().at("msg"), R"(after 11 messages: "done")");
}

TEST(Logging, UnknownLevelOrFormatIsRefused) {
  EXPECT_THROW(setup_logging("loud", "json"), std::invalid_argument);
  EXPECT_THROW(setup_logging("info", "xml"), std::invalid_argument);
}

// The reference's --log-level syntax: any case, chronicles' names, per-topic
// entries (this agent has no topics: their levels are checked, then ignored).
TEST(Logging, ReferenceLogLevelSyntax) {
  using L = spdlog::level::level_enum;
  EXPECT_EQ(parse_log_level("info"), L::info);
  EXPECT_EQ(parse_log_level("INFO"), L::info);
  EXPECT_EQ(parse_log_level("Trace"), L::trace);
  EXPECT_EQ(parse_log_level("NOTICE"), L::info);
  EXPECT_EQ(parse_log_level("warn"), L::warn);
  EXPECT_EQ(parse_log_level("FATAL"), L::critical);
  EXPECT_EQ(parse_log_level("none"), L::off);
  EXPECT_EQ(parse_log_level("info;trace:restapi"), L::info);
  EXPECT_EQ(parse_log_level("trace:restapi,blockexc;DEBUG"), L::debug);
  EXPECT_EQ(parse_log_level("trace:restapi"), L::info);  // only topics: the default
  EXPECT_EQ(parse_log_level(""), L::info);
  EXPECT_THROW(parse_log_level("info;loud:restapi"), std::invalid_argument);
  EXPECT_THROW(parse_log_level("loud"), std::invalid_argument);
  EXPECT_NO_THROW(setup_logging("DEBUG;trace:restapi", "none"));
}

}  // namespace
}  // namespace codex::agent
