#pragma once
// Deadlines for network operations: the operation is cancelled (its pending
// socket or timer wait ends) when the time runs out, and NetError names what
// took too long.
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <string>
#include <type_traits>
#include <variant>

#include "exchange/net/error.h"

namespace codex::net {

template <typename T>
asio::awaitable<T> with_timeout(asio::awaitable<T> op, std::chrono::milliseconds limit,
                                std::string what) {
  using namespace asio::experimental::awaitable_operators;
  asio::steady_timer timer(co_await asio::this_coro::executor, limit);
  auto result = co_await (std::move(op) || timer.async_wait(asio::use_awaitable));
  if (result.index() == 1)
    throw NetError(what + " timed out after " + std::to_string(limit.count()) + " ms");
  if constexpr (!std::is_void_v<T>) co_return std::move(std::get<0>(result));
}

}  // namespace codex::net
