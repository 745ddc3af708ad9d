#pragma once
// The frames of all streams of a muxed connection on their way to the one
// underlying Stream: callers append whole frames (never parts), one writer
// coroutine drains them in batches, so frames never interleave and a busy
// stream cannot starve the others (each stream keeps at most
// kMaxQueuedFrames frames queued, so a queue holds a few frames of each).
#include <asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "exchange/net/mux/signal.h"
#include "exchange/net/stream.h"

namespace codex::net::mux {

// What a stream shares with the queue: how many of its data frames wait, and
// the signal that wakes its writer when one has gone out.
struct WriteOwner {
  size_t queued_frames = 0;
  Signal signal;
};

class WriteQueue {
 public:
  // Data frames a stream may have queued at once: two, so that one is being
  // written while the stream prepares the next.
  static constexpr size_t kMaxQueuedFrames = 2;

  // Appends header ‖ body in order with the frames before it. `owner` (may
  // be null) counts it as one of its queued frames until it is written.
  void push(std::span<const uint8_t> header, std::span<const uint8_t> body,
            const std::shared_ptr<WriteOwner>& owner = nullptr);

  // A frame that may overtake queued frames (window updates, ping replies).
  void push_urgent(std::span<const uint8_t> frame);

  // Bytes of frames queued in answer to the peer (resets of refused streams,
  // ping replies): the reading side stops reading while they pile up, so a
  // peer that never reads cannot make us queue answers without bound.
  void add_reply_bytes(size_t n) { reply_bytes_ += n; }
  size_t reply_bytes() const { return reply_bytes_; }

  // Nothing queued and nothing being written.
  bool idle() const { return !writing_ && urgent_.empty() && ordered_.empty(); }

  // Woken after each batch is written and when the queue closes.
  Signal& written() { return written_; }

  // Writes batches to `conn` until close(); throws NetError when a write fails.
  asio::awaitable<void> run(Stream& conn);

  // Stops the writer; queued frames are dropped.
  void close() noexcept;

 private:
  bool closed_ = false;
  bool writing_ = false;
  std::vector<uint8_t> urgent_, ordered_;
  std::vector<std::shared_ptr<WriteOwner>> owners_;
  size_t reply_bytes_ = 0;
  Signal wake_, written_;
};

}  // namespace codex::net::mux
