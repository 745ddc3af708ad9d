#pragma once
// Streams over operating-system sockets: TCP connections, and connected pairs
// of Unix sockets for tests of the layers above (real sockets, no fakes).
#include <asio/any_io_executor.hpp>
#include <asio/ip/tcp.hpp>
#include <memory>
#include <utility>

#include "exchange/net/stream.h"

namespace codex::net {

// Takes ownership of a connected socket; sets TCP_NODELAY.
std::unique_ptr<Stream> make_tcp_stream(asio::ip::tcp::socket socket);

// Two connected ends of a Unix socket pair on `executor`.
std::pair<std::unique_ptr<Stream>, std::unique_ptr<Stream>> local_stream_pair(
    const asio::any_io_executor& executor);

}  // namespace codex::net
