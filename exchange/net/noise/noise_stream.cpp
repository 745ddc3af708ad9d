#include "exchange/net/noise/noise_stream.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

#include "exchange/net/error.h"

namespace codex::net::noise {
namespace {

// Read-ahead: two full frames, so that a large read fills in few system calls.
constexpr size_t kReadBuffer = 2 * (2 + kMaxFrameSize);
// Frames are batched into writes of up to this many frames.
constexpr size_t kFramesPerWrite = 4;

}  // namespace

NoiseStream::NoiseStream(std::unique_ptr<Stream> raw, TransportCiphers ciphers)
    : raw_(std::move(raw)),
      send_(std::move(ciphers.send)),
      receive_(std::move(ciphers.receive)),
      in_(kReadBuffer) {}

NoiseStream::~NoiseStream() {
  // Plaintext may be secret too.
  if (!plain_.empty()) sodium_memzero(plain_.data(), plain_.size());
}

asio::awaitable<bool> NoiseStream::buffer_at_least(size_t n) {
  if (in_end_ - in_pos_ >= n) co_return true;
  // Compact, then read until n bytes are there.
  if (in_pos_ > 0) {
    std::memmove(in_.data(), in_.data() + in_pos_, in_end_ - in_pos_);
    in_end_ -= in_pos_;
    in_pos_ = 0;
  }
  while (in_end_ < n) {
    const size_t got = co_await raw_->read_some(std::span(in_).subspan(in_end_));
    if (got == 0) co_return false;
    in_end_ += got;
  }
  co_return true;
}

asio::awaitable<std::optional<std::span<const uint8_t>>> NoiseStream::next_frame() {
  if (!co_await buffer_at_least(2)) {
    if (in_end_ == in_pos_) co_return std::nullopt;
    throw NetError("noise: stream ended inside a frame length");
  }
  const size_t len = size_t(in_[in_pos_]) << 8 | in_[in_pos_ + 1];
  if (!co_await buffer_at_least(2 + len))
    throw NetError("noise: stream ended inside a frame of " + std::to_string(len) + " bytes");
  const std::span<const uint8_t> ciphertext(in_.data() + in_pos_ + 2, len);
  in_pos_ += 2 + len;  // the bytes stay in place until the next read
  co_return ciphertext;
}

size_t NoiseStream::open(std::span<const uint8_t> ciphertext, uint8_t* out) {
  try {
    return receive_.decrypt_with_ad({}, ciphertext, out);
  } catch (const ProtocolError&) {
    broken_ = true;
    plain_.clear();
    plain_pos_ = 0;
    raw_->reset();
    throw;
  }
}

asio::awaitable<size_t> NoiseStream::read_some(std::span<uint8_t> buf) {
  if (broken_) throw ProtocolError("noise: stream broken by a frame that failed to decrypt");
  while (plain_pos_ == plain_.size()) {
    const auto frame = co_await next_frame();
    if (!frame) co_return 0;
    const size_t bound = frame->size();  // ≥ the plaintext
    if (buf.size() >= bound) {
      // The whole frame fits: decrypt straight into the caller's buffer.
      const size_t n = open(*frame, buf.data());
      if (n > 0) co_return n;
      continue;  // an empty frame is legal: read on
    }
    plain_.resize(bound);
    plain_.resize(open(*frame, plain_.data()));
    plain_pos_ = 0;
  }
  const size_t n = std::min(buf.size(), plain_.size() - plain_pos_);
  std::memcpy(buf.data(), plain_.data() + plain_pos_, n);
  plain_pos_ += n;
  co_return n;
}

asio::awaitable<void> NoiseStream::write(std::span<const uint8_t> data) {
  while (!data.empty()) {
    const size_t frames =
        std::min(kFramesPerWrite, (data.size() + kMaxFramePlaintext - 1) / kMaxFramePlaintext);
    out_.resize(frames * (2 + kMaxFrameSize));
    size_t used = 0;
    while (!data.empty() && used + 2 + kMaxFrameSize <= out_.size()) {
      const size_t chunk = std::min(data.size(), kMaxFramePlaintext);
      const size_t len = send_.encrypt_with_ad({}, data.first(chunk), out_.data() + used + 2);
      out_[used] = uint8_t(len >> 8);
      out_[used + 1] = uint8_t(len);
      used += 2 + len;
      data = data.subspan(chunk);
    }
    co_await raw_->write(std::span<const uint8_t>(out_.data(), used));
  }
}

asio::awaitable<void> NoiseStream::close_write() {
  co_await raw_->close_write();
}

void NoiseStream::reset() noexcept {
  raw_->reset();
}

}  // namespace codex::net::noise
