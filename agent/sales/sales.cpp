#include "agent/sales/sales.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "agent/market/market_api.h"
#include "agent/sales/availabilities.h"
#include "base/hex.h"

namespace codex::sales {
namespace {

using market::RequestState;
using market::SlotState;

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

bool before_filled(SaleState s) {
  return s == SaleState::Preparing || s == SaleState::SlotReserving ||
         s == SaleState::Downloading || s == SaleState::InitialProving || s == SaleState::Filling;
}

}  // namespace

Sales::Sales(SalesContext& ctx, SalesOptions options)
    : ctx_(ctx),
      options_(options),
      rng_(options.seed ? options.seed : std::random_device{}()),
      queue_(options.queue_capacity) {
  // An availability that can take more: try the skipped slots again.
  ctx_.availabilities.on_saved([this](const Availability&) {
    std::lock_guard lock(mu_);
    ++availabilities_saved_;
    queue_.clear_seen();
  });
}

void Sales::start(const std::vector<market::RequestId>& open_requests) {
  std::lock_guard lock(mu_);
  for (SaleRecord& r : ctx_.records.active()) {
    spdlog::info("sales: resuming the sale of slot {} of request {} in {}", r.slot_index,
                 base::to_hex(r.request_id), to_string(r.state));
    const market::SlotId slot = r.slot_id;
    running_[slot] = {std::make_unique<SalesAgent>(ctx_, std::move(r)), std::nullopt, false};
  }
  // Reservations of sales that are not going on (a kill between a
  // reservation and its sale's row cannot happen: one commit) and of slots
  // the chain no longer gives us.
  std::vector<std::pair<market::RequestId, uint64_t>> keep;
  for (const auto& [slot, run] : running_) {
    const SaleRecord r = run.agent->record();
    keep.emplace_back(r.request_id, r.slot_index);
  }
  if (size_t n = ctx_.availabilities.remove_all_except(keep))
    spdlog::info("sales: removed {} reservations of sales that are over", n);

  const uint64_t now = ctx_.market.clock().seconds();
  for (const market::RequestId& id : open_requests) {
    if (ctx_.market.request_state(id) != RequestState::New) continue;
    const uint64_t expiry = ctx_.market.request_expiry(id);
    if (expiry <= now) continue;
    if (auto r = ctx_.market.get_request(id)) push_request(id, *r, expiry);
  }
}

void Sales::push_request(const market::RequestId& id, const market::Request& r,
                         uint64_t expires_at) {
  // Hashing each slot's id is the cost of hearing a request: only for a
  // request this node already sells a slot of.
  const bool selling = std::any_of(running_.begin(), running_.end(), [&](const auto& run) {
    return run.second.agent->request_id() == id;
  });
  for (SlotQueueItem& item : SlotQueue::items_for(id, r.ask, expires_at, rng_)) {
    if (selling && running_.contains(market::slot_id(id, item.slot_index))) continue;
    queue_.push(std::move(item));
  }
}

void Sales::handle(const market::MarketEvent& e) {
  std::vector<std::shared_ptr<SalesAgent>> cancelled, failed, filled;
  // A freed slot's request is read before the lock is taken.
  std::optional<market::Request> freed_request;
  if (const auto* ev = std::get_if<market::SlotFreed>(&e))
    freed_request = ctx_.market.get_request(ev->request_id);
  {
    std::lock_guard lock(mu_);
    auto of_request = [&](const market::RequestId& id) {
      std::vector<std::shared_ptr<SalesAgent>> out;
      for (auto& [slot, run] : running_)
        if (run.agent->request_id() == id) out.push_back(run.agent);
      return out;
    };
    std::visit(
        Overloaded{
            [&](const market::StorageRequested& ev) {
              // Every node hears every request: no formatting unless logged.
              if (spdlog::should_log(spdlog::level::info))
                spdlog::info(
                    "sales: heard of request {}: {} slots of {} bytes for {} s, {} per "
                    "byte-second, fillable until {}",
                    base::to_hex(ev.request_id), ev.ask.slots, ev.ask.slot_size, ev.ask.duration,
                    ev.ask.price_per_byte_per_second.to_dec(), ev.expires_at);
              market::Request r;
              r.ask = ev.ask;
              push_request(ev.request_id, r, ev.expires_at);
            },
            [&](const market::SlotFreed& ev) {
              if (!freed_request) return;
              const uint8_t pct = ctx_.market.configuration().collateral.repair_reward_percentage;
              for (SlotQueueItem& item :
                   SlotQueue::items_for(ev.request_id, freed_request->ask, 0, rng_)) {
                if (item.slot_index != ev.slot_index) continue;
                item.collateral = item.collateral - (item.collateral * Uint256(pct)).div_u64(100);
                item.expiry.reset();
                const market::SlotId slot = market::slot_id(ev.request_id, ev.slot_index);
                if (auto it = running_.find(slot); it != running_.end()) {
                  // Its old sale must end first (it finds the slot freed when
                  // it wakes: now).
                  if (!it->second.busy) it->second.wake_at.reset();
                  freed_under_us_.insert_or_assign(slot, std::move(item));
                  continue;
                }
                queue_.push(std::move(item));
              }
            },
            [&](const market::RequestFulfilled& ev) { queue_.remove_request(ev.request_id); },
            [&](const market::RequestCancelled& ev) {
              queue_.remove_request(ev.request_id);
              cancelled = of_request(ev.request_id);
            },
            [&](const market::RequestFailed& ev) {
              queue_.remove_request(ev.request_id);
              failed = of_request(ev.request_id);
            },
            [&](const market::SlotFilled& ev) {
              queue_.remove_slot(ev.request_id, ev.slot_index);
              auto it = running_.find(market::slot_id(ev.request_id, ev.slot_index));
              if (it != running_.end()) filled.push_back(it->second.agent);
            },
            [&](const market::SlotReservationsFull& ev) {
              queue_.remove_slot(ev.request_id, ev.slot_index);
            },
            [&](const market::ProofSubmitted&) {},
        },
        e);
  }
  // Outside the lock: an event writes the sale's row.
  for (const auto& a : cancelled)
    a->cancelled();
  for (const auto& a : failed)
    a->failed();
  for (const auto& a : filled)
    a->slot_filled();
  if (!cancelled.empty() || !failed.empty() || !filled.empty()) {
    std::lock_guard lock(mu_);
    for (auto& [slot, run] : running_)
      if (!run.busy) run.wake_at.reset();  // act on the event now
  }
}

size_t Sales::preparing() const {
  size_t n = 0;
  for (const auto& [slot, run] : running_)
    n += before_filled(run.agent->state()) ? 1 : 0;
  return n;
}

std::optional<market::SlotId> Sales::take_due() {
  std::unique_lock lock(mu_);
  const uint64_t now = ctx_.market.clock().seconds();
  for (auto& [slot, run] : running_) {
    if (run.busy || (run.wake_at && *run.wake_at > now)) continue;
    run.busy = true;
    return slot;
  }
  while (preparing() < options_.workers) {
    std::optional<SlotQueueItem> item = queue_.pop();
    if (!item) break;
    const market::SlotId slot = market::slot_id(item->request_id, item->slot_index);
    if (running_.contains(slot)) continue;
    // The chain is read without the lock: events go on being handled.
    lock.unlock();
    bool reservable = true;
    try {
      reservable = ctx_.market.can_reserve_slot(item->request_id, item->slot_index);
    } catch (const std::exception& e) {
      // The sale reads the chain again and meets the fault itself.
      spdlog::debug("sales: cannot tell whether slot {} can be reserved: {}", item->slot_index,
                    e.what());
    }
    lock.lock();
    if (!reservable || running_.contains(slot)) continue;
    if (preparing() >= options_.workers) {  // another worker started one meanwhile
      queue_.push(std::move(*item));
      break;
    }
    try {
      auto agent = SalesAgent::start(ctx_, item->request_id, item->slot_index);
      running_[slot] = {std::move(agent), std::nullopt, true, availabilities_saved_};
      return slot;
    } catch (const std::exception& e) {
      spdlog::warn("sales: cannot start a sale of slot {}: {}", item->slot_index, e.what());
    }
  }
  return std::nullopt;
}

SaleStep Sales::step(const market::SlotId& slot) {
  std::shared_ptr<SalesAgent> agent;
  {
    std::lock_guard lock(mu_);
    auto it = running_.find(slot);
    if (it == running_.end()) return {SaleState::Unknown, std::nullopt, true, false};
    agent = it->second.agent;
  }
  return agent->step();
}

void Sales::stepped(const market::SlotId& slot, const SaleStep& s) {
  SaleRecord r;
  uint64_t saves_at_start = 0;
  {
    std::lock_guard lock(mu_);
    auto it = running_.find(slot);
    if (it == running_.end()) return;
    if (!s.done) {
      it->second.busy = false;
      it->second.wake_at = s.wake_at;
      return;
    }
    r = it->second.agent->record();
    saves_at_start = it->second.saves_at_start;
    running_.erase(it);
  }
  std::optional<SlotQueueItem> freed;
  {
    std::lock_guard lock(mu_);
    if (auto f = freed_under_us_.find(slot); f != freed_under_us_.end()) {
      freed = std::move(f->second);
      freed_under_us_.erase(f);
    }
  }
  if (freed) {
    if (ctx_.market.slot_state(slot) != SlotState::Repair) return;
    std::lock_guard lock(mu_);
    queue_.push(std::move(*freed));
    return;
  }
  if (!s.reprocess) return;
  // Tried and not taken: back in the queue as seen, unless the slot was
  // taken (the chain is read without the lock: other workers go on). Unseen
  // if an availability was saved since the sale started: it may take it.
  const SlotState ss = ctx_.market.slot_state(slot);
  if (ss != SlotState::Free && ss != SlotState::Repair) return;
  const std::optional<market::Request> req = ctx_.market.get_request(r.request_id);
  if (!req) return;
  const uint64_t expiry = ctx_.market.request_expiry(r.request_id);
  std::lock_guard lock(mu_);
  for (SlotQueueItem& item : SlotQueue::items_for(r.request_id, req->ask, 0, rng_))
    if (item.slot_index == r.slot_index) {
      item.seen = availabilities_saved_ == saves_at_start;
      item.expiry = expiry;
      queue_.push(std::move(item));
    }
}

std::optional<uint64_t> Sales::next_wake() const {
  std::lock_guard lock(mu_);
  std::optional<uint64_t> out;
  for (const auto& [slot, run] : running_) {
    if (run.busy) continue;
    const uint64_t at = run.wake_at.value_or(0);
    if (!out || at < *out) out = at;
  }
  return out;
}

SlotQueue Sales::queue() const {
  std::lock_guard lock(mu_);
  return queue_;
}

std::vector<SaleRecord> Sales::sales() const {
  std::lock_guard lock(mu_);
  std::vector<SaleRecord> out;
  for (const auto& [slot, run] : running_)
    out.push_back(run.agent->record());
  return out;
}

}  // namespace codex::sales
