#include "exchange/net/socket_stream.h"

#include <asio/buffer.hpp>
#include <asio/local/connect_pair.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/read.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "exchange/net/error.h"

namespace codex::net {
namespace {

template <typename Socket>
class SocketStream final : public Stream {
 public:
  explicit SocketStream(Socket socket) : socket_(std::move(socket)) {}
  ~SocketStream() override { reset(); }

  asio::awaitable<size_t> read_some(std::span<uint8_t> buf) override {
    std::error_code ec;
    const size_t n = co_await socket_.async_read_some(
        asio::buffer(buf.data(), buf.size()), asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::eof) co_return 0;
    if (ec) throw NetError("socket read: " + ec.message());
    co_return n;
  }

  asio::awaitable<void> write(std::span<const uint8_t> data) override {
    std::error_code ec;
    co_await asio::async_write(socket_, asio::buffer(data.data(), data.size()),
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) throw NetError("socket write: " + ec.message());
  }

  asio::awaitable<void> close_write() override {
    std::error_code ec;
    socket_.shutdown(Socket::shutdown_send, ec);
    if (ec && ec != asio::error::not_connected) throw NetError("socket shutdown: " + ec.message());
    co_return;
  }

  void reset() noexcept override {
    std::error_code ignored;
    socket_.close(ignored);
  }

 private:
  Socket socket_;
};

}  // namespace

std::unique_ptr<Stream> make_tcp_stream(asio::ip::tcp::socket socket) {
  std::error_code ignored;
  socket.set_option(asio::ip::tcp::no_delay(true), ignored);
  return std::make_unique<SocketStream<asio::ip::tcp::socket>>(std::move(socket));
}

std::pair<std::unique_ptr<Stream>, std::unique_ptr<Stream>> local_stream_pair(
    const asio::any_io_executor& executor) {
  asio::local::stream_protocol::socket a(executor), b(executor);
  asio::local::connect_pair(a, b);
  using Local = SocketStream<asio::local::stream_protocol::socket>;
  return {std::make_unique<Local>(std::move(a)), std::make_unique<Local>(std::move(b))};
}

}  // namespace codex::net
