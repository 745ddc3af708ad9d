#include "agent/devnet/stress_invariants.h"

#include <map>
#include <set>

#include "agent/devnet/chain_reader.h"
#include "agent/eth/eth_client.h"
#include "agent/eth/http_rpc_client.h"
#include "agent/eth/tx_journal.h"
#include "base/hex.h"
#include "base/sqlite/database.h"

namespace codex::devnet {

using market::RequestState;
using market::Uint256;

std::vector<std::string> check_tokens(const StressWatch& w) {
  std::vector<std::string> out;
  Uint256 held(0), held_start(0);
  for (const auto& [name, b] : w.balances())
    held = held + b;
  for (const auto& [name, b] : w.start_balances())
    held_start = held_start + b;
  if (w.supply() != w.start_supply())
    out.push_back("the token supply changed from " + w.start_supply().to_dec() + " to " +
                  w.supply().to_dec());
  if (held != w.supply())
    out.push_back("tokens not conserved: the parties and the marketplace hold " + held.to_dec() +
                  ", the supply is " + w.supply().to_dec());
  if (held != held_start)
    out.push_back("tokens not conserved: the parties and the marketplace held " +
                  held_start.to_dec() + " at the start and " + held.to_dec() + " at the end");
  return out;
}

constexpr std::string_view kMark = "markProofAsMissing/";

std::vector<std::string> check_journal(const std::string& node, const std::filesystem::path& db,
                                       const std::string& rpc_url, JournalFigures& f) {
  std::vector<std::string> out;
  if (!std::filesystem::exists(db)) return {node + ": no database at " + db.string()};
  eth::HttpRpcOptions o;
  o.url = rpc_url;
  eth::HttpRpcClient rpc(o);
  eth::EthClient eth(rpc);
  const auto database = base::sqlite::Database::open(db);
  struct Row {
    std::string sender, key;
    uint64_t nonce = 0;
    eth::Hash hash{};
    int64_t state = 0;
  };
  std::vector<Row> rows;
  {
    auto lease = database->read();
    auto& s = lease.cached("SELECT sender, nonce, hash, idem_key, state FROM eth_tx_journal");
    while (s.step()) {
      Row r;
      r.sender = s.text(0);
      r.nonce = uint64_t(s.int64(1));
      const auto h = s.blob(2);
      if (h.size() != r.hash.size()) {
        out.push_back(node + ": a journal entry with a " + std::to_string(h.size()) + "-byte hash");
        continue;
      }
      std::copy(h.begin(), h.end(), r.hash.begin());
      r.key = s.text(3);
      r.state = s.int64(4);
      rows.push_back(r);
    }
    s.reset();
  }
  std::map<std::pair<std::string, std::string>, uint64_t> on_chain_by_key;
  std::map<std::string, uint64_t> on_chain_by_sender;
  std::set<std::pair<std::string, std::string>> keys;
  for (const Row& r : rows) {
    ++f.entries;
    keys.insert({r.sender, r.key});
    const auto receipt = eth.receipt(r.hash);
    if (!receipt) {
      if (r.state == int64_t(eth::TxState::Mined))
        out.push_back(node + ": journal says " + r.key + " (0x" + base::to_hex(r.hash) +
                      ") was mined; the chain has no such transaction");
      continue;
    }
    ++f.on_chain;
    ++on_chain_by_sender[r.sender];
    if (!r.key.empty()) ++on_chain_by_key[{r.sender, r.key}];
    if (!receipt->success) ++f.reverted;
    if (const size_t at = r.key.find(kMark); receipt->success && at != std::string::npos) {
      ++f.marks;
      f.marked.insert(r.key.substr(at + kMark.size()));
    }
    if (receipt->success && r.key.find("submitProof/") != std::string::npos) ++f.proofs;
  }
  f.intents += keys.size();
  for (const auto& [k, n] : on_chain_by_key)
    if (n > 1)
      out.push_back(node + ": intent " + k.second + " has " + std::to_string(n) +
                    " transactions on chain (a double transaction)");
  for (const auto& [sender, n] : on_chain_by_sender) {
    const uint64_t nonce = eth.transaction_count(eth::Address::parse(sender));
    if (nonce != n)
      out.push_back(node + ": account " + sender + " sent " + std::to_string(nonce) +
                    " transactions on chain, its journal has " + std::to_string(n) + " of them");
  }
  return out;
}

std::vector<std::string> check_end_states(const StressWatch& w, size_t posted,
                                          const std::set<market::RequestId>& unsent) {
  std::vector<std::string> out;
  size_t named = unsent.size();
  for (const auto& [id, r] : w.requests()) {
    if (unsent.count(id)) continue;
    const std::string name =
        r.index ? "request " + std::to_string(*r.index) : "request 0x" + base::to_hex(id);
    if (r.index) ++named;
    if (!r.over()) {
      out.push_back(name + " has not ended: " +
                    (r.state ? request_state_name(*r.state) : std::string("unknown")));
      continue;
    }
    switch (*r.state) {
      case RequestState::Finished:
        if (!r.fulfilled) out.push_back(name + " finished without having started");
        if (r.failed_event || r.cancelled_event)
          out.push_back(name + " finished after a failed or cancelled event");
        break;
      case RequestState::Cancelled:
        if (r.fulfilled) out.push_back(name + " was cancelled after it started");
        break;
      case RequestState::Failed:
        if (!r.fulfilled) out.push_back(name + " failed without having started");
        if (r.frees <= r.max_slot_loss)
          out.push_back(name + " failed with " + std::to_string(r.frees) +
                        " slots freed, tolerance " + std::to_string(r.max_slot_loss));
        break;
      default:
        break;
    }
  }
  if (named != posted)
    out.push_back(std::to_string(posted) + " requests posted, " + std::to_string(named) +
                  " seen on chain");
  return out;
}

std::vector<std::string> check_freed_slots(const StressWatch& w, uint64_t repair_grace) {
  std::vector<std::string> out;
  for (const SlotEvent& f : w.freed()) {
    const auto it = w.requests().find(f.request);
    if (it == w.requests().end()) continue;
    const WatchedRequest& r = it->second;
    const bool refilled =
        std::any_of(w.refilled().begin(), w.refilled().end(), [&](const SlotEvent& x) {
          return x.request == f.request && x.slot == f.slot && x.time >= f.time;
        });
    if (refilled) continue;
    if (r.state && (*r.state == RequestState::Failed || *r.state == RequestState::Cancelled))
      continue;
    if (r.ends_at != 0 && r.ends_at < f.time + repair_grace) continue;
    const std::string name =
        r.index ? "request " + std::to_string(*r.index) : "request 0x" + base::to_hex(f.request);
    out.push_back("slot " + std::to_string(f.slot) + " of " + name + " (" + f.host +
                  ") was freed and never filled again, though the request ran " +
                  std::to_string(r.ends_at > f.time ? r.ends_at - f.time : 0) +
                  " s more and ended " + (r.state ? request_state_name(*r.state) : "?"));
  }
  return out;
}

}  // namespace codex::devnet
