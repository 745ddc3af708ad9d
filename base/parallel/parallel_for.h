#pragma once
// Fork-join loops on threads started for the call: the calling thread is
// worker 0 and works too, the others are joined before the call returns. For
// compute-bound work whose caller chooses a thread count (the prover's MSM,
// NTT, Groth16 and slot building). Work that must share a bounded set of
// threads between callers uses a WorkerPool (worker_pool.h) instead.
//
//   fork_join(workers, fn)           fn(w) for w in [0, workers), one per thread
//   parallel_for(n, threads, fn)     fn(begin, end) over contiguous ranges of
//                                    [0, n), one range per thread (static)
//   parallel_for_each(n, threads, fn)
//                                    fn(i) for i in [0, n), each index claimed
//                                    by the next free thread (dynamic; for
//                                    uneven tasks); an overload gives every
//                                    thread a state of its own (a buffer)
//
// `threads` = 0 means all hardware threads (resolve_threads). Errors: every
// call returns only after all of its threads have finished; the first
// exception thrown by fn is then rethrown. In the dynamic loops the indices
// not yet claimed when a task throws are skipped; in the static ones the
// other ranges run to their end. If a thread cannot be started, its share
// runs on the calling thread.
//
// Nesting is allowed (each call starts its own threads; the machine is then
// oversubscribed). All functions are reentrant.
#include <algorithm>
#include <cstddef>
#include <exception>
#include <thread>
#include <utility>
#include <vector>

#include "base/parallel/loop_claims.h"

namespace codex::base {

// The thread count for a request: `requested`, or all hardware threads when it
// is 0 (at least 1).
inline unsigned resolve_threads(unsigned requested) {
  if (requested != 0) return requested;
  return std::max(1u, std::thread::hardware_concurrency());
}

// Runs fn(w) for every w in [0, workers): w = 0 on the calling thread, each
// other w on a thread of its own. Returns when all have returned; the first
// exception is rethrown then. workers = 0 behaves as 1.
template <class Fn>
void fork_join(unsigned workers, Fn&& fn) {
  if (workers <= 1) {
    fn(0u);
    return;
  }
  detail::FirstError error;
  auto run = [&](unsigned w) noexcept {
    try {
      fn(w);
    } catch (...) {
      error.capture(std::current_exception());
    }
  };
  std::vector<std::thread> started;
  started.reserve(workers - 1);
  unsigned next = 1;
  try {
    for (; next < workers; ++next)
      started.emplace_back(run, next);
  } catch (...) {
    // Out of threads: the workers not started run below, on this thread.
  }
  run(0);
  for (unsigned w = next; w < workers; ++w)
    run(w);
  for (auto& t : started)
    t.join();
  error.rethrow_if_any();
}

// fn(begin, end) over min(resolve_threads(threads), max(1, n / min_chunk))
// contiguous ranges of [0, n), the first on the calling thread. Nothing runs
// when n = 0. REQUIRES: min_chunk ≥ 1.
template <class Fn>
void parallel_for(size_t n, unsigned threads, Fn&& fn, size_t min_chunk = 1) {
  if (n == 0) return;
  const size_t parts =
      std::min<size_t>(resolve_threads(threads), std::max<size_t>(1, n / min_chunk));
  if (parts == 1) {
    fn(size_t(0), n);
    return;
  }
  // Ranges of ceil(n / parts) indices; those past the end are not started.
  const size_t chunk = (n + parts - 1) / parts;
  fork_join(unsigned((n + chunk - 1) / chunk), [&](unsigned w) {
    const size_t b = w * chunk;
    fn(b, std::min(n, b + chunk));
  });
}

// fn(state, i) for every i in [0, n) on min(resolve_threads(threads), n)
// threads, each index claimed by the next free thread; every thread makes its
// own state with make_state() before its first task (one buffer per thread).
template <class MakeState, class Fn>
void parallel_for_each(size_t n, unsigned threads, MakeState&& make_state, Fn&& fn) {
  if (n == 0) return;
  detail::LoopClaims claims(n);
  const unsigned workers = unsigned(std::min<size_t>(resolve_threads(threads), n));
  fork_join(workers, [&](unsigned) {
    try {
      auto state = make_state();
      auto task = [&](size_t i) { fn(state, i); };
      claims.run(task);  // never throws
    } catch (...) {
      claims.fail(std::current_exception());  // from make_state: as a failed task
    }
  });
  claims.rethrow_if_failed();
}

// fn(i) for every i in [0, n), dynamically scheduled as above.
template <class Fn>
void parallel_for_each(size_t n, unsigned threads, Fn&& fn) {
  struct None {};
  parallel_for_each(
      n, threads, [] { return None{}; }, [&](None&, size_t i) { fn(i); });
}

}  // namespace codex::base
