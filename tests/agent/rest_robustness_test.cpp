// The REST API under hostile or unlucky clients, on a real `codex-agent node`
// process over loopback: blocks vanishing under a download, ranges past the
// end, file names that are not UTF-8, slow clients, odd request framing.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <random>

#include "exchange/dataset/dataset_writer.h"
#include "exchange/store/data_dir.h"
#include "exchange/store/repo.h"
#include "tests/agent/support/agent_node.h"

using namespace codex;
using codex::test::AgentNode;
using namespace std::chrono_literals;

namespace {

std::filesystem::path temp_dir(const std::string& name) {
  auto d = std::filesystem::path(::testing::TempDir()) /
           ("codex-robust-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

std::string noise(size_t n, uint64_t seed) {
  std::string s(n, '\0');
  std::mt19937_64 rng(seed);
  for (auto& c : s)
    c = char(rng());
  return s;
}

httplib::Client http(const AgentNode& n, int read_timeout_s = 10) {
  httplib::Client c("127.0.0.1", n.port());
  c.set_read_timeout(read_timeout_s, 0);
  return c;
}

const std::string kBase = "/api/codex/v1";

// A raw TCP connection to the node, for requests no HTTP library would send.
class RawConn {
 public:
  explicit RawConn(int port, int rcvbuf = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (rcvbuf > 0) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(uint16_t(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
      throw std::runtime_error("connect failed");
  }
  ~RawConn() { ::close(fd_); }
  RawConn(const RawConn&) = delete;
  RawConn& operator=(const RawConn&) = delete;

  bool send(const std::string& s) {
    return ::send(fd_, s.data(), s.size(), MSG_NOSIGNAL) == ssize_t(s.size());
  }
  // Reads what arrives within `wait`; returns the bytes read, or -1 once the
  // peer closed (or reset) the connection.
  ssize_t read_some(std::string& out, std::chrono::milliseconds wait, size_t max = 1 << 16) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, int(wait.count())) <= 0) return 0;
    std::string buf(max, '\0');
    ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
    if (n <= 0) return -1;
    out.append(buf.data(), size_t(n));
    return n;
  }
  // Reads until the peer closes or `limit` passes; returns everything read.
  std::string read_all(std::chrono::milliseconds limit) {
    std::string out;
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end)
      if (read_some(out, 100ms) < 0) break;
    return out;
  }

 private:
  int fd_ = -1;
};

std::string status_line(const std::string& response) {
  return response.substr(0, response.find("\r\n"));
}

// GET /data/{cid} with a small receive buffer, reading slowly enough that the
// node is still streaming when `during` runs; then reads to the end. Returns
// (Content-Length announced, body bytes received).
std::pair<uint64_t, uint64_t> interrupted_download(const AgentNode& node, const std::string& cid,
                                                   const std::function<void()>& during) {
  RawConn conn(node.port(), 64 << 10);
  EXPECT_TRUE(conn.send("GET " + kBase + "/data/" + cid + " HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::string got;
  while (got.find("\r\n\r\n") == std::string::npos)
    if (conn.read_some(got, 5s) <= 0) break;
  size_t head_end = got.find("\r\n\r\n");
  EXPECT_NE(head_end, std::string::npos);
  EXPECT_EQ(status_line(got), "HTTP/1.1 200 OK");
  size_t cl = got.find("Content-Length: ");
  uint64_t length = cl == std::string::npos ? 0 : std::stoull(got.substr(cl + 16));
  during();
  got += conn.read_all(30s);
  return {length, got.size() - head_end - 4};
}

}  // namespace

// Defect 1: a dataset deleted while it is being downloaded used to abort the
// node (an exception escaped the content provider: terminate, exit 134).
TEST(RestRobustness, DeleteDuringDownloadBreaksOnlyThatTransfer) {
  auto dir = temp_dir("delete");
  AgentNode node(dir / "node");
  auto c = http(node);
  auto up = c.Post(kBase + "/data", noise(48 << 20, 1), "application/octet-stream");
  ASSERT_TRUE(up);
  ASSERT_EQ(up->status, 200) << up->body;
  auto [length, received] = interrupted_download(node, up->body, [&] {
    std::this_thread::sleep_for(500ms);
    EXPECT_EQ(c.Delete(kBase + "/data/" + up->body)->status, 204);
  });
  EXPECT_EQ(length, 48u << 20);
  EXPECT_LT(received, length);  // the client sees a broken transfer
  auto space = c.Get(kBase + "/space");
  ASSERT_TRUE(space) << "the node died";
  EXPECT_EQ(space->status, 200);
  EXPECT_EQ(node.stop(), 0);  // and stops cleanly
  std::filesystem::remove_all(dir);
}

// Defect 1, by TTL expiry: the maintenance loop removes the blocks mid-download.
TEST(RestRobustness, ExpiryDuringDownloadBreaksOnlyThatTransfer) {
  auto dir = temp_dir("expiry");
  AgentNode node(dir / "node", {"-t", "6s", "--block-mi", "1s"});
  auto c = http(node);
  auto up = c.Post(kBase + "/data", noise(48 << 20, 2), "application/octet-stream");
  ASSERT_TRUE(up);
  ASSERT_EQ(up->status, 200) << up->body;
  auto [length, received] = interrupted_download(node, up->body, [&] {
    // Wait until maintenance removed the dataset's blocks.
    for (int i = 0; i < 100; ++i) {
      auto s = c.Get(kBase + "/space");
      if (s && s->body.find("\"totalBlocks\":0") != std::string::npos) break;
      std::this_thread::sleep_for(200ms);
    }
  });
  EXPECT_LT(received, length);
  auto space = c.Get(kBase + "/space");
  ASSERT_TRUE(space) << "the node died";
  EXPECT_EQ(space->status, 200);
  EXPECT_EQ(node.stop(), 0);
  std::filesystem::remove_all(dir);
}

// Defect 2: RFC 9110 ranges. The last byte is clamped to the end; a range that
// starts past the end is 416 with Content-Range: bytes */size.
TEST(RestRobustness, RangesFollowRfc9110) {
  auto dir = temp_dir("range");
  AgentNode node(dir / "node");
  auto c = http(node, 5);
  std::string data = noise(200000, 3);
  auto up = c.Post(kBase + "/data", data, "application/octet-stream");
  ASSERT_EQ(up->status, 200);
  std::string path = kBase + "/data/" + up->body;
  auto get = [&](const std::string& range) {
    return c.Get(path, httplib::Headers{{"Range", range}});
  };
  auto past_end = get("bytes=100000-200000");
  ASSERT_TRUE(past_end) << "no answer (hung)";
  EXPECT_EQ(past_end->status, 206);
  EXPECT_EQ(past_end->get_header_value("Content-Range"), "bytes 100000-199999/200000");
  EXPECT_EQ(past_end->body, data.substr(100000));
  auto middle = get("bytes=1000-1999");
  ASSERT_TRUE(middle);
  EXPECT_EQ(middle->status, 206);
  EXPECT_EQ(middle->get_header_value("Content-Range"), "bytes 1000-1999/200000");
  EXPECT_EQ(middle->body, data.substr(1000, 1000));
  auto suffix = get("bytes=-500");
  ASSERT_TRUE(suffix);
  EXPECT_EQ(suffix->status, 206);
  EXPECT_EQ(suffix->body, data.substr(199500));
  auto open = get("bytes=199999-");
  ASSERT_TRUE(open);
  EXPECT_EQ(open->status, 206);
  EXPECT_EQ(open->body, data.substr(199999));
  for (const char* bad : {"bytes=300000-400000", "bytes=200000-"}) {
    auto r = get(bad);
    ASSERT_TRUE(r) << bad;
    EXPECT_EQ(r->status, 416) << bad;
    EXPECT_EQ(r->get_header_value("Content-Range"), "bytes */200000") << bad;
  }
  // Nine such requests in a row used to exhaust the request threads.
  for (int i = 0; i < 9; ++i) {
    auto r = get("bytes=150000-250000");
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->status, 206);
    EXPECT_EQ(r->body.size(), 50000u);
  }
  EXPECT_EQ(c.Get(kBase + "/space")->status, 200);
  std::filesystem::remove_all(dir);
}

// Defect 6: a file name that is not UTF-8 is refused at upload, and one stored
// by an older build (written here straight into the store) does not break
// GET /data for everyone.
TEST(RestRobustness, NonUtf8FileNames) {
  auto dir = temp_dir("utf8");
  {
    auto data = store::DataDir::open(dir / "node");
    store::RepoOptions ro;
    ro.dir = data->repo_dir();
    auto repo = store::Repo::open(data->database(), ro);
    DatasetWriter w(*repo);
    w.set_filename("caf\xe9.txt");  // Latin-1, not UTF-8
    std::string bytes = "old upload";
    w.write({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
    w.finish();
  }
  AgentNode node(dir / "node");
  auto c = http(node);
  auto list = c.Get(kBase + "/data");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->status, 200) << list->body;
  EXPECT_NE(list->body.find("caf\xef\xbf\xbd.txt"), std::string::npos) << list->body;  // U+FFFD
  auto bad = c.Post(kBase + "/data",
                    httplib::Headers{{"Content-Disposition", "attachment; filename=\"\xff.bin\""}},
                    "abc", "text/plain");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 422) << bad->body;
  auto good =
      c.Post(kBase + "/data",
             httplib::Headers{{"Content-Disposition", "attachment; filename=\"caf\xc3\xa9\""}},
             "abc", "text/plain");
  EXPECT_EQ(good->status, 200);
  EXPECT_EQ(c.Get(kBase + "/data")->status, 200);
  // The CLI refuses to upload a file whose name is not UTF-8, unless given a name.
  auto latin1 = dir / "caf\xe9.bin";
  std::ofstream(latin1) << "bytes";
  auto cli = [&](std::vector<std::string> args) {
    std::vector<std::string> argv{test::agent_binary(), "upload", latin1.string(), "-p",
                                  std::to_string(node.port())};
    argv.insert(argv.end(), args.begin(), args.end());
    test::ChildProcess p(argv, (dir / "cli.log").string());
    int st = p.wait_exit(20s);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  };
  EXPECT_NE(cli({}), 0);
  EXPECT_EQ(cli({"--filename", "cafe.bin"}), 0);
  auto names = c.Get(kBase + "/data");
  EXPECT_EQ(names->status, 200);
  EXPECT_EQ(names->body.find("caf\xe9.bin"), std::string::npos);
  std::filesystem::remove_all(dir);
}

// Defect 8: slow clients (a header line now and then) neither block the API
// nor keep a connection forever.
TEST(RestRobustness, SlowClientsDoNotBlockTheApi) {
  auto dir = temp_dir("slow");
  AgentNode node(dir / "node");
  std::vector<std::unique_ptr<RawConn>> slow;
  for (int i = 0; i < 12; ++i) {
    slow.push_back(std::make_unique<RawConn>(node.port()));
    ASSERT_TRUE(slow.back()->send("GET " + kBase + "/space HTTP/1.1\r\n"));
  }
  auto start = std::chrono::steady_clock::now();
  std::vector<bool> closed(slow.size(), false);
  bool answered = false;
  for (int tick = 0; tick < 16; ++tick) {
    for (size_t i = 0; i < slow.size(); ++i)
      if (!closed[i]) closed[i] = !slow[i]->send("X-Slow-" + std::to_string(tick) + ": 1\r\n");
    if (tick == 2) {
      auto c = http(node, 3);
      auto space = c.Get(kBase + "/space");
      answered = space && space->status == 200;
    }
    for (size_t i = 0; i < slow.size(); ++i) {
      std::string got;
      if (!closed[i] && slow[i]->read_some(got, 50ms) < 0) closed[i] = true;
    }
    if (tick > 2 && std::all_of(closed.begin(), closed.end(), [](bool b) { return b; })) break;
    std::this_thread::sleep_for(1s);
  }
  EXPECT_TRUE(answered) << "GET /space did not answer while slow clients were connected";
  // The header deadline (10 s) closed every slow connection in time.
  for (size_t i = 0; i < slow.size(); ++i)
    EXPECT_TRUE(closed[i]) << "slow connection " << i << " still open after "
                           << std::chrono::duration_cast<std::chrono::seconds>(
                                  std::chrono::steady_clock::now() - start)
                                  .count()
                           << " s";
  std::filesystem::remove_all(dir);
}

// Defect 10: request framing and methods the API does not take.
TEST(RestRobustness, OddRequestsGetPreciseAnswers) {
  auto dir = temp_dir("odd");
  AgentNode node(dir / "node");
  auto c = http(node);
  // Multipart is not supported: 415, not 500 bad_function_call.
  httplib::MultipartFormDataItems items{{"file", "hello", "a.txt", "text/plain"}};
  auto multipart = c.Post(kBase + "/data", items);
  ASSERT_TRUE(multipart);
  EXPECT_EQ(multipart->status, 415) << multipart->body;
  // Content-Encoding is refused (bodies are stored as sent, never decoded).
  {
    auto gzc = http(node);
    gzc.set_compress(true);  // gzip body, Content-Encoding: gzip
    auto gz = gzc.Post(kBase + "/data", std::string(5000, 'g'), "text/plain");
    ASSERT_TRUE(gz);
    EXPECT_EQ(gz->status, 415) << gz->body;
  }
  // A bad chunked encoding is a malformed request: 400.
  {
    RawConn conn(node.port());
    ASSERT_TRUE(
        conn.send("POST " + kBase +
                  "/data HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n"
                  "Content-Type: text/plain\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"));
    std::string r = conn.read_all(5s);
    EXPECT_EQ(status_line(r), "HTTP/1.1 400 Bad Request") << r;
  }
  // A quote in a file name is escaped when echoed.
  auto quoted =
      c.Post(kBase + "/data",
             httplib::Headers{{"Content-Disposition", "attachment; filename=\"a\\\"b.txt\""}},
             "abc", "text/plain");
  ASSERT_EQ(quoted->status, 200) << quoted->body;
  auto got = c.Get(kBase + "/data/" + quoted->body);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->get_header_value("Content-Disposition"), "attachment; filename=\"a\\\"b.txt\"");
  // Wrong methods: 405 with Allow and a body.
  auto put = c.Put(kBase + "/data", "x", "text/plain");
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 405);
  EXPECT_EQ(put->get_header_value("Allow"), "GET, POST");
  EXPECT_FALSE(put->body.empty());
  auto patch = c.Patch(kBase + "/space", "x", "text/plain");
  ASSERT_TRUE(patch);
  EXPECT_EQ(patch->status, 405);
  EXPECT_EQ(patch->get_header_value("Allow"), "GET");
  auto post = c.Post(kBase + "/data/" + quoted->body, "x", "text/plain");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->get_header_value("Allow"), "GET, DELETE");
  EXPECT_EQ(c.Get(kBase + "/nope")->status, 404);
  // Malformed headers on a method the path takes: 400, not 405.
  {
    RawConn conn(node.port());
    ASSERT_TRUE(conn.send("GET " + kBase + "/space HTTP/1.1\r\nHost: x\r\nX-Long: " +
                          std::string(9000, 'a') + "\r\n\r\n"));
    std::string r;
    for (int i = 0; i < 50 && r.find("\r\n") == std::string::npos; ++i)
      if (conn.read_some(r, 100ms) < 0) break;
    EXPECT_EQ(status_line(r), "HTTP/1.1 400 Bad Request") << r.substr(0, 300);
  }
  // Every file of the database is private, like the key.
  for (const char* name : {"codex.sqlite3", "codex.sqlite3-wal", "codex.sqlite3-shm"}) {
    struct stat st {};
    auto p = dir / "node" / name;
    ASSERT_EQ(::stat(p.c_str(), &st), 0) << p;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << p;
  }
  std::filesystem::remove_all(dir);
}
