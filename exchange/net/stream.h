#pragma once
// A reliable, ordered byte stream of the network stack: a TCP connection, a
// connection after the noise handshake, or one stream of a muxed connection.
// Each layer of the libp2p stack takes a Stream and gives Streams.
//
// A Stream belongs to one executor (the network thread) and is used from
// coroutines on it; one reader and one writer may be active at a time.
#include <asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <span>

namespace codex::net {

class Stream {
 public:
  virtual ~Stream() = default;

  // Reads at least one byte into `buf` (non-empty) and returns the count, or
  // 0 once the remote side has closed its writing half (end of stream).
  // Throws NetError when the stream is reset or broken.
  virtual asio::awaitable<size_t> read_some(std::span<uint8_t> buf) = 0;

  // Writes all of `data`. Throws NetError when the stream is reset, broken
  // or closed for writing.
  virtual asio::awaitable<void> write(std::span<const uint8_t> data) = 0;

  // Closes the writing half: the remote reads end of stream after the data
  // already written. Reading goes on.
  virtual asio::awaitable<void> close_write() = 0;

  // Aborts both directions at once; pending and later operations fail.
  // Never throws; safe to call more than once.
  virtual void reset() noexcept = 0;
};

}  // namespace codex::net
