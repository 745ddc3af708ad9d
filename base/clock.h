#pragma once
// Time behind one interface: wall time (SystemClock), chain time (the chain
// layer's ChainClock follows block timestamps) and virtual time (ManualClock,
// for tests and simulation). Logic that waits for a deadline, a period or a
// poll interval takes a Clock& and never calls steady_clock or sleep_for
// itself, so a test can drive thousands of periods without sleeping.
//
// Times are milliseconds since the Unix epoch; chain time has whole seconds.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace codex::base {

using Millis = std::chrono::milliseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  // Current time. Never decreases. Thread-safe.
  virtual Millis now() const = 0;
  // Blocks until now() >= t, or returns at once if it already is. A virtual
  // clock may advance its time instead of blocking. Thread-safe.
  virtual void sleep_until(Millis t) = 0;

  // Whole seconds (chain time, expiries).
  uint64_t seconds() const { return uint64_t(now().count() / 1000); }
  void sleep_for(Millis d) { sleep_until(now() + d); }
};

// Wall time: the system clock's epoch, advanced by the steady clock so that it
// never steps back when the system time is set. Thread-safe.
class SystemClock final : public Clock {
 public:
  SystemClock();
  Millis now() const override;
  void sleep_until(Millis t) override;

 private:
  Millis epoch_at_start_;
  std::chrono::steady_clock::time_point start_;
};

// Virtual time, moved by hand. In kAdvanceOnSleep mode sleep_until(t) moves the
// time to t and returns at once (one-threaded simulations, poll loops in unit
// tests); in kBlockOnSleep mode it blocks until another thread advances the
// time past t. Thread-safe.
class ManualClock final : public Clock {
 public:
  enum class Mode { kAdvanceOnSleep, kBlockOnSleep };
  explicit ManualClock(Millis start = Millis(0), Mode mode = Mode::kAdvanceOnSleep);

  Millis now() const override;
  void sleep_until(Millis t) override;

  // REQUIRES: t >= now() (throws std::invalid_argument otherwise).
  void set(Millis t);
  void advance(Millis d);
  // Number of sleep_until calls so far (tests count poll rounds with it).
  uint64_t sleeps() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  Millis t_;
  Mode mode_;
  uint64_t sleeps_ = 0;
};

}  // namespace codex::base
