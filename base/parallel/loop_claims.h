#pragma once
// Internal to base/parallel: the indices [0, n) of one parallel loop, claimed
// one at a time by any number of threads. The fork-join loops and the worker
// pool both run their tasks through it, so both skip and report failures the
// same way.
//
// After a task throws, the indices not yet claimed are claimed without being
// run, and the first exception is kept for the loop's caller.
//
// Thread-safety: run() may be called from any number of threads at once;
// rethrow_if_failed() only after every run() has returned.
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <utility>

namespace codex::base::detail {

// The first of the exceptions several threads may report.
class FirstError {
 public:
  void capture(std::exception_ptr error) noexcept {
    std::lock_guard lock(mu_);
    if (!error_) error_ = std::move(error);
  }
  // REQUIRES: no capture() runs concurrently.
  void rethrow_if_any() {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  std::mutex mu_;
  std::exception_ptr error_;  // guarded by mu_
};

class LoopClaims {
 public:
  explicit LoopClaims(size_t n) : n_(n) {}
  LoopClaims(const LoopClaims&) = delete;
  LoopClaims& operator=(const LoopClaims&) = delete;

  size_t size() const { return n_; }

  // Claims indices until none is left, running fn(i) for each unless a task
  // has failed. Returns how many indices this call claimed. Never throws.
  template <class Fn>
  size_t run(Fn& fn) noexcept {
    size_t claimed = 0;
    for (size_t i; (i = next_.fetch_add(1, std::memory_order_relaxed)) < n_; ++claimed) {
      if (failed_.load(std::memory_order_relaxed)) continue;
      try {
        fn(i);
      } catch (...) {
        fail(std::current_exception());
      }
    }
    return claimed;
  }

  // Records a failure (kept if it is the loop's first): the indices not yet
  // claimed will be skipped.
  void fail(std::exception_ptr error) noexcept {
    error_.capture(std::move(error));
    failed_.store(true, std::memory_order_relaxed);
  }

  void rethrow_if_failed() { error_.rethrow_if_any(); }

 private:
  const size_t n_;
  std::atomic<size_t> next_{0};
  std::atomic<bool> failed_{false};
  FirstError error_;
};

}  // namespace codex::base::detail
