#include "exchange/net/stream_io.h"

#include <string>

#include "exchange/multiformats/varint.h"
#include "exchange/net/error.h"

namespace codex::net {
namespace {

// Reads a varint; `ended` reports a clean end of stream before its first byte.
asio::awaitable<uint64_t> read_uvarint_impl(Stream& s, bool* ended) {
  uint64_t value = 0;
  for (unsigned i = 0; i < varint::kMaxBytes; ++i) {
    uint8_t byte = 0;
    if (co_await s.read_some({&byte, 1}) == 0) {
      if (i == 0 && ended) {
        *ended = true;
        co_return 0;
      }
      throw NetError("stream ended inside a varint");
    }
    value |= uint64_t(byte & 0x7f) << (7 * i);
    if (!(byte & 0x80)) {
      if (byte == 0 && i > 0) throw ProtocolError("varint is not minimally encoded");
      co_return value;
    }
  }
  throw ProtocolError("varint longer than 9 bytes");
}

}  // namespace

asio::awaitable<void> read_exact(Stream& s, std::span<uint8_t> buf) {
  size_t got = 0;
  while (got < buf.size()) {
    const size_t n = co_await s.read_some(buf.subspan(got));
    if (n == 0)
      throw NetError("stream ended after " + std::to_string(got) + " of " +
                     std::to_string(buf.size()) + " bytes");
    got += n;
  }
}

asio::awaitable<uint64_t> read_uvarint(Stream& s) {
  co_return co_await read_uvarint_impl(s, nullptr);
}

asio::awaitable<std::vector<uint8_t>> read_length_prefixed_or_end(Stream& s, size_t max_size,
                                                                  bool& ended) {
  ended = false;
  const uint64_t size = co_await read_uvarint_impl(s, &ended);
  if (ended) co_return std::vector<uint8_t>{};
  if (size > max_size)
    throw ProtocolError("message of " + std::to_string(size) + " bytes exceeds the limit of " +
                        std::to_string(max_size));
  std::vector<uint8_t> body(size);
  co_await read_exact(s, body);
  co_return body;
}

asio::awaitable<std::vector<uint8_t>> read_length_prefixed(Stream& s, size_t max_size) {
  bool ended = false;
  auto body = co_await read_length_prefixed_or_end(s, max_size, ended);
  if (ended) throw NetError("stream ended before a message");
  co_return body;
}

std::vector<uint8_t> length_prefixed(std::span<const uint8_t> message) {
  const std::string prefix = varint::encode(message.size());
  std::vector<uint8_t> out(prefix.begin(), prefix.end());
  out.insert(out.end(), message.begin(), message.end());
  return out;
}

asio::awaitable<void> write_length_prefixed(Stream& s, std::span<const uint8_t> message) {
  const std::vector<uint8_t> framed = length_prefixed(message);
  co_await s.write(framed);
}

asio::awaitable<void> write_length_prefixed(Stream& s, std::string_view message) {
  co_await write_length_prefixed(
      s,
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(message.data()), message.size()));
}

}  // namespace codex::net
