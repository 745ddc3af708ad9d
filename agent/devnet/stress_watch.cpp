#include "agent/devnet/stress_watch.h"

#include <algorithm>

#include "agent/devnet/chain_reader.h"
#include "agent/market/overloaded.h"
#include "base/hex.h"

namespace codex::devnet {

using market::RequestState;
using market::Uint256;

bool WatchedRequest::over() const {
  return state && (*state == RequestState::Finished || *state == RequestState::Failed ||
                   *state == RequestState::Cancelled);
}

struct StressWatch::Impl : ChainReader {
  using ChainReader::ChainReader;
  uint64_t now = 0;
  std::vector<std::pair<std::string, market::Address>> holders;
  std::map<std::string, Uint256> balances, start_balances;
  Uint256 supply, start_supply;
  std::map<market::RequestId, WatchedRequest> requests;
  std::vector<HostFigures> hosts;
  // Every slot filled now: its request and host (index into hosts, or none).
  struct Live {
    market::RequestId request{};
    uint64_t index = 0;
    std::optional<size_t> host;
  };
  std::map<market::SlotId, Live> live;
  std::vector<SlotEvent> freed, refilled;
  uint64_t proofs = 0;

  std::optional<size_t> host_of(const market::Address& a) const {
    for (size_t i = 0; i < hosts.size(); ++i)
      if (hosts[i].address == a) return i;
    return std::nullopt;
  }
  std::string host_name(std::optional<size_t> h) const { return h ? hosts[*h].name : ""; }
  uint64_t time_of(uint64_t block) { return eth->block(eth::BlockTag::at(block)).timestamp; }
  WatchedRequest& request(const market::RequestId& id) {
    auto it = requests.find(id);
    if (it != requests.end()) return it->second;
    WatchedRequest r;
    r.id = id;
    if (auto p = market->get_request(id)) {
      r.slots = p->ask.slots;
      r.max_slot_loss = p->ask.max_slot_loss;
      r.content = p->content.cid;
    }
    return requests.emplace(id, r).first->second;
  }
  std::string label(const market::RequestId& id) {
    const WatchedRequest& r = request(id);
    return r.index ? "request " + std::to_string(*r.index) : "request 0x" + base::to_hex(id);
  }
};

StressWatch::StressWatch(const std::string& rpc_url, const market::Address& marketplace,
                         const std::filesystem::path& db,
                         std::vector<std::pair<std::string, market::Address>> holders)
    : impl_(std::make_unique<Impl>(rpc_url, marketplace, db, "stress")) {
  Impl& m = *impl_;
  for (const auto& [name, address] : holders)
    if (name.starts_with("provider")) m.hosts.push_back({name, address});
  m.holders = std::move(holders);
  read_balances();
  m.start_balances = m.balances;
  m.start_supply = m.supply;
  m.now = m.eth->block(eth::BlockTag::latest()).timestamp;
}

StressWatch::~StressWatch() = default;

void StressWatch::name_request(const market::RequestId& id, uint32_t index) {
  impl_->request(id).index = index;
}

void StressWatch::read_balances() {
  Impl& m = *impl_;
  // One block for every balance: a transfer between two reads would look
  // like a token lost or made.
  const eth::BlockTag at = eth::BlockTag::at(m.eth->block_number());
  for (const auto& [name, address] : m.holders)
    m.balances[name] = m.token->balance_of(address, at);
  m.balances["marketplace"] = m.token->balance_of(m.market->address(), at);
  m.supply = m.token->total_supply();  // nobody mints during a run
}

std::vector<std::string> StressWatch::poll() {
  Impl& m = *impl_;
  std::vector<std::string> lines;
  std::vector<market::DecodedEvent> seen;
  m.events->poll(
      [&](const market::DecodedEvent& e, base::sqlite::WriteTxn*) { seen.push_back(e); });
  for (const auto& e : seen) {
    if (e.removed) continue;  // anvil does not reorg; a removed log is not counted twice
    std::visit(
        market::Overloaded{
            [&](const market::StorageRequested& r) { m.request(r.request_id); },
            [&](const market::SlotFilled& f) {
              WatchedRequest& r = m.request(f.request_id);
              const market::SlotId id = market::slot_id(f.request_id, f.slot_index);
              market::Address who;
              try {
                who = m.market->get_host(id, eth::BlockTag::at(e.block_number));
              } catch (const std::exception&) {
                who = m.market->get_host(id);  // the block's state pruned already
              }
              const auto host = m.host_of(who);
              const bool repair = std::any_of(m.freed.begin(), m.freed.end(), [&](const auto& x) {
                return x.request == f.request_id && x.slot == f.slot_index;
              });
              ++r.fills;
              r.filled[f.slot_index] = id;
              m.live[id] = {f.request_id, f.slot_index, host};
              if (repair) {
                ++r.repairs;
                m.refilled.push_back(
                    {f.request_id, f.slot_index, m.time_of(e.block_number), m.host_name(host)});
              }
              if (host) ++(repair ? m.hosts[*host].repairs : m.hosts[*host].fills);
              if (repair)
                lines.push_back(m.host_name(host) + " repaired slot " +
                                std::to_string(f.slot_index) + " of " + m.label(f.request_id));
            },
            [&](const market::SlotFreed& f) {
              WatchedRequest& r = m.request(f.request_id);
              const market::SlotId id = market::slot_id(f.request_id, f.slot_index);
              auto it = m.live.find(id);
              const std::optional<size_t> host =
                  it == m.live.end() ? std::nullopt : it->second.host;
              if (it != m.live.end()) m.live.erase(it);
              r.filled.erase(f.slot_index);
              ++r.frees;
              if (host) ++m.hosts[*host].lost;
              m.freed.push_back(
                  {f.request_id, f.slot_index, m.time_of(e.block_number), m.host_name(host)});
              lines.push_back("slot " + std::to_string(f.slot_index) + " of " +
                              m.label(f.request_id) + " freed (" +
                              (host ? m.hosts[*host].name : std::string("?")) +
                              " lost its collateral)");
            },
            [&](const market::RequestFulfilled& f) {
              m.request(f.request_id).fulfilled = true;
              lines.push_back(m.label(f.request_id) + " started: every slot filled");
            },
            [&](const market::RequestFailed& f) {
              m.request(f.request_id).failed_event = true;
              lines.push_back(m.label(f.request_id) + " failed: more slots lost than tolerated");
            },
            [&](const market::RequestCancelled& f) {
              m.request(f.request_id).cancelled_event = true;
              lines.push_back(m.label(f.request_id) + " cancelled: not filled before its expiry");
            },
            [&](const market::ProofSubmitted& p) {
              // fillSlot's own proof comes before its SlotFilled: only the
              // periodic proofs of filled slots count.
              auto it = m.live.find(p.slot_id);
              if (it == m.live.end()) return;
              ++m.proofs;
              if (it->second.host) ++m.hosts[*it->second.host].proofs;
            },
            [&](const auto&) {},
        },
        e.event);
  }
  m.now = m.eth->block(eth::BlockTag::latest()).timestamp;
  for (auto& [id, r] : m.requests) {
    if (r.over()) continue;
    if (r.slots == 0) {  // named by the client before its transaction was mined
      const auto p = m.market->get_request(id);
      if (!p) continue;
      r.slots = p->ask.slots;
      r.max_slot_loss = p->ask.max_slot_loss;
      r.content = p->content.cid;
    }
    const RequestState st = m.market->request_state(id);
    if (r.ends_at == 0 && st != RequestState::New) r.ends_at = m.market->request_end(id);
    if (st == RequestState::Finished && (!r.state || *r.state != st))
      lines.push_back(m.label(id) + " finished: it ran to its end");
    r.state = st;
  }
  return lines;
}

size_t StressWatch::hosting(const std::string& host) const {
  size_t n = 0;
  for (const auto& [id, live] : impl_->live) {
    if (!live.host || impl_->hosts[*live.host].name != host) continue;
    const auto r = impl_->requests.find(live.request);
    n += r == impl_->requests.end() || !r->second.over();
  }
  return n;
}

std::vector<HostedSlot> StressWatch::held_by(const std::string& host) const {
  std::vector<HostedSlot> out;
  for (const auto& [id, live] : impl_->live) {
    if (!live.host || impl_->hosts[*live.host].name != host) continue;
    const auto r = impl_->requests.find(live.request);
    if (r == impl_->requests.end() || r->second.content.empty()) continue;
    out.push_back({r->second.content, live.index,
                   "slot " + std::to_string(live.index) + " of " +
                       (r->second.index ? "request " + std::to_string(*r->second.index)
                                        : "request 0x" + base::to_hex(live.request))});
  }
  return out;
}

size_t StressWatch::unpaid(const std::vector<std::string>& gone) const {
  const Impl& m = *impl_;
  size_t n = 0;
  for (const auto& [rid, r] : m.requests) {
    if (!r.state || (*r.state != RequestState::Finished && *r.state != RequestState::Cancelled))
      continue;
    for (const auto& [index, id] : r.filled) {
      const auto live = m.live.find(id);
      if (live != m.live.end() && live->second.host &&
          std::find(gone.begin(), gone.end(), m.hosts[*live->second.host].name) != gone.end())
        continue;  // nobody left to collect it
      n += m.market->slot_state(id) != market::SlotState::Paid;
    }
  }
  return n;
}

const std::map<market::RequestId, WatchedRequest>& StressWatch::requests() const {
  return impl_->requests;
}
const std::vector<SlotEvent>& StressWatch::freed() const {
  return impl_->freed;
}
const std::vector<SlotEvent>& StressWatch::refilled() const {
  return impl_->refilled;
}
const std::vector<HostFigures>& StressWatch::hosts() const {
  return impl_->hosts;
}
uint64_t StressWatch::proofs() const {
  return impl_->proofs;
}
uint64_t StressWatch::now() const {
  return impl_->now;
}
uint64_t StressWatch::period() const {
  return impl_->now / impl_->period_len;
}
uint64_t StressWatch::period_length() const {
  return impl_->period_len;
}
const market::MarketplaceConfig& StressWatch::config() const {
  return impl_->config;
}
const std::map<std::string, Uint256>& StressWatch::balances() const {
  return impl_->balances;
}
const std::map<std::string, Uint256>& StressWatch::start_balances() const {
  return impl_->start_balances;
}
Uint256 StressWatch::supply() const {
  return impl_->supply;
}
Uint256 StressWatch::start_supply() const {
  return impl_->start_supply;
}

}  // namespace codex::devnet
