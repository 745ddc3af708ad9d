// Who may reach the REST API: one node per port, no API when the bind address
// is empty, and a bearer token when --api-token-file is given. Real
// `codex-agent` processes over loopback.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <fstream>

#include "tests/agent/support/agent_node.h"

using namespace codex;
using codex::test::AgentNode;
using codex::test::ChildProcess;
using namespace std::chrono_literals;

namespace {

std::filesystem::path temp_dir(const std::string& name) {
  auto d = std::filesystem::path(::testing::TempDir()) /
           ("codex-access-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

bool can_connect(int family, int port) {
  int fd = ::socket(family, SOCK_STREAM, 0);
  int rc;
  if (family == AF_INET) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(uint16_t(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    rc = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  } else {
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(uint16_t(port));
    a.sin6_addr = in6addr_loopback;
    rc = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  }
  ::close(fd);
  return rc == 0;
}

std::vector<std::string> node_argv(const std::filesystem::path& dir, int port,
                                   std::vector<std::string> extra = {}) {
  std::vector<std::string> argv{test::agent_binary(), "node", "-d",
                                dir.string(),         "-p",   std::to_string(port)};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

void write_private(const std::filesystem::path& p, const std::string& text, mode_t mode) {
  std::ofstream(p) << text;
  ::chmod(p.c_str(), mode);
}

const std::string kBase = "/api/codex/v1";

}  // namespace

// Defect 7: a second node on a taken port used to start too (SO_REUSEPORT) and
// take half of the first node's requests.
TEST(RestAccess, SecondNodeOnATakenPortRefusesToStart) {
  auto dir = temp_dir("port");
  AgentNode first(dir / "a");
  ChildProcess second(node_argv(dir / "b", first.port()), (dir / "b.log").string());
  int status = second.wait_exit(10s);
  ASSERT_NE(status, -1) << "the second node kept running on a taken port";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0);
  std::string log = read_text(dir / "b.log");
  EXPECT_NE(log.find(std::to_string(first.port())), std::string::npos) << log;
  EXPECT_NE(log.find("in use"), std::string::npos) << log;
  // The first node still answers every request.
  httplib::Client c("127.0.0.1", first.port());
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(c.Get(kBase + "/peerid")->status, 200);
  std::filesystem::remove_all(dir);
}

// Defect 10: --api-bindaddr "" disables the API, as in the reference (it used
// to listen on [::1]).
TEST(RestAccess, EmptyBindAddressDisablesTheApi) {
  auto dir = temp_dir("nobind");
  int port = test::free_port();
  ChildProcess node(node_argv(dir / "n", port, {"--api-bindaddr", ""}), (dir / "n.log").string());
  std::this_thread::sleep_for(1500ms);
  ASSERT_EQ(node.wait_exit(0ms), -1) << read_text(dir / "n.log");
  EXPECT_FALSE(can_connect(AF_INET, port));
  EXPECT_FALSE(can_connect(AF_INET6, port));
  EXPECT_NE(read_text(dir / "n.log").find("API disabled"), std::string::npos);
  EXPECT_EQ(node.kill(SIGTERM), 0);
  std::filesystem::remove_all(dir);
}

TEST(RestAccess, TokenFileRequiresABearerToken) {
  auto dir = temp_dir("token");
  const std::string token = "s3cret-token-0123456789";
  write_private(dir / "token", token + "\n", 0600);
  AgentNode node(dir / "node", {"--api-token-file", (dir / "token").string()});
  httplib::Client c("127.0.0.1", node.port());
  auto none = c.Get(kBase + "/space");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(none->get_header_value("WWW-Authenticate"), "Bearer");
  for (const std::string& wrong : {std::string("Bearer wrong"), "Bearer " + token + "x",
                                   "Bearer " + token.substr(1), "Basic " + token, token}) {
    auto r = c.Get(kBase + "/data", httplib::Headers{{"Authorization", wrong}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401) << wrong;
  }
  httplib::Headers ok{{"Authorization", "Bearer " + token}};
  EXPECT_EQ(c.Get(kBase + "/space", ok)->status, 200);
  auto up = c.Post(kBase + "/data", ok, "hello", "text/plain");
  ASSERT_EQ(up->status, 200);
  EXPECT_EQ(c.Post(kBase + "/data", "hello", "text/plain")->status, 401);

  // The CLI passes the token from a file.
  std::ofstream(dir / "in.txt") << "cli bytes";
  auto cli = [&](std::vector<std::string> args) {
    std::vector<std::string> argv{test::agent_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    ChildProcess p(argv, (dir / "cli.log").string());
    int st = p.wait_exit(20s);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  };
  std::string port = std::to_string(node.port());
  EXPECT_NE(cli({"upload", (dir / "in.txt").string(), "-p", port}), 0);
  EXPECT_EQ(cli({"upload", (dir / "in.txt").string(), "-p", port, "--api-token-file",
                 (dir / "token").string()}),
            0);
  EXPECT_EQ(cli({"download", up->body, "-o", (dir / "out.txt").string(), "-p", port,
                 "--api-token-file", (dir / "token").string()}),
            0);
  EXPECT_EQ(read_text(dir / "out.txt"), "hello");
  std::filesystem::remove_all(dir);
}

TEST(RestAccess, TokenFileMustBePrivateAndNonEmpty) {
  auto dir = temp_dir("badtoken");
  write_private(dir / "open", "token\n", 0644);
  write_private(dir / "empty", "\n", 0600);
  for (const char* name : {"open", "empty"}) {
    ChildProcess p(
        node_argv(dir / "n", test::free_port(), {"--api-token-file", (dir / name).string()}),
        (dir / "n.log").string());
    int st = p.wait_exit(10s);
    ASSERT_NE(st, -1) << name;
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) != 0) << name;
  }
  EXPECT_NE(read_text(dir / "n.log").find("chmod 600"), std::string::npos);
  std::filesystem::remove_all(dir);
}

// A node on a non-loopback address without a token says so at start.
TEST(RestAccess, WarnsWhenListeningBeyondLoopbackWithoutAToken) {
  auto dir = temp_dir("warn");
  AgentNode node(dir / "node", {"--api-bindaddr", "0.0.0.0"});
  std::this_thread::sleep_for(200ms);
  std::string log = read_text(dir / "node.log");
  EXPECT_NE(log.find("without --api-token-file"), std::string::npos) << log;
  std::filesystem::remove_all(dir);
}

// Defect 10: --log-level in the reference's syntax (per topic, any case).
TEST(RestAccess, NodeTakesTheReferenceLogLevelSyntax) {
  auto dir = temp_dir("loglevel");
  for (const char* level : {"info;trace:restapi", "WARN", "Debug;error:blockexc,discv5"}) {
    int port = test::free_port();
    ChildProcess node(node_argv(dir / "n", port, {"--log-level", level}), (dir / "n.log").string());
    bool up = false;
    for (int i = 0; i < 100 && !up && node.wait_exit(0ms) == -1; ++i) {
      up = can_connect(AF_INET, port);
      if (!up) std::this_thread::sleep_for(100ms);
    }
    EXPECT_TRUE(up) << level << ": " << read_text(dir / "n.log");
    node.kill(SIGTERM);
  }
  std::filesystem::remove_all(dir);
}
