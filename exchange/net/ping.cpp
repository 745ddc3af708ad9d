#include "exchange/net/ping.h"

#include <sodium.h>

#include <array>
#include <cstdint>
#include <string>

#include "exchange/net/error.h"
#include "exchange/net/stream_io.h"

namespace codex::net {

asio::awaitable<void> ping_serve(Stream& s, size_t max_pings) {
  std::array<uint8_t, kPingSize> block{};
  for (size_t served = 0; served < max_pings; ++served) {
    // A clean end before a block ends the session; inside one it is an error.
    const size_t first = co_await s.read_some(block);
    if (first == 0) break;
    if (first < block.size()) co_await read_exact(s, std::span(block).subspan(first));
    co_await s.write(block);
  }
  co_await s.close_write();
}

asio::awaitable<std::chrono::microseconds> ping(Stream& s) {
  std::array<uint8_t, kPingSize> sent{};
  std::array<uint8_t, kPingSize> echo{};
  randombytes_buf(sent.data(), sent.size());
  const auto start = std::chrono::steady_clock::now();
  co_await s.write(sent);
  co_await read_exact(s, echo);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  if (echo != sent) throw ProtocolError("ping: the echo differs from the 32 bytes sent");
  co_return std::chrono::duration_cast<std::chrono::microseconds>(elapsed);
}

}  // namespace codex::net
