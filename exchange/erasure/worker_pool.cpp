#include "exchange/erasure/worker_pool.h"

#include <algorithm>
#include <atomic>
#include <exception>

namespace codex::erasure {

struct WorkerPool::Job {
  size_t n = 0;
  const std::function<void(size_t)>* fn = nullptr;
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  // Guarded by WorkerPool::mu_.
  size_t finished = 0;
  std::exception_ptr error;
  std::condition_variable done;
};

WorkerPool::WorkerPool(size_t threads) {
  if (threads == 0) threads = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 16);
  workers_.reserve(threads);
  for (size_t i = 0; i < threads; ++i)
    workers_.emplace_back([this] { work(); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_)
    t.join();
}

void WorkerPool::parallel_for(size_t n, const std::function<void(size_t)>& fn) {
  if (n == 0) return;
  auto job = std::make_shared<Job>();
  job->n = n;
  job->fn = &fn;
  std::unique_lock lock(mu_);
  queue_.push_back(job);
  wake_.notify_all();
  job->done.wait(lock, [&] { return job->finished == job->n; });
  if (job->error) std::rethrow_exception(job->error);
}

void WorkerPool::work() {
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping and nothing left
    std::shared_ptr<Job> job = queue_.front();
    lock.unlock();
    size_t ran = 0;
    std::exception_ptr error;
    for (size_t i; (i = job->next.fetch_add(1)) < job->n; ++ran) {
      if (job->failed.load()) continue;  // skip the rest after a failure
      try {
        (*job->fn)(i);
      } catch (...) {
        if (!job->failed.exchange(true)) error = std::current_exception();
      }
    }
    lock.lock();
    // Every index is claimed: the job leaves the queue (once).
    if (!queue_.empty() && queue_.front() == job) queue_.pop_front();
    if (error) job->error = error;
    job->finished += ran;
    if (job->finished == job->n) job->done.notify_all();
  }
}

}  // namespace codex::erasure
