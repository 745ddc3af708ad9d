// The store seen through /data on a real `codex-agent node` under hostile
// use (issue #11): uploads cut off or with a lying Content-Length never
// become datasets and free their blocks at once; datasets of the same bytes
// survive each other's deletion, also when an upload races a deletion; a
// corrupt block is never served as a complete download and `repo check
// --quick` reports it; after ENOSPC on a real (tmpfs) file system the failed
// upload's space comes back and the next upload succeeds.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "tests/agent/support/agent_node.h"
#include "tests/support/require_tool.h"
#include "tests/support/temp_dir.h"

using codex::test::AgentNode;
using codex::testing::TempDir;
namespace fs = std::filesystem;

namespace {

const std::string kBase = "/api/codex/v1";

std::string random_string(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s)
    c = static_cast<char>(rng());
  return s;
}

httplib::Client http(const AgentNode& n) {
  httplib::Client c("127.0.0.1", n.port());
  c.set_read_timeout(60, 0);
  return c;
}

enum class End { kAbort, kHalfClose, kKeepOpen };

// A raw HTTP exchange: sends head and body (as much as given), then closes
// (kAbort: as a killed client does), or reads the answer after a half-close
// (the server learns that no more body comes) or with the connection open.
std::string raw(int port, const std::string& head, const std::string& body, End end) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    throw std::runtime_error("connect failed");
  }
  std::string all = head + body;
  for (size_t done = 0; done < all.size();) {
    ssize_t n = ::send(fd, all.data() + done, all.size() - done, MSG_NOSIGNAL);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  std::string reply;
  if (end != End::kAbort) {
    if (end == End::kHalfClose) ::shutdown(fd, SHUT_WR);
    timeval tv{20, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[4096];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) {
      reply.append(buf, static_cast<size_t>(n));
      // One answer (text/plain with a Content-Length) is all we wait for.
      auto head_end = reply.find("\r\n\r\n");
      auto cl = reply.find("Content-Length: ");
      if (head_end != std::string::npos && cl != std::string::npos && cl < head_end &&
          reply.size() >= head_end + 4 + std::stoul(reply.substr(cl + 16)))
        break;
    }
  }
  ::close(fd);
  return reply;
}

std::string upload_head(const std::string& extra) {
  return "POST " + kBase +
         "/data HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n" + extra +
         "\r\n";
}

nlohmann::json space(httplib::Client& c) {
  return nlohmann::json::parse(c.Get(kBase + "/space")->body);
}

size_t datasets(httplib::Client& c) {
  return nlohmann::json::parse(c.Get(kBase + "/data")->body)["content"].size();
}

// Waits until the node holds no block (the handler of a cut-off upload ends
// a moment after the client went). False if blocks stay.
bool store_empties(httplib::Client& c) {
  for (int i = 0; i < 100; ++i) {
    if (space(c)["totalBlocks"] == 0 && datasets(c) == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::pair<int, std::string> run(const std::string& args, const fs::path& out) {
  std::string cmd = codex::test::agent_binary() + " " + args + " > " + out.string() + " 2>&1";
  int st = std::system(cmd.c_str());
  std::ifstream in(out);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, text};
}

// Flips one byte of 64 KiB block `block` of data in the pack that holds it.
bool flip_in_packs(const fs::path& node_dir, const std::string& data, size_t block) {
  std::string needle = data.substr(block << 16, 1 << 16);
  for (auto& e : fs::directory_iterator(node_dir / "repo" / "packs")) {
    std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
    std::string all((std::istreambuf_iterator<char>(f)), {});
    auto at = all.find(needle);
    if (at == std::string::npos) continue;
    f.seekp(static_cast<std::streamoff>(at + 777));
    f.put(static_cast<char>(all[at + 777] ^ 0x40));
    return true;
  }
  return false;
}

}  // namespace

// Defect 3: a killed curl's 4 MiB prefix of an 8 MiB upload was stored and
// listed as the file ("stored 4128768 bytes as z…").
TEST(RestStoreFaults, CutOffUploadsNeverBecomeDatasets) {
  TempDir tmp("rest_store_faults");
  AgentNode node(tmp.path() / "node");
  auto c = http(node);
  const std::string data = random_string(8 << 20, 1);
  // The client dies half-way.
  raw(node.port(), upload_head("Content-Length: " + std::to_string(data.size()) + "\r\n"),
      data.substr(0, 4 << 20), End::kAbort);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_TRUE(store_empties(c)) << space(c).dump();
  // Content-Length: 1000000, then 70,000 bytes and a close.
  raw(node.port(), upload_head("Content-Length: 1000000\r\n"), data.substr(0, 70000), End::kAbort);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_TRUE(store_empties(c)) << space(c).dump();
  // A chunked body without its last chunk.
  std::string chunks;
  for (int i = 0; i < 40; ++i)
    chunks += "10000\r\n" + data.substr(size_t(i) << 16, 1 << 16) + "\r\n";
  raw(node.port(), upload_head("Transfer-Encoding: chunked\r\n"), chunks, End::kAbort);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_TRUE(store_empties(c)) << space(c).dump();
  // A negative or 23-digit Content-Length is a bad request, whatever follows.
  for (std::string bad : {"-1", "-70000", "12345678901234567890123", "1e6"}) {
    std::string reply = raw(node.port(), upload_head("Content-Length: " + bad + "\r\n"),
                            data.substr(0, 70000), End::kHalfClose);
    EXPECT_EQ(reply.substr(0, 12), "HTTP/1.1 400") << bad << ": " << reply.substr(0, 200);
  }
  EXPECT_TRUE(store_empties(c)) << space(c).dump();
  // Complete bodies still work, with a length and chunked.
  std::string ok = raw(node.port(), upload_head("Content-Length: 70000\r\n"), data.substr(0, 70000),
                       End::kKeepOpen);
  EXPECT_EQ(ok.substr(0, 12), "HTTP/1.1 200") << ok.substr(0, 200);
  ok = raw(node.port(), upload_head("Transfer-Encoding: chunked\r\n"), chunks + "0\r\n\r\n",
           End::kKeepOpen);
  EXPECT_EQ(ok.substr(0, 12), "HTTP/1.1 200") << ok.substr(0, 200);
  EXPECT_EQ(datasets(c), 2u);
}

// Defect 4: two uploads of the same bytes share one tree; deleting one made
// the other answer 404 while still listed.
TEST(RestStoreFaults, DeletingOneOfTwoDatasetsOfTheSameBytesKeepsTheOther) {
  TempDir tmp("rest_store_faults");
  AgentNode node(tmp.path() / "node");
  auto c = http(node);
  const std::string data = random_string(3 << 20, 2);
  auto a = c.Post(kBase + "/data",
                  httplib::Headers{{"Content-Disposition", "attachment; filename=\"a\""}}, data,
                  "application/octet-stream");
  auto b = c.Post(kBase + "/data",
                  httplib::Headers{{"Content-Disposition", "attachment; filename=\"b\""}}, data,
                  "application/octet-stream");
  ASSERT_EQ(a->status, 200);
  ASSERT_EQ(b->status, 200);
  ASSERT_NE(a->body, b->body);
  EXPECT_EQ(c.Delete(kBase + "/data/" + a->body)->status, 204);
  auto get = c.Get(kBase + "/data/" + b->body);
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 200) << get->body.substr(0, 200);
  EXPECT_TRUE(get->body == data);
  EXPECT_EQ(c.Delete(kBase + "/data/" + b->body)->status, 204);
  EXPECT_EQ(space(c)["totalBlocks"], 0);
}

// Defect 4: an upload of bytes X racing the deletion of a dataset of X
// returned a CID whose blocks were gone. Real concurrent requests.
TEST(RestStoreFaults, UploadRacingTheDeletionOfTheSameBytesKeepsItsBlocks) {
  TempDir tmp("rest_store_faults");
  AgentNode node(tmp.path() / "node");
  auto c = http(node);
  const std::string data = random_string(16 << 20, 3);
  for (int round = 0; round < 6; ++round) {
    auto old = c.Post(kBase + "/data", data, "application/octet-stream");
    ASSERT_EQ(old->status, 200);
    std::string fresh;
    std::thread up([&] {
      auto uc = http(node);
      auto r = uc.Post(kBase + "/data",
                       httplib::Headers{{"Content-Disposition", "attachment; filename=\"r" +
                                                                    std::to_string(round) + "\""}},
                       data, "application/octet-stream");
      if (r && r->status == 200) fresh = r->body;
    });
    std::thread del([&] {
      auto dc = http(node);
      std::this_thread::sleep_for(std::chrono::milliseconds(20 * round));
      dc.Delete(kBase + "/data/" + old->body);
    });
    up.join();
    del.join();
    ASSERT_FALSE(fresh.empty());
    auto get = c.Get(kBase + "/data/" + fresh);
    ASSERT_TRUE(get);
    ASSERT_EQ(get->status, 200) << "round " << round << ": " << get->body.substr(0, 200);
    ASSERT_TRUE(get->body == data) << "round " << round;
    ASSERT_EQ(c.Delete(kBase + "/data/" + fresh)->status, 204);
  }
  EXPECT_EQ(space(c)["totalBlocks"], 0);
}

// Defect 5: one flipped byte in a pack was served with 200, and `repo check
// --quick` said "consistent".
TEST(RestStoreFaults, ACorruptBlockIsNeverServedAsAWholeFile) {
  TempDir tmp("rest_store_faults");
  const fs::path dir = tmp.path() / "node";
  AgentNode node(dir);
  const std::string data = random_string(2 << 20, 4);  // 32 blocks
  auto up = http(node).Post(kBase + "/data", data, "application/octet-stream");
  ASSERT_EQ(up->status, 200);
  const std::string cid = up->body;
  ASSERT_NE(node.stop(SIGTERM), -1);
  auto flip = [&](size_t block) { return flip_in_packs(dir, data, block); };
  ASSERT_TRUE(flip(20));
  node.start();  // on another port
  ASSERT_EQ(http(node).Get(kBase + "/data/" + cid + "/exists")->status, 200);
  auto get = http(node).Get(kBase + "/data/" + cid);
  // The client must see a failed transfer, never a whole-looking file.
  EXPECT_FALSE(get && get->status == 200 && get->body.size() == data.size())
      << (get ? get->body.size() : 0);
  // The node keeps serving.
  EXPECT_EQ(http(node).Get(kBase + "/space")->status, 200);
  ASSERT_NE(node.stop(SIGTERM), -1);
  ASSERT_TRUE(flip(0));
  node.start();
  get = http(node).Get(kBase + "/data/" + cid);
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 500);
  ASSERT_NE(node.stop(SIGTERM), -1);
  auto [rc, text] = run("repo check --quick -d " + dir.string(), tmp.path() / "check.out");
  EXPECT_NE(rc, 0) << text;
  EXPECT_NE(text.find("INCONSISTENT"), std::string::npos) << text;
  EXPECT_NE(text.find("corrupt"), std::string::npos) << text;
}

// Defect 5: `repo check --quick` said "consistent" after a byte in a pack
// was flipped, until a read happened to meet the block. It checks every
// block's CRC32C now, and records what it finds.
TEST(RestStoreFaults, RepoCheckQuickFindsDamageNoReadHasMet) {
  TempDir tmp("rest_store_faults");
  const fs::path dir = tmp.path() / "node";
  const std::string data = random_string(3 << 20, 8);  // 48 blocks
  {
    AgentNode node(dir);
    ASSERT_EQ(http(node).Post(kBase + "/data", data, "application/octet-stream")->status, 200);
    ASSERT_NE(node.stop(SIGTERM), -1);
  }
  const std::string check = "repo check --quick -d " + dir.string();
  auto [rc, text] = run(check, tmp.path() / "clean.out");
  EXPECT_EQ(rc, 0) << text;
  EXPECT_NE(text.find("consistent"), std::string::npos) << text;
  EXPECT_NE(text.find("verified 0 by hash, 49 by checksum"), std::string::npos) << text;
  ASSERT_TRUE(flip_in_packs(dir, data, 33));
  std::tie(rc, text) = run(check, tmp.path() / "damaged.out");
  EXPECT_EQ(rc, 1) << text;
  EXPECT_NE(text.find("INCONSISTENT"), std::string::npos) << text;
  EXPECT_NE(text.find("damaged 1"), std::string::npos) << text;
  EXPECT_NE(text.find("do not match the checksum"), std::string::npos) << text;
  // Recorded in the store: the next check (quick or full) reports it again.
  std::tie(rc, text) = run("repo check -d " + dir.string(), tmp.path() / "full.out");
  EXPECT_EQ(rc, 1) << text;
  EXPECT_NE(text.find("damaged 1"), std::string::npos) << text;
}

// Defect 9: after ENOSPC a failed upload left its blocks until their TTL and
// later uploads kept failing. A real full file system: a 40 MiB tmpfs, which
// needs the right to mount (root, or CAP_SYS_ADMIN). Without it the test
// follows CODEX_REQUIRE_TOOL: skipped loudly on a developer's machine, failed
// under CI, which runs as root (.ci/run, as on the project's machines): a CI
// that cannot mount has lost this test and must say so. The
// ci_strictness.enospc_* tests (tests/CMakeLists.txt) check both outcomes by
// running it without CAP_SYS_ADMIN.
TEST(RestStoreFaults, AfterEnospcTheFailedUploadsSpaceComesBack) {
  // The node stops reading a failed upload's body: our writes then hit a
  // closed socket.
  ::signal(SIGPIPE, SIG_IGN);
  TempDir tmp("rest_store_faults");
  const fs::path mnt = tmp.path() / "small";
  fs::create_directories(mnt);
  const bool mounted = ::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=40m,mode=0700") == 0;
  CODEX_REQUIRE_TOOL(mounted, "the right to mount a tmpfs (root or CAP_SYS_ADMIN; mount: "
                                  << std::strerror(errno) << ")");
  struct Unmount {
    fs::path p;
    ~Unmount() { ::umount2(p.c_str(), MNT_DETACH); }
  } unmount{mnt};
  {
    AgentNode node(mnt / "node");
    auto c = http(node);
    auto big = c.Post(kBase + "/data", random_string(64 << 20, 5), "application/octet-stream");
    // The node may close before the client has sent it all: no answer then.
    EXPECT_FALSE(big && big->status == 200);
    EXPECT_EQ(space(c)["totalBlocks"], 0) << space(c).dump();
    const std::string data = random_string(12 << 20, 6);
    for (int i = 0; i < 3; ++i) {  // again and again: the space is back each time
      auto ok = c.Post(kBase + "/data", data, "application/octet-stream");
      ASSERT_TRUE(ok);
      ASSERT_EQ(ok->status, 200) << "upload " << i << ": " << ok->body;
      auto get = c.Get(kBase + "/data/" + ok->body);
      ASSERT_EQ(get->status, 200);
      EXPECT_TRUE(get->body == data);
      ASSERT_EQ(c.Delete(kBase + "/data/" + ok->body)->status, 204);
      auto fail =
          c.Post(kBase + "/data", random_string(64 << 20, 7 + i), "application/octet-stream");
      EXPECT_FALSE(fail && fail->status == 200);
    }
    EXPECT_EQ(space(c)["totalBlocks"], 0);
    node.stop(SIGTERM);
  }
}
