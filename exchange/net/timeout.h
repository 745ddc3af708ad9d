#pragma once
// Deadlines for network operations: the operation is cancelled (its pending
// socket or timer wait ends) when the time runs out, and NetError names what
// took too long.
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <exception>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>

#include "exchange/net/error.h"

namespace codex::net {

namespace detail {

// Asio 1.22's `a || b` returns when one side *succeeds*: an operation that
// throws would wait for the timer. The operation's outcome is therefore
// caught into a value and rethrown after the race.
template <typename T>
struct Outcome {
  std::conditional_t<std::is_void_v<T>, std::monostate, std::optional<T>> value;
  std::exception_ptr error;
};

template <typename T>
asio::awaitable<Outcome<T>> capture(asio::awaitable<T> op) {
  Outcome<T> out;
  try {
    if constexpr (std::is_void_v<T>)
      co_await std::move(op);
    else
      out.value.emplace(co_await std::move(op));
  } catch (...) {
    out.error = std::current_exception();
  }
  co_return out;
}

}  // namespace detail

template <typename T>
asio::awaitable<T> with_timeout(asio::awaitable<T> op, std::chrono::milliseconds limit,
                                std::string what) {
  using namespace asio::experimental::awaitable_operators;
  asio::steady_timer timer(co_await asio::this_coro::executor, limit);
  auto result = co_await (detail::capture(std::move(op)) || timer.async_wait(asio::use_awaitable));
  if (result.index() == 1)
    throw NetError(what + " timed out after " + std::to_string(limit.count()) + " ms");
  auto& outcome = std::get<0>(result);
  if (outcome.error) std::rethrow_exception(outcome.error);
  if constexpr (!std::is_void_v<T>) co_return std::move(*outcome.value);
}

}  // namespace codex::net
