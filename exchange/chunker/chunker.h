#pragma once
// Cuts a byte stream into fixed-size blocks (spec node.md §1.3): every block is
// block_size bytes, the last one zero-padded. Push-based, so it serves both a
// pulled file and an HTTP body delivered in pieces; it holds one block at most.
#include <cstdint>
#include <functional>
#include <span>
#include <string>

namespace codex {

class Chunker {
 public:
  // Called with each full block (always block_size bytes) and the number of
  // input bytes it holds (< block_size only for the padded last block).
  using BlockSink = std::function<void(std::span<const uint8_t> block, size_t data_bytes)>;

  // Throws std::invalid_argument for block_size 0.
  Chunker(size_t block_size, BlockSink sink);

  // Feeds input bytes; emits every block that becomes full.
  void write(std::span<const uint8_t> data);
  // Emits the last, zero-padded block if one is partly filled. Call once.
  void finish();

  uint64_t bytes_in() const { return total_; }
  uint64_t blocks_out() const { return blocks_; }

 private:
  size_t block_size_;
  BlockSink sink_;
  std::string buf_;
  size_t fill_ = 0;
  uint64_t total_ = 0;
  uint64_t blocks_ = 0;
};

// Reads `read` (returns bytes read into buf, 0 at end) to the end through a Chunker.
void chunk_stream(const std::function<size_t(uint8_t* buf, size_t max)>& read, Chunker& chunker);

}  // namespace codex
