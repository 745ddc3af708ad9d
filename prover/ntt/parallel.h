// Fork-join over [0, count): fn(begin, end) on up to `threads` contiguous
// parts, the calling thread taking the first. For the NTT passes, whose parts
// are independent arithmetic that does not throw.
#pragma once

#include <algorithm>
#include <cstddef>
#include <thread>
#include <vector>

namespace codex::prover::ntt {

template <class Fn>
void parallel_for(size_t count, unsigned threads, Fn fn) {
  if (threads <= 1 || count < 2) {
    fn(size_t(0), count);
    return;
  }
  threads = unsigned(std::min<size_t>(threads, count));
  const size_t chunk = (count + threads - 1) / threads;
  std::vector<std::jthread> pool;
  pool.reserve(threads - 1);
  for (unsigned t = 1; t < threads; ++t) {
    size_t b = std::min(count, t * chunk), e = std::min(count, b + chunk);
    if (b < e) pool.emplace_back(fn, b, e);
  }
  fn(size_t(0), std::min(count, chunk));
}

}  // namespace codex::prover::ntt
