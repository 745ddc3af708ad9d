// The rig of the model's differential test: the production chain
// implementation of MarketApi — ChainMarket, one per account, its TxSender
// journaling on the environment's database — on a reproducible anvil
// (MarketEnv with a fixed genesis time; TestMarketplace + TestVerifier +
// TestToken), against a MarketModel that follows anvil's blocks (same
// numbers, timestamps and hashes). Each step runs on both sides through
// MarketApi and is compared at once: reverted or not and the error (function,
// name and arguments), the events, the block; compare_state() then reads every
// view of the requests in play (or of all requests) on both sides with
// MarketApi::read — ChainMarket's JSON-RPC batches pinned to one block — at
// latest (and, with `full`, those in play at pending too). The one call
// MarketApi lacks, TestMarketplace.forciblyFreeSlot, goes through the
// ContractIo facade. Any disagreement throws Mismatch naming the seed, the
// step, the action and both values.
//
// Accounts 1..kAccounts are anvil's dev accounts 1.. (1e15 tokens each).
// Not thread-safe.
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "agent/market/chain_market.h"
#include "agent/market/contract_io.h"
#include "agent/market/model/market_model.h"
#include "agent/market/periods.h"
#include "tests/agent/support/market_env.h"
#include "tests/agent/support/market_snapshot.h"

namespace codex::test {

class Mismatch : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class MarketDifferential {
 public:
  static constexpr int kAccounts = 6;
  static constexpr const char* kSlotStates[] = {"Free", "Filled",    "Finished", "Failed",
                                                "Paid", "Cancelled", "Repair"};
  static constexpr const char* kRequestStates[] = {"New", "Started", "Cancelled", "Finished",
                                                   "Failed"};
  static constexpr uint64_t kGenesis = 1'800'000'000;  // anvil's genesis time: same hashes each run

  MarketDifferential(uint64_t seed, const market::MarketplaceConfig& config)
      : seed_(seed),
        config_(config),
        env_(MarketEnvOptions{plan(config), true, kGenesis}),
        periods_(config.proofs.period),
        test_marketplace_abi_(eth::ContractAbi::parse(market::artifact_json("TestMarketplace"))) {
    using market::At;
    const uint64_t latest = env_.eth().block_number();
    std::vector<market::model::Block> history;
    for (uint64_t n = latest - 256; n <= latest; ++n) {
      eth::BlockHeader h = env_.eth().block(eth::BlockTag::at(n));
      history.push_back({h.number, h.timestamp, h.hash});
    }
    clock_ = std::make_unique<base::ManualClock>(base::Millis(history.back().timestamp * 1000));
    market::model::ModelOptions o;
    o.config = config;
    o.seed = seed;
    o.marketplace = env_.deployment().marketplace;
    o.token = env_.deployment().token;
    o.history = std::move(history);
    for (int i = 1; i <= kAccounts; ++i)
      chain_.push_back(env_.chain_market(i));
    for (int i = 1; i <= kAccounts; ++i)
      o.balances.push_back({address(i), chain_api(i).token_balance(address(i), At::kLatest)});
    model_ = std::make_unique<market::model::MarketModel>(std::move(o), *clock_);
    for (int i = 1; i <= kAccounts; ++i)
      sim_.push_back(model_->connect(address(i)));
  }

  // What the run exercised (calls, errors, events, paths), for checks and the log.
  std::map<std::string, int> counts;
  size_t observed() const { return observed_; }

  // ---- accounts and time ----------------------------------------------------------
  eth::Address address(int who) const { return env_.address(who); }
  market::MarketApi& model_api(int who) { return *sim_.at(size_t(who - 1)); }
  market::ChainMarket& chain_api(int who) { return *chain_.at(size_t(who - 1)); }
  market::model::MarketModel& model() { return *model_; }
  const market::MarketplaceConfig& config() const { return config_; }
  uint64_t now() const { return clock_->seconds(); }

  // The next block (of a transaction, or mined) gets timestamp t on both sides.
  void set_next_time(uint64_t t) {
    env_.anvil().rpc("evm_setNextBlockTimestamp", nlohmann::json::array({t}));
    clock_->set(base::Millis(t * 1000));
  }
  // Moves time to t and mines `blocks` empty blocks there, on both sides.
  void jump_to(uint64_t t, uint64_t blocks) {
    action_ = "time jump to " + std::to_string(t) + ", " + std::to_string(blocks) + " blocks";
    ++counts["time jump"];
    set_next_time(t);
    for (uint64_t i = 0; i < blocks; ++i) {
      set_next_time(now());
      env_.anvil().rpc("evm_mine");
      model_->mine(1);
      follow_block(model_->latest_block().number);
    }
  }

  // ---- steps ------------------------------------------------------------------------
  // The step being run (it keys the transactions: "s<step>").
  void begin_step(int step) { step_ = step; }

  // Runs `a` signed by `who` on both sides and compares; true when it passed.
  bool transact(int who, const market::MarketAction& a) {
    action_ = describe(a) + " by account " + std::to_string(who) + " at " + std::to_string(now());
    const std::string key = "s" + std::to_string(step_);
    ++counts[market::function_name(a)];
    const std::string path = path_of(a);
    const bool passed = compare_outcomes([&] { return chain_api(who).execute(a, key); },
                                         [&] { return model_api(who).execute(a, key); });
    if (passed && !path.empty()) ++counts[path];
    return passed;
  }

  // TestMarketplace.forciblyFreeSlot(slot) by `who` on both sides.
  bool forcibly_free(int who, const market::SlotId& slot) {
    action_ = "forciblyFreeSlot(" + eth::to_hex(slot) + ") by " + std::to_string(who);
    ++counts["forciblyFreeSlot"];
    const std::string key = "s" + std::to_string(step_);
    return compare_outcomes(
        [&] {
          const market::ContractIo io(env_.eth(), test_marketplace_abi_,
                                      env_.deployment().marketplace, &env_.sender(who));
          const eth::Bytes id(slot.begin(), slot.end());
          return market::tx_result(io.transact("forciblyFreeSlot", {id}, kForcedFreeMargin, key),
                                   chain_api(who).marketplace());
        },
        [&] { return model_->forcibly_free_slot(address(who), slot); });
  }

  // Called with the events of every transaction that passed.
  std::function<void(const market::MarketEvent&)> on_event;

  // ---- the state -----------------------------------------------------------------------
  // A request made (passed on both sides); it is in play until retire() drops it.
  void made(const market::Request& r) {
    requests_.push_back(r);
    active_.push_back(market::request_id(r));
  }
  const std::vector<market::Request>& requests() const { return requests_; }
  const std::vector<market::RequestId>& active() const { return active_; }
  // The number of slots of a request made (1 for an unknown one).
  uint64_t slots_of(const market::RequestId& id) const {
    for (const market::Request& r : requests_)
      if (market::request_id(r) == id) return r.ask.slots;
    return 1;
  }

  // Compares every view of the requests in play (all made with `full`, plus
  // one that does not exist) and of every account, at latest.
  void compare_state(bool full) {
    using market::At;
    retire();
    Scope scope;
    scope.full = full;
    if (full)
      for (const market::Request& r : requests_)
        scope.requests.push_back(market::request_id(r));
    else
      scope.requests = active_;
    scope.requests.push_back(kUnknown);
    for (const market::RequestId& id : scope.requests)  // (+ one past the last: reservable)
      for (uint64_t i = 0; i < slots_of(id) + (full ? 1 : 0); ++i)
        scope.slots.push_back(market::slot_id(id, i));
    std::vector<market::MarketApi*> chain, model;
    for (int i = 1; i <= kAccounts; ++i) {
      chain.push_back(&chain_api(i));
      model.push_back(&model_api(i));
    }
    const uint64_t period = periods_.period_of(model_->latest_block().timestamp);
    compare(observe(chain, scope, At::kLatest, period - 1),
            observe(model, scope, At::kLatest, period - 1), "", model_->latest_block().number);
    if (full) {
      // And as the next block will see it (anvil's pending: number + 1 and the
      // timestamp set for it — set it again: the last block used it up, and
      // anvil's own choice follows the wall clock), for the requests in play.
      set_next_time(now());
      Scope next;
      next.requests = active_;
      for (const market::RequestId& id : next.requests)
        for (uint64_t i = 0; i < slots_of(id); ++i)
          next.slots.push_back(market::slot_id(id, i));
      const uint64_t p = periods_.period_of(now());
      compare(observe(chain, next, At::kPending, p - 1), observe(model, next, At::kPending, p - 1),
              " (pending)", model_->latest_block().number + 1);
    }
  }

  // The marketplace's whole event history on both sides, with block numbers.
  void compare_event_history() {
    action_ = "(end of run)";
    std::vector<std::string> on_chain, on_model;
    const uint64_t from = model_->first_block() + 1;
    auto stream = chain_api(1).events("history", from);
    while (stream->poll([&](const market::DecodedEvent& e, auto*) {
      on_chain.push_back(std::to_string(e.block_number) + " " + describe_exact(e.event));
    }) > 0) {
    }
    model_api(1).events("history", from)->poll([&](const market::DecodedEvent& e, auto*) {
      on_model.push_back(std::to_string(e.block_number) + " " + describe_exact(e.event));
    });
    for (size_t i = 0; i < std::max(on_chain.size(), on_model.size()); ++i) {
      const std::string c = i < on_chain.size() ? on_chain[i] : "(none)";
      const std::string m = i < on_model.size() ? on_model[i] : "(none)";
      if (c != m) fail("event #" + std::to_string(i) + " of the history", c, m);
    }
    counts["events in history"] = int(on_chain.size());
  }

  [[noreturn]] void fail(const std::string& what, const std::string& chain,
                         const std::string& model) {
    throw Mismatch("seed " + std::to_string(seed_) + ", step " + std::to_string(step_) + ", " +
                   action_ + ": " + what + "\n  chain: " + chain + "\n  model: " + model);
  }
  const std::string& action() const { return action_; }

  // True when `f` passes (a view may revert, e.g. Panic(0x11) for a huge proof probability).
  template <class F>
  static bool outcome_ok(F&& f) {
    try {
      return f();
    } catch (const market::MarketError&) {
      return false;
    }
  }

 private:
  static market::DeploymentPlan plan(const market::MarketplaceConfig& config) {
    market::DeploymentPlan p;
    p.config = config;
    p.test_marketplace = true;
    return p;
  }

  // Both sides read the same views, each account's at `block`.
  void compare(const Observed& chain, const Observed& model, const std::string& where,
               uint64_t block) {
    for (size_t i = 0; i < chain.blocks.size(); ++i)
      if (chain.blocks[i] != block || model.blocks[i] != block)
        fail("the block read by account " + std::to_string(i + 1) + where,
             std::to_string(chain.blocks[i]), std::to_string(model.blocks[i]));
    for (size_t i = 0; i < chain.values.size(); ++i)
      if (chain.values[i].value != model.values[i].value)
        fail(chain.values[i].label + where, chain.values[i].value, model.values[i].value);
    observed_ += chain.values.size();
  }

  // Checks anvil's block `n` (just mined) against the model's latest and copies
  // its hash over. anvil may answer a little late for a block it has mined (its
  // head, nonce and receipts move on separately on a loaded machine), so wait
  // until its head is there: every later read is at a block number.
  void follow_block(uint64_t n) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (env_.eth().block_number() < n) {
      if (std::chrono::steady_clock::now() > deadline)
        fail("anvil's head", std::to_string(env_.eth().block_number()), std::to_string(n));
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    eth::BlockHeader h = env_.eth().block(eth::BlockTag::at(n));
    market::model::Block m = model_->latest_block();
    if (h.number != m.number || h.timestamp != m.timestamp)
      fail("latest block", std::to_string(h.number) + " @" + std::to_string(h.timestamp),
           std::to_string(m.number) + " @" + std::to_string(m.timestamp));
    model_->set_block_hash(h.number, h.hash);
  }

  // Which path a payout, withdrawal or fill takes (the model's state before it).
  std::string path_of(const market::MarketAction& a) {
    using namespace market;
    MarketApi& m = model_api(1);
    if (auto* f = std::get_if<FillSlot>(&a))
      return outcome_ok([&] {
        return m.slot_state(slot_id(f->request_id, f->slot_index), At::kPending) ==
               SlotState::Repair;
      })
                 ? "repair fill"
                 : "";
    if (auto* f = std::get_if<FreeSlot>(&a))
      return "freeSlot of a " +
             std::string(kSlotStates[int(m.slot_state(f->slot_id, At::kPending))]) + " slot";
    if (auto* w = std::get_if<WithdrawFunds>(&a)) {
      if (!m.get_request(w->request_id, At::kPending)) return "";
      return "withdrawFunds of a " +
             std::string(kRequestStates[int(m.request_state(w->request_id, At::kPending))]) +
             " request";
    }
    return "";
  }

  // A revert as both sides must agree on: the function, the error and its arguments.
  static std::string revert_of(const market::MarketError& e) {
    return e.function() + " reverted: " + e.reason();
  }

  template <class C, class M>
  bool compare_outcomes(C&& on_chain, M&& on_model) {
    std::optional<market::TxResult> rc, rm;
    std::string ec, em, name;
    try {
      rc = on_chain();
    } catch (const market::MarketError& e) {
      ec = revert_of(e);
      name = e.name();
    }
    try {
      rm = on_model();
    } catch (const market::MarketError& e) {
      em = revert_of(e);
    }
    if (rc.has_value() != rm.has_value() || ec != em)
      fail("outcome", rc ? "passed " + describe(rc->events) : ec,
           rm ? "passed " + describe(rm->events) : em);
    if (!rc) {
      ++counts["reverted"];
      ++counts[name];
      if (env_.eth().block_number() != model_->latest_block().number)
        fail("a revert mined a block", std::to_string(env_.eth().block_number()),
             std::to_string(model_->latest_block().number));
      return false;
    }
    ++counts["passed"];
    if (rc->block_number != rm->block_number)
      fail("block of the transaction", std::to_string(rc->block_number),
           std::to_string(rm->block_number));
    if (describe(rc->events) != describe(rm->events))
      fail("events", describe(rc->events), describe(rm->events));
    for (const market::MarketEvent& e : rc->events) {
      ++counts[describe(e).substr(0, describe(e).find('('))];
      if (on_event) on_event(e);
    }
    follow_block(rc->block_number);
    return true;
  }

  // Requests stay in play until a while after they end and nobody lists them
  // (or a long while after they end); the full comparisons keep reading them.
  void retire() {
    using market::At;
    const uint64_t len = config_.proofs.period;
    std::erase_if(active_, [&](const market::RequestId& id) {
      const uint64_t end =
          model_->view(eth::Address{}, At::kLatest, "requestEnd",
                       [&](auto& c, auto&, auto& call) { return c.request_end(call, id); });
      if (now() < end + 3 * len) return false;
      if (now() >= end + 30 * len) return true;
      for (int i = 1; i <= kAccounts; ++i) {
        auto mine = model_api(i).my_requests(At::kLatest);
        if (std::find(mine.begin(), mine.end(), id) != mine.end()) return false;
        for (const market::SlotId& s : model_api(i).my_slots(At::kLatest))
          for (uint64_t k = 0; k < slots_of(id); ++k)
            if (s == market::slot_id(id, k)) return false;
      }
      return true;
    });
  }

  static constexpr market::RequestId kUnknown{0xde, 0xad};
  static constexpr unsigned kForcedFreeMargin = 100;  // gas margin (%) of forciblyFreeSlot

  uint64_t seed_;
  market::MarketplaceConfig config_;
  MarketEnv env_;
  market::Periods periods_;
  eth::ContractAbi test_marketplace_abi_;
  std::unique_ptr<base::ManualClock> clock_;
  std::unique_ptr<market::model::MarketModel> model_;
  std::vector<std::unique_ptr<market::ChainMarket>> chain_;
  std::vector<std::unique_ptr<market::MarketApi>> sim_;
  int step_ = 0;
  std::string action_;
  size_t observed_ = 0;
  std::vector<market::Request> requests_;
  std::vector<market::RequestId> active_;
};

}  // namespace codex::test
