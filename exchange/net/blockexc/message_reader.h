#pragma once
// Reads the varint length-prefixed messages of a /codex/blockexc/1.0.0 stream.
// A length prefix is read with one large read, so that a muxer can hand a
// whole frame straight into this buffer (a one-byte read would leave the rest
// of the frame queued, to be copied again); the rest of a message is then
// read exactly, straight into its place. The buffer is reused: it grows to
// the largest message plus one read-ahead.
#include <asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "exchange/net/stream.h"

namespace codex::net::blockexc {

class MessageReader {
 public:
  explicit MessageReader(Stream& s) : s_(s) {}

  // The next message's bytes, valid until the next call; nullopt at a clean
  // end of stream between messages. Throws ProtocolError for a bad length
  // prefix or one over kMaxMessageSize, NetError for a stream that ends
  // inside a message or breaks.
  asio::awaitable<std::optional<std::span<const uint8_t>>> next();

 private:
  // The length prefix at the front of the unread bytes and its size, or
  // nullopt while it is cut short.
  std::optional<std::pair<uint64_t, size_t>> prefix() const;
  // Moves the unread bytes to the front of the buffer.
  void compact();

  Stream& s_;
  std::vector<uint8_t> buf_;
  size_t begin_ = 0, end_ = 0;  // unread bytes: [begin_, end_)
};

}  // namespace codex::net::blockexc
