// Protocol time is chain time. Clock is the interface everything that waits for a
// period, an expiry or an end takes; ChainClock follows block timestamps.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

#include "agent/eth/eth_client.h"

namespace codex::eth {

class Clock {
 public:
  virtual ~Clock() = default;
  // Current time in Unix seconds. Never decreases. Thread-safe.
  virtual uint64_t now() const = 0;
};

// Chain time from the latest block: between blocks it advances with the local
// steady clock from the last observed block (unless `extrapolate` is false), and
// every update() re-anchors it. It never goes backwards, even if a block's
// timestamp is behind the extrapolated value (development chains mine many blocks
// with one timestamp).
class ChainClock final : public Clock {
 public:
  // `eth` must outlive the clock. Calls update() once (throws RpcError on failure).
  explicit ChainClock(EthClient& eth, bool extrapolate = true);

  // Fetches the latest block and re-anchors. Thread-safe.
  void update();
  // Anchors to an already-fetched header (e.g. from a log watcher). Thread-safe.
  void observe(const BlockHeader& head);

  uint64_t now() const override;
  uint64_t last_block_timestamp() const;
  uint64_t last_block_number() const;

 private:
  EthClient& eth_;
  bool extrapolate_;
  mutable std::mutex mu_;
  uint64_t block_ts_ = 0;
  uint64_t block_number_ = 0;
  std::chrono::steady_clock::time_point seen_at_;
  mutable uint64_t floor_ = 0;  // last value returned: keeps now() monotonic
};

// A clock set by hand, for tests of higher layers. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(uint64_t t = 0) : t_(t) {}
  uint64_t now() const override {
    std::lock_guard l(mu_);
    return t_;
  }
  // Requires t >= now() (throws std::invalid_argument otherwise).
  void set(uint64_t t);
  void advance(uint64_t seconds) { set(now() + seconds); }

 private:
  mutable std::mutex mu_;
  uint64_t t_;
};

}  // namespace codex::eth
