#include "agent/purchasing/purchase_agent.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "agent/eth/rpc_error.h"
#include "agent/market/market_api.h"
#include "agent/market/market_error.h"
#include "base/hex.h"
#include "base/sqlite/database.h"

namespace codex::purchasing {
namespace {

using base::sqlite::WriteTxn;
using market::RequestState;

constexpr uint64_t kRetryTransientSeconds = 5;

std::string key(const PurchaseRecord& r, const std::string& action) {
  return "purchase/" + base::to_hex(r.id) + "/" + action;
}

}  // namespace

PurchaseAgent::PurchaseAgent(PurchasingContext& ctx, PurchaseRecord record)
    : ctx_(ctx), rec_(std::move(record)) {}

PurchaseRecord PurchaseAgent::record() const {
  std::lock_guard lock(mu_);
  return rec_;
}

PurchaseStep PurchaseAgent::next(PurchaseRecord r, PurchaseState to,
                                 std::optional<uint64_t> wake_at) {
  const PurchaseState from = r.state;
  r.state = to;
  r.wake_at = wake_at;
  const bool ok =
      ctx_.db.write([&](WriteTxn& txn) { return ctx_.records.replace_if(txn, r, from); });
  std::lock_guard lock(mu_);
  if (ok) {
    if (to != from) spdlog::info("purchasing: request {}: {}", base::to_hex(r.id), stored_name(to));
    rec_ = r;
  } else if (auto now = ctx_.records.get(r.id)) {
    rec_ = *now;
  }
  return {rec_.state, rec_.wake_at, is_over(rec_.state)};
}

PurchaseStep PurchaseAgent::step() {
  PurchaseRecord r = record();
  if (is_over(r.state)) return {r.state, std::nullopt, true};
  market::MarketApi& m = ctx_.market;
  const uint64_t now = m.clock().seconds();
  try {
    switch (r.state) {
      case PurchaseState::Pending: {
        try {
          std::lock_guard submitting(ctx_.submit_mu);
          const market::Uint256 price = market::max_price(r.request.ask);
          m.wait(
              m.submit(market::ApproveTokens{m.marketplace_address(), price}, key(r, "approve")));
          // After a restart the journal answers the first approval, which
          // another purchase's may have replaced since: approve again.
          if (m.token_allowance(m.account(), m.marketplace_address()) < price)
            m.wait(m.submit(market::ApproveTokens{m.marketplace_address(), price},
                            key(r, "approve/" + std::to_string(m.block_number()))));
          m.wait(m.submit(market::RequestStorage{r.request}, key(r, "requestStorage")));
        } catch (const market::MarketError& e) {
          r.error = e.what();
          return next(r, PurchaseState::Errored);
        }
        return next(r, PurchaseState::Submitted);
      }
      case PurchaseState::Submitted:
      case PurchaseState::Started:
      case PurchaseState::Unknown: {
        switch (m.request_state(r.id)) {
          case RequestState::New: {
            // Hosts have until the expiry; the event (or this) wakes us.
            const uint64_t at = m.request_expiry(r.id) + 1;
            return next(r, PurchaseState::Submitted, std::max(at, now + 1));
          }
          case RequestState::Started: {
            const uint64_t period = m.configuration().proofs.period;
            const uint64_t at =
                std::min(m.request_end(r.id) + 1, now + std::max<uint64_t>(period, 1));
            return next(r, PurchaseState::Started, std::max(at, now + 1));
          }
          case RequestState::Finished:
            return next(r, PurchaseState::Finished);
          case RequestState::Failed:
            return next(r, PurchaseState::Failed);
          case RequestState::Cancelled:
            return next(r, PurchaseState::Cancelled);
        }
        return next(r, r.state, now + kRetryTransientSeconds);
      }
      case PurchaseState::Finished:
      case PurchaseState::Failed:
      case PurchaseState::Cancelled: {
        try {
          m.wait(m.submit(market::WithdrawFunds{r.id, std::nullopt}, key(r, "withdrawFunds")));
        } catch (const market::MarketError& e) {
          // Nothing left to withdraw is not a failure of the purchase.
          spdlog::warn("purchasing: request {}: withdrawFunds: {}", base::to_hex(r.id), e.what());
        }
        if (r.state == PurchaseState::Finished) return next(r, PurchaseState::Completed);
        r.error =
            r.state == PurchaseState::Failed ? "Purchase failed" : "Purchase cancelled: Timeout";
        return next(r, PurchaseState::Errored);
      }
      case PurchaseState::Errored:
      case PurchaseState::Completed:
        break;
    }
  } catch (const eth::RpcError& e) {
    if (!e.retryable()) throw;
    spdlog::warn("purchasing: request {}: {} (retrying)", base::to_hex(r.id), e.what());
    return {r.state, now + kRetryTransientSeconds, false};
  } catch (const std::exception& e) {
    spdlog::error("purchasing: request {}: {}", base::to_hex(r.id), e.what());
    r.error = e.what();
    return next(r, PurchaseState::Errored);
  }
  return {r.state, std::nullopt, is_over(r.state)};
}

}  // namespace codex::purchasing
