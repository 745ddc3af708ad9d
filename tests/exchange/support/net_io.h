#pragma once
// Running network coroutines in tests: spawn them on one io_context, run it
// until all finish (or a deadline passes), then collect results, rethrowing
// what a coroutine threw.
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/use_future.hpp>
#include <chrono>
#include <future>
#include <stdexcept>

namespace codex::net::testing {

class IoRunner {
 public:
  template <typename T>
  std::future<T> spawn(asio::awaitable<T> task) {
    return asio::co_spawn(io_, std::move(task), asio::use_future);
  }

  // Runs until no work is left; throws if `deadline` passes first (a hang).
  void run(std::chrono::milliseconds deadline = std::chrono::seconds(20)) {
    io_.run_for(deadline);
    if (!io_.stopped()) throw std::runtime_error("network test did not finish in time");
  }

  asio::io_context& io() { return io_; }
  asio::any_io_executor executor() { return io_.get_executor(); }

 private:
  asio::io_context io_;
};

}  // namespace codex::net::testing
