#include "exchange/chunker/chunker.h"

#include <cstring>
#include <stdexcept>
#include <vector>

namespace codex {

Chunker::Chunker(size_t block_size, BlockSink sink)
    : block_size_(block_size), sink_(std::move(sink)) {
  if (block_size_ == 0) throw std::invalid_argument("chunker: block size must be positive");
  buf_.resize(block_size_);
}

void Chunker::write(std::span<const uint8_t> data) {
  total_ += data.size();
  while (!data.empty()) {
    // Whole blocks straight from the input avoid a copy on the common path.
    if (fill_ == 0 && data.size() >= block_size_) {
      sink_(data.first(block_size_), block_size_);
      ++blocks_;
      data = data.subspan(block_size_);
      continue;
    }
    size_t n = std::min(block_size_ - fill_, data.size());
    std::memcpy(buf_.data() + fill_, data.data(), n);
    fill_ += n;
    data = data.subspan(n);
    if (fill_ == block_size_) {
      sink_({reinterpret_cast<const uint8_t*>(buf_.data()), block_size_}, block_size_);
      ++blocks_;
      fill_ = 0;
    }
  }
}

void Chunker::finish() {
  if (fill_ == 0) return;
  std::memset(buf_.data() + fill_, 0, block_size_ - fill_);
  sink_({reinterpret_cast<const uint8_t*>(buf_.data()), block_size_}, fill_);
  ++blocks_;
  fill_ = 0;
}

void chunk_stream(const std::function<size_t(uint8_t*, size_t)>& read, Chunker& chunker) {
  std::vector<uint8_t> buf(1 << 20);
  for (;;) {
    size_t n = read(buf.data(), buf.size());
    if (n == 0) break;
    chunker.write({buf.data(), n});
  }
  chunker.finish();
}

}  // namespace codex
