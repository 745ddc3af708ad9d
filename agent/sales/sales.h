#pragma once
// The provider role (spec node.md §5): the slot queue fed by marketplace
// events, the sales started from it, and the sales in progress. It decides
// what to do; whoever drives it runs the steps — the node's worker threads
// (SalesWorkers), or a simulation's loop on a virtual clock:
//
//   sales.start();                              // resume, clean up, catch up
//   events → sales.handle(e)                     // the chain-watching thread
//   while (auto slot = sales.take_due())         // a worker
//     sales.stepped(*slot, sales.step(*slot));
//
// Like the reference, at most `workers` sales are between Preparing and
// Filled at once (downloading and the initial proof are what costs); filled
// slots prove beside them. Beyond the reference, start() catches up with
// requests posted while the node was down (the reference only hears new
// events).
//
// Thread-safety: all members are thread-safe; a slot is stepped by one
// driver at a time (take_due hands it out until stepped() returns it).
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <vector>

#include "agent/market/events.h"
#include "agent/sales/sales_agent.h"
#include "agent/sales/slot_queue.h"

namespace codex::sales {

struct SalesOptions {
  size_t workers = 3;  // sales before Filled at once
  size_t queue_capacity = SlotQueue::kDefaultCapacity;
  uint64_t seed = 0;  // slot order of new requests; 0 = random
};

class Sales {
 public:
  Sales(SalesContext& ctx, SalesOptions options = {});

  // Resumes every recorded sale not over; removes reservations no sale
  // holds; queues the slots of open requests (New, with time left) this node
  // has no sale of. `open_requests`: requests to look at (from past
  // StorageRequested events); each is read from the chain.
  void start(const std::vector<market::RequestId>& open_requests = {});

  // A marketplace event: feeds or trims the queue and tells the sales
  // concerned.
  void handle(const market::MarketEvent& e);

  // A sale to step now (its wake time has come), marked as being stepped;
  // starts a new sale from the queue when fewer than `workers` are before
  // Filled. None when nothing is due. Like the reference's SlotReserving, a
  // slot the marketplace would not let this node reserve (reservations
  // full, reserved by it before, no longer free) is dropped, but here before
  // its sale is recorded: every node hears a request at once and most find
  // its slots taken, which should cost them a read, not a write.
  std::optional<market::SlotId> take_due();
  // Runs the sale's step (call from the driver that took it).
  SaleStep step(const market::SlotId& slot);
  // The step's outcome: when the sale wakes next; a sale over leaves (its slot
  // queued again, as seen, when it asks to be reprocessed).
  void stepped(const market::SlotId& slot, const SaleStep& s);
  // The earliest wake time of the sales not being stepped (chain seconds),
  // for a driver that sleeps; none when no sale waits for a time.
  std::optional<uint64_t> next_wake() const;

  // For /sales/slots, tests and the live view.
  SlotQueue queue() const;
  std::vector<SaleRecord> sales() const;

 private:
  struct Running {
    std::shared_ptr<SalesAgent> agent;  // shared with event calls in flight
    std::optional<uint64_t> wake_at;    // none: due now
    bool busy = false;                  // handed out by take_due
    uint64_t saves_at_start = 0;        // availabilities_saved_ when it started
  };
  void push_request(const market::RequestId& id, const market::Request& r, uint64_t expires_at);
  size_t preparing() const;

  SalesContext& ctx_;
  SalesOptions options_;
  mutable std::mutex mu_;
  std::mt19937_64 rng_;
  SlotQueue queue_;
  std::map<market::SlotId, Running> running_;
  // Slots freed while a sale of them still ran here (this host's slot, freed
  // under it): queued once that sale is over, so that it can be refilled.
  std::map<market::SlotId, SlotQueueItem> freed_under_us_;
  // Availabilities saved so far: a sale skipped for want of room goes back
  // unseen when one was saved while it ran (clear_seen could not reach it).
  uint64_t availabilities_saved_ = 0;
};

}  // namespace codex::sales
