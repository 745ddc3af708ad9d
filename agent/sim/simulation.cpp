#include "agent/sim/simulation.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <queue>
#include <set>
#include <stdexcept>
#include <utility>

#include "agent/eth/keccak.h"
#include "agent/market/market_api.h"
#include "agent/market/model/market_model.h"
#include "agent/market/periods.h"
#include "agent/sim/open_files.h"
#include "agent/sim/sim_provider.h"
#include "agent/validator/validator.h"
#include "base/clock.h"
#include "base/hex.h"
#include "base/seeded_random.h"
#include "base/sqlite/database.h"

namespace codex::sim {

namespace fs = std::filesystem;
using market::Address;
using market::RequestId;
using market::SlotId;
using market::Uint256;

namespace {

constexpr uint64_t kStart = 1'700'000'000;  // the virtual clock's first second
constexpr uint64_t kDay = 86400;
constexpr uint64_t kExpiry = 3600;  // seconds a request may wait for its fills

Address account(uint8_t kind, uint64_t index) {
  Address a;
  a.bytes[0] = kind;
  for (int i = 0; i < 8; ++i)
    a.bytes[19 - i] = uint8_t(index >> (8 * i));
  return a;
}

// Enough tokens for any run: no party ever runs short.
Uint256 funds() {
  return Uint256(1'000'000'000'000'000'000ull) * Uint256(1'000'000'000'000ull);
}

enum class ActionKind {
  kPostRequest,
  kProviderLost,
  kProviderDown,
  kProviderUp,
  kValidatorDown,
  kValidatorUp,
  kPartitionStart,
  kPartitionEnd
};

struct Action {
  uint64_t at;
  uint64_t order;  // ties keep the order they were scheduled in
  ActionKind kind;
  uint64_t index;
  bool operator>(const Action& o) const { return at != o.at ? at > o.at : order > o.order; }
};

enum class HostState { kUp, kDown, kLost };

struct TokenFlow {
  Uint256 gained, lost;
};

}  // namespace

struct Simulation::Impl {
  SimOptions o;
  fs::path dir;
  base::SeededRandom random;
  base::ManualClock clock{base::Millis(kStart * 1000)};
  std::unique_ptr<market::model::MarketModel> model;
  market::Periods periods;
  std::unique_ptr<market::MarketApi> client;
  std::unique_ptr<market::EventStream> watch;

  struct Provider {
    Address address;
    std::unique_ptr<market::MarketApi> api;
    ProviderSetup setup;
    std::unique_ptr<SimProvider> role;
    HostState state = HostState::kUp;
    bool withholds = false;  // never sends its blocks to a repairing peer
    uint64_t seen = ~0ull;   // events_seen at its last run
    // role->next_wake() as of its last run (only its own run changes it).
    std::optional<uint64_t> wake;
  };
  std::vector<Provider> providers;
  // The providers cut off from the rest of the data network and from the
  // clients while a partition lasts.
  std::set<size_t> cut_off;
  // (wake, provider) of every provider up with a wake: the next one without
  // looking at all of them.
  std::set<std::pair<uint64_t, size_t>> wakes;
  std::vector<size_t> order;  // the order providers run in this round
  std::map<Address, size_t> provider_of;

  struct ValidatorNode {
    std::unique_ptr<market::MarketApi> api;
    std::unique_ptr<base::sqlite::Database> db;
    std::unique_ptr<validator::Validator> role;
    bool online = true;
  };
  std::vector<ValidatorNode> validators;

  struct RequestInfo {
    market::Request request;
    bool started = false, over = false;
    bool settled = false;  // the client withdrew what was left
    uint64_t end = 0;
    struct Host {
      size_t provider;
      SlotId slot;  // hashed once: the audit reads every filled slot every period
    };
    std::map<uint64_t, Host> hosts;  // by slot index
  };
  std::map<RequestId, RequestInfo> requests;
  // The requests not over, which the audit reads every period (a year's
  // run posts a hundred thousand).
  std::map<RequestId, const RequestInfo*> live;
  std::set<SlotId> freed;  // freed slots not yet filled again

  std::priority_queue<Action, std::vector<Action>, std::greater<>> actions;
  uint64_t action_order = 0;
  uint64_t events_seen = 0;
  uint64_t posted = 0;

  SimReport report;
  DayRow today;
  std::ostream* log = nullptr;
  std::array<uint8_t, 32> log_hash{};

  Impl(SimOptions options, fs::path d)
      : o(std::move(options)), dir(std::move(d)), random(o.seed), periods(o.config.proofs.period) {
    o.validate();
    ensure_open_files(open_files_needed(o.providers, o.validators),
                      "a network of " + std::to_string(o.providers) + " providers");
    fs::create_directories(dir);
    market::model::ModelOptions mo;
    mo.config = o.config;
    mo.seed = o.seed;
    mo.keep_event_history = false;
    mo.journal_horizon = 2 * kDay;
    mo.block_time = o.block_time;
    mo.foresee_proof_checks = o.model_shortcuts;
    mo.filter_mark_candidates = o.model_shortcuts;
    const Address client_address = account(0xd0, 0);
    mo.balances.push_back({client_address, funds()});
    for (uint64_t i = 0; i < o.providers; ++i)
      mo.balances.push_back({account(0xb0, i), funds()});
    for (uint64_t i = 0; i < o.validators; ++i)
      mo.balances.push_back({account(0xc0, i), funds()});
    model = std::make_unique<market::model::MarketModel>(std::move(mo), clock);
    client = model->connect(client_address);
    watch = client->events("sim/watch");

    const fs::path blank = dir / "blank-provider";
    if (o.providers > 1) SimProvider::create_blank(blank);
    for (uint64_t i = 0; i < o.providers; ++i) {
      Provider p;
      p.address = account(0xb0, i);
      p.api = model->connect(p.address);
      ProviderSetup s;
      s.dir = dir / ("provider" + std::to_string(i));
      if (o.providers > 1) s.blank = blank;
      s.capacity = o.scenario ? o.scenario->ask.slot_size : o.provider_capacity;
      s.sales_seed = random.next() | 1;  // 0 would mean "random"
      if (random.chance(o.slow_provers)) s.faults.miss_chance = o.slow_miss;
      if (random.chance(o.droppers)) s.faults.dropped_fraction = o.dropped_fraction;
      s.link.latency = o.latency;
      s.link.bandwidth = o.bandwidth * (0.5 + random.uniform());
      s.link.moved = [this](uint64_t bytes) { report.totals.bytes_moved += bytes; };
      p.withholds = random.chance(o.withholders);
      if (o.corrupters > 0 && random.chance(o.corrupters)) {
        // A corrupt block fails a proof and a repairing peer's check as a
        // missing one does.
        s.faults.dropped_fraction =
            1 - (1 - s.faults.dropped_fraction) * (1 - o.corrupted_fraction);
      }
      p.setup = s;
      p.role = std::make_unique<SimProvider>(*p.api, sales_events(p.address), s,
                                             sources_for(providers.size()));
      provider_of[p.address] = providers.size();
      providers.push_back(std::move(p));
      update_wake(providers.size() - 1);
    }
    for (uint64_t i = 0; i < o.validators; ++i) {
      ValidatorNode v;
      v.api = model->connect(account(0xc0, i));
      fs::create_directories(dir / ("validator" + std::to_string(i)));
      v.db = base::sqlite::Database::open(dir / ("validator" + std::to_string(i)) / "v.sqlite3");
      validator::ValidatorOptions vo;
      vo.max_slots = 0;
      vo.groups = o.validators >= 2 ? o.validators : 0;
      vo.group_index = o.validators >= 2 ? i : 0;
      vo.stream_name = "sim/validator";
      v.role = std::make_unique<validator::Validator>(*v.api, *v.db, vo);
      validators.push_back(std::move(v));
    }

    // The schedule: requests at uniform times, each host's faults.
    const uint64_t end = kStart + o.seconds;
    if (o.scenario)
      schedule(kStart + 1, ActionKind::kPostRequest, 0);
    else
      for (uint64_t i = 0; i < o.requests; ++i)
        schedule(kStart + random.below(o.seconds), ActionKind::kPostRequest, i);
    for (uint64_t i = 0; i < o.providers; ++i) {
      if (o.mttf > 0) {
        const double life = random.exponential(o.mttf);
        if (life < double(o.seconds))
          schedule(kStart + uint64_t(life), ActionKind::kProviderLost, i);
      }
      if (o.mtbo > 0) schedule_after(random.exponential(o.mtbo), ActionKind::kProviderDown, i, end);
    }
    for (uint64_t i = 0; i < o.validators; ++i)
      if (o.validator_mtbo > 0)
        schedule_after(random.exponential(o.validator_mtbo), ActionKind::kValidatorDown, i, end);
    if (o.partition_mtbp > 0)
      schedule_after(random.exponential(o.partition_mtbp), ActionKind::kPartitionStart, 0, end);
  }

  uint64_t now() const { return clock.seconds(); }
  // A provider's Sales stream: without the proofs (most events of a run),
  // which Sales ignores.
  std::unique_ptr<market::EventStream> sales_events(const Address& provider) {
    return model->events(provider, "sales", std::nullopt, false);
  }
  // After a provider ran, started or stopped.
  void update_wake(size_t i) {
    Provider& p = providers[i];
    if (p.wake) wakes.erase({*p.wake, i});
    p.wake = p.role && p.state == HostState::kUp ? p.role->next_wake() : std::nullopt;
    if (p.wake) wakes.insert({*p.wake, i});
  }
  void schedule(uint64_t at, ActionKind kind, uint64_t index) {
    actions.push({at, action_order++, kind, index});
  }
  void schedule_after(double seconds, ActionKind kind, uint64_t index, uint64_t end) {
    const double at = double(now()) + std::max(1.0, seconds);
    if (at < double(end)) schedule(uint64_t(at), kind, index);
  }

  void say(const std::string& line) {
    const std::string text = std::to_string(now() - kStart) + " " + line;
    std::vector<uint8_t> buf(log_hash.begin(), log_hash.end());
    buf.insert(buf.end(), text.begin(), text.end());
    log_hash = eth::keccak256(buf);
    ++report.events;
    if (log) *log << text << '\n';
  }

  // Requests still waiting for hosts: what a restarted node looks at again
  // (its heard-requests table).
  std::vector<RequestId> open_requests() const {
    std::vector<RequestId> out;
    for (const auto& [id, info] : requests)
      if (!info.started && !info.over) out.push_back(id);
    return out;
  }

  // What can send the slot's data to `requester` now, as SlotSources: the
  // hosts of the request's other slots on its side of any partition, each
  // with the share of its blocks it kept intact.
  std::vector<double> sources(const market::Request& r, uint64_t slot, size_t requester) {
    auto it = requests.find(market::request_id(r));
    if (it == requests.end()) return {};
    const bool apart = cut_off.contains(requester);
    // Until the request starts the client serves the whole dataset; the
    // clients stay on the side a partition does not cut off.
    if (!it->second.started) return apart ? std::vector<double>{} : std::vector<double>{1.0};
    std::vector<double> out;
    for (const auto& [index, host] : it->second.hosts) {
      const Provider& p = providers[host.provider];
      if (index != slot && p.state == HostState::kUp && !p.withholds &&
          cut_off.contains(host.provider) == apart)
        out.push_back(1 - p.setup.faults.dropped_fraction);
    }
    return out;
  }
  SlotSources sources_for(size_t requester) {
    return [this, requester](const market::Request& r, uint64_t slot) {
      return sources(r, slot, requester);
    };
  }

  void post_request() {
    market::Request r;
    r.client = client->account();
    const uint64_t slots = random.between(3, o.max_slots);
    const uint64_t tolerance = std::max<uint64_t>(1, slots / 3);
    const uint64_t slot_size = (1ull << 20) << random.below(4);  // 1–8 MiB
    const uint64_t duration = random.between(o.min_duration, o.max_duration);
    r.ask = {Uint256(o.proof_probability),
             Uint256(1),
             Uint256(1),
             slots,
             slot_size,
             duration,
             tolerance};
    if (o.scenario) r.ask = o.scenario->ask;
    const std::string cid = "sim-dataset-" + std::to_string(posted);
    r.content.cid.assign(cid.begin(), cid.end());
    r.content.merkle_root = eth::keccak256(cid);
    r.expiry = o.scenario ? o.scenario->expiry : std::min<uint64_t>(kExpiry, duration - 1);
    r.nonce = eth::keccak256("nonce/" + std::to_string(o.seed) + "/" + std::to_string(posted));
    const std::string key = "request/" + std::to_string(posted);
    ++posted;
    client->execute(market::ApproveTokens{model->marketplace_address(), market::max_price(r.ask)},
                    "approve/" + key);
    client->execute(market::RequestStorage{r}, key);
    RequestInfo info;
    info.request = r;
    const RequestId id = market::request_id(r);
    live[id] = &requests.emplace(id, std::move(info)).first->second;
    ++report.totals.requests_posted;
  }

  void apply(const Action& a) {
    const uint64_t end = kStart + o.seconds;
    switch (a.kind) {
      case ActionKind::kPostRequest:
        post_request();
        break;
      case ActionKind::kProviderLost: {
        Provider& p = providers[a.index];
        p.state = HostState::kLost;
        p.role.reset();  // its data and its process are gone for good
        update_wake(a.index);
        ++report.totals.providers_lost;
        say("provider-lost " + std::to_string(a.index));
        break;
      }
      case ActionKind::kProviderDown: {
        // A crash: the process and everything in its memory go; its data
        // directory stays.
        Provider& p = providers[a.index];
        if (p.state != HostState::kUp) break;
        p.state = HostState::kDown;
        p.role.reset();
        update_wake(a.index);
        ++report.totals.outages;
        say("provider-down " + std::to_string(a.index));
        schedule_after(random.exponential(o.outage), ActionKind::kProviderUp, a.index, end);
        break;
      }
      case ActionKind::kProviderUp: {
        Provider& p = providers[a.index];
        if (p.state != HostState::kDown) break;
        p.role = std::make_unique<SimProvider>(*p.api, sales_events(p.address), p.setup,
                                               sources_for(a.index), true, open_requests());
        p.state = HostState::kUp;
        p.seen = ~0ull;
        update_wake(a.index);
        say("provider-up " + std::to_string(a.index));
        schedule_after(random.exponential(o.mtbo), ActionKind::kProviderDown, a.index, end);
        break;
      }
      case ActionKind::kValidatorDown:
        validators[a.index].online = false;
        ++report.totals.validator_outages;
        say("validator-down " + std::to_string(a.index));
        schedule_after(random.exponential(o.validator_outage), ActionKind::kValidatorUp, a.index,
                       end);
        break;
      case ActionKind::kPartitionStart: {
        for (size_t i = 0; i < providers.size(); ++i)
          if (random.chance(o.partition_share)) cut_off.insert(i);
        ++report.totals.partitions;
        say("partition-start " + std::to_string(cut_off.size()));
        schedule_after(random.exponential(o.partition_duration), ActionKind::kPartitionEnd, 0, end);
        break;
      }
      case ActionKind::kPartitionEnd:
        cut_off.clear();
        say("partition-end");
        schedule_after(random.exponential(o.partition_mtbp), ActionKind::kPartitionStart, 0, end);
        break;
      case ActionKind::kValidatorUp:
        validators[a.index].online = true;
        say("validator-up " + std::to_string(a.index));
        schedule_after(random.exponential(o.validator_mtbo), ActionKind::kValidatorDown, a.index,
                       end);
        break;
    }
  }

  void end_request(const RequestId& id, RequestInfo& info) {
    live.erase(id);
    info.over = true;
    info.hosts.clear();
  }

  // The world's view of the marketplace's events: the log and the counts.
  // Returns the events a provider must hear at once (the next second):
  // requests and slots changing. A ProofSubmitted changes nothing a provider
  // acts on; it reaches each with the next events it polls, so that every
  // proof does not wake every provider.
  size_t watch_events() {
    size_t wake = 0;
    watch->poll([&](const market::DecodedEvent& d, base::sqlite::WriteTxn*) {
      std::visit([&](const auto& e) { on_event(e); }, d.event);
      wake += std::holds_alternative<market::ProofSubmitted>(d.event) ? 0 : 1;
    });
    events_seen += wake;
    return wake;
  }
  RequestInfo* info_of(const RequestId& id) {
    auto it = requests.find(id);
    return it == requests.end() ? nullptr : &it->second;
  }
  void on_event(const market::StorageRequested& e) {
    say("StorageRequested " + base::to_hex(e.request_id));
  }
  void on_event(const market::SlotFilled& e) {
    const SlotId slot = market::slot_id(e.request_id, e.slot_index);
    const Address host = client->get_host(slot);
    say("SlotFilled " + base::to_hex(e.request_id) + " " + std::to_string(e.slot_index) + " " +
        base::to_hex(host.bytes));
    ++report.totals.slots_filled;
    if (freed.erase(slot) > 0) {
      ++report.totals.repairs;
      ++today.repairs;
    }
    if (RequestInfo* info = info_of(e.request_id); info && provider_of.contains(host))
      info->hosts[e.slot_index] = {provider_of[host], slot};
  }
  void on_event(const market::SlotFreed& e) {
    say("SlotFreed " + base::to_hex(e.request_id) + " " + std::to_string(e.slot_index));
    ++report.totals.slots_freed;
    RequestInfo* info = info_of(e.request_id);
    if (info && !info->over) {
      freed.insert(market::slot_id(e.request_id, e.slot_index));
      info->hosts.erase(e.slot_index);
    }
  }
  void on_event(const market::RequestFulfilled& e) {
    say("RequestFulfilled " + base::to_hex(e.request_id));
    ++report.totals.requests_started;
    if (RequestInfo* info = info_of(e.request_id)) {
      info->started = true;
      info->end = client->request_end(e.request_id);
      if (o.scenario && o.scenario->lose_host_of_slot) {
        auto host = info->hosts.find(*o.scenario->lose_host_of_slot);
        if (host != info->hosts.end())
          schedule(now() + o.scenario->lose_after_start, ActionKind::kProviderLost,
                   host->second.provider);
      }
    }
  }
  void on_event(const market::RequestFailed& e) {
    say("RequestFailed " + base::to_hex(e.request_id));
    ++report.totals.requests_failed;
    if (RequestInfo* info = info_of(e.request_id)) {
      for (uint64_t i = 0; i < info->request.ask.slots; ++i)
        freed.erase(market::slot_id(e.request_id, i));
      end_request(e.request_id, *info);
    }
  }
  void on_event(const market::RequestCancelled& e) {
    say("RequestCancelled " + base::to_hex(e.request_id));
    ++report.totals.requests_cancelled;
    if (RequestInfo* info = info_of(e.request_id)) end_request(e.request_id, *info);
  }
  void on_event(const market::SlotReservationsFull& e) {
    say("SlotReservationsFull " + base::to_hex(e.request_id) + " " + std::to_string(e.slot_index));
  }
  void on_event(const market::ProofSubmitted&) {
    ++report.totals.proofs_submitted;
    ++today.proofs;
  }

  // Requests past their end have finished (the contract has no event); the
  // client withdraws what is left of each request that is over, as the
  // purchasing role does (a cancelled one emits RequestCancelled then).
  void settle_requests() {
    using market::RequestState;
    for (auto& [id, info] : requests) {
      if (info.settled) continue;
      const RequestState state = client->request_state(id);
      if (state == RequestState::Finished && !info.over) {
        say("RequestFinished " + base::to_hex(id));
        ++report.totals.requests_finished;
        for (uint64_t i = 0; i < info.request.ask.slots; ++i)
          freed.erase(market::slot_id(id, i));
        end_request(id, info);
      }
      if (state != RequestState::Finished && state != RequestState::Failed &&
          state != RequestState::Cancelled)
        continue;
      try {
        client->execute(market::WithdrawFunds{id, std::nullopt}, "withdraw/" + base::to_hex(id));
      } catch (const market::MarketError& e) {
        say("withdrawFunds " + base::to_hex(id) + " refused: " + e.name());
      }
      info.settled = true;
    }
  }

  uint64_t marks_total() const {
    uint64_t n = 0;
    for (const ValidatorNode& v : validators)
      n += v.role->status().totals.marks;
    return n;
  }

  void check_validators(uint64_t period) {
    for (ValidatorNode& v : validators) {
      if (!v.online) continue;
      v.role->poll_events();
      v.role->check_period(period);
    }
    audit_marks(period);
  }

  // Every proof of `period` the contract would still let be marked, once the
  // online validators have checked it, was left to a validator that is
  // offline (one per group, as the validators split the slots).
  void audit_marks(uint64_t period) {
    std::vector<SlotId> ids;
    for (const auto& [rid, info] : live)
      for (const auto& [index, host] : info->hosts)
        ids.push_back(host.slot);
    if (ids.empty() || validators.empty()) return;
    if (const auto keep = client->can_mark_candidates(ids, period, market::At::kPending)) {
      std::vector<SlotId> kept;
      for (size_t i : *keep)
        kept.push_back(ids[i]);
      ids = std::move(kept);
    }
    std::vector<market::ViewCall> calls;
    for (const SlotId& id : ids)
      calls.push_back(market::views::CanMarkProofAsMissing{id, period});
    const auto reads = client->read(calls, market::At::kPending);
    for (size_t i = 0; i < ids.size(); ++i) {
      if (reads.results[i].error()) continue;
      const auto& refusal = reads.results[i].get<market::views::CanMarkProofAsMissing>();
      if (refusal) {
        report.totals.misses_marked += *refusal == "Proofs_ProofAlreadyMarkedMissing";
        continue;
      }
      const uint64_t group =
          validators.size() >= 2 ? market::slot_group(ids[i], validators.size()) : 0;
      if (!validators[group].online) {
        ++report.totals.misses_excused;
        continue;
      }
      ++report.totals.misses_unmarked;
      say("miss-unmarked " + base::to_hex(ids[i]) + " " + std::to_string(period));
    }
  }

  void close_day(uint64_t day, uint64_t& marks_before) {
    settle_requests();
    watch_events();
    today.day = day;
    for (const auto& [id, info] : requests) {
      if (info.started && !info.over) {
        ++today.datasets_alive;
        today.slots_filled += info.hosts.size();
      }
    }
    today.datasets_lost = report.totals.requests_failed;
    today.datasets_finished = report.totals.requests_finished;
    today.slots_repairing = freed.size();
    for (const Provider& p : providers) {
      today.providers_up += p.state == HostState::kUp ? 1 : 0;
      today.providers_down += p.state == HostState::kDown ? 1 : 0;
      today.providers_lost += p.state == HostState::kLost ? 1 : 0;
    }
    const uint64_t marks = marks_total();
    today.marks = marks - marks_before;
    marks_before = marks;
    report.days.push_back(today);
    today = DayRow{};
  }

  SimReport run(const std::function<void(const DayRow&)>& progress) {
    const auto wall0 = std::chrono::steady_clock::now();
    const uint64_t end = kStart + o.seconds;
    uint64_t next_check = periods.end(periods.period_of(now())) + 1;
    uint64_t next_day = kStart + kDay;
    uint64_t marks_before = 0;
    order.resize(providers.size());
    for (size_t i = 0; i < order.size(); ++i)
      order[i] = i;
    while (now() < end) {
      while (!actions.empty() && actions.top().at <= now()) {
        const Action a = actions.top();
        actions.pop();
        apply(a);
      }
      size_t heard = watch_events();
      const uint64_t seen = events_seen;
      // In a new order each round: who hears of a request first is luck (the
      // network's latency), not an index.
      for (size_t i = order.size(); i > 1; --i)
        std::swap(order[i - 1], order[random.below(i)]);
      for (size_t i : order) {
        Provider& p = providers[i];
        if (p.state != HostState::kUp) continue;
        if (p.seen == seen && !(p.wake && *p.wake <= now())) continue;
        p.role->run();
        p.seen = seen;
        update_wake(i);
      }
      heard += watch_events();
      if (now() >= next_check) {
        check_validators(periods.period_of(next_check - 1) - 1);  // the period that just ended
        next_check += periods.length();
        heard += watch_events();
      }
      while (now() >= next_day) {
        close_day((next_day - kStart) / kDay, marks_before);
        if (progress) progress(report.days.back());
        next_day += kDay;
      }
      uint64_t next = std::min({end, next_check, next_day});
      if (!actions.empty()) next = std::min(next, actions.top().at);
      if (heard > 0) next = now() + 1;  // the others hear of it a second later
      if (!wakes.empty()) next = std::min(next, wakes.begin()->first);
      clock.set(base::Millis(std::max(now() + 1, next) * 1000));
    }
    // The day the run ended in (whole or not) is still open.
    if (next_day - kDay < end) {
      close_day((next_day - kStart) / kDay, marks_before);
      if (progress) progress(report.days.back());
    }

    report.seed = o.seed;
    report.providers = o.providers;
    report.validators = o.validators;
    report.simulated_days = double(o.seconds) / double(kDay);
    report.wall_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    report.provider_days_per_second =
        double(o.providers) * report.simulated_days / std::max(1e-9, report.wall_seconds);
    report.totals.marks = marks_total();
    Uint256 rewards;
    for (const ValidatorNode& v : validators)
      rewards = rewards + v.role->status().totals.rewards;
    report.totals.validator_rewards = rewards.to_dec();
    // Every token is somewhere: what the client paid is what the
    // marketplace holds plus what providers and validators gained.
    TokenFlow flow;
    auto change = [&](const Address& a) {
      const Uint256 balance = client->token_balance(a);
      if (balance >= funds()) {
        flow.gained = flow.gained + (balance - funds());
        return (balance - funds()).to_dec();
      }
      flow.lost = flow.lost + (funds() - balance);
      return "-" + (funds() - balance).to_dec();
    };
    for (const Provider& p : providers)
      report.provider_earnings.push_back(change(p.address));
    for (uint64_t i = 0; i < o.validators; ++i)
      change(account(0xc0, i));
    report.tokens.client = change(client->account());
    report.tokens.marketplace = client->token_balance(model->marketplace_address()).to_dec();
    flow.gained = flow.gained + client->token_balance(model->marketplace_address());
    report.tokens.conserved = flow.gained == flow.lost;
    report.event_log_hash = base::to_hex(log_hash);
    return report;
  }
};

Simulation::Simulation(SimOptions options, fs::path dir)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(dir))) {}
Simulation::~Simulation() = default;

SimReport Simulation::run(const std::function<void(const DayRow&)>& progress, std::ostream* log) {
  impl_->log = log;
  return impl_->run(progress);
}

}  // namespace codex::sim
