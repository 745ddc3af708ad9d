#include "agent/eth/tx_sender.h"

#include <spdlog/spdlog.h>

#include "agent/eth/rlp.h"
#include "agent/eth/rpc_error.h"

namespace codex::eth {
namespace {

using base::sqlite::WriteTxn;

bool contains(const std::string& s, const char* needle) {
  std::string lower = s;
  for (auto& c : lower)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.find(needle) != std::string::npos;
}

Uint256 bumped(const Uint256& v, unsigned percent) {
  return (v * Uint256(100 + percent)).div_u64(100) + Uint256(1);
}

// Re-creates the unsigned fields of a journaled transaction for a replacement.
struct Decoded {
  TxRequest req;
  uint64_t gas = 0;
  Uint256 priority, max_fee;
};

std::optional<Address> to_of(const rlp::Item& item) {
  if (item.bytes.size() != 20) return std::nullopt;
  Address a;
  std::copy(item.bytes.begin(), item.bytes.end(), a.bytes.begin());
  return a;
}

Decoded decode_for_replacement(const Bytes& raw) {
  Decoded d;
  if (!raw.empty() && raw[0] == 0x02) {
    rlp::Item it = rlp::decode(std::span<const uint8_t>(raw).subspan(1));
    const auto& f = it.items;
    d.priority = f.at(2).as_uint();
    d.max_fee = f.at(3).as_uint();
    d.gas = f.at(4).as_uint().to_u64();
    d.req.to = to_of(f.at(5));
    d.req.value = f.at(6).as_uint();
    d.req.data = f.at(7).bytes;
  } else {
    rlp::Item it = rlp::decode(raw);
    const auto& f = it.items;
    d.max_fee = d.priority = f.at(1).as_uint();
    d.gas = f.at(2).as_uint().to_u64();
    d.req.to = to_of(f.at(3));
    d.req.value = f.at(4).as_uint();
    d.req.data = f.at(5).bytes;
  }
  return d;
}

SignedTx signed_of(const JournalEntry& e) {
  SignedTx s;
  s.raw = e.raw;
  s.hash = e.hash;
  s.nonce = e.nonce;
  s.from = e.sender;
  return s;
}

// The newest attempt still waiting to be mined.
const JournalEntry* last_open(const std::vector<JournalEntry>& attempts) {
  const JournalEntry* last = nullptr;
  for (const auto& a : attempts)
    if (a.open()) last = &a;
  return last;
}

}  // namespace

TxSender::TxSender(EthClient& eth, const PrivateKey& key, base::sqlite::Database& db,
                   TxOptions options)
    : eth_(eth),
      key_(key),
      address_(key.address()),
      db_(db),
      journal_(db),
      opt_(std::move(options)),
      chain_id_(opt_.chain_id) {}

template <class F>
void TxSender::write(WriteTxn* txn, F&& fn) {
  if (txn)
    fn(*txn);
  else
    db_.write(std::forward<F>(fn));
}

uint64_t TxSender::chain_id() {
  uint64_t id = chain_id_.load();
  if (id == 0) {
    id = eth_.chain_id();  // a race fetches it twice: harmless
    chain_id_.store(id);
  }
  return id;
}

void TxSender::recover() {
  recover_in(nullptr);
}

void TxSender::recover_in(WriteTxn* txn) {
  chain_id();
  for (uint64_t nonce : journal_.open_nonces(address_)) {
    auto attempts = journal_.attempts(address_, nonce, txn);
    if (auto r = find_mined(attempts)) {
      bool settled = false;
      write(txn, [&](WriteTxn& t) {
        settled = journal_.settle(t, r->transaction_hash, r->block_number);
      });
      if (settled) gas_used_ += r->gas_used;
      continue;
    }
    // Not mined: make sure the node has the latest attempt (it may never have been sent).
    const JournalEntry* last = last_open(attempts);
    if (!last) continue;
    spdlog::info("eth: recovering nonce {} ({}), rebroadcasting {}", nonce, to_string(last->state),
                 to_hex(last->hash));
    std::string why;
    switch (send_raw(last->raw, why)) {
      case Outcome::Accepted:
        write(txn, [&](WriteTxn& t) { journal_.mark(t, last->hash, TxState::Sent); });
        break;
      case Outcome::Unknown:
        break;  // wait() tries again
      case Outcome::Refused:
        spdlog::warn("eth: journaled transaction {} refused by the node: {}", to_hex(last->hash),
                     why);
        write(txn, [&](WriteTxn& t) { journal_.mark(t, last->hash, TxState::Rejected); });
        break;
    }
  }
  recovered_ = true;
}

TxSender::Fees TxSender::current_fees() {
  if (opt_.legacy) {
    Uint256 p = eth_.gas_price();
    if (p > opt_.max_fee_cap)
      throw TxError("gas price " + p.to_dec() + " exceeds the fee cap " +
                    opt_.max_fee_cap.to_dec());
    return {p, p};
  }
  Uint256 prio = eth_.max_priority_fee().value_or(opt_.default_priority_fee);
  BlockHeader head = eth_.block(BlockTag::latest());
  Uint256 base = head.base_fee_per_gas.value_or(Uint256(0));
  Uint256 max_fee = base * Uint256(2) + prio;  // room for base-fee growth over a few blocks
  if (max_fee > opt_.max_fee_cap) {
    if (base + prio > opt_.max_fee_cap)
      throw TxError("base fee " + base.to_dec() + " + tip exceeds the fee cap " +
                    opt_.max_fee_cap.to_dec());
    max_fee = opt_.max_fee_cap;
  }
  if (prio > max_fee) prio = max_fee;
  return {prio, max_fee};
}

SignedTx TxSender::sign_with(uint64_t nonce, const TxRequest& req, uint64_t gas, const Fees& fees) {
  if (opt_.legacy) {
    LegacyTx tx{chain_id(), nonce, fees.max_fee, gas, req.to, req.value, req.data};
    return sign(tx, key_);
  }
  Eip1559Tx tx{chain_id(), nonce, fees.priority, fees.max_fee, gas, req.to, req.value, req.data};
  return sign(tx, key_);
}

TxSender::Outcome TxSender::send_raw(const Bytes& raw, std::string& why) {
  try {
    eth_.send_raw_transaction(raw);
    return Outcome::Accepted;
  } catch (const RpcError& err) {
    if (err.retryable()) return Outcome::Unknown;  // checked again later
    std::string m = err.what();
    // Already in the pool, or the nonce is used (possibly by this very tx): wait() decides.
    if (contains(m, "already known") || contains(m, "already imported") ||
        contains(m, "known transaction") || contains(m, "nonce too low"))
      return Outcome::Accepted;
    why = m;
    return Outcome::Refused;
  }
}

TxSender::Quote TxSender::quote(const TxRequest& req) {
  Quote q;
  if (req.gas_limit) {
    q.gas = *req.gas_limit;
  } else {
    CallRequest c{address_, req.to, req.data, req.value, std::nullopt};
    uint64_t est = eth_.estimate_gas(c);
    q.gas = est + est * req.gas_margin_percent / 100;
  }
  q.fees = current_fees();
  q.pending_nonce = eth_.transaction_count(address_, BlockTag::pending());
  chain_id();
  return q;
}

SignedTx TxSender::record(const TxRequest& req) {
  return record_in(req, nullptr);
}

SignedTx TxSender::record(const TxRequest& req, WriteTxn& txn) {
  return record_in(req, &txn);
}

SignedTx TxSender::record_in(const TxRequest& req, WriteTxn* txn) {
  if (req.key.empty())
    throw std::invalid_argument("TxSender: a transaction needs an idempotency key");
  if (!recovered_) recover_in(txn);
  // A journaled intent returns its transaction before anything is asked of the
  // node: estimating it again could revert (the slot is already filled).
  if (auto e = journal_.by_key(address_, req.key, txn)) return signed_of(*e);
  const Quote q = quote(req);
  SignedTx tx;
  bool fresh = false;
  auto journal_it = [&](WriteTxn& t) {
    if (auto e = journal_.by_key(address_, req.key, &t)) {
      tx = signed_of(*e);  // another thread journaled it meanwhile
      return;
    }
    tx = sign_with(journal_.free_nonce(t, address_, q.pending_nonce), req, q.gas, q.fees);
    journal_.record(t, tx, req.key);
    t.require_sync();  // the signed bytes are on disk before they leave the process
    fresh = true;
  };
  if (!txn) {
    db_.write(journal_it);
    if (fresh) call_hook(Stage::Journaled, tx);
    return tx;
  }
  journal_it(*txn);
  if (fresh)
    // After the caller's commit, once the writer is free: the broadcast does
    // not hold the database during an RPC, and it records its outcome.
    txn->after_release([this, tx] {
      call_hook(Stage::Journaled, tx);
      broadcast(tx.hash);
    });
  return tx;
}

void TxSender::broadcast(const Hash& hash) {
  auto e = journal_.by_hash(hash);
  if (!e) throw TxError("broadcast: transaction " + to_hex(hash) + " is not in the journal");
  if (!e->open()) return;
  std::string why;
  switch (send_raw(e->raw, why)) {
    case Outcome::Accepted:
      if (e->state == TxState::Signed)
        db_.write([&](WriteTxn& t) { journal_.mark(t, hash, TxState::Sent); });
      call_hook(Stage::Sent, signed_of(*e));
      return;
    case Outcome::Unknown:
      return;  // wait() rebroadcasts
    case Outcome::Refused:
      db_.write([&](WriteTxn& t) { journal_.mark(t, hash, TxState::Rejected); });
      throw TxError("transaction rejected by the node: " + why);
  }
}

SignedTx TxSender::submit(const TxRequest& req) {
  SignedTx tx = record(req);
  broadcast(tx.hash);
  return tx;
}

std::optional<Receipt> TxSender::find_mined(const std::vector<JournalEntry>& attempts) {
  for (const auto& a : attempts)
    if (a.state != TxState::Rejected)
      if (auto r = eth_.receipt(a.hash)) return r;
  return std::nullopt;
}

bool TxSender::confirmed(const Receipt& r) {
  uint64_t head = eth_.block_number();
  if (head + 1 < r.block_number + opt_.confirmations) return false;
  // The receipt's block must still be canonical (a reorg may have dropped it).
  return eth_.block(BlockTag::at(r.block_number)).hash == r.block_hash;
}

void TxSender::try_replace(const JournalEntry& last) {
  if (last.attempt >= static_cast<int>(opt_.max_replacements)) return;
  Decoded d = decode_for_replacement(last.raw);
  Fees now = current_fees();
  Fees next{std::max(bumped(d.priority, opt_.bump_percent), now.priority),
            std::max(bumped(d.max_fee, opt_.bump_percent), now.max_fee)};
  if (next.max_fee > opt_.max_fee_cap) {
    if (bumped(d.max_fee, 10) > opt_.max_fee_cap) {
      spdlog::warn("eth: nonce {} stuck but the fee cap {} leaves no room to bump", last.nonce,
                   opt_.max_fee_cap.to_dec());
      return;
    }
    next.max_fee = opt_.max_fee_cap;
  }
  if (next.priority > next.max_fee) next.priority = next.max_fee;
  SignedTx tx = sign_with(last.nonce, d.req, d.gas, next);
  int attempt = -1;
  db_.write([&](WriteTxn& t) {
    // Another waiter may have replaced or settled it meanwhile.
    auto attempts = journal_.attempts(address_, last.nonce, &t);
    const JournalEntry* open = last_open(attempts);
    if (!open || open->hash != last.hash) return;
    for (const auto& a : attempts)
      if (a.state == TxState::Mined) return;
    attempt = journal_.record(t, tx, last.key);
    t.require_sync();
  });
  if (attempt < 0) return;
  call_hook(Stage::Journaled, tx);
  spdlog::info("eth: nonce {} stuck, replacing with attempt {} at max fee {}", last.nonce, attempt,
               next.max_fee.to_dec());
  std::string why;
  switch (send_raw(tx.raw, why)) {
    case Outcome::Accepted:
      db_.write([&](WriteTxn& t) { journal_.mark(t, tx.hash, TxState::Sent); });
      call_hook(Stage::Sent, tx);
      break;
    case Outcome::Unknown:
      break;
    case Outcome::Refused:
      spdlog::warn("eth: replacement refused: {}", why);
      db_.write([&](WriteTxn& t) { journal_.mark(t, tx.hash, TxState::Rejected); });
      break;
  }
}

TxRequest TxSender::request_of(const Hash& hash) const {
  auto e = journal_.by_hash(hash);
  if (!e) throw TxError("transaction " + to_hex(hash) + " is not in the journal");
  Decoded d = decode_for_replacement(e->raw);
  d.req.gas_limit = d.gas;
  d.req.key = e->key;
  return d.req;
}

Bytes TxSender::revert_data(const Receipt& failed) {
  auto e = journal_.by_hash(failed.transaction_hash);
  if (!e)
    throw TxError("revert_data: transaction " + to_hex(failed.transaction_hash) +
                  " is not in the journal");
  Decoded d = decode_for_replacement(e->raw);
  CallRequest c{e->sender, d.req.to, d.req.data, d.req.value, d.gas};
  try {
    eth_.call(c, BlockTag::at(failed.block_number));
  } catch (const RpcError& err) {
    if (err.kind() == RpcErrorKind::Reverted) return err.revert_data();
    throw;
  }
  return {};
}

Receipt TxSender::wait(const Hash& hash) {
  auto first = journal_.by_hash(hash);
  if (!first) throw TxError("wait: transaction " + to_hex(hash) + " is not in the journal");
  if (first->state == TxState::Rejected)
    throw TxError("wait: transaction " + to_hex(hash) + " was refused by the node");
  const uint64_t nonce = first->nonce;
  base::Clock& c = clock();
  const base::Millis deadline = c.now() + opt_.wait_timeout;
  base::Millis last_sent_at = c.now();
  std::optional<base::Millis>
      consumed_since;   // when the nonce was first seen used by no tx of ours
  std::string refusal;  // the node's message when it refused the newest attempt
  for (;;) {
    auto attempts = journal_.attempts(address_, nonce);
    try {
      if (auto r = find_mined(attempts)) {
        if (confirmed(*r)) {
          for (const auto& a : attempts)
            if (a.hash == r->transaction_hash) call_hook(Stage::Mined, signed_of(a));
          bool settled = false;
          db_.write([&](WriteTxn& t) {
            settled = journal_.settle(t, r->transaction_hash, r->block_number);
          });
          if (settled) gas_used_ += r->gas_used;
          return *r;
        }
      } else if (eth_.transaction_count(address_, BlockTag::latest()) > nonce) {
        // The nonce is used but none of our attempts has a receipt yet. While
        // the node knows one of them, that is ours being indexed (receipts can
        // lag the nonce): wait. A nonce used while the node knows none of ours
        // for a whole grace period went to a transaction not in the journal:
        // give up loudly rather than wait for ever or sign again.
        bool ours_known = false;
        for (const auto& a : attempts)
          if (a.state != TxState::Rejected && eth_.transaction_known(a.hash)) ours_known = true;
        if (ours_known) {
          consumed_since.reset();
        } else if (!consumed_since) {
          consumed_since = c.now();
        } else if (c.now() - *consumed_since >= opt_.consumed_grace) {
          db_.write([&](WriteTxn& t) {
            for (const auto& a : attempts)
              if (a.open()) journal_.mark(t, a.hash, TxState::Replaced);
          });
          throw TxError("nonce " + std::to_string(nonce) +
                        " was consumed by a transaction not in the journal");
        }
      } else {
        const JournalEntry* last = last_open(attempts);
        if (!last)
          throw TxError("nonce " + std::to_string(nonce) + " has no live attempt" +
                        (refusal.empty() ? "" : " (refused by the node: " + refusal + ")"));
        if (!eth_.transaction_known(last->hash)) {  // dropped from the pool, or never sent
          if (send_raw(last->raw, refusal) == Outcome::Refused) {
            // An older attempt may still be pending: look again at once.
            spdlog::warn("eth: {} refused by the node: {}", to_hex(last->hash), refusal);
            db_.write([&](WriteTxn& t) { journal_.mark(t, last->hash, TxState::Rejected); });
            continue;
          }
        } else if (last->state == TxState::Signed) {
          db_.write([&](WriteTxn& t) { journal_.mark(t, last->hash, TxState::Sent); });
        }
        if (c.now() - last_sent_at >= opt_.stuck_after) {
          try_replace(*last);
          last_sent_at = c.now();  // the next bump, if any, after another period
        }
      }
    } catch (const RpcError& e) {
      if (!e.retryable()) throw;
      spdlog::warn("eth: waiting for nonce {}: {}", nonce, e.what());
    }
    if (c.now() >= deadline)
      throw TxError("timed out waiting for nonce " + std::to_string(nonce) + " to be mined");
    c.sleep_for(opt_.poll_interval);
  }
}

}  // namespace codex::eth
