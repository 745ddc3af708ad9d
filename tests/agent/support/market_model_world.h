// A MarketModel on a ManualClock with named accounts, funded by mint, for the
// model's unit tests and benchmark: the devnet configuration (10 s periods,
// 5 s validation window), a request builder and helpers that approve and act
// in one call.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "agent/market/market_api.h"
#include "agent/market/model/market_model.h"
#include "base/clock.h"

namespace codex::test {

// The devnet preset (configs/chain-devnet.json).
inline market::MarketplaceConfig devnet_config() {
  market::MarketplaceConfig c;
  c.collateral = {10, 2, 20, 20};
  c.proofs.period = 10;
  c.proofs.timeout = 5;
  c.proofs.downtime = 64;
  c.proofs.downtime_product = 67;
  c.max_reservations = 3;
  c.request_duration_limit = 2592000;
  return c;
}

// TestVerifier accepts every proof but the all-zero one.
inline const market::Groth16Proof kValidProof{
    {eth::Uint256(1), eth::Uint256(2)},
    {{eth::Uint256(3), eth::Uint256(4)}, {eth::Uint256(5), eth::Uint256(6)}},
    {eth::Uint256(7), eth::Uint256(8)}};
inline const market::Groth16Proof kZeroProof{};

// The name of the MarketError `fn` throws, "" when it passes.
inline std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const market::MarketError& e) {
    return e.name();
  }
  return "";
}

inline eth::Address account_address(int i) {
  eth::Address a;
  a.bytes[0] = 0xa0;
  a.bytes[19] = uint8_t(i);
  return a;
}

class ModelWorld {
 public:
  static constexpr uint64_t kStart = 1'700'000'000;  // seconds
  static constexpr uint64_t kFunds = 1'000'000'000'000'000;

  explicit ModelWorld(market::model::ModelOptions options = default_options(), int accounts = 8)
      : clock_(base::Millis(kStart * 1000)), model_(std::move(options), clock_) {
    for (int i = 0; i < accounts; ++i) {
      apis_.push_back(model_.connect(account_address(i)));
      model_.mint(account_address(i), eth::Uint256(kFunds));
    }
  }
  static market::model::ModelOptions default_options() {
    market::model::ModelOptions o;
    o.config = devnet_config();
    o.seed = 7;
    return o;
  }

  base::ManualClock& clock() { return clock_; }
  market::model::MarketModel& model() { return model_; }
  market::MarketApi& api(int i) { return *apis_.at(size_t(i)); }
  eth::Address address(int i) const { return account_address(i); }
  const market::MarketplaceConfig& config() const { return model_.configuration(); }
  uint64_t now() const { return clock_.seconds(); }
  void advance(uint64_t seconds) { clock_.advance(base::Millis(seconds * 1000)); }
  // Moves the clock to `t` seconds (not before now).
  void set_time(uint64_t t) { clock_.set(base::Millis(t * 1000)); }

  eth::Uint256 balance(int i) { return api(0).token_balance(address(i)); }
  eth::Uint256 market_balance() { return api(0).token_balance(model_.marketplace_address()); }

  // A request by account `client` (proof every period unless changed).
  market::Request request(int client, uint64_t slots = 3, uint64_t duration = 600,
                          uint64_t expiry = 300, uint8_t nonce = 1) const {
    market::Request r;
    r.client = address(client);
    r.ask = {eth::Uint256(1), eth::Uint256(1), eth::Uint256(1), slots, 1024, duration, 1};
    const std::string cid = "zDvZRwzm-model";
    r.content.cid.assign(cid.begin(), cid.end());
    r.content.merkle_root.fill(0x33);
    r.expiry = expiry;
    r.nonce.fill(nonce);
    return r;
  }

  // approve(marketplace, amount) by account `who`, with a fresh key.
  void approve(int who, const eth::Uint256& amount) {
    api(who).execute(market::ApproveTokens{model_.marketplace_address(), amount},
                     "approve/" + std::to_string(++approvals_));
  }
  market::TxResult request_storage(const market::Request& r, int client) {
    approve(client, market::max_price(r.ask));
    return api(client).execute(market::RequestStorage{r});
  }
  market::TxResult reserve(int host, const market::RequestId& id, uint64_t index) {
    return api(host).execute(market::ReserveSlot{id, index}, next_key("reserve"));
  }
  // Approves `deposit` (default: the full collateral) and fills.
  market::TxResult fill(int host, const market::Request& r, uint64_t index,
                        std::optional<eth::Uint256> deposit = std::nullopt) {
    approve(host, deposit.value_or(market::collateral_per_slot(r.ask)));
    return api(host).execute(market::FillSlot{market::request_id(r), index, kValidProof},
                             next_key("fill"));
  }
  market::TxResult prove(int host, const market::SlotId& slot) {
    return api(host).execute(market::SubmitProof{slot, kValidProof, 0}, next_key("prove"));
  }

  // Unique intent keys for actions that may repeat.
  std::string next_key(const std::string& what) { return what + "/" + std::to_string(++keys_); }

 private:
  base::ManualClock clock_;
  market::model::MarketModel model_;
  std::vector<std::unique_ptr<market::MarketApi>> apis_;
  int approvals_ = 0, keys_ = 0;
};

}  // namespace codex::test
