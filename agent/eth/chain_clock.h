// Protocol time is chain time (DESIGN.md): ChainClock is the base::Clock that
// follows block timestamps. Between blocks it advances with a local clock from
// the last observed block (unless extrapolation is off), and every update()
// re-anchors it. It never goes backwards, even when a block's timestamp is
// behind the extrapolated value (development chains mine many blocks with one
// timestamp). Times are whole seconds (in milliseconds, as base::Clock).
#pragma once

#include <cstdint>
#include <mutex>

#include "agent/eth/eth_client.h"
#include "base/clock.h"

namespace codex::eth {

struct ChainClockOptions {
  bool extrapolate = true;
  // How often sleep_until asks the chain for a new block.
  base::Millis poll_interval{1000};
};

class ChainClock final : public base::Clock {
 public:
  // `eth` and `local` (extrapolation and the waits of sleep_until) must
  // outlive the clock. Calls update() once (throws RpcError on failure).
  ChainClock(EthClient& eth, base::Clock& local, ChainClockOptions options = {});

  // Fetches the latest block and re-anchors. Throws RpcError. Thread-safe.
  void update();
  // Anchors to an already-fetched header (e.g. from a log watcher). Thread-safe.
  void observe(const BlockHeader& head);

  base::Millis now() const override;
  // Polls the chain (update()) every poll_interval of local time until now()
  // reaches t, so a chain that jumps ahead (evm_increaseTime, a fast chain)
  // wakes the sleeper early. Throws RpcError when the chain cannot be read.
  void sleep_until(base::Millis t) override;

  uint64_t last_block_timestamp() const;
  uint64_t last_block_number() const;

 private:
  EthClient& eth_;
  base::Clock& local_;
  ChainClockOptions opt_;
  mutable std::mutex mu_;
  uint64_t block_ts_ = 0;
  uint64_t block_number_ = 0;
  base::Millis seen_at_{0};     // local time of the last anchor
  mutable uint64_t floor_ = 0;  // last value returned (seconds): keeps now() monotonic
};

}  // namespace codex::eth
