#pragma once
// A Prometheus counter: a count that only goes up (requests served, bytes
// sent). Integer-valued; lock-free. Thread-safe.
#include <atomic>
#include <cstdint>

namespace codex::base::metrics {

class Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  void inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

}  // namespace codex::base::metrics
