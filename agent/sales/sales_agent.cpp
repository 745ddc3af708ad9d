#include "agent/sales/sales_agent.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include <string>

#include "agent/eth/rpc_error.h"
#include "agent/market/market_api.h"
#include "agent/market/market_error.h"
#include "agent/market/periods.h"
#include "agent/sales/availabilities.h"
#include "agent/sales/slot_work.h"
#include "base/hex.h"
#include "base/sqlite/database.h"

namespace codex::sales {
namespace {

using base::sqlite::WriteTxn;
using market::MarketError;
using market::RequestState;
using market::SlotState;

// The sale's state changed under the step (an event): drop its transition.
struct Moved {};

constexpr uint64_t kRetryTransientSeconds = 5;
// A proof may take at most this share of a period: the rest is for sending
// it and having it mined (and for a retry).
constexpr double kMaxProvingShareOfPeriod = 0.5;
constexpr int kInvalidFillProofRetries = 2;

std::string key(const SaleRecord& r, const std::string& action) {
  return "sale/" + base::to_hex(r.slot_id) + "/" + std::to_string(r.round) + "/" + action;
}

std::string slot_name(const SaleRecord& r) {
  return base::to_hex(r.request_id).substr(0, 10) + "…/" + std::to_string(r.slot_index);
}

bool named(const MarketError& e, std::string_view part) {
  return e.name().find(part) != std::string::npos;
}

bool before_end(SaleState s) {
  return !ends_sale(s) && s != SaleState::Failed;
}

bool before_filled(SaleState s) {
  return s == SaleState::Preparing || s == SaleState::Downloading;
}

}  // namespace

std::unique_ptr<SalesAgent> SalesAgent::start(SalesContext& ctx, const market::RequestId& request,
                                              uint64_t slot_index) {
  SaleRecord r;
  r.request_id = request;
  r.slot_index = slot_index;
  r.slot_id = market::slot_id(request, slot_index);
  ctx.db.write([&](WriteTxn& txn) {
    if (auto old = ctx.records.get(r.slot_id)) {
      if (!old->done)
        throw SalesError("a sale of slot " + std::to_string(slot_index) + " of request " +
                         base::to_hex(request) + " is going on");
      r.round = old->round + 1;
    }
    ctx.records.put(txn, r);
  });
  if (ctx.entered) ctx.entered(r);
  return std::make_unique<SalesAgent>(ctx, std::move(r));
}

SalesAgent::SalesAgent(SalesContext& ctx, SaleRecord record)
    : ctx_(ctx), request_id_(record.request_id), rec_(std::move(record)) {}

SaleRecord SalesAgent::record() const {
  std::lock_guard lock(mu_);
  return rec_;
}

SaleState SalesAgent::state() const {
  std::lock_guard lock(mu_);
  return rec_.state;
}

bool SalesAgent::commit(const SaleRecord& from, const SaleRecord& to,
                        const std::function<void(WriteTxn&)>& also) {
  bool ok = false;
  try {
    ctx_.db.write([&](WriteTxn& txn) {
      if (also) also(txn);
      if (!ctx_.records.replace_if(txn, to, from.state)) throw Moved{};
    });
    ok = true;
  } catch (const Moved&) {
  }
  {
    std::lock_guard lock(mu_);
    if (ok) {
      rec_ = to;
    } else if (auto now = ctx_.records.get(from.slot_id)) {
      rec_ = *now;
    }
  }
  if (ok && to.state != from.state && ctx_.entered) ctx_.entered(to);
  return ok;
}

SaleStep SalesAgent::next(SaleRecord r, SaleState to, std::optional<uint64_t> wake_at) {
  SaleRecord n = r;
  n.state = to;
  n.wake_at = wake_at;
  if (!commit(r, n)) {
    const SaleRecord now = record();
    return {now.state, std::nullopt, now.done, now.reprocess};
  }
  return {to, wake_at, false, false};
}

bool SalesAgent::event(SaleState to, bool (*allowed)(SaleState)) {
  for (;;) {
    const SaleRecord r = record();
    if (r.done || !allowed(r.state)) return false;
    SaleRecord n = r;
    n.state = to;
    n.wake_at.reset();
    if (commit(r, n)) {
      spdlog::info("sales: slot {}: {} after {}", slot_name(r), to_string(to), to_string(r.state));
      return true;
    }
  }
}

bool SalesAgent::cancelled() {
  return event(SaleState::Cancelled, [](SaleState s) { return before_end(s); });
}
bool SalesAgent::failed() {
  return event(SaleState::Failed, [](SaleState s) { return before_end(s); });
}
bool SalesAgent::slot_filled() {
  return event(SaleState::Filled, before_filled);
}

SaleStep SalesAgent::step() {
  const SaleRecord r = record();
  if (r.done) return {r.state, std::nullopt, true, r.reprocess};
  try {
    return run(r);
  } catch (const eth::RpcError& e) {
    if (!e.retryable()) throw;
    // The chain is out of reach: nothing is lost by trying again.
    spdlog::warn("sales: slot {} in {}: {} (retrying)", slot_name(r), to_string(r.state), e.what());
    return {r.state, ctx_.market.clock().seconds() + kRetryTransientSeconds, false, false};
  } catch (const std::exception& e) {
    spdlog::error("sales: slot {} in {}: {}", slot_name(r), to_string(r.state), e.what());
    SaleRecord n = r;
    n.error = std::string(to_string(r.state)) + ": " + e.what();
    return next(n, SaleState::Errored);
  }
}

SaleStep SalesAgent::run(SaleRecord r) {
  market::MarketApi& m = ctx_.market;
  const market::Periods periods(m.configuration().proofs.period);
  const uint64_t now = m.clock().seconds();
  auto ignore = [&](bool reprocess, const std::string& why) {
    spdlog::info("sales: skipping slot {}: {}", slot_name(r), why);
    r.reprocess = reprocess;
    r.error = why;
    return next(r, SaleState::Ignored);
  };
  auto error = [&](const std::string& why) {
    spdlog::error("sales: slot {}: {}", slot_name(r), why);
    r.error = why;
    return next(r, SaleState::Errored);
  };
  auto request = [&] {
    auto req = m.get_request(r.request_id);
    if (!req) throw SalesError("request " + base::to_hex(r.request_id) + " not found");
    return *req;
  };
  // Gives the reservation back and ends the sale.
  auto clean_up = [&](const Uint256& returned) {
    SaleRecord n = r;
    n.done = true;
    n.wake_at.reset();
    n.returned_collateral = returned;
    if (!commit(r, n, [&](WriteTxn& txn) {
          if (r.reservation) ctx_.availabilities.remove(txn, *r.reservation, returned);
        })) {
      const SaleRecord moved = record();
      return SaleStep{moved.state, std::nullopt, moved.done, moved.reprocess};
    }
    return SaleStep{n.state, std::nullopt, true, n.reprocess};
  };
  // What the availability gets back when the sale ends without a payout.
  auto unspent = [&]() -> Uint256 {
    if (r.filled || !r.reservation) return r.returned_collateral;
    return ctx_.availabilities.booked_collateral(*r.reservation).value_or(Uint256());
  };

  switch (r.state) {
    case SaleState::Preparing: {
      const market::Request req = request();
      const SlotState ss = m.slot_state(r.slot_id);
      if (ss != SlotState::Free && ss != SlotState::Repair)
        return ignore(false, "the slot is not free");
      SlotAsk ask;
      ask.slot_size = req.ask.slot_size;
      ask.duration = req.ask.duration;
      ask.price_per_byte_per_second = req.ask.price_per_byte_per_second;
      ask.collateral_per_byte = req.ask.collateral_per_byte;
      ask.request_end = static_cast<int64_t>(m.request_end(r.request_id));
      // Deadline safety (beyond the reference): a proof must be made and
      // mined inside its period; refuse a slot this node proves too slowly for.
      if (const auto secs = ctx_.work.proving_seconds();
          secs && *secs > kMaxProvingShareOfPeriod * double(periods.length()))
        return ignore(true, "proving takes " + std::to_string(int(*secs + 0.5)) +
                                " s here, too long for periods of " +
                                std::to_string(periods.length()) + " s");
      const std::optional<Availability> a = ctx_.availabilities.find(ask);
      if (!a) return ignore(true, "no availability takes it");
      SaleRecord n = r;
      n.state = SaleState::SlotReserving;
      try {
        if (!commit(r, n, [&](WriteTxn& txn) {
              n.reservation =
                  ctx_.availabilities.reserve(txn, a->id, ask, r.request_id, r.slot_index).id;
            }))
          return {record().state, std::nullopt, record().done, false};
      } catch (const BytesOutOfBounds& e) {
        return ignore(true, e.what());
      }
      return {n.state, std::nullopt, false, false};
    }

    case SaleState::SlotReserving: {
      try {
        m.wait(m.submit(market::ReserveSlot{r.request_id, r.slot_index}, key(r, "reserveSlot")));
      } catch (const MarketError& e) {
        if (named(e, "NotAllowed")) return ignore(false, "reservation not allowed");
        return error(e.what());
      }
      return next(r, SaleState::Downloading);
    }

    case SaleState::Downloading: {
      const market::Request req = request();
      const bool repairing = m.slot_state(r.slot_id) == SlotState::Repair;
      if (const auto ready = ctx_.work.data_ready_at(req, r.slot_index, repairing, now);
          ready && *ready > now)
        return {r.state, *ready, false, false};
      try {
        ctx_.work.store(req, r.slot_index, repairing, [&](uint64_t bytes) {
          if (r.reservation) ctx_.availabilities.release_bytes(*r.reservation, bytes);
        });
      } catch (const std::exception& e) {
        return error(std::string("storing the slot failed: ") + e.what());
      }
      return next(r, SaleState::InitialProving);
    }

    case SaleState::InitialProving: {
      const RequestState rs = m.request_state(r.request_id);
      if (rs == RequestState::Cancelled) return next(r, SaleState::Cancelled);
      if (rs == RequestState::Failed) return next(r, SaleState::Failed);
      // A proof made at the start of a period leaves it all for fillSlot.
      if (!r.wake_at || now < *r.wake_at) {
        const uint64_t at = r.wake_at.value_or(periods.end(periods.period_of(now)) + 1);
        if (!r.wake_at) {
          SaleRecord n = r;
          n.wake_at = at;
          if (!commit(r, n)) return {record().state, std::nullopt, record().done, false};
        }
        return {r.state, at, false, false};
      }
      // Near the pointer's wrap the challenge would change under the proof.
      if (m.get_pointer(r.slot_id) > 256 - m.configuration().proofs.downtime) {
        SaleRecord n = r;
        n.wake_at = periods.end(periods.period_of(now)) + 1;
        if (!commit(r, n)) return {record().state, std::nullopt, record().done, false};
        return {r.state, n.wake_at, false, false};
      }
      const uint64_t period = periods.period_of(now);
      const market::Hash challenge = m.get_challenge(r.slot_id);
      market::Groth16Proof proof;
      const auto t0 = std::chrono::steady_clock::now();
      try {
        proof = ctx_.work.prove(request(), r.slot_index, challenge);
      } catch (const std::exception& e) {
        return error(std::string("the initial proof failed: ") + e.what());
      }
      spdlog::info("sales: slot {}: initial proof made in {:.2f} s", slot_name(r),
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      r.proof = proof;
      r.proof_period = period;
      return next(r, SaleState::Filling);
    }

    case SaleState::Filling: {
      const market::Request req = request();
      const SlotState ss = m.slot_state(r.slot_id);
      // A fill mined at the request's expiry second is accepted, but a
      // cancelled request pays a slot (expiry − filledAt), which reverts when
      // that is not positive: its collateral could never be collected (a
      // stress run found one). Leave such a slot to nobody.
      if (ss == SlotState::Free &&
          now + std::max<uint64_t>(2, periods.length() / 4) >= m.request_expiry(r.request_id))
        return ignore(false, "too close to the request's expiry to fill safely");
      Uint256 collateral = req.ask.collateral_per_byte * Uint256(req.ask.slot_size);
      if (ss == SlotState::Repair)
        collateral = collateral -
                     (collateral * Uint256(m.configuration().collateral.repair_reward_percentage))
                         .div_u64(100);
      try {
        std::lock_guard fill(ctx_.fill_mu);
        // One allowance serves every sale: approve just before this fill, and
        // again when another fill used it up (a repeated approval of the same
        // amount only costs gas).
        if (m.token_allowance(m.account(), m.marketplace_address()) < collateral)
          m.wait(m.submit(market::ApproveTokens{m.marketplace_address(), collateral},
                          key(r, "approve/" + std::to_string(m.block_number()))));
        m.wait(m.submit(
            market::FillSlot{r.request_id, r.slot_index, r.proof.value_or(market::Groth16Proof{})},
            key(r, "fillSlot/" + std::to_string(r.proof_period))));
      } catch (const MarketError& e) {
        if (named(e, "SlotNotFree") || named(e, "SlotStateMismatch"))
          return ignore(false, std::string("the slot is no longer free (") + e.name() + ")");
        if (r.proof_period != periods.period_of(m.clock().seconds())) {
          spdlog::info("sales: slot {}: the period turned before fillSlot ({}); proving again",
                       slot_name(r), e.what());
          r.proof.reset();
          return next(r, SaleState::InitialProving);
        }
        // Our proof of data we verified against the slot root fails only for
        // a challenge that moved under it (the pointer wrapped while a loaded
        // machine proved): prove again, a bounded number of times.
        if (named(e, "InvalidProof") && ++invalid_fill_proofs_ <= kInvalidFillProofRetries) {
          spdlog::warn("sales: slot {}: fillSlot refused the proof ({}); proving again ({} of {})",
                       slot_name(r), e.what(), invalid_fill_proofs_, kInvalidFillProofRetries);
          r.proof.reset();
          return next(r, SaleState::InitialProving);
        }
        return error(e.what());
      }
      r.filled = true;
      spdlog::info("sales: filled slot {} with collateral {}", slot_name(r), collateral.to_dec());
      return next(r, SaleState::Filled);
    }

    case SaleState::Filled: {
      if (m.get_host(r.slot_id) != m.account()) {
        r.filled = false;
        return error("another host holds the slot");
      }
      return next(r, SaleState::Proving);
    }

    case SaleState::Proving: {
      const uint64_t period = periods.period_of(now);
      const uint64_t next_period = periods.end(period) + 1;
      // When the next period's check would find nothing to do, a market that
      // can see ahead (the model; never a chain) names the first check that
      // will: sleep until then instead of waking every period for nothing.
      // An event about the slot or its request wakes the sale before.
      auto next_check = [&] {
        const uint64_t offset = next_period - periods.start(period + 1);
        const std::optional<uint64_t> p = m.next_proof_check(r.slot_id, period + 1, offset);
        return p ? std::max(next_period, periods.start(*p) + offset) : next_period;
      };
      switch (m.slot_state(r.slot_id)) {
        case SlotState::Filled:
          break;
        case SlotState::Finished:
          return next(r, SaleState::Payout);
        case SlotState::Cancelled:
          return next(r, SaleState::Cancelled);
        case SlotState::Failed:
          return next(r, SaleState::Failed);
        case SlotState::Repair:
          // The contract keeps what slashing left of the collateral: none of
          // it goes back to the availability.
          r.returned_collateral = Uint256();
          return error("the slot was freed (too many missed proofs)");
        default:
          return error("the slot is no longer filled");
      }
      // Nothing to prove this period: nothing to write either (a restarted
      // sale in Proving looks at the chain again at once), so that a host of
      // thousands of slots does not rewrite each of them every period.
      if (r.proven_period == period ||
          !(m.is_proof_required(r.slot_id) || m.will_proof_be_required(r.slot_id)))
        return {r.state, next_check(), false, false};
      const uint64_t count = r.proofs_required + 1;
      const uint64_t every = ctx_.simulate_proof_failures;
      const bool simulate = every > 0 && count % every == 0;
      try {
        const market::Hash challenge = m.get_challenge(r.slot_id);
        const market::Groth16Proof proof =
            simulate ? market::Groth16Proof{} : ctx_.work.prove(request(), r.slot_index, challenge);
        m.wait(m.submit(market::SubmitProof{r.slot_id, proof, period},
                        key(r, "submitProof/" + std::to_string(period))));
      } catch (const eth::RpcError&) {
        throw;
      } catch (const std::exception& e) {
        if (simulate) {
          spdlog::warn("sales: slot {}: simulated proof failure for period {}: {}", slot_name(r),
                       period, e.what());
          SaleRecord n = r;
          n.proofs_required = count;
          n.proven_period = period;  // not tried again: the failure is the point
          n.wake_at = next_period;
          if (!commit(r, n)) return {record().state, std::nullopt, record().done, false};
          return {r.state, next_period, false, false};
        }
        // Try again inside the period while there is time.
        const uint64_t retry = now + std::max<uint64_t>(1, periods.length() / 4);
        spdlog::warn("sales: slot {}: the proof for period {} failed: {}", slot_name(r), period,
                     e.what());
        const uint64_t at = retry < periods.end(period) ? retry : next_period;
        return {r.state, at, false, false};
      }
      const auto secs = ctx_.work.proving_seconds();
      spdlog::info("sales: slot {}: proof submitted for period {} (proofs take {:.2f} s here)",
                   slot_name(r), period, secs.value_or(0.0));
      SaleRecord n = r;
      n.proven_period = period;
      n.proofs_required = count;
      n.wake_at = next_period;
      if (!commit(r, n)) return {record().state, std::nullopt, record().done, false};
      return {r.state, next_check(), false, false};
    }

    case SaleState::Payout: {
      const Uint256 collateral = m.current_collateral(r.slot_id);
      m.wait(m.submit(market::FreeSlot{r.slot_id, std::nullopt}, key(r, "freeSlot")));
      r.returned_collateral = collateral;
      r.filled = false;
      spdlog::info("sales: slot {} paid out; collateral {} returned", slot_name(r),
                   collateral.to_dec());
      return next(r, SaleState::Finished);
    }

    case SaleState::Finished:
      return clean_up(r.returned_collateral);

    case SaleState::Cancelled: {
      Uint256 returned = unspent();
      if (r.filled && m.get_host(r.slot_id) == m.account()) {
        returned = m.current_collateral(r.slot_id);
        try {
          m.wait(m.submit(market::FreeSlot{r.slot_id, std::nullopt}, key(r, "freeSlot")));
        } catch (const MarketError& e) {
          spdlog::warn("sales: slot {}: freeSlot after cancellation: {}", slot_name(r), e.what());
        }
      }
      r.reprocess = false;
      return clean_up(returned);
    }

    case SaleState::Failed: {
      if (r.filled) {
        try {
          m.wait(m.submit(market::FreeSlot{r.slot_id, std::nullopt}, key(r, "freeSlot")));
        } catch (const MarketError& e) {
          spdlog::warn("sales: slot {}: freeSlot after failure: {}", slot_name(r), e.what());
        }
        r.returned_collateral = Uint256();  // a failed request's hosts lose it
      }
      r.error = "Sale failed";
      return next(r, SaleState::Errored);
    }

    case SaleState::Errored:
    case SaleState::Ignored:
      return clean_up(unspent());

    case SaleState::Unknown: {
      const auto active = m.get_active_slot(r.slot_id);
      if (!active) return error("the slot is not active");
      r.filled = true;
      switch (m.slot_state(r.slot_id)) {
        case SlotState::Filled:
          return next(r, SaleState::Filled);
        case SlotState::Finished:
          return next(r, SaleState::Payout);
        case SlotState::Paid:
          return next(r, SaleState::Finished);
        case SlotState::Failed:
          return next(r, SaleState::Failed);
        case SlotState::Cancelled:
          return next(r, SaleState::Cancelled);
        default:
          r.returned_collateral = Uint256();  // freed: the contract kept it
          return error("the slot was freed");
      }
    }
  }
  return error("unknown state");
}

}  // namespace codex::sales
