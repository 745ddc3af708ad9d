#pragma once
// A fixed set of worker threads shared by every caller, for heavy work whose
// memory must stay bounded however many callers there are (erasure coding
// holds (K + M) blocks per task: at most threads() tasks run at once). The one
// primitive is a blocking parallel_for whose tasks are claimed one at a time.
// Compute loops whose caller picks a thread count use parallel_for.h instead.
//
// Thread-safety: parallel_for may be called from several threads at once; the
// calls share the workers, first come first served. It may also be called
// from inside a task of the same pool: the calling worker then works on the
// inner loop itself, so a full pool cannot deadlock.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace codex::base {

class WorkerPool {
 public:
  // Starts `threads` workers; 0 means all hardware threads (resolve_threads).
  // Throws std::system_error if a thread cannot be started.
  explicit WorkerPool(size_t threads);
  // Lets the queued loops finish, then joins the workers.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  size_t threads() const { return workers_.size(); }

  // Runs fn(0) … fn(n − 1) on the workers and returns when all have finished
  // (the caller waits; it works only when it is itself a worker of this
  // pool). If a task throws, the tasks not yet started are skipped and the
  // first exception is rethrown here.
  void parallel_for(size_t n, const std::function<void(size_t)>& fn);

 private:
  struct Loop;
  void work();
  bool is_worker() const;
  void stop_and_join();
  // Claims and runs tasks of `loop`, then records them as finished.
  void run_tasks(Loop& loop, std::unique_lock<std::mutex>& lock);

  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Loop>> queue_;  // loops with unclaimed tasks
  bool stop_ = false;
  std::vector<std::thread> workers_;  // not modified after construction
};

}  // namespace codex::base
