#include "base/clock.h"

#include <stdexcept>
#include <thread>

namespace codex::base {

SystemClock::SystemClock()
    : epoch_at_start_(
          std::chrono::duration_cast<Millis>(std::chrono::system_clock::now().time_since_epoch())),
      start_(std::chrono::steady_clock::now()) {}

Millis SystemClock::now() const {
  return epoch_at_start_ +
         std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - start_);
}

void SystemClock::sleep_until(Millis t) {
  Millis d = t - now();
  if (d > Millis(0)) std::this_thread::sleep_for(d);
}

ManualClock::ManualClock(Millis start, Mode mode) : t_(start), mode_(mode) {}

Millis ManualClock::now() const {
  std::lock_guard l(mu_);
  return t_;
}

void ManualClock::sleep_until(Millis t) {
  std::unique_lock l(mu_);
  ++sleeps_;
  if (mode_ == Mode::kAdvanceOnSleep) {
    if (t > t_) t_ = t;
    cv_.notify_all();
    return;
  }
  cv_.wait(l, [&] { return t_ >= t; });
}

void ManualClock::set(Millis t) {
  std::lock_guard l(mu_);
  if (t < t_) throw std::invalid_argument("ManualClock: time cannot go back");
  t_ = t;
  cv_.notify_all();
}

void ManualClock::advance(Millis d) {
  std::lock_guard l(mu_);
  if (d < Millis(0)) throw std::invalid_argument("ManualClock: time cannot go back");
  t_ += d;
  cv_.notify_all();
}

uint64_t ManualClock::sleeps() const {
  std::lock_guard l(mu_);
  return sleeps_;
}

}  // namespace codex::base
