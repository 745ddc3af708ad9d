#pragma once
// Framing helpers over a Stream: exact reads and the unsigned-varint
// length-prefixed messages most libp2p protocols use.
#include <asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "exchange/net/stream.h"

namespace codex::net {

// Fills `buf`. Throws NetError at end of stream before it is full.
asio::awaitable<void> read_exact(Stream& s, std::span<uint8_t> buf);

// A protobuf-style unsigned varint (at most 9 bytes, minimal encoding).
// Throws ProtocolError when malformed, NetError at end of stream.
asio::awaitable<uint64_t> read_uvarint(Stream& s);

// A varint length-prefixed message. Throws ProtocolError when the length
// exceeds `max_size` (nothing of the body is read then).
asio::awaitable<std::vector<uint8_t>> read_length_prefixed(Stream& s, size_t max_size);

// Like read_length_prefixed, but returns an empty optional-like result when
// the stream ends cleanly before the first byte of a message: `ended` is set
// then. For read loops that accept end of stream between messages.
asio::awaitable<std::vector<uint8_t>> read_length_prefixed_or_end(Stream& s, size_t max_size,
                                                                  bool& ended);

asio::awaitable<void> write_length_prefixed(Stream& s, std::span<const uint8_t> message);
asio::awaitable<void> write_length_prefixed(Stream& s, std::string_view message);

// The bytes of one length-prefixed message: varint(size) ‖ message.
std::vector<uint8_t> length_prefixed(std::span<const uint8_t> message);

}  // namespace codex::net
