#include "exchange/net/mux/recv_buffer.h"

#include <algorithm>
#include <cstring>

namespace codex::net::mux {
namespace {
constexpr size_t kChunk = 64 * 1024;
}

void RecvBuffer::append(std::span<const uint8_t> data) {
  if (data.empty()) return;
  if (!chunks_.empty()) {
    auto& last = chunks_.back();
    const size_t room = last.capacity() - last.size();
    if (room >= data.size()) {
      last.insert(last.end(), data.begin(), data.end());
      size_ += data.size();
      return;
    }
  }
  std::vector<uint8_t> chunk;
  chunk.reserve(std::max(kChunk, data.size()));
  chunk.assign(data.begin(), data.end());
  chunks_.push_back(std::move(chunk));
  size_ += data.size();
}

void RecvBuffer::prepend(std::span<const uint8_t> data) {
  if (data.empty()) return;
  if (!chunks_.empty() && head_ > 0) {
    auto& front = chunks_.front();
    front.erase(front.begin(), front.begin() + std::ptrdiff_t(head_));
    head_ = 0;
  }
  chunks_.emplace_front(data.begin(), data.end());
  size_ += data.size();
}

size_t RecvBuffer::take(std::span<uint8_t> out) {
  size_t done = 0;
  while (done < out.size() && !chunks_.empty()) {
    const auto& front = chunks_.front();
    const size_t n = std::min(out.size() - done, front.size() - head_);
    std::memcpy(out.data() + done, front.data() + head_, n);
    done += n;
    head_ += n;
    if (head_ == front.size()) {
      chunks_.pop_front();
      head_ = 0;
    }
  }
  size_ -= done;
  return done;
}

void RecvBuffer::clear() {
  chunks_.clear();
  head_ = 0;
  size_ = 0;
}

}  // namespace codex::net::mux
