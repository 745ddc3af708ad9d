#include "base/parallel/worker_pool.h"

#include <algorithm>

#include "base/parallel/loop_claims.h"
#include "base/parallel/parallel_for.h"

namespace codex::base {

struct WorkerPool::Loop {
  Loop(size_t n, const std::function<void(size_t)>& f) : claims(n), fn(f) {}
  detail::LoopClaims claims;
  const std::function<void(size_t)>& fn;
  size_t finished = 0;  // tasks claimed and done (or skipped); guarded by mu_
  std::condition_variable done;
};

WorkerPool::WorkerPool(size_t threads) {
  if (threads == 0) threads = resolve_threads(0);
  workers_.reserve(threads);
  try {
    for (size_t i = 0; i < threads; ++i)
      workers_.emplace_back([this] { work(); });
  } catch (...) {
    stop_and_join();  // the workers already started
    throw;
  }
}

WorkerPool::~WorkerPool() {
  stop_and_join();
}

void WorkerPool::stop_and_join() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_)
    if (t.joinable()) t.join();
}

bool WorkerPool::is_worker() const {
  const auto me = std::this_thread::get_id();
  return std::any_of(workers_.begin(), workers_.end(),
                     [&](const std::thread& t) { return t.get_id() == me; });
}

void WorkerPool::parallel_for(size_t n, const std::function<void(size_t)>& fn) {
  if (n == 0) return;
  auto loop = std::make_shared<Loop>(n, fn);
  std::unique_lock lock(mu_);
  queue_.push_back(loop);
  wake_.notify_all();
  // A task that starts an inner loop works on it: the workers it would wait
  // for may all be waiting like it.
  if (is_worker()) run_tasks(*loop, lock);
  loop->done.wait(lock, [&] { return loop->finished == n; });
  loop->claims.rethrow_if_failed();
}

void WorkerPool::run_tasks(Loop& loop, std::unique_lock<std::mutex>& lock) {
  lock.unlock();
  const size_t ran = loop.claims.run(loop.fn);
  lock.lock();
  // Every task is claimed now: the loop leaves the queue (once).
  auto it =
      std::find_if(queue_.begin(), queue_.end(), [&](const auto& l) { return l.get() == &loop; });
  if (it != queue_.end()) queue_.erase(it);
  loop.finished += ran;
  if (loop.finished == loop.claims.size()) loop.done.notify_all();
}

void WorkerPool::work() {
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping and nothing left
    std::shared_ptr<Loop> loop = queue_.front();
    run_tasks(*loop, lock);
  }
}

}  // namespace codex::base
