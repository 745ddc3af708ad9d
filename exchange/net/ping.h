#pragma once
// The libp2p ping protocol (/ipfs/ping/1.0.0; specs ping/ping.md): the
// dialer writes 32 random bytes, the listener echoes every 32-byte block
// until the dialer closes its writing half. Several pings may share a stream.
#include <asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <string_view>

#include "exchange/net/stream.h"

namespace codex::net {

constexpr std::string_view kPingProtocol = "/ipfs/ping/1.0.0";
constexpr size_t kPingSize = 32;
// A stream echoes at most this many pings, then the listener closes its
// side: a peer cannot keep one stream (and our writes) busy for ever. Time
// limits are the connection owner's (a timer around the whole stream).
constexpr size_t kMaxPingsPerStream = 1000;

// Listener: echoes 32-byte blocks until end of stream or `max_pings`, then
// closes its writing half. Throws NetError when the stream fails or ends in
// the middle of a block.
asio::awaitable<void> ping_serve(Stream& s, size_t max_pings = kMaxPingsPerStream);

// Dialer: one ping; returns the round-trip time. Throws ProtocolError when
// the echo differs, NetError when the stream fails or ends.
asio::awaitable<std::chrono::microseconds> ping(Stream& s);

}  // namespace codex::net
