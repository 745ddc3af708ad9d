#pragma once
// The block-exchange engine of /codex/blockexc/1.0.0 (spec node.md §8.3):
// serves the local Repo's blocks to peers and fetches blocks from them.
//
// Threads: the engine lives on the network thread (Network::executor()).
// Construct, start(), stop() and every member run there (from a coroutine or
// handler on it, e.g. through Network::run). The Repo is synchronous SQLite:
// every store access (presence checks, block and proof reads, verify + store
// of received batches) runs on the engine's own store thread and the network
// thread co_awaits the result, so a slow disk or a 20-block commit never
// stalls the noise and muxer work of every other connection (the network
// thread would otherwise wait ~1 ms per 64 KiB block put and read).
//
// Serving: WantHave ⇒ Have (price 0, empty) when the block is local, DontHave
// only when asked (sendDontHave); WantBlock ⇒ the peer's wanted queue,
// served by at most kTaskRunners runners in deliveries of ≤ kMaxDeliveries
// blocks (leaf addresses carry the stored tree proof); cancel removes. Per
// peer at most max_peer_wants wanted entries (more are ignored) and at most
// max_peer_queued_bytes of deliveries queued for its stream.
//
// Requesting: want_block registers a pending want; WantHave goes to every
// connected peer (and to peers joining later); a peer answering Have is
// chosen by weighted random (outstanding requests and a low success rate
// weigh it down) and sent WantBlock; the block is awaited up to
// block_timeout, then another peer is tried after a randomised back-off; after
// max_retries attempts want_block throws RetriesExhaustedError.
//
// Receiving: blocks nobody is waiting for, or not requested from that peer,
// are dropped. A delivery that does not verify (verify.h) or a malformed
// message makes the engine penalise the peer (Host::penalize: disconnect,
// scored down); nothing of that message is stored. Verified blocks are stored
// (block, and for leaves the leaf with its proof), waiters resumed, and
// cancels sent to other peers that were asked.
//
// Memory: pending wants ≤ max_pending, per-peer wanted entries and queued
// bytes bounded, messages ≤ kMaxMessageSize, want lists ≤ kMaxWantEntries.
#include <asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "exchange/net/blockexc/message.h"
#include "exchange/net/error.h"
#include "exchange/net/peer_id.h"

namespace codex::store {
class Repo;
}

namespace codex::net {
class Host;
}

namespace codex::net::blockexc {

// want_block gave up: no peer delivered the block in max_retries attempts.
class RetriesExhaustedError : public NetError {
 public:
  using NetError::NetError;
};

struct EngineConfig {
  std::chrono::milliseconds block_timeout{10'000};  // per peer, per request
  std::chrono::milliseconds retry_interval{2'000};  // randomised back-off ceiling
  int max_retries = 3000;                           // --block-retries
  size_t max_pending = 8192;                        // wants registered at once
  size_t max_peer_wants = 4096;                     // entries a peer may want from us
  size_t max_peer_queued_bytes = 4 << 20;           // deliveries queued per peer
  size_t task_runners = 10;                         // concurrent serving tasks
  // Stored blocks' expiry (unix seconds); empty: the repo's default TTL.
  std::function<std::optional<int64_t>()> expiry;
};

struct EngineStats {
  uint64_t blocks_received = 0;  // verified and stored
  uint64_t blocks_sent = 0;
  uint64_t bytes_received = 0;       // of the blocks received (block data, not messages)
  uint64_t bytes_sent = 0;           // of the blocks sent
  uint64_t dropped_unrequested = 0;  // unrequested or duplicate deliveries
  uint64_t peers_penalized = 0;      // for deliveries that failed verification
                                     // (malformed messages: the Host penalises)
  size_t pending = 0;                // wants registered now
};

class Engine {
 public:
  // Called on the network thread once a fetched block is verified and stored.
  using BlockHook = std::function<void(const BlockAddress&, const Cid&)>;

  // REQUIRES: host and repo outlive the engine's use (stop() before they go).
  Engine(Host& host, store::Repo& repo, EngineConfig config = {});
  // Joins the store thread (after stop(): its jobs are short).
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Registers the protocol handler and the peer events; starts serving.
  void start();
  // Fails every pending want with NetError, ends the engine's coroutines
  // (streams reset, timers cancelled) and stops touching the repo. Idempotent.
  void stop();

  // The block's bytes: local if stored, else fetched, verified and stored.
  // Throws RetriesExhaustedError, NetError when the engine stops or
  // max_pending wants are pending, FormatError for an invalid address.
  // max_attempts > 0 gives up sooner than max_retries (a caller with another
  // way to the data, such as erasure decoding); a want shared by several
  // callers keeps the lowest limit asked for.
  asio::awaitable<std::string> want_block(BlockAddress address, int max_attempts = 0);
  // Several blocks, at most `window` pending at once; results in order.
  // The first failure is thrown (the other wants are still completed). Every
  // result is held until the call returns: for a large dataset, call it per
  // slice of addresses (the download's sliding window) or use on_block.
  asio::awaitable<std::vector<std::string>> want_blocks(std::vector<BlockAddress> addresses,
                                                        size_t window = 256);

  void on_block(BlockHook hook);
  EngineStats stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace codex::net::blockexc
