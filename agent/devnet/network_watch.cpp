#include "agent/devnet/network_watch.h"

#include <map>
#include <set>

#include "agent/devnet/chain_reader.h"
#include "agent/market/overloaded.h"
#include "base/hex.h"

namespace codex::devnet {

using market::Uint256;

std::string signed_delta(const Uint256& from, const Uint256& to) {
  if (to == from) return "0";
  return to > from ? "+" + (to - from).to_dec() : "-" + (from - to).to_dec();
}

namespace {

struct Slot {
  uint64_t index = 0;
  size_t host = 0;  // index into parties
  uint64_t filled_at = 0;
  bool paid = false;
  bool repaired = false;  // filled again after it was freed
};

}  // namespace

struct NetworkWatch::Impl : ChainReader {
  using ChainReader::ChainReader;
  std::vector<Party> parties;
  Uint256 market_start, market_balance;
  std::optional<market::RequestId> request;
  std::optional<market::Request> request_params;
  std::optional<market::RequestState> state;
  uint64_t ends_at = 0;
  uint64_t now = 0;
  std::map<market::SlotId, Slot> slots;  // filled now (or until paid)
  std::vector<FreedSlot> freed;
  uint64_t marks = 0;
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
  // The contract's amounts (Marketplace.sol: fillSlot, markProofAsMissing).
  Uint256 collateral() const { return market::collateral_per_slot(request_params->ask); }
  Uint256 slash() const {
    return (collateral() * Uint256(config.collateral.slash_percentage)).div_u64(100);
  }
  Uint256 reward() const {
    return (slash() * Uint256(config.collateral.validator_reward_percentage)).div_u64(100);
  }
  // A repair host deposits the collateral less this and gets it all back.
  Uint256 repair_bonus() const {
    return (collateral() * Uint256(config.collateral.repair_reward_percentage)).div_u64(100);
  }
};

NetworkWatch::NetworkWatch(const std::string& rpc_url, const market::Address& marketplace,
                           const std::filesystem::path& db, std::vector<Party> parties)
    : impl_(std::make_unique<Impl>(rpc_url, marketplace, db, "devnet")) {
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
    std::visit(
        market::Overloaded{
            [&](const market::SlotFilled& f) {
              if (!m.request || f.request_id != *m.request) return;
              const market::SlotId id = market::slot_id(f.request_id, f.slot_index);
              const auto host = m.party_of(m.market->get_host(id));
              if (!host) return;
              Slot s;
              s.index = f.slot_index;
              s.host = *host;
              s.filled_at = m.eth->block(eth::BlockTag::at(e.block_number)).timestamp;
              for (FreedSlot& fr : m.freed)
                if (fr.index == f.slot_index && fr.repaired_by.empty()) {
                  fr.repaired_by = m.parties[*host].name;
                  fr.repaired_period = s.filled_at / m.period_len;
                  s.repaired = true;
                }
              m.slots[id] = s;
              ++m.parties[*host].slots_filled;
              lines.push_back(m.parties[*host].name +
                              (s.repaired ? " repaired slot " : " filled slot ") +
                              std::to_string(f.slot_index) +
                              (s.repaired ? " and filled it again (repair reward " +
                                                m.repair_bonus().to_dec() + " tokens at the end)"
                                          : " (its proof accepted by the verifier)"));
            },
            [&](const market::SlotFreed& f) {
              if (!m.request || f.request_id != *m.request) return;
              const market::SlotId id = market::slot_id(f.request_id, f.slot_index);
              auto it = m.slots.find(id);
              if (it == m.slots.end()) {
                lines.push_back("slot " + std::to_string(f.slot_index) + " freed");
                return;
              }
              Party& host = m.parties[it->second.host];
              ++host.lost;
              // It loses what it deposited (less for a repair fill).
              host.expected_loss = host.expected_loss + m.collateral() -
                                   (it->second.repaired ? m.repair_bonus() : Uint256(0));
              const uint64_t t = m.eth->block(eth::BlockTag::at(e.block_number)).timestamp;
              m.freed.push_back({f.slot_index, host.name, t / m.period_len, "", 0});
              m.slots.erase(it);
              lines.push_back(
                  "slot " + std::to_string(f.slot_index) + " freed: " + host.name + " missed " +
                  std::to_string(m.config.collateral.max_number_of_slashes) +
                  " proofs and loses its collateral (" + m.collateral().to_dec() + " tokens)");
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
      const uint64_t missed = m.market->missing_proofs(id);
      p.expected_pay =
          p.expected_pay.value_or(Uint256(0)) + pay + (s.repaired ? m.repair_bonus() : Uint256(0));
      p.expected_loss = p.expected_loss + Uint256(missed) * m.slash();
      lines.push_back(p.name + " paid out for slot " + std::to_string(s.index) + ": " +
                      pay.to_dec() + " tokens for " + std::to_string(m.ends_at - s.filled_at) +
                      " s, collateral returned" +
                      (missed ? " less " + std::to_string(missed) + " slashes" : std::string()) +
                      (s.repaired ? " with the repair reward" : ""));
    }
  }
  if (m.request_params && m.state && *m.state != market::RequestState::New) {
    uint64_t marks = m.freed.size() * m.config.collateral.max_number_of_slashes;
    for (const auto& [id, s] : m.slots)
      marks += m.market->missing_proofs(id);
    m.marks = marks;
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
std::optional<std::string> NetworkWatch::host_of(uint64_t index) const {
  for (const auto& [id, s] : impl_->slots)
    if (s.index == index) return impl_->parties[s.host].name;
  return std::nullopt;
}
const std::vector<FreedSlot>& NetworkWatch::freed() const {
  return impl_->freed;
}
uint64_t NetworkWatch::marks() const {
  return impl_->marks;
}
Uint256 NetworkWatch::mark_reward() const {
  return impl_->request_params ? impl_->reward() : Uint256(0);
}

std::vector<std::string> NetworkWatch::failures(const std::string& purchase_state) const {
  const Impl& m = *impl_;
  std::vector<std::string> out;
  if (!m.request || !m.request_params) return {"no storage request reached the chain"};
  if (!m.state || *m.state != market::RequestState::Finished)
    out.push_back("the request ended " + request_state() + ", not finished");
  if (m.slots.size() != m.request_params->ask.slots)
    out.push_back(std::to_string(m.slots.size()) + " of " +
                  std::to_string(m.request_params->ask.slots) + " slots were filled at the end");
  for (const auto& [id, s] : m.slots)
    if (!s.paid)
      out.push_back(m.parties[s.host].name + " was not paid for slot " + std::to_string(s.index));
  for (const FreedSlot& f : m.freed)
    if (f.repaired_by.empty())
      out.push_back("slot " + std::to_string(f.index) + " was freed and never repaired");
  if (purchase_state != "finished")
    out.push_back("the client's purchase is " + purchase_state + ", not finished (withdrawn)");
  // Each host's and each spare's balance moved by exactly what the contract
  // says; the validators earned the reward of every mark between them.
  Uint256 validators_gain(0);
  bool validators_lost = false;
  for (const Party& p : m.parties) {
    if (p.name == "client") continue;
    if (p.validator) {
      if (p.balance < p.start_balance)
        validators_lost = true;
      else
        validators_gain = validators_gain + (p.balance - p.start_balance);
      continue;
    }
    const Uint256 gain = p.expected_pay.value_or(Uint256(0));
    if (p.balance + p.expected_loss != p.start_balance + gain)
      out.push_back(p.name + "'s tokens changed by " + signed_delta(p.start_balance, p.balance) +
                    ", the contract's formulas say " + signed_delta(p.expected_loss, gain));
  }
  const Uint256 rewards = Uint256(m.marks) * m.reward();
  if (validators_lost || validators_gain != rewards)
    out.push_back("the validators earned " + validators_gain.to_dec() + " tokens; " +
                  std::to_string(m.marks) + " proofs marked missing pay " + rewards.to_dec());
  // The marketplace keeps the slashes less the rewards, and what was left of
  // a freed host's collateral (the slot's collateral is counted whole after a
  // repair fill, which deposited the repair reward less); everything else of
  // this run went out.
  const uint64_t max_slashes = m.config.collateral.max_number_of_slashes;
  size_t repaired = 0;  // repair fills: each deposited the bonus less
  for (const FreedSlot& f : m.freed)
    repaired += f.repaired_by.empty() ? 0 : 1;
  const Uint256 keeps =
      Uint256(m.marks) * (m.slash() - m.reward()) +
      Uint256(m.freed.size()) * (m.collateral() - Uint256(max_slashes) * m.slash()) -
      Uint256(repaired) * m.repair_bonus();
  if (m.market_balance != m.market_start + keeps)
    out.push_back("the marketplace holds " + signed_delta(m.market_start, m.market_balance) +
                  " tokens of this run; the contract's formulas say +" + keeps.to_dec());
  // Every token a party gained another lost (the marketplace counted).
  Uint256 gained(0), lost(0);
  for (const Party& p : m.parties) {
    if (p.balance >= p.start_balance)
      gained = gained + (p.balance - p.start_balance);
    else
      lost = lost + (p.start_balance - p.balance);
  }
  if (m.market_balance >= m.market_start)
    gained = gained + (m.market_balance - m.market_start);
  else
    lost = lost + (m.market_start - m.market_balance);
  if (gained != lost)
    out.push_back("tokens not conserved: parties and marketplace gained " + gained.to_dec() +
                  " and lost " + lost.to_dec());
  return out;
}

}  // namespace codex::devnet
