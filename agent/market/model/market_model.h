// The in-memory marketplace: TestMarketplace + TestToken + a verifier on a
// virtual chain, driven by a base::ManualClock, behind MarketApi (one
// connection per signing account). It equals the Solidity contracts call for
// call — checks, errors, effects, events, token movements — which
// tests/agent/market_model_differential_test.cpp holds against anvil.
//
//   base::ManualClock clock(base::Millis(1'700'000'000'000));
//   model::MarketModel m({.config = cfg, .seed = 7}, clock);
//   m.mint(client, Uint256(1'000'000));
//   auto api = m.connect(client);           // a MarketApi signing as `client`
//   api->execute(ApproveTokens{m.marketplace_address(), ...}, "approve/1");
//   clock.advance(base::Millis(10'000));   // time passes; blocks only with transactions
//
// Chain: every successful transaction mines one block at the clock's time
// (anvil's automine); a reverted one mines nothing. mine() adds empty blocks.
// Views read At::kLatest (after the last block: its number and timestamp) or
// At::kPending (the next block: number + 1, the clock's time).
//
// Transactions: MarketApi::submit without a WriteTxn runs at once; with one,
// it checks now (MarketError if it would revert), journals the key and runs in
// the transaction's after-commit hook (dropped on rollback); a revert then is
// reported by wait(). A key journaled before returns its transaction and runs
// nothing. gas_used is 0 (the model meters no gas).
//
// Determinism: everything follows from the options, the clock and the calls;
// no wall time, no iteration order of hash maps reaches a result.
//
// Thread-safety: thread-safe (one lock); event handlers and commit hooks run
// outside it, so they may call the model.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "agent/market/market_api.h"
#include "agent/market/model/event_log.h"
#include "agent/market/model/marketplace_contract.h"
#include "agent/market/model/model_token.h"
#include "agent/market/model/revert.h"
#include "agent/market/model/virtual_chain.h"
#include "base/clock.h"

namespace codex::market::model {

struct ModelOptions {
  MarketplaceConfig config;
  uint64_t seed = 1;  // block hashes (and addresses left zero)
  Address marketplace, token;
  ProofVerifier verifier;  // empty = TestVerifier (every proof but the all-zero one)
  // Recent blocks to continue from (consecutive, oldest first, >= 257; the
  // differential test passes anvil's). Empty: blocks 1..257 with seeded
  // hashes at the clock's time.
  std::vector<Block> history;
  // Token balances at deployment (minted without blocks, like a genesis
  // allocation: funding thousands of simulated accounts costs no blocks).
  std::vector<std::pair<Address, Uint256>> balances;
  // false: drop events every named stream has read (long simulations).
  bool keep_event_history = true;
  // Seconds an executed intent key stays journaled (a resubmission within it
  // returns the first transaction); 0 = for ever.
  uint64_t journal_horizon = 0;
  // Seconds between blocks (interval mining, like a public chain's 12 s); the
  // transactions sent meanwhile share the pending block. 0: every transaction
  // mines its own block (anvil's automine). A simulation needs the interval:
  // the proof pointer advances one per block, and a block per transaction
  // would wrap it (changing challenges) many times a period.
  uint64_t block_time = 0;
  // Answer MarketApi::next_proof_check (with interval mining only: then the
  // block a future read meets is known). false: nullopt, as a real chain, so
  // that hosts check every period (a simulation compares both).
  bool foresee_proof_checks = true;
  // Answer MarketApi::can_mark_candidates (a validator then reads only the
  // slots whose answer is not "proof not required"). false: nullopt, as a
  // real chain.
  bool filter_mark_candidates = true;
};

class MarketModel {
 public:
  // Deploys at the latest block. Throws MarketError (function "constructor")
  // with the contract constructor's error for a bad configuration,
  // std::invalid_argument for bad history. `clock` must outlive the model; the
  // model must outlive its connections, streams and pending WriteTxn hooks.
  MarketModel(ModelOptions options, base::ManualClock& clock);
  ~MarketModel();
  MarketModel(const MarketModel&) = delete;
  MarketModel& operator=(const MarketModel&) = delete;

  // A MarketApi signing as `account`.
  std::unique_ptr<MarketApi> connect(const Address& account);

  base::ManualClock& clock() const { return clock_; }
  const MarketplaceConfig& configuration() const { return config_; }
  const Address& marketplace_address() const { return marketplace_address_; }
  const Address& token_address() const { return token_address_; }

  // ---- chain -------------------------------------------------------------
  Block latest_block() const;
  // One of the last 257 blocks (std::out_of_range otherwise).
  Block block(uint64_t number) const;
  uint64_t block_number(At at) const;
  // The latest block at construction (where event streams start by default).
  uint64_t first_block() const { return first_block_; }
  // Mines `count` empty blocks at the clock's time and returns them.
  std::vector<Block> mine(uint64_t count = 1);
  // Replaces the hash of one of the last 257 blocks (std::out_of_range otherwise).
  void set_block_hash(uint64_t number, const Hash& hash);

  // ---- transactions without a journal ---------------------------------------
  // Runs `action` signed by `sender` in a new block. Throws MarketError on a
  // revert (nothing mined), std::invalid_argument never (no key needed).
  TxResult execute(const Address& sender, const MarketAction& action);
  // TestToken.mint(to, amount), sent by `to`.
  TxResult mint(const Address& to, const Uint256& amount);
  // TestMarketplace.forciblyFreeSlot(id), sent by `sender`.
  TxResult forcibly_free_slot(const Address& sender, const SlotId& id);

  Uint256 total_supply() const;
  MarketplaceTotals totals() const;

  // Runs fn(const MarketplaceContract&, const ModelToken&, const Call&) under
  // the lock in the context `at`, as `sender`. A revert inside becomes
  // MarketError naming `function`.
  template <class F>
  auto view(const Address& sender, At at, const char* function, F&& fn) const {
    std::lock_guard lock(mu_);
    Call c{sender, context(at)};
    try {
      return fn(*contract_, token_, c);
    } catch (const Revert& r) {
      throw market_error(r, function);
    } catch (const std::overflow_error&) {
      throw market_error(arithmetic_panic(), function);
    }
  }

  // MarketApi::next_proof_check: with interval mining a read at chain time t
  // (>= now) meets the pending block of t, whose number and timestamp follow
  // from the block time and whose hash is seeded; looks at most
  // kProofCheckHorizon periods ahead. nullopt under automine or when
  // foresee_proof_checks is off.
  static constexpr uint64_t kProofCheckHorizon = 4096;
  std::optional<uint64_t> next_proof_check(const SlotId& id, uint64_t from, uint64_t offset) const;
  // MarketApi::can_mark_candidates (nullopt when filter_mark_candidates is off).
  std::optional<std::vector<size_t>> can_mark_candidates(const Address& sender,
                                                         std::span<const SlotId> slots,
                                                         uint64_t period, At at) const;

  // ---- MarketApi's journal and event streams (the connections call these) ---
  PendingTx submit(const Address& account, const MarketAction& action, std::string key,
                   base::sqlite::WriteTxn* txn);
  TxResult wait(const Address& account, const PendingTx& tx);
  // `proofs` false: a stream that leaves out ProofSubmitted events (for a
  // reader that ignores them — a simulated host — in a run of millions).
  std::unique_ptr<EventStream> events(const Address& account, std::string name,
                                      std::optional<uint64_t> from_block, bool proofs = true);

 private:
  class Stream;
  using Body = std::function<void(const Call&)>;
  struct JournalEntry {
    Hash tx_hash{};
    enum class State { kDeferred, kMined, kReverted } state = State::kDeferred;
    TxResult result;
    std::optional<MarketError> error;
  };

  static MarketError market_error(const Revert& r, const char* function);
  static Revert arithmetic_panic();
  BlockCtx context(At at) const;
  Body body_of(const MarketAction& action);
  Hash next_tx_hash(const Address& sender);
  // Runs `body` as `sender` in the next block; mines it and logs its events
  // unless `dry_run` (then everything is undone). Throws MarketError.
  TxResult transact_locked(const Address& sender, const char* function, const Body& body,
                           bool dry_run, const Hash* tx_hash = nullptr);
  void run_deferred(const Address& account, const std::string& key, const Hash& tx_hash,
                    const MarketAction& action);
  void journal_executed(const Address& account, const std::string& key, uint64_t time);
  static std::string stream_key(const Address& account, const std::string& name);

  mutable std::mutex mu_;
  base::ManualClock& clock_;
  MarketplaceConfig config_;
  Address marketplace_address_, token_address_;
  uint64_t journal_horizon_;
  uint64_t block_time_;
  bool foresee_proof_checks_;
  bool filter_mark_candidates_;
  // Mutable: with interval mining, the blocks whose time has come are mined
  // when the time is next read (views included).
  mutable VirtualChain chain_;
  uint64_t first_block_;
  ModelToken token_;
  std::unique_ptr<MarketplaceContract> contract_;
  EventLog events_;
  uint64_t tx_count_ = 0;
  std::unordered_map<Address, std::unordered_map<std::string, JournalEntry>, IdHash> journal_;
  struct Executed {
    uint64_t time;
    Address account;
    std::string key;
    Hash tx_hash;
  };
  std::deque<Executed> executed_;  // oldest first, for journal_horizon
};

}  // namespace codex::market::model
