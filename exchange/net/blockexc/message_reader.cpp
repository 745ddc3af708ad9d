#include "exchange/net/blockexc/message_reader.h"

#include <cstring>
#include <string>

#include "exchange/multiformats/varint.h"
#include "exchange/net/blockexc/message.h"
#include "exchange/net/error.h"
#include "exchange/net/stream_io.h"

namespace codex::net::blockexc {
namespace {
// What one read for a length prefix asks for: a whole muxer frame.
constexpr size_t kReadAhead = 64 << 10;
}  // namespace

std::optional<std::pair<uint64_t, size_t>> MessageReader::prefix() const {
  uint64_t value = 0;
  for (size_t i = 0; i < varint::kMaxBytes; ++i) {
    if (begin_ + i == end_) return std::nullopt;
    const uint8_t byte = buf_[begin_ + i];
    value |= uint64_t(byte & 0x7f) << (7 * i);
    if (!(byte & 0x80)) {
      if (byte == 0 && i > 0) throw ProtocolError("blockexc: length prefix not minimal");
      return std::pair(value, i + 1);
    }
  }
  throw ProtocolError("blockexc: length prefix longer than 9 bytes");
}

void MessageReader::compact() {
  if (begin_ == 0) return;
  std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
  end_ -= begin_;
  begin_ = 0;
}

asio::awaitable<std::optional<std::span<const uint8_t>>> MessageReader::next() {
  std::optional<std::pair<uint64_t, size_t>> p;
  while (!(p = prefix())) {
    if (buf_.size() - end_ < kReadAhead) {
      compact();
      if (buf_.size() - end_ < kReadAhead) buf_.resize(end_ + kReadAhead);
    }
    const size_t n = co_await s_.read_some(std::span(buf_).subspan(end_));
    if (n == 0) {
      if (end_ == begin_) co_return std::nullopt;
      throw NetError("blockexc: stream ended inside a length prefix");
    }
    end_ += n;
  }
  const auto [size, prefix_size] = *p;
  if (size > kMaxMessageSize)
    throw ProtocolError("blockexc: message of " + std::to_string(size) +
                        " bytes exceeds the limit of " + std::to_string(kMaxMessageSize));
  begin_ += prefix_size;
  if (end_ - begin_ < size) {
    if (buf_.size() - begin_ < size) {
      compact();
      if (buf_.size() < size) buf_.resize(size);
    }
    // Exactly the rest: nothing of the next message is read ahead here.
    co_await read_exact(s_, std::span(buf_).subspan(end_, begin_ + size - end_));
    end_ = begin_ + size;
  }
  const std::span<const uint8_t> message(buf_.data() + begin_, size);
  begin_ += size;
  co_return message;
}

}  // namespace codex::net::blockexc
