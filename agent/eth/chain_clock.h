// Protocol time is chain time (DESIGN.md): ChainClock is the base::Clock that
// follows block timestamps. It anchors on the pending block, whose timestamp
// is the time the chain would give a transaction sent now (anvil's; a node
// without one gives the latest block's), and a thread of its own refreshes
// that anchor every few seconds (now() never waits for the chain). Between
// anchors it advances with a local clock from the first
// sighting of the anchor's timestamp (unless extrapolation is off); a later
// timestamp re-anchors it. Anchoring on the latest block alone lagged by that
// block's age on a quiet chain (anvil mines only for transactions): a
// validator started 8 s after the last block found every window closed. It
// never goes backwards, even when a block's timestamp is behind the
// extrapolated value. Times are whole seconds (in milliseconds, as
// base::Clock).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "agent/eth/eth_client.h"
#include "base/clock.h"

namespace codex::eth {

struct ChainClockOptions {
  bool extrapolate = true;
  // Anchor on the pending block (else on the latest).
  bool pending = true;
  // A thread re-reads the chain this often, in real time (0: never; a failed
  // read keeps the extrapolation).
  std::chrono::milliseconds refresh_interval{5000};
  // How often sleep_until asks the chain for a new block.
  base::Millis poll_interval{1000};
};

class ChainClock final : public base::Clock {
 public:
  // `eth` and `local` (extrapolation and the waits of sleep_until) must
  // outlive the clock. Calls update() once (throws RpcError on failure).
  ChainClock(EthClient& eth, base::Clock& local, ChainClockOptions options = {});
  ~ChainClock();  // stops the refreshing thread
  ChainClock(const ChainClock&) = delete;
  ChainClock& operator=(const ChainClock&) = delete;

  // Fetches the pending (or latest) block and re-anchors. Throws RpcError.
  // Thread-safe.
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
  std::condition_variable cv_;  // wakes the refresher to stop
  bool stopping_ = false;
  std::thread refresher_;
  mutable uint64_t floor_ = 0;  // last value returned (seconds): keeps now() monotonic
};

}  // namespace codex::eth
