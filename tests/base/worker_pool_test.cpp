// The shared worker pool: all tasks run once, concurrency is bounded by the
// pool size even with several callers, failures propagate and skip the rest,
// and a task may start an inner loop on its own pool without deadlocking.
#include "base/parallel/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

namespace codex::base {
namespace {

// Records the highest number of tasks running at once.
struct Peak {
  std::atomic<int> running{0}, peak{0};
  void enter() {
    int now = ++running;
    int p = peak.load();
    while (now > p && !peak.compare_exchange_weak(p, now)) {
    }
  }
  void leave() { --running; }
};

TEST(WorkerPool, RunsEveryTaskOnce) {
  WorkerPool pool(3);
  EXPECT_EQ(pool.threads(), 3u);
  std::vector<std::atomic<int>> hits(1000);
  pool.parallel_for(hits.size(), [&](size_t i) { hits[i]++; });
  for (auto& h : hits)
    EXPECT_EQ(h.load(), 1);
  pool.parallel_for(0, [&](size_t) { FAIL(); });
}

TEST(WorkerPool, BoundsConcurrencyAcrossCallers) {
  WorkerPool pool(2);
  Peak peak;
  auto task = [&](size_t) {
    peak.enter();
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    peak.leave();
  };
  pool.parallel_for(50, task);
  EXPECT_LE(peak.peak.load(), 2);
  std::vector<std::thread> callers;
  for (int c = 0; c < 3; ++c)
    callers.emplace_back([&] { pool.parallel_for(30, task); });
  for (auto& t : callers)
    t.join();
  EXPECT_LE(peak.peak.load(), 2);
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

TEST(WorkerPool, InnerLoopsOnAFullPoolFinish) {
  // Every worker is inside an outer task when it starts an inner loop: had
  // they waited for free workers, none would come.
  for (size_t threads : {1, 2, 3}) {
    WorkerPool pool(threads);
    Peak peak;
    std::atomic<long> sum{0};
    pool.parallel_for(6, [&](size_t o) {
      pool.parallel_for(100, [&](size_t i) {
        peak.enter();
        sum += long(o * 100 + i);
        peak.leave();
      });
    });
    EXPECT_EQ(sum.load(), 599L * 600 / 2) << threads << " threads";
    EXPECT_LE(peak.peak.load(), int(threads));
    // Failures of an inner loop reach the outer caller.
    EXPECT_THROW(pool.parallel_for(4,
                                   [&](size_t) {
                                     pool.parallel_for(10, [](size_t i) {
                                       if (i == 5) throw std::logic_error("inner");
                                     });
                                   }),
                 std::logic_error);
  }
}

TEST(WorkerPool, DefaultSizeIsTheHardware) {
  WorkerPool pool(0);
  EXPECT_EQ(pool.threads(), std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace
}  // namespace codex::base
