#pragma once
// The bytes a muxed stream has received and its reader has not taken yet.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <vector>

namespace codex::net::mux {

class RecvBuffer {
 public:
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Copies `data` in. Small pieces join the last chunk, so a peer that
  // trickles bytes costs no allocation per byte.
  void append(std::span<const uint8_t> data);

  // Copies `data` in before everything queued.
  void prepend(std::span<const uint8_t> data);

  // Moves up to out.size() bytes out; returns how many.
  size_t take(std::span<uint8_t> out);

  void clear();

 private:
  std::deque<std::vector<uint8_t>> chunks_;
  size_t head_ = 0;  // bytes of chunks_.front() already taken
  size_t size_ = 0;
};

}  // namespace codex::net::mux
