#include "agent/devnet/network_watch.h"

#include <map>
#include <set>

#include "agent/eth/eth_client.h"
#include "agent/eth/http_rpc_client.h"
#include "agent/market/event_watcher.h"
#include "agent/market/marketplace.h"
#include "agent/market/overloaded.h"
#include "agent/market/token.h"
#include "base/hex.h"
#include "base/sqlite/database.h"

namespace codex::devnet {

using market::Uint256;

std::string signed_delta(const Uint256& from, const Uint256& to) {
  if (to == from) return "0";
  return to > from ? "+" + (to - from).to_dec() : "-" + (from - to).to_dec();
}

namespace {

const char* request_state_name(market::RequestState s) {
  switch (s) {
    case market::RequestState::New:
      return "new";
    case market::RequestState::Started:
      return "started";
    case market::RequestState::Cancelled:
      return "cancelled";
    case market::RequestState::Finished:
      return "finished";
    case market::RequestState::Failed:
      return "failed";
  }
  return "?";
}

struct Slot {
  uint64_t index = 0;
  size_t host = 0;  // index into parties
  uint64_t filled_at = 0;
  bool paid = false;
};

}  // namespace

struct NetworkWatch::Impl {
  std::unique_ptr<eth::HttpRpcClient> rpc;
  std::unique_ptr<eth::EthClient> eth;
  std::unique_ptr<base::sqlite::Database> db;
  std::unique_ptr<market::Marketplace> market;
  std::unique_ptr<market::Token> token;
  std::unique_ptr<market::EventWatcher> events;
  std::vector<Party> parties;
  uint64_t period_len = 1;
  Uint256 market_start, market_balance;
  std::optional<market::RequestId> request;
  std::optional<market::Request> request_params;
  std::optional<market::RequestState> state;
  uint64_t ends_at = 0;
  uint64_t now = 0;
  std::map<market::SlotId, Slot> slots;
  // Proofs per period, printed when the period is over.
  std::map<uint64_t, std::vector<size_t>> proofs_by_period;

  std::optional<size_t> party_of(const market::Address& a) const {
    for (size_t i = 0; i < parties.size(); ++i)
      if (parties[i].address == a) return i;
    return std::nullopt;
  }
  Uint256 price_per_slot_second() const {
    return request_params->ask.price_per_byte_per_second * Uint256(request_params->ask.slot_size);
  }
};

NetworkWatch::NetworkWatch(const std::string& rpc_url, const market::Address& marketplace,
                           const std::filesystem::path& db, std::vector<Party> parties)
    : impl_(std::make_unique<Impl>()) {
  eth::HttpRpcOptions o;
  o.url = rpc_url;
  impl_->rpc = std::make_unique<eth::HttpRpcClient>(o);
  impl_->eth = std::make_unique<eth::EthClient>(*impl_->rpc);
  impl_->db = base::sqlite::Database::open(db);
  impl_->market = std::make_unique<market::Marketplace>(*impl_->eth, marketplace);
  impl_->token = std::make_unique<market::Token>(*impl_->eth, impl_->market->token());
  impl_->period_len = std::max<uint64_t>(1, impl_->market->configuration().proofs.period);
  impl_->events = std::make_unique<market::EventWatcher>(*impl_->eth, *impl_->db, *impl_->market,
                                                         "devnet", impl_->eth->block_number());
  for (Party& p : parties)
    p.start_balance = p.balance = impl_->token->balance_of(p.address);
  impl_->parties = std::move(parties);
  impl_->market_start = impl_->market_balance = impl_->token->balance_of(marketplace);
  impl_->now = impl_->eth->block(eth::BlockTag::latest()).timestamp;
}

NetworkWatch::~NetworkWatch() = default;

void NetworkWatch::watch_request(const market::RequestId& id) {
  impl_->request = id;  // read from the chain once it is mined (poll)
}

std::vector<std::string> NetworkWatch::poll() {
  Impl& m = *impl_;
  std::vector<std::string> lines;
  if (m.request && !m.request_params) m.request_params = m.market->get_request(*m.request);
  std::vector<market::DecodedEvent> seen;
  m.events->poll(
      [&](const market::DecodedEvent& e, base::sqlite::WriteTxn*) { seen.push_back(e); });
  for (const auto& e : seen) {
    if (e.removed) continue;
    std::visit(market::Overloaded{
                   [&](const market::SlotFilled& f) {
                     if (!m.request || f.request_id != *m.request) return;
                     const market::SlotId id = market::slot_id(f.request_id, f.slot_index);
                     const auto host = m.party_of(m.market->get_host(id));
                     if (!host) return;
                     Slot s;
                     s.index = f.slot_index;
                     s.host = *host;
                     s.filled_at = m.eth->block(eth::BlockTag::at(e.block_number)).timestamp;
                     m.slots[id] = s;
                     ++m.parties[*host].slots_filled;
                     lines.push_back(m.parties[*host].name + " filled slot " +
                                     std::to_string(f.slot_index) +
                                     " (its proof accepted by the verifier)");
                   },
                   [&](const market::SlotFreed& f) {
                     if (!m.request || f.request_id != *m.request) return;
                     lines.push_back("slot " + std::to_string(f.slot_index) + " freed");
                   },
                   [&](const market::RequestFulfilled& f) {
                     if (m.request && f.request_id == *m.request)
                       lines.push_back("request started: every slot filled");
                   },
                   [&](const market::RequestFailed& f) {
                     if (m.request && f.request_id == *m.request) lines.push_back("request failed");
                   },
                   [&](const market::RequestCancelled& f) {
                     if (m.request && f.request_id == *m.request)
                       lines.push_back("request cancelled (expired before every slot was filled)");
                   },
                   [&](const market::ProofSubmitted& p) {
                     auto it = m.slots.find(p.slot_id);
                     if (it == m.slots.end()) return;
                     ++m.parties[it->second.host].proofs;
                     const uint64_t t = m.eth->block(eth::BlockTag::at(e.block_number)).timestamp;
                     m.proofs_by_period[t / m.period_len].push_back(it->second.host);
                   },
                   [&](const auto&) {},
               },
               e.event);
  }
  m.now = m.eth->block(eth::BlockTag::latest()).timestamp;
  const uint64_t current = m.now / m.period_len;
  while (!m.proofs_by_period.empty() && m.proofs_by_period.begin()->first < current) {
    auto [period, hosts] = *m.proofs_by_period.begin();
    m.proofs_by_period.erase(m.proofs_by_period.begin());
    std::string who;
    for (size_t h : hosts)
      who += (who.empty() ? "" : " ") + m.parties[h].name;
    lines.push_back("period " + std::to_string(period) + ": " + std::to_string(hosts.size()) +
                    " proof" + (hosts.size() == 1 ? "" : "s") + " submitted (" + who + ")");
  }
  if (m.request && m.request_params) {
    const auto st = m.market->request_state(*m.request);
    if (!m.state || *m.state != st) {
      if (st == market::RequestState::Finished)
        lines.push_back("request finished: it ran to its end");
      m.state = st;
    }
    if (m.ends_at == 0 && st != market::RequestState::New)
      m.ends_at = m.market->request_end(*m.request);
    for (auto& [id, s] : m.slots) {
      if (s.paid || st != market::RequestState::Finished) continue;
      if (m.market->slot_state(id) != market::SlotState::Paid) continue;
      s.paid = true;
      Party& p = m.parties[s.host];
      ++p.paid;
      const Uint256 pay = m.price_per_slot_second() * Uint256(m.ends_at - s.filled_at);
      p.expected_pay = p.expected_pay.value_or(Uint256(0)) + pay;
      lines.push_back(p.name + " paid out for slot " + std::to_string(s.index) + ": " +
                      pay.to_dec() + " tokens for " + std::to_string(m.ends_at - s.filled_at) +
                      " s, collateral returned");
    }
  }
  for (Party& p : m.parties)
    p.balance = m.token->balance_of(p.address);
  m.market_balance = m.token->balance_of(m.market->address());
  return lines;
}

const std::vector<Party>& NetworkWatch::parties() const {
  return impl_->parties;
}
std::string NetworkWatch::request_state() const {
  return impl_->state ? request_state_name(*impl_->state) : "-";
}
bool NetworkWatch::request_over() const {
  return impl_->state && (*impl_->state == market::RequestState::Finished ||
                          *impl_->state == market::RequestState::Failed ||
                          *impl_->state == market::RequestState::Cancelled);
}
bool NetworkWatch::all_paid() const {
  if (impl_->slots.empty()) return false;
  for (const auto& [id, s] : impl_->slots)
    if (!s.paid) return false;
  return true;
}
uint64_t NetworkWatch::period() const {
  return impl_->now / impl_->period_len;
}
Uint256 NetworkWatch::marketplace_balance() const {
  return impl_->market_balance;
}
Uint256 NetworkWatch::marketplace_start_balance() const {
  return impl_->market_start;
}

std::vector<std::string> NetworkWatch::failures(const std::string& purchase_state) const {
  const Impl& m = *impl_;
  std::vector<std::string> out;
  if (!m.request || !m.request_params) return {"no storage request reached the chain"};
  if (!m.state || *m.state != market::RequestState::Finished)
    out.push_back("the request ended " + request_state() + ", not finished");
  if (m.slots.size() != m.request_params->ask.slots)
    out.push_back(std::to_string(m.slots.size()) + " of " +
                  std::to_string(m.request_params->ask.slots) + " slots were filled");
  for (const auto& [id, s] : m.slots)
    if (!s.paid)
      out.push_back(m.parties[s.host].name + " was not paid for slot " + std::to_string(s.index));
  if (purchase_state != "finished")
    out.push_back("the client's purchase is " + purchase_state + ", not finished (withdrawn)");
  // Every token a party gained another lost, and the marketplace holds
  // nothing of this request any more.
  Uint256 gained(0), lost(0);
  for (const Party& p : m.parties) {
    if (p.balance >= p.start_balance)
      gained = gained + (p.balance - p.start_balance);
    else
      lost = lost + (p.start_balance - p.balance);
    if (p.expected_pay && p.balance - p.start_balance != *p.expected_pay &&
        p.balance >= p.start_balance)
      out.push_back(p.name + " earned " + signed_delta(p.start_balance, p.balance) +
                    ", the contract's formula says " + p.expected_pay->to_dec());
    if (p.expected_pay && p.balance < p.start_balance)
      out.push_back(p.name + " lost tokens: " + signed_delta(p.start_balance, p.balance));
  }
  if (m.market_balance != m.market_start)
    out.push_back("the marketplace still holds " + signed_delta(m.market_start, m.market_balance) +
                  " tokens of this run");
  else if (gained != lost)
    out.push_back("tokens not conserved: parties gained " + gained.to_dec() + " and lost " +
                  lost.to_dec());
  return out;
}

}  // namespace codex::devnet
