// The erasure worker pool: all tasks run once, concurrency is bounded by the
// pool size, failures propagate, concurrent callers share the workers.
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>

#include "exchange/erasure/worker_pool.h"

namespace codex::erasure {
namespace {

TEST(WorkerPool, RunsEveryTaskOnce) {
  WorkerPool pool(3);
  EXPECT_EQ(pool.threads(), 3u);
  std::vector<std::atomic<int>> hits(1000);
  pool.parallel_for(hits.size(), [&](size_t i) { hits[i]++; });
  for (auto& h : hits)
    EXPECT_EQ(h.load(), 1);
  pool.parallel_for(0, [&](size_t) { FAIL(); });
}

TEST(WorkerPool, BoundsConcurrency) {
  WorkerPool pool(2);
  std::atomic<int> running{0}, peak{0};
  pool.parallel_for(50, [&](size_t) {
    int now = ++running;
    int p = peak.load();
    while (now > p && !peak.compare_exchange_weak(p, now)) {
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    --running;
  });
  EXPECT_LE(peak.load(), 2);
}

TEST(WorkerPool, PropagatesTheFirstFailureAndSkipsTheRest) {
  // One worker claims tasks in order, so exactly tasks 0..3 run.
  WorkerPool one(1);
  std::atomic<int> ran{0};
  auto fail_at_3 = [&](size_t i) {
    ++ran;
    if (i == 3) throw std::runtime_error("task 3");
  };
  EXPECT_THROW(one.parallel_for(10000, fail_at_3), std::runtime_error);
  EXPECT_EQ(ran.load(), 4);
  // With several workers the failure still propagates and the pool stays usable.
  WorkerPool pool(2);
  EXPECT_THROW(pool.parallel_for(10000, fail_at_3), std::runtime_error);
  std::atomic<int> after{0};
  pool.parallel_for(10, [&](size_t) { ++after; });
  EXPECT_EQ(after.load(), 10);
}

TEST(WorkerPool, ConcurrentCallers) {
  WorkerPool pool(2);
  std::atomic<long> sum{0};
  std::vector<std::thread> callers;
  for (int c = 0; c < 4; ++c)
    callers.emplace_back([&] { pool.parallel_for(500, [&](size_t i) { sum += long(i); }); });
  for (auto& t : callers)
    t.join();
  EXPECT_EQ(sum.load(), 4L * 499 * 500 / 2);
}

TEST(WorkerPool, DefaultSize) {
  WorkerPool pool(0);
  EXPECT_GE(pool.threads(), 1u);
  EXPECT_LE(pool.threads(), 16u);
}

}  // namespace
}  // namespace codex::erasure
