#pragma once
// An asynchronous wake-up for coroutines on one executor: wait() suspends
// until the next notify(), which wakes every waiter at once. Waiters re-check
// their condition in a loop (`while (!ready) co_await s.wait();`); since all
// users run on the one network thread, nothing can happen between the check
// and the wait, so no wake-up is lost.
#include <asio/awaitable.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <optional>

namespace codex::net::mux {

class Signal {
 public:
  Signal() = default;
  Signal(const Signal&) = delete;
  Signal& operator=(const Signal&) = delete;

  // REQUIRES: the Signal outlives the wait (its owner is held by the waiter).
  asio::awaitable<void> wait() {
    // A timer that never expires; notify() cancels its pending waits.
    if (!timer_)
      timer_.emplace(co_await asio::this_coro::executor, asio::steady_timer::time_point::max());
    std::error_code ignored;
    co_await timer_->async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }

  void notify() noexcept {
    if (!timer_) return;
    try {
      timer_->cancel();
    } catch (...) {  // cancel() reports only internal failures; nothing to do then
    }
  }

 private:
  std::optional<asio::steady_timer> timer_;
};

}  // namespace codex::net::mux
