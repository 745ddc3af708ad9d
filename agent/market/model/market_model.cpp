#include "agent/market/model/market_model.h"

#include <algorithm>
#include <variant>

#include "agent/eth/keccak.h"
#include "base/sqlite/database.h"

namespace codex::market::model {
namespace {

Address derived_address(const char* what, uint64_t seed) {
  std::string pre = std::string("codex-market-model/") + what + "/" + std::to_string(seed);
  Hash h = eth::keccak256(pre);
  Address a;
  std::copy(h.begin() + 12, h.end(), a.bytes.begin());
  return a;
}

VirtualChain make_chain(const ModelOptions& o, const base::Clock& clock) {
  if (o.history.empty()) return VirtualChain(o.seed, VirtualChain::kWindow, clock.seconds());
  return VirtualChain(o.seed, o.history);
}

}  // namespace

MarketModel::MarketModel(ModelOptions options, base::ManualClock& clock)
    : clock_(clock),
      config_(options.config),
      marketplace_address_(options.marketplace.is_zero()
                               ? derived_address("marketplace", options.seed)
                               : options.marketplace),
      token_address_(options.token.is_zero() ? derived_address("token", options.seed)
                                             : options.token),
      journal_horizon_(options.journal_horizon),
      block_time_(options.block_time),
      foresee_proof_checks_(options.foresee_proof_checks),
      filter_mark_candidates_(options.filter_mark_candidates),
      chain_(make_chain(options, clock)),
      first_block_(chain_.latest_number()),
      events_(options.keep_event_history) {
  try {
    contract_ = std::make_unique<MarketplaceContract>(config_, marketplace_address_, token_, chain_,
                                                      chain_.latest_number() + 1,
                                                      std::move(options.verifier));
  } catch (const Revert& r) {
    throw market_error(r, "constructor");
  }
  Rollback rb;
  for (const auto& [who, amount] : options.balances) {
    if (who.is_zero()) throw std::invalid_argument("market model: a balance for address 0");
    try {
      token_.mint(who, amount, rb);
    } catch (const std::overflow_error&) {
      throw std::invalid_argument("market model: the balances overflow the token supply");
    }
  }
  rb.commit();
}

MarketModel::~MarketModel() = default;

MarketError MarketModel::market_error(const Revert& r, const char* function) {
  return MarketError(r.name(), function, r.detail());
}

Revert MarketModel::arithmetic_panic() {
  return Revert("Panic(" + Uint256(kPanicArithmetic).to_quantity() + ")", "");
}

BlockCtx MarketModel::context(At at) const {
  if (const uint64_t bt = block_time_) {
    // Interval mining: the blocks due by now, then the pending one.
    const uint64_t now = clock_.seconds();
    while (chain_.latest_timestamp() + bt <= now)
      chain_.mine(chain_.latest_timestamp() + bt);
    const uint64_t latest_time = chain_.latest_timestamp();
    if (at == At::kLatest) return BlockCtx{chain_.latest_number(), latest_time};
    return BlockCtx{chain_.latest_number() + 1, latest_time + bt};
  }
  const uint64_t latest_time = chain_.latest_timestamp();
  if (at == At::kLatest) return BlockCtx{chain_.latest_number(), latest_time};
  return BlockCtx{chain_.latest_number() + 1, std::max(clock_.seconds(), latest_time)};
}

// ---- chain --------------------------------------------------------------------

Block MarketModel::latest_block() const {
  std::lock_guard lock(mu_);
  return chain_.latest();
}

Block MarketModel::block(uint64_t number) const {
  std::lock_guard lock(mu_);
  return chain_.block(number);
}

uint64_t MarketModel::block_number(At at) const {
  std::lock_guard lock(mu_);
  return context(at).number;
}

std::vector<Block> MarketModel::mine(uint64_t count) {
  std::lock_guard lock(mu_);
  std::vector<Block> out;
  for (uint64_t i = 0; i < count; ++i) {
    chain_.mine(context(At::kPending).timestamp);
    out.push_back(chain_.latest());
  }
  return out;
}

void MarketModel::set_block_hash(uint64_t number, const Hash& hash) {
  std::lock_guard lock(mu_);
  chain_.set_hash(number, hash);
}

Uint256 MarketModel::total_supply() const {
  std::lock_guard lock(mu_);
  return token_.total_supply();
}

MarketplaceTotals MarketModel::totals() const {
  std::lock_guard lock(mu_);
  return contract_->totals();
}

std::optional<uint64_t> MarketModel::next_proof_check(const SlotId& id, uint64_t from,
                                                      uint64_t offset) const {
  if (block_time_ == 0 || !foresee_proof_checks_) return std::nullopt;
  std::lock_guard lock(mu_);
  const BlockCtx latest = context(At::kLatest);  // mines the blocks due by now
  const uint64_t now = clock_.seconds(), len = config_.proofs.period, bt = block_time_;
  // Blocks come every bt seconds from the latest one: at time t >= now the
  // latest is latest + (t - its time) / bt, and a kPending read meets the next.
  auto block_of = [&](uint64_t p) {
    const uint64_t t = std::max(now, p * len + offset);
    const uint64_t k = (t - latest.timestamp) / bt + 1;
    return BlockCtx{latest.number + k, latest.timestamp + k * bt};
  };
  if (from * len + offset < now) return from;  // a check in the past: do it now
  try {
    return contract_->next_proof_check(id, from, kProofCheckHorizon, block_of);
  } catch (const Revert&) {
    return from;
  } catch (const std::overflow_error&) {
    return from;
  }
}

std::optional<std::vector<size_t>> MarketModel::can_mark_candidates(const Address& sender,
                                                                    std::span<const SlotId> slots,
                                                                    uint64_t period, At at) const {
  if (!filter_mark_candidates_) return std::nullopt;
  try {
    return view(sender, at, "canMarkProofAsMissing",
                [&](const MarketplaceContract& c, const ModelToken&, const Call& call) {
                  return c.can_mark_candidates(call, slots, period);
                });
  } catch (const MarketError&) {
    return std::nullopt;  // a panic for every slot (the period's end overflows): the reads say it
  }
}

// ---- transactions ---------------------------------------------------------------

MarketModel::Body MarketModel::body_of(const MarketAction& action) {
  MarketplaceContract& m = *contract_;
  ModelToken& t = token_;
  return std::visit(
      [&](const auto& a) -> Body {
        using A = std::decay_t<decltype(a)>;
        return [&m, &t, a](const Call& c) {
          if constexpr (std::is_same_v<A, RequestStorage>) {
            m.request_storage(c, a.request);
          } else if constexpr (std::is_same_v<A, ReserveSlot>) {
            m.reserve_slot(c, a.request_id, a.slot_index);
          } else if constexpr (std::is_same_v<A, FillSlot>) {
            m.fill_slot(c, a.request_id, a.slot_index, a.proof);
          } else if constexpr (std::is_same_v<A, SubmitProof>) {
            m.submit_proof(c, a.slot_id, a.proof);
          } else if constexpr (std::is_same_v<A, MarkProofAsMissing>) {
            m.mark_proof_as_missing(c, a.slot_id, a.period);
          } else if constexpr (std::is_same_v<A, FreeSlot>) {
            auto [reward, collateral] = a.recipients.value_or(std::pair{c.sender, c.sender});
            m.free_slot(c, a.slot_id, reward, collateral);
          } else if constexpr (std::is_same_v<A, WithdrawFunds>) {
            m.withdraw_funds(c, a.request_id, a.recipient.value_or(c.sender));
          } else {
            static_assert(std::is_same_v<A, ApproveTokens>);
            t.approve(c.sender, a.spender, a.amount, *c.rollback);
          }
        };
      },
      action);
}

Hash MarketModel::next_tx_hash(const Address& sender) {
  // Unique per transaction (a counter), mixed with the sender; not keccak: no
  // contract reads it, and a simulation sends millions.
  return seeded_hash(IdHash{}(sender), ++tx_count_);
}

TxResult MarketModel::transact_locked(const Address& sender, const char* function, const Body& body,
                                      bool dry_run, const Hash* tx_hash) {
  const BlockCtx block = context(At::kPending);
  Rollback rb;
  std::vector<MarketEvent> emitted;
  try {
    body(Call{sender, block, &rb, &emitted});
  } catch (const Revert& r) {
    rb.undo();
    throw market_error(r, function);
  } catch (const std::overflow_error&) {
    rb.undo();
    throw market_error(arithmetic_panic(), function);
  }
  if (dry_run) {
    rb.undo();
    return {};
  }
  rb.commit();
  if (block_time_ == 0) chain_.mine(block.timestamp);  // else mined when its time comes
  events_.append(block.number, emitted);
  TxResult out;
  out.tx_hash = tx_hash ? *tx_hash : next_tx_hash(sender);
  out.block_number = block.number;
  out.events = std::move(emitted);
  return out;
}

TxResult MarketModel::execute(const Address& sender, const MarketAction& action) {
  std::lock_guard lock(mu_);
  return transact_locked(sender, function_name(action), body_of(action), false);
}

TxResult MarketModel::mint(const Address& to, const Uint256& amount) {
  std::lock_guard lock(mu_);
  return transact_locked(
      to, "mint", [&](const Call& c) { token_.mint(to, amount, *c.rollback); }, false);
}

TxResult MarketModel::forcibly_free_slot(const Address& sender, const SlotId& id) {
  std::lock_guard lock(mu_);
  return transact_locked(
      sender, "forciblyFreeSlot", [&](const Call& c) { contract_->forcibly_free_slot(c, id); },
      false);
}

// ---- the journal ------------------------------------------------------------------

void MarketModel::journal_executed(const Address& account, const std::string& key, uint64_t time) {
  const Hash tx_hash = journal_[account].at(key).tx_hash;
  if (journal_horizon_ == 0) return;
  executed_.push_back(Executed{time, account, key, tx_hash});
  while (!executed_.empty() && executed_.front().time + journal_horizon_ <= time) {
    const Executed& old = executed_.front();
    auto& keys = journal_[old.account];
    if (auto it = keys.find(old.key); it != keys.end() && it->second.tx_hash == old.tx_hash)
      keys.erase(it);
    executed_.pop_front();
  }
}

PendingTx MarketModel::submit(const Address& account, const MarketAction& action, std::string key,
                              base::sqlite::WriteTxn* txn) {
  if (key.empty()) key = intent_key(action);  // std::invalid_argument for ApproveTokens
  std::lock_guard lock(mu_);
  auto& keys = journal_[account];
  if (auto it = keys.find(key); it != keys.end()) return PendingTx{key, it->second.tx_hash};
  if (!txn) {
    TxResult r = transact_locked(account, function_name(action), body_of(action), false);
    keys[key] = JournalEntry{r.tx_hash, JournalEntry::State::kMined, r, std::nullopt};
    journal_executed(account, key, chain_.latest_timestamp());
    return PendingTx{key, r.tx_hash};
  }
  // Like the chain's gas estimate: refuse now what would revert now.
  transact_locked(account, function_name(action), body_of(action), true);
  const Hash tx_hash = next_tx_hash(account);
  keys[key] = JournalEntry{tx_hash, JournalEntry::State::kDeferred, {}, std::nullopt};
  txn->after_rollback([this, account, key, tx_hash] {
    std::lock_guard l(mu_);
    auto& k = journal_[account];
    if (auto it = k.find(key); it != k.end() && it->second.tx_hash == tx_hash) k.erase(it);
  });
  txn->after_commit(
      [this, account, key, tx_hash, action] { run_deferred(account, key, tx_hash, action); });
  return PendingTx{key, tx_hash};
}

void MarketModel::run_deferred(const Address& account, const std::string& key, const Hash& tx_hash,
                               const MarketAction& action) {
  std::lock_guard lock(mu_);
  auto& keys = journal_[account];
  auto it = keys.find(key);
  if (it == keys.end() || it->second.tx_hash != tx_hash) return;
  try {
    it->second.result =
        transact_locked(account, function_name(action), body_of(action), false, &tx_hash);
    it->second.state = JournalEntry::State::kMined;
  } catch (const MarketError& e) {
    it->second.error = e;  // mined nothing, like a transaction that failed on chain
    it->second.state = JournalEntry::State::kReverted;
  }
  journal_executed(account, key, context(At::kPending).timestamp);
}

TxResult MarketModel::wait(const Address& account, const PendingTx& tx) {
  std::lock_guard lock(mu_);
  auto& keys = journal_[account];
  auto it = keys.find(tx.key);
  if (it == keys.end() || it->second.tx_hash != tx.tx_hash)
    throw std::invalid_argument("market model: no transaction " + eth::to_hex(tx.tx_hash) +
                                " under key " + tx.key);
  switch (it->second.state) {
    case JournalEntry::State::kDeferred:
      throw std::logic_error("market model: transaction " + tx.key +
                             " runs when its database transaction commits");
    case JournalEntry::State::kReverted:
      throw *it->second.error;
    case JournalEntry::State::kMined:
      break;
  }
  return it->second.result;
}

// ---- event streams ----------------------------------------------------------------------

std::string MarketModel::stream_key(const Address& account, const std::string& name) {
  return account.hex() + "/" + name;
}

class MarketModel::Stream final : public EventStream {
 public:
  Stream(MarketModel& m, EventLog::Cursor cursor, bool proofs)
      : m_(m), cursor_(cursor), proofs_(proofs) {}

  size_t poll(const Handler& handler) override {
    std::vector<DecodedEvent> batch;
    uint64_t end = 0;
    {
      std::lock_guard lock(m_.mu_);
      batch = m_.events_.read(EventLog::at(cursor_), proofs_);
      end = m_.events_.end();
    }
    for (const DecodedEvent& e : batch)
      handler(e, nullptr);  // a throw leaves the position where it was
    std::lock_guard lock(m_.mu_);
    m_.events_.set_position(cursor_, end);
    return batch.size();
  }

 private:
  MarketModel& m_;
  EventLog::Cursor cursor_;
  bool proofs_;
};

std::unique_ptr<EventStream> MarketModel::events(const Address& account, std::string name,
                                                 std::optional<uint64_t> from_block, bool proofs) {
  const std::string key = stream_key(account, name);
  std::lock_guard lock(mu_);
  const EventLog::Cursor cursor =
      events_.cursor(key, events_.first_at_block(from_block.value_or(first_block_)));
  return std::make_unique<Stream>(*this, cursor, proofs);
}

}  // namespace codex::market::model
