// Fork-join loops: every index exactly once, the ranges and thread counts
// asked for, the caller working as worker 0, errors rethrown after all
// threads have finished, per-thread state in the dynamic loop, nesting.
#include "base/parallel/parallel_for.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

namespace codex::base {
namespace {

TEST(ResolveThreads, ZeroMeansTheHardware) {
  EXPECT_EQ(resolve_threads(0), std::max(1u, std::thread::hardware_concurrency()));
  EXPECT_EQ(resolve_threads(5), 5u);
}

TEST(ForkJoin, RunsEachWorkerOnItsOwnThreadWithTheCallerFirst) {
  std::mutex mu;
  std::vector<std::thread::id> ids(4);
  fork_join(4, [&](unsigned w) {
    std::lock_guard lock(mu);
    ids[w] = std::this_thread::get_id();
  });
  EXPECT_EQ(ids[0], std::this_thread::get_id());
  EXPECT_EQ(std::set<std::thread::id>(ids.begin(), ids.end()).size(), 4u);
  int calls = 0;
  fork_join(0, [&](unsigned w) {
    EXPECT_EQ(w, 0u);
    ++calls;
  });
  EXPECT_EQ(calls, 1);
}

TEST(ForkJoin, RethrowsOnlyAfterEveryWorkerFinished) {
  std::atomic<int> finished{0};
  EXPECT_THROW(fork_join(3,
                         [&](unsigned w) {
                           if (w == 1) throw std::runtime_error("worker 1");
                           std::this_thread::sleep_for(std::chrono::milliseconds(20));
                           ++finished;
                         }),
               std::runtime_error);
  EXPECT_EQ(finished.load(), 2);  // the others ran to their end first
}

TEST(ParallelFor, CoversTheRangeWithContiguousParts) {
  for (size_t n : {1, 2, 3, 7, 64, 1000, 1001}) {
    for (unsigned threads : {1u, 2u, 3u, 8u}) {
      std::vector<std::atomic<int>> hits(n);
      std::mutex mu;
      std::vector<std::pair<size_t, size_t>> ranges;
      parallel_for(n, threads, [&](size_t b, size_t e) {
        EXPECT_LT(b, e);
        for (size_t i = b; i < e; ++i)
          hits[i]++;
        std::lock_guard lock(mu);
        ranges.emplace_back(b, e);
      });
      for (size_t i = 0; i < n; ++i)
        ASSERT_EQ(hits[i].load(), 1) << "n " << n << " threads " << threads << " i " << i;
      EXPECT_LE(ranges.size(), std::min<size_t>(threads, n));
      // Parts are ceil(n / parts) long: as even as the chunking allows.
      const size_t chunk = (n + std::min<size_t>(threads, n) - 1) / std::min<size_t>(threads, n);
      for (auto [b, e] : ranges) {
        EXPECT_EQ(b % chunk, 0u);
        EXPECT_LE(e - b, chunk);
      }
    }
  }
  parallel_for(0, 4, [](size_t, size_t) { FAIL(); });
}

TEST(ParallelFor, MinChunkLimitsTheParts) {
  std::atomic<int> parts{0};
  parallel_for(
      1000, 8, [&](size_t, size_t) { ++parts; }, 400);
  EXPECT_EQ(parts.load(), 2);  // 1000 / 400 = 2 parts at most
  parts = 0;
  parallel_for(
      100, 8,
      [&](size_t b, size_t e) {
        EXPECT_EQ(b, 0u);
        EXPECT_EQ(e, 100u);
        ++parts;
      },
      1000);
  EXPECT_EQ(parts.load(), 1);
}

TEST(ParallelFor, TheCallerTakesTheFirstRange) {
  const auto me = std::this_thread::get_id();
  parallel_for(100, 4, [&](size_t b, size_t) {
    if (b == 0) {
      EXPECT_EQ(std::this_thread::get_id(), me);
    }
  });
}

TEST(ParallelFor, RethrowsTheFirstError) {
  std::atomic<int> ran{0};
  EXPECT_THROW(parallel_for(100, 4,
                            [&](size_t b, size_t) {
                              ++ran;
                              if (b != 0) throw std::out_of_range("part");
                            }),
               std::out_of_range);
  EXPECT_EQ(ran.load(), 4);  // static parts all run
  EXPECT_THROW(parallel_for(10, 1, [](size_t, size_t) { throw std::logic_error("one"); }),
               std::logic_error);
}

TEST(ParallelForEach, RunsEveryIndexOnceOnAtMostTheThreadsAskedFor) {
  for (unsigned threads : {1u, 2u, 5u}) {
    std::vector<std::atomic<int>> hits(777);
    std::mutex mu;
    std::set<std::thread::id> seen;
    parallel_for_each(hits.size(), threads, [&](size_t i) {
      hits[i]++;
      std::lock_guard lock(mu);
      seen.insert(std::this_thread::get_id());
    });
    for (auto& h : hits)
      ASSERT_EQ(h.load(), 1);
    EXPECT_LE(seen.size(), threads);
  }
  parallel_for_each(0, 3, [](size_t) { FAIL(); });
}

TEST(ParallelForEach, GivesEachThreadItsOwnState) {
  std::atomic<int> made{0};
  std::vector<int> owner(500, -1);
  parallel_for_each(
      owner.size(), 3, [&] { return std::vector<int>{made++}; },
      [&](std::vector<int>& state, size_t i) {
        owner[i] = state[0];  // each index written by one thread only
      });
  EXPECT_LE(made.load(), 3);
  for (int o : owner) {
    EXPECT_GE(o, 0);
    EXPECT_LT(o, made.load());
  }
}

TEST(ParallelForEach, AFailureSkipsTheIndicesNotYetClaimed) {
  std::atomic<int> ran{0};
  auto fail_at_3 = [&](size_t i) {
    ++ran;
    if (i == 3) throw std::runtime_error("task 3");
  };
  EXPECT_THROW(parallel_for_each(10000, 1, fail_at_3), std::runtime_error);
  EXPECT_EQ(ran.load(), 4);
  ran = 0;
  // The other tasks take a little time, so that on loaded cores they cannot
  // all run in the moment the failing one waits to be scheduled again.
  auto slow_fail_at_3 = [&](size_t i) {
    fail_at_3(i);
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  };
  EXPECT_THROW(parallel_for_each(10000, 3, slow_fail_at_3), std::runtime_error);
  EXPECT_LT(ran.load(), 10000);
  // A failing state constructor fails the loop too.
  EXPECT_THROW(parallel_for_each(
                   10, 2, []() -> int { throw std::length_error("state"); }, [](int&, size_t) {}),
               std::length_error);
}

TEST(ParallelFor, NestsWithoutDeadlock) {
  std::atomic<long> sum{0};
  parallel_for(4, 2, [&](size_t b, size_t e) {
    for (size_t o = b; o < e; ++o)
      parallel_for_each(100, 2, [&](size_t i) { sum += long(o * 100 + i); });
  });
  EXPECT_EQ(sum.load(), 399L * 400 / 2);
}

}  // namespace
}  // namespace codex::base
