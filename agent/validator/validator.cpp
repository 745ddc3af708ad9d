#include "agent/validator/validator.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "agent/market/events.h"
#include "agent/market/market_api.h"
#include "agent/market/market_error.h"
#include "agent/market/periods.h"
#include "agent/market/view_call.h"
#include "base/hex.h"
#include "base/sqlite/database.h"

namespace codex::validator {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string short_id(const market::SlotId& id) {
  return base::to_hex(id).substr(0, 18);  // "0x" and 8 bytes
}

}  // namespace

Validator::Validator(market::MarketApi& market, base::sqlite::Database& db,
                     ValidatorOptions options)
    : market_(market), options_(std::move(options)), slots_(db), marks_(db) {
  options_.validate();
  for (WatchedSlot& s : slots_.load())
    watched_.emplace(s.slot_id, s);
  totals_ = marks_.totals();
  events_ = market_.events(options_.stream_name);
}

Validator::~Validator() {
  stop();
}

void Validator::start() {
  spdlog::info(
      "validator: watching {} slots{} (at most {}); {} proofs marked missing so far, {} tokens "
      "earned",
      watched_.size(),
      options_.groups ? fmt::format(" of group {} of {}", options_.group_index, options_.groups)
                      : std::string(),
      options_.max_slots ? std::to_string(options_.max_slots) : std::string("no limit"),
      totals_.marks, totals_.rewards.to_dec());
  thread_ = std::thread([this] { run(); });
}

void Validator::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

ValidatorStatus Validator::status() const {
  std::lock_guard lock(mu_);
  return ValidatorStatus{options_, watched_.size(), periods_checked_, last_check_, totals_};
}

size_t Validator::poll_events() {
  return events_->poll(
      [this](const market::DecodedEvent& e, base::sqlite::WriteTxn* txn) { on_event(e, txn); });
}

void Validator::on_event(const market::DecodedEvent& e, base::sqlite::WriteTxn* txn) {
  const auto* filled = std::get_if<market::SlotFilled>(&e.event);
  if (!filled || e.removed) return;  // a reorged fill: the next check drops the slot
  const WatchedSlot slot{market::slot_id(filled->request_id, filled->slot_index),
                         filled->request_id, filled->slot_index};
  if (!options_.observes(slot.slot_id)) return;
  {
    std::lock_guard lock(mu_);
    if (watched_.contains(slot.slot_id)) return;
  }
  auto full = [this] {
    std::lock_guard lock(mu_);
    return options_.max_slots != 0 && watched_.size() >= options_.max_slots;
  };
  // A validator reading the history meets many slots that have ended since:
  // make room by dropping those before refusing a new one.
  if (full()) prune(txn);
  if (full()) {
    if (!full_warned_)
      spdlog::warn(
          "validator: watching {} slots, the most --validator-max-slots allows; slot {} "
          "and later ones are not watched",
          options_.max_slots, short_id(slot.slot_id));
    full_warned_ = true;
    return;
  }
  if (txn) slots_.add(*txn, slot);
  std::lock_guard lock(mu_);
  watched_.emplace(slot.slot_id, slot);
  spdlog::debug("validator: watching slot {} (request {}, index {})", short_id(slot.slot_id),
                short_id(slot.request_id), slot.slot_index);
}

void Validator::prune(base::sqlite::WriteTxn* txn) {
  std::vector<market::SlotId> ids;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, s] : watched_)
      ids.push_back(id);
  }
  std::vector<market::ViewCall> calls;
  for (const auto& id : ids)
    calls.push_back(market::views::SlotState{id});
  const auto reads = market_.read(calls, market::At::kLatest);
  std::vector<market::SlotId> gone;
  for (size_t i = 0; i < ids.size(); ++i)
    if (!reads.results[i].error() &&
        reads.results[i].get<market::views::SlotState>() != market::SlotState::Filled)
      gone.push_back(ids[i]);
  if (txn) {
    for (const auto& id : gone)
      slots_.remove(*txn, id);
  } else {
    slots_.remove_all(gone);
  }
  std::lock_guard lock(mu_);
  for (const auto& id : gone)
    watched_.erase(id);
  full_warned_ = false;
}

market::Uint256 Validator::reward_of(const market::RequestId& request) {
  if (auto it = rewards_.find(request); it != rewards_.end()) return it->second;
  const auto r = market_.get_request(request, market::At::kLatest);
  if (!r) return 0;
  const auto& c = market_.configuration().collateral;
  // The contract's arithmetic (Marketplace.markProofAsMissing), divisions included.
  const market::Uint256 slashed =
      (market::collateral_per_slot(r->ask) * market::Uint256(c.slash_percentage)).div_u64(100);
  const market::Uint256 reward =
      (slashed * market::Uint256(c.validator_reward_percentage)).div_u64(100);
  rewards_.emplace(request, reward);
  return reward;
}

PeriodCheck Validator::check_period(uint64_t period) {
  PeriodCheck check;
  check.period = period;
  std::vector<WatchedSlot> slots;
  {
    std::lock_guard lock(mu_);
    slots.reserve(watched_.size());
    for (const auto& [id, s] : watched_)
      slots.push_back(s);
  }
  check.slots = slots.size();
  const auto t0 = Clock::now();
  // A market that can tell which slots would answer "proof not required"
  // without reading each (the model; never a chain) spares those reads.
  {
    std::vector<market::SlotId> ids;
    ids.reserve(slots.size());
    for (const WatchedSlot& s : slots)
      ids.push_back(s.slot_id);
    if (const auto keep = market_.can_mark_candidates(ids, period, market::At::kPending)) {
      if (const size_t skipped = slots.size() - keep->size())
        check.refusals["Proofs_ProofNotRequired"] += skipped;
      std::vector<WatchedSlot> kept;
      kept.reserve(keep->size());
      for (size_t i : *keep)
        kept.push_back(slots[i]);
      slots = std::move(kept);
    }
  }
  std::vector<market::ViewCall> calls;
  calls.reserve(slots.size());
  for (const WatchedSlot& s : slots)
    calls.push_back(market::views::CanMarkProofAsMissing{s.slot_id, period});
  // Pending: the state the marks will meet in the next block.
  const auto reads = market_.read(calls, market::At::kPending);
  check.read_seconds = seconds_since(t0);

  std::vector<market::SlotId> gone;
  std::vector<std::pair<const WatchedSlot*, market::PendingTx>> sent;
  const auto t1 = Clock::now();
  for (size_t i = 0; i < slots.size(); ++i) {
    const market::ViewResult& r = reads.results[i];
    if (const market::MarketError* e = r.error()) {
      spdlog::debug("validator: slot {}: {}", short_id(slots[i].slot_id), e->what());
      ++check.refusals[e->name().empty() ? "error" : e->name()];
      continue;
    }
    const auto& refusal = r.get<market::views::CanMarkProofAsMissing>();
    if (refusal) {
      ++check.refusals[*refusal];
      // Not Filled any more (finished, failed, freed): a new SlotFilled adds
      // it again if it is filled again. Other refusals (proof submitted, not
      // required) are the normal case.
      if (*refusal == "Marketplace_SlotNotAcceptingProofs") gone.push_back(slots[i].slot_id);
      continue;
    }
    ++check.missing;
    try {
      sent.emplace_back(&slots[i],
                        market_.submit(market::MarkProofAsMissing{slots[i].slot_id, period}));
    } catch (const market::MarketError& e) {
      ++check.failed;
      spdlog::info("validator: slot {}: period {} not marked: {}", short_id(slots[i].slot_id),
                   period, e.what());
    }
  }
  for (auto& [slot, tx] : sent) {
    try {
      const market::TxResult res = market_.wait(tx);
      const market::Uint256 reward = reward_of(slot->request_id);
      marks_.record(slot->slot_id, period, reward, res.tx_hash);
      ++check.marked;
      std::lock_guard lock(mu_);
      ++totals_.marks;
      totals_.rewards = totals_.rewards + reward;
      spdlog::info(
          "validator: slot {} (request {}, index {}) missed its proof for period {}: "
          "marked, reward {}",
          short_id(slot->slot_id), short_id(slot->request_id), slot->slot_index, period,
          reward.to_dec());
    } catch (const std::exception& e) {
      ++check.failed;
      spdlog::warn("validator: slot {}: marking period {} failed: {}", short_id(slot->slot_id),
                   period, e.what());
    }
  }
  check.mark_seconds = seconds_since(t1);
  check.dropped = gone.size();
  slots_.remove_all(gone);
  std::lock_guard lock(mu_);
  for (const auto& id : gone)
    watched_.erase(id);
  ++periods_checked_;
  last_check_ = check;
  return check;
}

void Validator::run() {
  const market::Periods periods(market_.configuration().proofs.period);
  const uint64_t timeout = market_.configuration().proofs.timeout;
  std::optional<uint64_t> last_checked;
  for (;;) {
    try {
      poll_events();
      const uint64_t now = market_.clock().seconds();
      const uint64_t p = periods.period_of(now);
      // The contract's window for period p − 1: periodEnd < now < periodEnd + timeout.
      if (p >= 1 && last_checked != p - 1 && now > periods.end(p - 1) &&
          now < periods.end(p - 1) + timeout) {
        const PeriodCheck c = check_period(p - 1);
        // A clock ahead of the chain's: the period has not ended where the
        // marks would land. Look again at the next turn, within the window.
        if (!c.refusals.contains("Proofs_PeriodNotEnded")) last_checked = p - 1;
        std::string why;
        for (const auto& [name, n] : c.refusals)
          why += fmt::format("{}{} {}", why.empty() ? "; not marked: " : ", ", n, name);
        if (c.slots > 0)
          spdlog::info(
              "validator: period {}: {} slots checked in {:.2f} s; {} proofs missing, {} "
              "marked{}{}",
              c.period, c.slots, c.read_seconds, c.missing, c.marked,
              c.failed ? fmt::format(", {} failed", c.failed) : std::string(), why);
      }
    } catch (const std::exception& e) {
      spdlog::warn("validator: {}", e.what());
    }
    std::unique_lock lock(mu_);
    if (cv_.wait_for(lock, options_.poll_interval, [this] { return stopping_; })) return;
  }
}

}  // namespace codex::validator
