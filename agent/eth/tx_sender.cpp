#include "agent/eth/tx_sender.h"

#include <spdlog/spdlog.h>

#include <thread>

#include "agent/eth/rlp.h"
#include "agent/eth/rpc_error.h"

namespace codex::eth {
namespace {

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

Decoded decode_for_replacement(const Bytes& raw) {
  Decoded d;
  if (!raw.empty() && raw[0] == 0x02) {
    rlp::Item it = rlp::decode(std::span<const uint8_t>(raw).subspan(1));
    const auto& f = it.items;
    d.priority = f.at(2).as_uint();
    d.max_fee = f.at(3).as_uint();
    d.gas = f.at(4).as_uint().to_u64();
    if (f.at(5).bytes.size() == 20) {
      Address a;
      std::copy(f[5].bytes.begin(), f[5].bytes.end(), a.bytes.begin());
      d.req.to = a;
    }
    d.req.value = f.at(6).as_uint();
    d.req.data = f.at(7).bytes;
  } else {
    rlp::Item it = rlp::decode(raw);
    const auto& f = it.items;
    d.max_fee = d.priority = f.at(1).as_uint();
    d.gas = f.at(2).as_uint().to_u64();
    if (f.at(3).bytes.size() == 20) {
      Address a;
      std::copy(f[3].bytes.begin(), f[3].bytes.end(), a.bytes.begin());
      d.req.to = a;
    }
    d.req.value = f.at(4).as_uint();
    d.req.data = f.at(5).bytes;
  }
  return d;
}

}  // namespace

TxSender::TxSender(EthClient& eth, const PrivateKey& key, sqlite3* db, TxOptions options)
    : eth_(eth), key_(key), journal_(db), opt_(std::move(options)) {}

void TxSender::recover() {
  std::lock_guard lock(mu_);
  if (opt_.chain_id == 0) opt_.chain_id = eth_.chain_id();
  for (uint64_t nonce : journal_.open_nonces(key_.address())) {
    auto attempts = journal_.attempts(key_.address(), nonce);
    if (auto r = find_mined(attempts)) {
      journal_.settle(r->transaction_hash, r->block_number);
      continue;
    }
    // Not mined: make sure the node has the latest attempt (it may never have been sent).
    const JournalEntry* last = nullptr;
    for (const auto& a : attempts)
      if (a.state == TxState::Signed || a.state == TxState::Sent) last = &a;
    if (last) {
      spdlog::info("eth: recovering nonce {} ({}), rebroadcasting {}", nonce,
                   to_string(last->state), to_hex(last->hash));
      broadcast(*last);
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
    LegacyTx tx{opt_.chain_id, nonce, fees.max_fee, gas, req.to, req.value, req.data};
    return sign(tx, key_);
  }
  Eip1559Tx tx{opt_.chain_id, nonce, fees.priority, fees.max_fee, gas, req.to, req.value, req.data};
  return sign(tx, key_);
}

bool TxSender::broadcast(const JournalEntry& e) {
  try {
    eth_.send_raw_transaction(e.raw);
  } catch (const RpcError& err) {
    if (err.retryable()) return false;  // unknown outcome: checked again later
    std::string m = err.what();
    if (!contains(m, "already known") && !contains(m, "already imported") &&
        !contains(m, "known transaction") && !contains(m, "nonce too low"))
      throw;
    // Already in the pool, or the nonce is used (possibly by this very tx): wait() decides.
  }
  if (e.state == TxState::Signed) journal_.set_state(e.hash, TxState::Sent);
  return true;
}

SignedTx TxSender::submit(const TxRequest& req) {
  std::lock_guard lock(mu_);
  if (!recovered_) recover();
  if (!req.key.empty())
    if (auto existing = journal_.by_key(key_.address(), req.key);
        existing && existing->state != TxState::Rejected) {
      SignedTx s;
      s.raw = existing->raw;
      s.hash = existing->hash;
      s.nonce = existing->nonce;
      s.from = existing->sender;
      return s;
    }
  uint64_t gas = 0;
  if (req.gas_limit) {
    gas = *req.gas_limit;
  } else {
    CallRequest c{key_.address(), req.to, req.data, req.value, std::nullopt};
    uint64_t est = eth_.estimate_gas(c);
    gas = est + est * req.gas_margin_percent / 100;
  }
  Fees fees = current_fees();
  uint64_t nonce = eth_.transaction_count(key_.address(), BlockTag::pending());
  if (auto m = journal_.max_nonce(key_.address()); m && *m + 1 > nonce) nonce = *m + 1;

  SignedTx tx = sign_with(nonce, req, gas, fees);
  journal_.record(tx, 0, req.key);  // durable before anything leaves the process
  if (hook_) hook_(Stage::Journaled, tx);
  auto entry = journal_.by_hash(tx.hash);
  try {
    broadcast(*entry);
  } catch (const RpcError& e) {
    journal_.set_state(tx.hash, TxState::Rejected);
    throw TxError(std::string("transaction rejected by the node: ") + e.what());
  }
  if (hook_) hook_(Stage::Sent, tx);
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

std::optional<JournalEntry> TxSender::try_replace(const JournalEntry& last) {
  if (last.attempt >= static_cast<int>(opt_.max_replacements)) return std::nullopt;
  Decoded d = decode_for_replacement(last.raw);
  Fees now = current_fees();
  Fees next{std::max(bumped(d.priority, opt_.bump_percent), now.priority),
            std::max(bumped(d.max_fee, opt_.bump_percent), now.max_fee)};
  if (next.max_fee > opt_.max_fee_cap) {
    if (bumped(d.max_fee, 10) > opt_.max_fee_cap) {
      spdlog::warn("eth: nonce {} stuck but the fee cap {} leaves no room to bump", last.nonce,
                   opt_.max_fee_cap.to_dec());
      return std::nullopt;
    }
    next.max_fee = opt_.max_fee_cap;
  }
  if (next.priority > next.max_fee) next.priority = next.max_fee;
  SignedTx tx = sign_with(last.nonce, d.req, d.gas, next);
  journal_.record(tx, last.attempt + 1, last.key);
  if (hook_) hook_(Stage::Journaled, tx);
  auto entry = journal_.by_hash(tx.hash);
  spdlog::info("eth: nonce {} stuck, replacing with attempt {} at max fee {}", last.nonce,
               entry->attempt, next.max_fee.to_dec());
  try {
    broadcast(*entry);
  } catch (const RpcError& e) {
    spdlog::warn("eth: replacement refused: {}", e.what());
    journal_.set_state(tx.hash, TxState::Rejected);
    return std::nullopt;
  }
  return entry;
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
  std::unique_lock lock(mu_);
  auto first = journal_.by_hash(hash);
  if (!first) throw TxError("wait: transaction " + to_hex(hash) + " is not in the journal");
  const uint64_t nonce = first->nonce;
  const auto deadline = std::chrono::steady_clock::now() + opt_.wait_timeout;
  auto last_sent_at = std::chrono::steady_clock::now();
  int consumed_checks = 0;
  for (;;) {
    auto attempts = journal_.attempts(key_.address(), nonce);
    try {
      if (auto r = find_mined(attempts)) {
        if (confirmed(*r)) {
          journal_.settle(r->transaction_hash, r->block_number);
          return *r;
        }
      } else if (eth_.transaction_count(key_.address(), BlockTag::latest()) > nonce) {
        // The nonce is used but none of our attempts has a receipt: re-check a few
        // times (receipts can lag the nonce), then give up loudly.
        if (++consumed_checks >= 3) {
          for (const auto& a : attempts)
            if (a.state == TxState::Signed || a.state == TxState::Sent)
              journal_.set_state(a.hash, TxState::Replaced);
          throw TxError("nonce " + std::to_string(nonce) +
                        " was consumed by a transaction not in the journal");
        }
      } else {
        const JournalEntry* last = nullptr;
        for (const auto& a : attempts)
          if (a.state == TxState::Signed || a.state == TxState::Sent) last = &a;
        if (!last) throw TxError("nonce " + std::to_string(nonce) + " has no live attempt");
        if (!eth_.transaction_known(last->hash))
          broadcast(*last);  // dropped from the pool, or never sent
        if (std::chrono::steady_clock::now() - last_sent_at >= opt_.stuck_after) {
          if (try_replace(*last))
            last_sent_at = std::chrono::steady_clock::now();
          else
            last_sent_at = std::chrono::steady_clock::now();  // try again after another period
        }
      }
    } catch (const RpcError& e) {
      if (!e.retryable()) throw;
      spdlog::warn("eth: waiting for nonce {}: {}", nonce, e.what());
    }
    if (std::chrono::steady_clock::now() >= deadline)
      throw TxError("timed out waiting for nonce " + std::to_string(nonce) + " to be mined");
    lock.unlock();
    std::this_thread::sleep_for(opt_.poll_interval);
    lock.lock();
  }
}

}  // namespace codex::eth
