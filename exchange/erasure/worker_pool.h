#pragma once
// A small fixed pool of worker threads for erasure-coding work (spec node.md
// §2: heavy work runs on a thread pool, never on the caller's event loop).
// The one primitive is a blocking parallel-for whose tasks are pulled one at a
// time, so at most threads() tasks run (and hold buffers) at once.
//
// Thread-safety: parallel_for may be called from several threads at once; the
// calls share the workers (first come, first served). It must not be called
// from inside a task of the same pool (that would deadlock a full pool).
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace codex::erasure {

class WorkerPool {
 public:
  // threads == 0 ⇒ min(hardware threads, 16), as the reference's --num-threads 0.
  explicit WorkerPool(size_t threads);
  // Joins the workers after the queued work has finished.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  size_t threads() const { return workers_.size(); }

  // Runs fn(0) … fn(n − 1) on the workers and returns when all have finished.
  // If a task throws, the tasks not yet started are skipped and the first
  // exception is rethrown here.
  void parallel_for(size_t n, const std::function<void(size_t)>& fn);

 private:
  struct Job;
  void work();

  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Job>> queue_;
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace codex::erasure
