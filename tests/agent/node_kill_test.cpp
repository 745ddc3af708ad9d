// Crash safety of a real node: SIGKILL `codex-agent node` at random moments
// while a client uploads and deletes datasets, many times. After every kill,
// `codex-agent repo check` must find the store consistent (every indexed block
// readable and matching its CID, quota equal to what is stored, refcounts
// exact), every acknowledged upload must download intact, and every
// acknowledged delete must stay deleted.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "exchange/crypto/sha256.h"
#include "tests/agent/support/agent_node.h"
#include "tests/support/sanitizer.h"

using namespace codex;
using codex::test::AgentNode;

namespace {

std::string random_bytes(std::mt19937_64& rng, size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; i += 8) {
    uint64_t w = rng();
    std::memcpy(s.data() + i, &w, std::min<size_t>(8, n - i));
  }
  return s;
}

int repo_check(const std::filesystem::path& dir) {
  std::string cmd = codex::test::agent_binary() + " repo check -d " + dir.string() + " > " +
                    dir.string() + ".check 2>&1";
  return std::system(cmd.c_str());
}

}  // namespace

TEST(NodeKill, StoreStaysConsistentAcrossRandomKills) {
  auto dir =
      std::filesystem::path(::testing::TempDir()) / ("codex-kill-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto node_dir = dir / "node";
  std::mt19937_64 rng(20261122);
  std::map<std::string, std::string> stored;  // acknowledged: cid → bytes
  std::set<std::string> deleted;              // acknowledged deletes
  std::set<std::string> maybe_deleted;        // delete in flight at a kill

  constexpr int kKills = 20;
  for (int round = 0; round < kKills; ++round) {
    AgentNode node(node_dir);
    // Finish deletes that a kill interrupted (DELETE is idempotent).
    for (const auto& cid : maybe_deleted) {
      httplib::Client c("127.0.0.1", node.port());
      ASSERT_EQ(c.Delete("/api/codex/v1/data/" + cid)->status, 204);
      stored.erase(cid);
      deleted.insert(cid);
    }
    maybe_deleted.clear();
    // Everything acknowledged is intact; everything deleted is gone.
    {
      httplib::Client c("127.0.0.1", node.port());
      for (const auto& [cid, bytes] : stored) {
        auto r = c.Get("/api/codex/v1/data/" + cid);
        ASSERT_TRUE(r);
        ASSERT_EQ(r->status, 200) << "round " << round << " lost " << cid;
        ASSERT_EQ(r->body, bytes) << "round " << round << " corrupted " << cid;
      }
      for (const auto& cid : deleted)
        ASSERT_EQ(c.Get("/api/codex/v1/data/" + cid)->status, 404);
    }

    // A client works until the node is killed under it.
    std::atomic<bool> stop{false};
    std::mutex mu;
    std::string in_flight_delete;
    uint64_t seed = rng();
    std::thread client([&, seed] {
      std::mt19937_64 r(seed);
      httplib::Client c("127.0.0.1", node.port());
      c.set_read_timeout(10, 0);
      while (!stop) {
        bool del = false;
        std::string victim;
        {
          std::lock_guard l(mu);
          del = !stored.empty() && r() % 3 == 0;
          if (del) {
            auto it = stored.begin();
            std::advance(it, long(r() % stored.size()));
            victim = it->first;
            in_flight_delete = victim;
          }
        }
        if (del) {
          auto res = c.Delete("/api/codex/v1/data/" + victim);
          std::lock_guard l(mu);
          if (res && res->status == 204) {
            stored.erase(victim);
            deleted.insert(victim);
            in_flight_delete.clear();
          } else {
            return;  // the node died mid-request
          }
        } else {
          std::string data = random_bytes(r, 1000 + r() % (3 << 20));
          auto res = c.Post("/api/codex/v1/data", data, "application/octet-stream");
          if (!res || res->status != 200) return;
          std::lock_guard l(mu);
          stored[res->body] = std::move(data);
        }
      }
    });
    // Sanitized nodes start and work slower: they get longer before the kill.
    std::this_thread::sleep_for(
        std::chrono::milliseconds((50 + rng() % 600) * codex::testing::sanitizer_slowdown()));
    node.stop(SIGKILL);
    stop = true;
    client.join();
    if (!in_flight_delete.empty()) maybe_deleted.insert(in_flight_delete);

    ASSERT_EQ(repo_check(node_dir), 0)
        << "round " << round << ": see " << node_dir.string() << ".check";
    std::ifstream report(node_dir.string() + ".check");
    std::string text((std::istreambuf_iterator<char>(report)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find(", pack garbage "), std::string::npos) << text;
  }
  EXPECT_GT(stored.size() + deleted.size(), 10u);
  std::filesystem::remove_all(dir);
}
