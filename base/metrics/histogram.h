#pragma once
// A Prometheus histogram: observations counted into buckets by upper bound,
// with their sum. Exposed cumulatively (each `le` bucket counts every
// observation <= its bound, `+Inf` all of them, equal to `_count`).
// Lock-free. Thread-safe.
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace codex::base::metrics {

// Request latencies, 1 ms to 60 s.
std::vector<double> latency_buckets();

class Histogram {
 public:
  // `bounds`: finite upper bounds, strictly increasing (the +Inf bucket is
  // implicit). Throws std::invalid_argument otherwise.
  explicit Histogram(std::vector<double> bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  // NaN is ignored (it belongs to no bucket).
  void observe(double v);

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<uint64_t> cumulative;  // per bound, then +Inf (== count)
    double sum = 0;
  };
  // Buckets are read one by one: under concurrent observe() a snapshot may
  // miss the latest observations, but stays cumulative and count == +Inf.
  Snapshot snapshot() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // bounds_.size() + 1 (+Inf)
  std::atomic<double> sum_{0};
};

}  // namespace codex::base::metrics
