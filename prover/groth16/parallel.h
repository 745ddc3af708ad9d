// parallel_for(n, threads, fn): fn(begin, end) over contiguous chunks of
// [0, n) on up to `threads` threads (0 = all hardware threads); the calling
// thread takes the first chunk. The first exception thrown by any chunk is
// rethrown after all threads have joined.
#pragma once

#include <algorithm>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace codex::prover::groth16 {

inline unsigned resolve_threads(unsigned threads) {
  return threads != 0 ? threads : std::max(1u, std::thread::hardware_concurrency());
}

template <class Fn>
void parallel_for(size_t n, unsigned threads, Fn&& fn, size_t min_chunk = 1024) {
  if (n == 0) return;
  size_t t = std::min<size_t>(resolve_threads(threads), std::max<size_t>(1, n / min_chunk));
  if (t <= 1) {
    fn(size_t(0), n);
    return;
  }
  const size_t chunk = (n + t - 1) / t;
  std::exception_ptr error;
  std::mutex m;
  auto run = [&](size_t b, size_t e) {
    try {
      fn(b, e);
    } catch (...) {
      std::lock_guard<std::mutex> lock(m);
      if (!error) error = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (size_t i = 1; i < t; ++i) {
    size_t b = i * chunk, e = std::min(n, b + chunk);
    if (b < e) pool.emplace_back(run, b, e);
  }
  run(0, std::min(n, chunk));
  for (auto& th : pool)
    th.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace codex::prover::groth16
