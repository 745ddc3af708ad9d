#pragma once
// Drives the node's marketplace roles: one thread polls the marketplace's
// events and hands them to the roles; worker threads step the purchases and
// sales that are due. Heavy work (downloads, slot trees, proofs) runs on the
// workers, never on the thread that watches the chain; a worker with nothing
// due sleeps until the earliest wake-up (at most `idle`), or until an event
// arrives.
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace codex::market {
class MarketApi;
class EventStream;
}  // namespace codex::market
namespace codex::sales {
class Sales;
class HeardRequests;
}  // namespace codex::sales
namespace codex::purchasing {
class Purchasing;
}

namespace codex::agent {

struct RoleRunnerOptions {
  size_t workers = 4;
  std::chrono::milliseconds poll_interval{1000};  // events
  std::chrono::milliseconds idle{1000};           // longest sleep of a worker
  std::string stream_name = "node/roles";         // where the event position is kept
  // Where StorageRequested events are remembered for a restart's catch-up
  // (with the stream's position, in the same commit); null: nowhere.
  sales::HeardRequests* heard = nullptr;
};

class RoleRunner {
 public:
  // Either role may be null (not running). The roles and the market must
  // outlive the runner.
  RoleRunner(market::MarketApi& market, sales::Sales* sales, purchasing::Purchasing* purchasing,
             RoleRunnerOptions options = {});
  ~RoleRunner();  // stop()
  RoleRunner(const RoleRunner&) = delete;
  RoleRunner& operator=(const RoleRunner&) = delete;

  void start();
  // Joins the threads; a step in progress finishes first. Idempotent.
  void stop();

 private:
  void events_loop();
  void worker_loop();
  bool step_one();

  market::MarketApi& market_;
  sales::Sales* sales_;
  purchasing::Purchasing* purchasing_;
  RoleRunnerOptions options_;
  std::unique_ptr<market::EventStream> events_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace codex::agent
