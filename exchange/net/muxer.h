#pragma once
// A stream multiplexer over one secured connection (mplex, yamux): many
// independent Streams over one Stream. The connection's owner co_spawns run()
// and keeps it going for the connection's life; streams make progress only
// while it runs.
#include <asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "exchange/net/stream.h"

namespace codex::net {

struct MuxerLimits {
  // Streams open at once per connection (each direction); beyond it, a new
  // inbound stream is reset and open_stream throws NetError.
  size_t max_streams = 1024;
  // Largest frame accepted from the peer; a larger one ends the connection
  // as a protocol violation.
  size_t max_frame_size = 1 << 20;
  // Bytes buffered for one stream that its reader has not taken yet (mplex,
  // which has no flow control: a peer that overruns it gets the stream reset).
  // Yamux uses it as the receive window it grants.
  size_t stream_buffer = 16 << 20;
};

class MuxedConnection {
 public:
  virtual ~MuxedConnection() = default;

  // Reads and dispatches frames until the connection ends. Returns at a
  // clean close; throws NetError (connection broken) or ProtocolError (the
  // peer broke the protocol). All streams are reset when it ends.
  virtual asio::awaitable<void> run() = 0;

  // Opens a new outbound stream.
  virtual asio::awaitable<std::unique_ptr<Stream>> open_stream() = 0;

  // The next stream the peer opened. Throws NetError once the connection has
  // ended.
  virtual asio::awaitable<std::unique_ptr<Stream>> accept_stream() = 0;

  // Ends the connection: every stream is reset, run() returns.
  virtual void close() noexcept = 0;
};

}  // namespace codex::net
