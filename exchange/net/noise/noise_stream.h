#pragma once
// The Stream a finished noise handshake gives: each transport message is a
// 2-byte big-endian length and a ChaChaPoly ciphertext of at most 65535 bytes
// (65519 of plaintext), with an empty associated data (libp2p noise spec,
// "Wire Format"). write() splits larger data into full frames.
//
// Reading: a frame that does not authenticate throws ProtocolError, resets
// the underlying stream and spends the NoiseStream: nothing after it is
// delivered and every later read throws. End of stream between frames is
// end of stream; inside a frame it is NetError.
//
// Same threading as Stream: one executor, one reader and one writer at a time.
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "exchange/net/noise/handshake_state.h"
#include "exchange/net/stream.h"

namespace codex::net::noise {

inline constexpr size_t kMaxFrameSize = 65535;
inline constexpr size_t kMaxFramePlaintext = kMaxFrameSize - CipherState::kTagSize;

class NoiseStream final : public Stream {
 public:
  NoiseStream(std::unique_ptr<Stream> raw, TransportCiphers ciphers);
  ~NoiseStream() override;

  asio::awaitable<size_t> read_some(std::span<uint8_t> buf) override;
  asio::awaitable<void> write(std::span<const uint8_t> data) override;
  asio::awaitable<void> close_write() override;
  void reset() noexcept override;

 private:
  // The ciphertext of the next frame (valid until the next read), or none
  // at a clean end of stream.
  asio::awaitable<std::optional<std::span<const uint8_t>>> next_frame();
  // Decrypts a frame to `out`; on failure spends the stream (see above).
  size_t open(std::span<const uint8_t> ciphertext, uint8_t* out);
  // Ensures in_ holds at least `n` unread bytes; false if the stream ended
  // first (`in_` then holds what came).
  asio::awaitable<bool> buffer_at_least(size_t n);

  std::unique_ptr<Stream> raw_;
  CipherState send_;
  CipherState receive_;
  bool broken_ = false;  // a frame failed to authenticate

  std::vector<uint8_t> in_;  // raw bytes read ahead: [in_pos_, in_end_)
  size_t in_pos_ = 0, in_end_ = 0;
  std::vector<uint8_t> plain_;  // decrypted, undelivered: [plain_pos_, plain_.size())
  size_t plain_pos_ = 0;
  std::vector<uint8_t> out_;  // frames being written
};

}  // namespace codex::net::noise
