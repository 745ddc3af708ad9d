// Clocks: wall time never steps back, virtual time moves only when told (or
// on sleep, in the advance-on-sleep mode), and a blocked sleeper wakes when
// another thread advances it.
#include "base/clock.h"

#include <gtest/gtest.h>

#include <thread>

namespace codex::base {
namespace {

TEST(SystemClock, IsNearTheSystemTimeAndMonotonic) {
  SystemClock c;
  auto sys =
      std::chrono::duration_cast<Millis>(std::chrono::system_clock::now().time_since_epoch());
  EXPECT_LT(std::abs((c.now() - sys).count()), 1000);
  Millis a = c.now();
  c.sleep_for(Millis(5));
  EXPECT_GE(c.now() - a, Millis(5));
  c.sleep_until(Millis(0));  // in the past: returns at once
}

TEST(ManualClock, AdvanceOnSleepJumpsWithoutWaiting) {
  ManualClock c(Millis(1'000));
  EXPECT_EQ(c.seconds(), 1u);
  c.sleep_for(Millis(3'600'000));  // an hour, instantly
  EXPECT_EQ(c.now(), Millis(3'601'000));
  c.sleep_until(Millis(5));  // the past does not move it back
  EXPECT_EQ(c.now(), Millis(3'601'000));
  EXPECT_EQ(c.sleeps(), 2u);
  EXPECT_THROW(c.set(Millis(0)), std::invalid_argument);
}

TEST(ManualClock, BlockOnSleepWaitsForAnotherThread) {
  ManualClock c(Millis(0), ManualClock::Mode::kBlockOnSleep);
  std::atomic<bool> woke{false};
  std::thread t([&] {
    c.sleep_until(Millis(100));
    woke = true;
  });
  c.advance(Millis(50));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(woke);
  c.advance(Millis(50));
  t.join();
  EXPECT_TRUE(woke);
}

}  // namespace
}  // namespace codex::base
