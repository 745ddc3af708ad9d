// The /data REST API on a real `codex-agent node` process over loopback:
// large round trips (also across a restart) and every bad request's status.
#include <gtest/gtest.h>
#include <httplib.h>

#include <fstream>
#include <random>

#include "exchange/crypto/sha256.h"
#include "exchange/multiformats/cid.h"
#include "tests/agent/support/agent_node.h"

using namespace codex;
using codex::test::AgentNode;

namespace {

std::filesystem::path temp_dir(const std::string& name) {
  auto d = std::filesystem::path(::testing::TempDir()) /
           ("codex-rest-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

// Writes `size` pseudo-random bytes; returns their SHA-256.
Digest32 write_random_file(const std::filesystem::path& p, uint64_t size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::ofstream out(p, std::ios::binary);
  Sha256 h;
  std::vector<uint64_t> buf(1 << 17);
  for (uint64_t done = 0; done < size;) {
    for (auto& w : buf)
      w = rng();
    size_t n = size_t(std::min<uint64_t>(size - done, buf.size() * 8));
    out.write(reinterpret_cast<const char*>(buf.data()), std::streamsize(n));
    h.update({reinterpret_cast<const uint8_t*>(buf.data()), n});
    done += n;
  }
  return h.finish();
}

Digest32 file_sha256(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  Sha256 h;
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), std::streamsize(buf.size()));
    h.update({reinterpret_cast<const uint8_t*>(buf.data()), size_t(in.gcount())});
  }
  return h.finish();
}

httplib::Client http(const AgentNode& n) {
  httplib::Client c("127.0.0.1", n.port());
  c.set_read_timeout(60, 0);
  return c;
}

const std::string kBase = "/api/codex/v1";

}  // namespace

TEST(RestDataApi, LargeUploadDownloadAndRestart) {
  auto dir = temp_dir("large");
  AgentNode node(dir / "node");
  const uint64_t size = 256ull << 20;
  Digest32 want = write_random_file(dir / "in.bin", size, 42);
  std::string cid = node.client().upload(dir / "in.bin");
  ASSERT_EQ(cid.front(), 'z');
  EXPECT_EQ(node.client().download(cid, dir / "out.bin"), size);
  EXPECT_EQ(file_sha256(dir / "out.bin"), want);
  std::filesystem::remove(dir / "out.bin");

  ASSERT_NE(node.stop(SIGTERM), -1);
  node.start();
  EXPECT_EQ(node.client().download(cid, dir / "out.bin"), size);
  EXPECT_EQ(file_sha256(dir / "out.bin"), want);
  std::filesystem::remove_all(dir);
}

TEST(RestDataApi, ListSpaceExistsAndDelete) {
  auto dir = temp_dir("list");
  AgentNode node(dir / "node");
  auto c = http(node);
  auto up = c.Post(kBase + "/data",
                   httplib::Headers{{"Content-Disposition", "attachment; filename=\"a.txt\""}},
                   std::string(100000, 'x'), "text/plain");
  ASSERT_TRUE(up);
  ASSERT_EQ(up->status, 200) << up->body;
  std::string cid = up->body;

  auto list = c.Get(kBase + "/data");
  ASSERT_EQ(list->status, 200);
  auto j = nlohmann::json::parse(list->body);
  ASSERT_EQ(j["content"].size(), 1u);
  EXPECT_EQ(j["content"][0]["cid"], cid);
  EXPECT_EQ(j["content"][0]["manifest"]["datasetSize"], 100000);
  EXPECT_EQ(j["content"][0]["manifest"]["filename"], "a.txt");
  EXPECT_EQ(j["content"][0]["manifest"]["mimetype"], "text/plain");
  EXPECT_EQ(j["content"][0]["manifest"]["protected"], false);

  auto get = c.Get(kBase + "/data/" + cid);
  ASSERT_EQ(get->status, 200);
  EXPECT_EQ(get->body, std::string(100000, 'x'));
  EXPECT_EQ(get->get_header_value("Content-Type"), "text/plain");
  EXPECT_EQ(get->get_header_value("Content-Length"), "100000");
  EXPECT_EQ(get->get_header_value("Content-Disposition"), "attachment; filename=\"a.txt\"");

  auto space = nlohmann::json::parse(c.Get(kBase + "/space")->body);
  EXPECT_EQ(space["totalBlocks"], 3);  // 2 data blocks + the manifest
  EXPECT_GT(space["quotaUsedBytes"].get<uint64_t>(), 2u * 65536);

  EXPECT_EQ(nlohmann::json::parse(c.Get(kBase + "/data/" + cid + "/exists")->body)[cid], true);
  EXPECT_EQ(c.Delete(kBase + "/data/" + cid)->status, 204);
  EXPECT_EQ(c.Get(kBase + "/data/" + cid)->status, 404);
  EXPECT_EQ(nlohmann::json::parse(c.Get(kBase + "/data/" + cid + "/exists")->body)[cid], false);
  EXPECT_EQ(c.Delete(kBase + "/data/" + cid)->status, 204);  // absent: still 204
  space = nlohmann::json::parse(c.Get(kBase + "/space")->body);
  EXPECT_EQ(space["totalBlocks"], 0);
  EXPECT_EQ(space["quotaUsedBytes"], 0);
  std::filesystem::remove_all(dir);
}

TEST(RestDataApi, BadRequests) {
  auto dir = temp_dir("bad");
  AgentNode node(dir / "node", {"--storage-quota", "1MiB"});
  auto c = http(node);
  // Malformed CIDs → 400 on every CID path.
  for (const std::string& bad : std::vector<std::string>{
           "zzz", "not-a-cid", "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG",
           "z" + std::string(400, '2')}) {
    EXPECT_EQ(c.Get(kBase + "/data/" + bad)->status, 400) << bad;
    EXPECT_EQ(c.Delete(kBase + "/data/" + bad)->status, 400) << bad;
    EXPECT_EQ(c.Get(kBase + "/data/" + bad + "/exists")->status, 400) << bad;
  }
  // Well-formed but unknown → 404; a block CID is not a manifest → 400.
  std::string unknown = Cid::sha256_of(0xCD01, {}).to_string();
  EXPECT_EQ(c.Get(kBase + "/data/" + unknown)->status, 404);
  EXPECT_EQ(c.Get(kBase + "/data/" + Cid::empty_block().to_string())->status, 400);
  // Upload header rules → 422.
  EXPECT_EQ(c.Post(kBase + "/data", "abc", "foo/bar")->status, 422);
  EXPECT_EQ(c.Post(kBase + "/data",
                   httplib::Headers{{"Content-Disposition", "attachment; filename=\"../x\""}},
                   "abc", "text/plain")
                ->status,
            422);
  EXPECT_EQ(c.Post(kBase + "/data", "", "text/plain")->status, 422);  // empty upload
  // Quota exhausted → 422 with a message, and the node keeps serving.
  // (Distinct blocks: identical blocks are stored once.)
  std::string noise(3 << 20, '\0');
  std::mt19937_64 rng(7);
  for (auto& ch : noise)
    ch = char(rng());
  auto big = c.Post(kBase + "/data", noise, "application/octet-stream");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 422);
  EXPECT_NE(big->body.find("quota"), std::string::npos) << big->body;
  auto small = c.Post(kBase + "/data", std::string(1000, 's'), "application/octet-stream");
  ASSERT_TRUE(small);
  EXPECT_EQ(small->status, 200) << small->body;
  // A block of a dataset cannot be deleted on its own → 500 with the reason.
  std::string manifest_cid = small->body;
  std::string padded = std::string(1000, 's') + std::string(65536 - 1000, '\0');
  Cid block = Cid::sha256_of(
      0xCD02,
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(padded.data()), padded.size()));
  auto del = c.Delete(kBase + "/data/" + block.to_string());
  EXPECT_EQ(del->status, 500);
  EXPECT_EQ(c.Get(kBase + "/data/" + manifest_cid)->status, 200);
  // Unknown paths → 404.
  EXPECT_EQ(c.Get(kBase + "/nope")->status, 404);
  EXPECT_EQ(c.Get("/")->status, 404);
  std::filesystem::remove_all(dir);
}
