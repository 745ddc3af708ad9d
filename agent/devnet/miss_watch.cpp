#include "agent/devnet/miss_watch.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "agent/eth/eth_client.h"
#include "agent/eth/http_rpc_client.h"
#include "agent/market/marketplace.h"
#include "agent/market/periods.h"
#include "base/clock.h"
#include "base/hex.h"

namespace codex::devnet {
namespace {

bool markable_or_marked(const std::optional<std::string>& refusal) {
  return !refusal || *refusal == "Proofs_ProofAlreadyMarkedMissing";
}

}  // namespace

struct MissWatch::Impl {
  explicit Impl(const std::string& url, const market::Address& marketplace) {
    eth::HttpRpcOptions o;
    o.url = url;
    rpc = std::make_unique<eth::HttpRpcClient>(o);
    eth = std::make_unique<eth::EthClient>(*rpc);
    market = std::make_unique<market::Marketplace>(*eth, marketplace);
    const auto c = market->configuration();
    period_len = std::max<uint64_t>(1, c.proofs.period);
    timeout_ms = int64_t(c.proofs.timeout) * 1000;
  }

  // canMarkProofAsMissing(s, period) for each slot at the pending block:
  // nullopt when it would pass, else the error's name ("?" when the call
  // failed without a name).
  std::vector<std::optional<std::string>> can_mark(const std::vector<market::SlotId>& slots,
                                                   uint64_t period) {
    std::vector<eth::CallRequest> reqs;
    std::vector<market::ViewCall> views;
    for (const market::SlotId& s : slots) {
      views.push_back(market::views::CanMarkProofAsMissing{s, period});
      reqs.push_back(market->view_request(views.back(), market::Address{}));
    }
    const auto answers = eth->call_batch(reqs, eth::BlockTag::pending());
    std::vector<std::optional<std::string>> out;
    for (size_t i = 0; i < views.size(); ++i) {
      const market::ViewResult r = market->view_result(views[i], answers[i]);
      if (const market::MarketError* e = r.error())
        out.emplace_back(e->name().empty() ? std::string("?") : e->name());
      else
        out.push_back(r.get<market::views::CanMarkProofAsMissing>());
    }
    return out;
  }

  std::unique_ptr<eth::HttpRpcClient> rpc;
  std::unique_ptr<eth::EthClient> eth;
  std::unique_ptr<market::Marketplace> market;
  base::SystemClock clock;  // anvil stamps blocks with the host's time
  uint64_t period_len = 1;
  int64_t timeout_ms = 0;
};

MissWatch::MissWatch(const std::string& rpc_url, const market::Address& marketplace)
    : impl_(std::make_unique<Impl>(rpc_url, marketplace)) {}

MissWatch::~MissWatch() {
  stop();
}

void MissWatch::set_slots(std::vector<market::SlotId> slots) {
  std::lock_guard l(mu_);
  slots_ = std::move(slots);
}

void MissWatch::excuse(std::function<bool(int64_t, int64_t)> faulty) {
  faulty_ = std::move(faulty);
}

void MissWatch::start() {
  thread_ = std::thread([this] { run(); });
}

void MissWatch::stop() {
  {
    std::lock_guard l(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void MissWatch::check(uint64_t period, bool late) {
  std::vector<market::SlotId> slots;
  {
    std::lock_guard l(mu_);
    if (!late) {
      slots = slots_;
    } else {
      auto it = early_.find(period);
      if (it == early_.end()) return;
      slots = std::move(it->second);
      early_.erase(it);
    }
  }
  if (slots.empty()) return;
  const auto answers = impl_->can_mark(slots, period);
  std::lock_guard l(mu_);
  if (!late) ++figures_.periods;
  for (size_t i = 0; i < slots.size(); ++i) {
    const auto& a = answers[i];
    if (a && *a == "Proofs_ValidationTimedOut") {
      ++figures_.too_late;
      if (late) ++figures_.unjudged;
      continue;
    }
    if (!late) {
      if (!markable_or_marked(a)) continue;
      ++figures_.missed;
      early_[period].push_back(slots[i]);
    } else if (!a) {
      const int64_t opens = int64_t((period + 1) * impl_->period_len) * 1000;
      if (faulty_ && faulty_(opens, opens + impl_->timeout_ms))
        ++figures_.unjudged;
      else
        owed_.insert({slots[i], period});
    } else if (*a == "Proofs_ProofAlreadyMarkedMissing") {
      ++figures_.marked;
    } else {
      ++figures_.unjudged;
    }
  }
}

void MissWatch::run() {
  const market::Periods periods(impl_->period_len);
  // The window of period p opens at end(p); the checks come at 20% and 70%
  // of it (1 s and 3.5 s of the devnet chain's 5 s).
  const int64_t early_at = impl_->timeout_ms / 5, late_at = impl_->timeout_ms * 7 / 10;
  uint64_t next_early = periods.period_of(uint64_t(impl_->clock.now().count() / 1000));
  uint64_t next_late = next_early;
  for (;;) {
    try {
      const int64_t now = impl_->clock.now().count();
      auto opens = [&](uint64_t p) { return int64_t(periods.end(p)) * 1000; };
      while (now >= opens(next_early) + early_at) {
        if (now < opens(next_early) + impl_->timeout_ms)
          check(next_early, false);
        else {
          std::lock_guard l(mu_);
          ++figures_.too_late;
        }
        ++next_early;
      }
      while (next_late < next_early && now >= opens(next_late) + late_at) {
        check(next_late, true);
        ++next_late;
      }
    } catch (const std::exception& e) {
      spdlog::warn("stress: checking missed proofs: {}", e.what());
    }
    std::unique_lock l(mu_);
    if (cv_.wait_for(l, std::chrono::milliseconds(100), [this] { return stopping_; })) return;
  }
}

std::vector<std::string> MissWatch::judge(const std::set<std::string>& marks) {
  std::lock_guard l(mu_);
  for (const auto& [period, slots] : early_)
    figures_.unjudged += slots.size();  // the run ended before their late check
  early_.clear();
  std::vector<std::string> out;
  for (const auto& [slot, period] : owed_) {
    if (marks.contains(base::to_hex(slot) + "/" + std::to_string(period))) {
      ++figures_.marked;
      continue;
    }
    out.push_back("slot " + base::to_hex(slot).substr(0, 18) +
                  " missed its required proof for period " + std::to_string(period) +
                  ": the contract would let it be marked late in the window, and no validator "
                  "marked it");
  }
  owed_.clear();
  return out;
}

MissFigures MissWatch::figures() const {
  std::lock_guard l(mu_);
  return figures_;
}

}  // namespace codex::devnet
