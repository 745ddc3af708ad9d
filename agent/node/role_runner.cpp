#include "agent/node/role_runner.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "agent/market/market_api.h"
#include "agent/purchasing/purchasing.h"
#include "agent/sales/heard_requests.h"
#include "agent/sales/sales.h"

namespace codex::agent {

RoleRunner::RoleRunner(market::MarketApi& market, sales::Sales* sales,
                       purchasing::Purchasing* purchasing, RoleRunnerOptions options)
    : market_(market), sales_(sales), purchasing_(purchasing), options_(std::move(options)) {}

RoleRunner::~RoleRunner() {
  stop();
}

void RoleRunner::start() {
  events_ = market_.events(options_.stream_name);
  threads_.emplace_back([this] { events_loop(); });
  for (size_t i = 0; i < std::max<size_t>(1, options_.workers); ++i)
    threads_.emplace_back([this] { worker_loop(); });
}

void RoleRunner::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

void RoleRunner::events_loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    // Handled after the poll's transaction (which records the stream's
    // position) has committed: the roles write their own rows. An event lost
    // to a kill in between is made up for by the roles reading the chain
    // (sales and purchases poll the states they wait for).
    std::vector<market::MarketEvent> events;
    try {
      events_->poll([&](const market::DecodedEvent& e, base::sqlite::WriteTxn* txn) {
        if (e.removed) return;  // a reorg's drop: the roles re-read
        events.push_back(e.event);
        if (auto* r = std::get_if<market::StorageRequested>(&e.event); r && txn && options_.heard)
          options_.heard->record(*txn, r->request_id, r->expires_at);
      });
    } catch (const std::exception& e) {
      spdlog::warn("roles: reading marketplace events: {}", e.what());
    }
    for (const market::MarketEvent& e : events) {
      try {
        if (purchasing_) purchasing_->handle(e);
        if (sales_) sales_->handle(e);
      } catch (const std::exception& ex) {
        spdlog::warn("roles: handling a marketplace event: {}", ex.what());
      }
    }
    const size_t n = events.size();
    lock.lock();
    if (n > 0) cv_.notify_all();
    cv_.wait_for(lock, options_.poll_interval, [this] { return stopping_; });
  }
}

bool RoleRunner::step_one() {
  if (purchasing_)
    if (auto id = purchasing_->take_due()) {
      purchasing_->stepped(*id, purchasing_->step(*id));
      return true;
    }
  if (sales_)
    if (auto slot = sales_->take_due()) {
      sales_->stepped(*slot, sales_->step(*slot));
      return true;
    }
  return false;
}

void RoleRunner::worker_loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    bool worked = false;
    try {
      worked = step_one();
    } catch (const std::exception& e) {
      // A step that throws past its own handling (the database failing):
      // keep the node up and try again later.
      spdlog::error("roles: {}", e.what());
    }
    lock.lock();
    if (worked) continue;
    // Sleep until the earliest wake-up, bounded, or an event.
    auto sleep = options_.idle;
    std::optional<uint64_t> wake;
    if (purchasing_) wake = purchasing_->next_wake();
    if (sales_)
      if (auto s = sales_->next_wake(); s && (!wake || *s < *wake)) wake = s;
    if (wake) {
      const uint64_t now = market_.clock().seconds();
      const auto until = std::chrono::milliseconds(*wake > now ? (*wake - now) * 1000 : 0);
      sleep = std::min(sleep, std::max(until, std::chrono::milliseconds(50)));
    }
    cv_.wait_for(lock, sleep, [this] { return stopping_; });
  }
}

}  // namespace codex::agent
