#include "agent/devnet/stress.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "agent/client/rest_client.h"
#include "agent/config/units.h"
#include "agent/devnet/anvil_process.h"
#include "agent/devnet/chain_deploy.h"
#include "agent/devnet/console.h"
#include "agent/devnet/dev_circuit.h"
#include "agent/devnet/host_data_check.h"
#include "agent/devnet/local_chain.h"
#include "agent/devnet/metrics_scrape.h"
#include "agent/devnet/miss_watch.h"
#include "agent/devnet/node_process.h"
#include "agent/devnet/project_files.h"
#include "agent/devnet/rpc_fault_proxy.h"
#include "agent/devnet/run_files.h"
#include "agent/devnet/small_disk.h"
#include "agent/devnet/stress_invariants.h"
#include "agent/devnet/stress_report.h"
#include "agent/devnet/stress_schedule.h"
#include "agent/devnet/stress_watch.h"
#include "base/hex.h"
#include "base/seeded_random.h"

namespace codex::devnet {
namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

// A slot freed this close to its request's end is not expected to be
// repaired: a repair fetches K slots, decodes, builds the slot tree, proves
// and waits for a period's start to fill.
constexpr uint64_t kRepairGrace = 90;
// A small disk's room for the node's database, its write-ahead log and its
// key (1 MiB in a short run), besides half of the largest slot: the largest
// slots do not fit, smaller ones do.
constexpr uint64_t kDiskBaseRoom = 3 << 19;

class StressRun {
 public:
  StressRun(const StressOptions& o, std::ostream& out, const std::atomic<bool>& interrupted)
      : o_(o), con_(out, o.live), interrupted_(interrupted) {}

  ~StressRun() {
    // Nodes first (they talk to the chain), anvil last.
    stop_nodes();
    if (chain_.anvil.process) chain_.anvil.process->stop(std::chrono::seconds(5));
  }

  int run() {
    dir_ = prepare_run_dir(o_.data_dir, "codex-stress");
    schedule_ = draw_schedule(o_);
    std::ofstream(dir_ / "schedule.json") << schedule_.to_json().dump(2) << "\n";
    con_.say("stress run in " + dir_.string() + ": " + std::to_string(o_.providers) +
             " providers, " + std::to_string(o_.validators) + " validators, " +
             std::to_string(o_.clients) + " client" + (o_.clients == 1 ? "" : "s") + ", " +
             std::to_string(o_.requests) + " requests over " + std::to_string(o_.duration) +
             " s, seed " + std::to_string(o_.seed) +
             "; faults: " + std::to_string(o_.kill_restart) + " kill-restart, " +
             std::to_string(o_.kill_forever) + " kill-forever, " + std::to_string(o_.bad_proofs) +
             " bad-proofs, " + std::to_string(o_.rpc_faults) + " rpc-fault windows, " +
             std::to_string(o_.full_disks) + " full-disk");
    wall_start_ = Clock::now();
    if (!start_network()) return interrupted();
    if (!drive()) return interrupted();
    if (!download()) return interrupted();
    return finish();
  }

 private:
  int interrupted() {
    con_.say("interrupted: stopping every process");
    return 130;
  }
  bool stop_requested() const { return interrupted_.load(); }
  std::function<bool()> stopper() {
    return [this] { return stop_requested(); };
  }
  void nap(std::chrono::milliseconds d) {
    const auto end = Clock::now() + d;
    while (!stop_requested() && Clock::now() < end)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  double elapsed() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

  void stop_nodes() {
    for (auto it = nodes_.rbegin(); it != nodes_.rend(); ++it)
      if (it->process) {
        it->process->stop(std::chrono::seconds(10));
        it->process.reset();
      }
  }

  // ---- set-up ---------------------------------------------------------------

  bool start_network() {
    LocalChainOptions lo;
    lo.run_dir = dir_;
    lo.circuit_dir = o_.circuit_dir;
    // The devnet's chain (10 s periods) with tokens for every account of the run.
    lo.preset = read_chain_preset("chain-devnet.json");
    lo.preset["token"]["accounts"] = o_.accounts();
    lo.accounts = o_.accounts();
    if (!start_local_chain(
            lo, chain_, [&](const std::string& m) { con_.say(m); },
            [&] { return stop_requested(); }))
      return false;
    launch_.run_dir = dir_;
    launch_.agent = o_.agent;
    // The nodes reach anvil through the fault proxy; the run's own watches
    // do not.
    proxy_ = std::make_unique<RpcFaultProxy>(chain_.anvil.url, o_.seed * 7907 + 1);
    launch_.rpc_url = proxy_->url();
    launch_.marketplace = chain_.marketplace();
    launch_.circuit_dir = chain_.circuit.dir;
    launch_.run_name = "stress run";
    con_.say("chain " + chain_.anvil.url + ": marketplace " + launch_.marketplace.hex() + ", " +
             std::to_string(chain_.period_seconds()) + " s periods");

    // Accounts: the deployer 0, clients 1…C, providers, validators.
    size_t account = 1;
    for (uint32_t i = 1; i <= o_.clients; ++i) {
      if (!start("client" + std::to_string(i), NodeRole::kClient, account++, "")) return false;
      if (i == 1)
        spr_ =
            json::parse(agent::RestClient(nodes_[0].api()).get("/spr"))["spr"].get<std::string>();
    }
    const auto bad = schedule_.bad_provers();
    const auto small = schedule_.small_disks();
    for (uint32_t i = 1; i <= o_.providers; ++i) {
      const bool liar = std::find(bad.begin(), bad.end(), i) != bad.end();
      const std::string name = "provider" + std::to_string(i);
      const fs::path data_dir =
          std::find(small.begin(), small.end(), i) != small.end() ? small_disk(name) : fs::path();
      if (!start(name, NodeRole::kProvider, account++, liar ? "simulate-proof-failures = 1\n" : "",
                 data_dir))
        return false;
      offer(nodes_.back(), liar);
    }
    for (uint32_t i = 1; i <= o_.validators; ++i) {
      const std::string groups =
          o_.validators > 1 ? "validator-groups = " + std::to_string(o_.validators) +
                                  "\nvalidator-group-index = " + std::to_string(i - 1) + "\n"
                            : "";
      if (!start("validator" + std::to_string(i), NodeRole::kValidator, account++, groups))
        return false;
    }
    con_.say(std::to_string(nodes_.size()) + " nodes up; each provider offers room for " +
             std::to_string(o_.slots_per_provider) + " slots of up to " +
             agent::format_size(max_slot()) +
             (bad.empty() ? "" : " (" + std::to_string(bad.size()) + " send invalid proofs)"));
    std::vector<std::pair<std::string, market::Address>> holders;
    holders.push_back(
        {"deployer",
         eth::Address::parse(chain_.deployment["accounts"][0]["address"].get<std::string>())});
    for (const NodeProcess& n : nodes_)
      holders.push_back({n.name, n.address});
    watch_ = std::make_unique<StressWatch>(chain_.anvil.url, launch_.marketplace,
                                           dir_ / "stress.sqlite3", std::move(holders));
    misses_ = std::make_unique<MissWatch>(chain_.anvil.url, launch_.marketplace);
    misses_->excuse([this](int64_t from, int64_t to) { return proxy_->failing_between(from, to); });
    misses_->start();
    posted_.resize(schedule_.requests.size());
    applied_.resize(schedule_.faults.size());
    start_ = Clock::now();
    return !stop_requested();
  }

  // The data directory of provider `name` on a small disk of its own (the
  // node runs inside the disk's namespace), or empty (its usual one) where
  // this machine cannot make one.
  fs::path small_disk(const std::string& name) {
    const uint64_t size = o_.full_disk_size ? o_.full_disk_size : kDiskBaseRoom + max_slot() / 2;
    std::string why;
    auto disk = SmallDisk::create(dir_ / name / "disk", size, dir_ / name / "disk.log", why);
    if (!disk) {
      disk_notes_[name] = "skipped: " + why;
      con_.say("fault full-disk: " + name + " runs on its usual disk: " + why);
      return {};
    }
    const fs::path data = disk->mount_point() / "data";
    disks_[name] = std::move(disk);
    return data;
  }

  bool start(const std::string& name, NodeRole role, size_t account, const std::string& extra,
             const fs::path& data_dir = {}) {
    NodeSpec s = chain_.node_spec(name, role, account);
    s.bootstrap = spr_;
    s.extra_config = extra;
    s.data_dir = data_dir;
    if (auto d = disks_.find(name); d != disks_.end()) s.wrapper = d->second->enter();
    auto n = start_node(launch_, s, stopper());
    if (!n) return false;
    nodes_.push_back(std::move(*n));
    return true;
  }

  // Room for a few of the largest slots: a slot is at most the file (one data
  // slot) padded to a power of two blocks.
  uint64_t max_slot() const {
    uint64_t s = 64 << 10;
    while (s < o_.max_file_size)
      s <<= 1;
    return s;
  }

  void offer(const NodeProcess& n, bool liar) {
    const uint64_t room = o_.slots_per_provider * max_slot();
    // A provider that sends invalid proofs can afford two slots' collateral:
    // it loses them and stops taking slots, as a real one would run dry.
    const std::string collateral = liar ? std::to_string(2 * max_slot()) : "100000000000";
    const json a = {{"totalSize", room},
                    {"duration", 86400},
                    {"minPricePerBytePerSecond", "1"},
                    {"totalCollateral", collateral}};
    agent::RestClient(n.api()).post_json("/sales/availability", a.dump());
  }

  NodeProcess* node(const std::string& name) {
    for (NodeProcess& n : nodes_)
      if (n.name == name) return &n;
    return nullptr;
  }

  // ---- the run ------------------------------------------------------------

  void post(const PlannedRequest& q) {
    PostedRequest& p = posted_[q.index];
    p.at = elapsed();
    NodeProcess& client = *node("client" + std::to_string(q.client + 1));
    agent::RestClient c(client.api());
    fs::create_directories(dir_ / "uploads");
    p.file = dir_ / "uploads" / ("request-" + std::to_string(q.index) + ".bin");
    {
      base::SeededRandom rng(o_.seed * 1000003 + q.index);
      std::string bytes(q.file_size, '\0');
      for (size_t i = 0; i < bytes.size(); i += 8) {
        const uint64_t w = rng.next();
        std::memcpy(bytes.data() + i, &w, std::min<size_t>(8, bytes.size() - i));
      }
      std::ofstream(p.file, std::ios::binary) << bytes;
    }
    try {
      const std::string cid = c.upload(p.file);
      bytes_uploaded_ += q.file_size;
      const json ask = {
          {"duration", q.duration},       {"proofProbability", std::to_string(q.proof_probability)},
          {"pricePerBytePerSecond", "1"}, {"collateralPerByte", "1"},
          {"expiry", q.expiry},           {"nodes", q.nodes},
          {"tolerance", q.tolerance}};
      std::string id = c.post_json("/storage/request/" + cid, ask.dump());
      while (!id.empty() && std::isspace(uint8_t(id.back())))
        id.pop_back();
      if (id.rfind("0x", 0) == 0) id = id.substr(2);
      p.id = id;
      const json purchase = json::parse(c.get("/storage/purchases/" + id));
      p.slot_size = purchase["request"]["ask"]["slotSize"].get<uint64_t>();
      p.cid = purchase["request"]["content"]["cid"].get<std::string>();
      market::RequestId rid{};
      base::from_hex_exact(id, rid);
      watch_->name_request(rid, q.index);
      con_.say("request " + std::to_string(q.index) + " posted by " + client.name + ": " +
               agent::format_size(q.file_size) + ", " + std::to_string(q.nodes) + " slots of " +
               agent::format_size(p.slot_size) + " (tolerance " + std::to_string(q.tolerance) +
               "), " + std::to_string(q.duration) + " s, a proof 1 in " +
               std::to_string(q.proof_probability) + " periods");
    } catch (const std::exception& e) {
      p.error = e.what();
      violations_.push_back("request " + std::to_string(q.index) +
                            ": the client refused it: " + p.error);
      con_.say("request " + std::to_string(q.index) + ": the client refused it: " + p.error);
    }
  }

  void inject(size_t i) {
    const PlannedFault& f = schedule_.faults[i];
    AppliedFault& a = applied_[i];
    a.at = elapsed();
    NodeProcess* victim = node("provider" + std::to_string(f.provider));
    std::string instead;
    if (hosted_by(victim->name) == 0 || !victim->process) {
      // A provider hosting nothing tests nothing: the victim is drawn again
      // (from the seed) among the healthy providers hosting a slot now.
      std::vector<NodeProcess*> hosts;
      const auto bad = schedule_.bad_provers();
      for (NodeProcess& n : nodes_)
        if (n.role == NodeRole::kProvider && n.process && hosted_by(n.name) > 0 &&
            std::find(bad.begin(), bad.end(), uint32_t(std::stoul(n.name.substr(8)))) ==
                bad.end() &&
            !disks_.contains(n.name))
          hosts.push_back(&n);
      if (!hosts.empty()) {
        base::SeededRandom rng(o_.seed * 7919 + i);
        instead = " (planned " + victim->name + " hosted nothing or was down)";
        victim = hosts[rng.below(hosts.size())];
      }
    }
    NodeProcess& n = *victim;
    if (!n.process) {
      a.outcome = "skipped: " + n.name + " was down already and no provider hosted a slot";
      con_.say("fault " + std::string(to_string(f.kind)) + ": " + a.outcome);
      return;
    }
    a.provider = n.name;
    n.process->kill();
    n.process.reset();
    n.killed = true;
    const size_t hosted = hosted_by(n.name);
    if (f.kind == StressFault::kKillForever) {
      lost_.push_back(n.name);
      a.outcome = n.name + " killed for good, hosting " + std::to_string(hosted) + " slots";
    } else {
      restarts_.push_back({elapsed() + f.down, n.name});
      a.outcome = n.name + " killed, hosting " + std::to_string(hosted) + " slots; restarted " +
                  std::to_string(int(f.down + 0.5)) + " s later";
    }
    a.outcome += instead;
    con_.say("fault: " + a.outcome);
  }

  // Every slot filled now, for the missed-proof checks.
  std::vector<market::SlotId> filled_slots() const {
    std::vector<market::SlotId> out;
    for (const auto& [id, r] : watch_->requests())
      if (!r.over())
        for (const auto& [index, slot] : r.filled)
          out.push_back(slot);
    return out;
  }

  size_t hosted_by(const std::string& name) const { return watch_->hosting(name); }

  void restart_due() {
    for (auto it = restarts_.begin(); it != restarts_.end();) {
      if (it->first > elapsed()) {
        ++it;
        continue;
      }
      NodeProcess& n = *node(it->second);
      check_data(n);  // its store as the crash left it
      con_.say(restart_node(n, false, stopper()) ? "fault: " + n.name + " started again"
                                                 : "fault: " + n.name +
                                                       " did not answer after "
                                                       "its restart");
      it = restarts_.erase(it);
    }
  }

  // Where the run reads stopped node `n`'s data directory: a copy of it
  // when it is on a small disk.
  fs::path readable_data_dir(const NodeProcess& n) {
    const auto d = disks_.find(n.name);
    if (d == disks_.end()) return n.data_dir;
    const fs::path copy = n.dir / "disk-copy";
    d->second->copy_to(copy);
    return copy / n.data_dir.filename();
  }

  // The stopped provider `n` holds the data of every slot it hosts.
  void check_data(const NodeProcess& n) {
    const std::vector<HostedSlot> slots = watch_->held_by(n.name);
    host_slots_checked_ += slots.size();
    for (std::string& v : check_host_data(n.name, readable_data_dir(n), slots))
      host_data_violations_.push_back(std::move(v));
  }

  // A request the client accepted (it answered an id) whose purchase then
  // errored before the request reached the chain: a violation, and nothing
  // to wait for.
  void check_unsent() {
    for (const PlannedRequest& q : schedule_.requests) {
      PostedRequest& p = posted_[q.index];
      if (p.id.empty() || p.unsent || elapsed() - p.at < 10) continue;
      market::RequestId rid{};
      base::from_hex_exact(p.id, rid);
      const auto it = watch_->requests().find(rid);
      if (it != watch_->requests().end() && it->second.slots != 0) continue;  // on chain
      NodeProcess& client = *node("client" + std::to_string(q.client + 1));
      try {
        const json j =
            json::parse(agent::RestClient(client.api()).get("/storage/purchases/" + p.id));
        if (j.value("state", std::string()) != "errored") continue;
        p.unsent = true;
        violations_.push_back("request " + std::to_string(q.index) + ": " + client.name +
                              " accepted it, then its purchase errored before it reached the "
                              "chain: " +
                              j.value("error", std::string("?")));
        con_.say(violations_.back());
      } catch (const std::exception&) {
        // the client busy or restarting: asked again next time
      }
    }
  }

  void check_deaths() {
    for (NodeProcess& n : nodes_) {
      const auto st = n.process ? n.process->exited() : std::nullopt;
      if (!st) continue;
      violations_.push_back(n.name + " stopped unexpectedly (" + describe_status(*st) +
                            "); the end of its log:\n" + last_lines(n.log(), 6));
      con_.say(violations_.back());
      n.process.reset();
    }
  }

  std::string progress() const {
    size_t started = 0, finished = 0, failed = 0, cancelled = 0;
    for (const auto& [id, r] : watch_->requests()) {
      started += r.fulfilled;
      if (!r.state) continue;
      finished += *r.state == market::RequestState::Finished;
      failed += *r.state == market::RequestState::Failed;
      cancelled += *r.state == market::RequestState::Cancelled;
    }
    std::string down;
    for (const NodeProcess& n : nodes_)
      if (!n.process) down += (down.empty() ? "" : " ") + n.name;
    std::ostringstream s;
    s << "t " << int(elapsed()) << " s, period " << watch_->period() << " | posted " << next_post_
      << "/" << schedule_.requests.size() << ", started " << started << ", finished " << finished
      << ", failed " << failed << ", cancelled " << cancelled << " | proofs " << watch_->proofs()
      << ", freed " << watch_->freed().size() << ", repaired " << watch_->refilled().size()
      << (down.empty() ? "" : " | down: " + down);
    return s.str();
  }

  bool all_over() const {
    if (next_post_ < schedule_.requests.size()) return false;
    for (const PostedRequest& p : posted_)
      if (p.error.empty() && p.id.empty() && !p.skipped) return false;
    for (const auto& [id, r] : watch_->requests())
      if (!r.over() && !unsent(id)) return false;
    return true;
  }

  bool unsent(const market::RequestId& id) const {
    const std::string hex = base::to_hex(id);
    for (const PostedRequest& p : posted_)
      if (p.unsent && p.id == hex) return true;
    return false;
  }

  // Requests not yet started nor ended: their slots are being proved and
  // filled, the costliest work of a run.
  size_t pending() const {
    size_t n = 0;
    for (const PostedRequest& p : posted_) {
      if (p.id.empty() || p.unsent) continue;
      market::RequestId rid{};
      base::from_hex_exact(p.id, rid);
      const auto it = watch_->requests().find(rid);
      n += it == watch_->requests().end() || (!it->second.fulfilled && !it->second.over());
    }
    return n;
  }

  // Posts the requests whose time has come, while fewer than --max-pending
  // wait to be filled; one still held back when --duration is over is skipped.
  void post_due() {
    while (next_post_ < schedule_.requests.size() && !stop_requested()) {
      const PlannedRequest& q = schedule_.requests[next_post_];
      if (q.at > elapsed()) return;
      if (o_.max_pending != 0 && pending() >= o_.max_pending) {
        if (elapsed() < double(o_.duration)) return;
        posted_[q.index].skipped = true;
        con_.say("request " + std::to_string(q.index) + " skipped: " + std::to_string(pending()) +
                 " requests still waiting to be filled at the end of --duration");
      } else {
        post(q);
      }
      ++next_post_;
    }
  }

  // Posts, injects, restarts and watches until every request has ended (and
  // the hosts of the finished ones collected their pay), or the time bound.
  bool drive() {
    const uint64_t period = watch_->period_length();
    const double bound = double(o_.duration + o_.max_request_duration + 100 + 12 * period + 60);
    double last_progress = -1e9;
    std::optional<double> over_since;
    while (!stop_requested()) {
      post_due();
      while (next_fault_ < schedule_.faults.size() &&
             schedule_.faults[next_fault_].at <= elapsed()) {
        const PlannedFault& f = schedule_.faults[next_fault_];
        if (f.kind == StressFault::kBadProofs) {  // started that way
          applied_[next_fault_].outcome =
              "provider" + std::to_string(f.provider) + " sends every proof invalid";
        } else if (f.kind == StressFault::kFullDisk) {  // started that way
          const std::string name = "provider" + std::to_string(f.provider);
          applied_[next_fault_].provider = name;
          applied_[next_fault_].outcome =
              disks_.contains(name)
                  ? name + " runs on a disk of " + agent::format_size(disks_[name]->size())
                  : name + " " + disk_notes_[name];
        } else if (f.kind == StressFault::kRpcFaults) {
          proxy_->fail_for(f.down, o_.rpc_fault_rate);
          AppliedFault& a = applied_[next_fault_];
          a.at = elapsed();
          a.provider = "all";
          a.outcome = "JSON-RPC: " + std::to_string(int(o_.rpc_fault_rate * 100 + 0.5)) +
                      "% of the nodes' requests fail for " + std::to_string(int(f.down + 0.5)) +
                      " s";
          con_.say("fault: " + a.outcome);
        } else {
          inject(next_fault_);
        }
        ++next_fault_;
      }
      restart_due();
      check_deaths();
      for (const std::string& line : watch_->poll())
        con_.say(line);
      misses_->set_slots(filled_slots());
      if (elapsed() - last_progress >= 10) {
        last_progress = elapsed();
        watch_->read_balances();
        check_unsent();
        for (const std::string& v : check_tokens(*watch_))
          if (during_run_.insert(v).second) violations_.push_back("during the run: " + v);
        con_.say(progress());
      }
      con_.status(progress());
      if (elapsed() >= double(o_.duration) && all_over()) {
        if (!over_since) over_since = elapsed();
        // The hosts of finished and cancelled requests collect their pay and
        // collateral in the next periods.
        if (watch_->unpaid(lost_) == 0 || elapsed() - *over_since > double(4 * period + 30)) break;
      }
      if (elapsed() > bound) {
        violations_.push_back("the run did not end within " + std::to_string(int(bound)) +
                              " s (duration + the longest request + expiry + 12 periods)");
        break;
      }
      nap(std::chrono::seconds(1));
    }
    return !stop_requested();
  }

  // Every dataset whose request did not fail, from its client, against the
  // bytes uploaded.
  bool download() {
    fs::create_directories(dir_ / "downloads");
    for (const PlannedRequest& q : schedule_.requests) {
      if (stop_requested()) return false;
      const PostedRequest& p = posted_[q.index];
      if (p.id.empty()) continue;
      market::RequestId rid{};
      base::from_hex_exact(p.id, rid);
      const auto it = watch_->requests().find(rid);
      if (it != watch_->requests().end() && it->second.state &&
          *it->second.state == market::RequestState::Failed)
        continue;
      const fs::path got = dir_ / "downloads" / p.file.filename();
      NodeProcess& client = *node("client" + std::to_string(q.client + 1));
      try {
        const uint64_t n = agent::RestClient(client.api()).download(p.cid, got, {}, true);
        bytes_downloaded_ += n;
        ++downloads_;
        if (!same_bytes(p.file, got))
          violations_.push_back("request " + std::to_string(q.index) + ": the dataset " + p.cid +
                                " downloaded differs from what was uploaded");
      } catch (const std::exception& e) {
        violations_.push_back("request " + std::to_string(q.index) + ": downloading " + p.cid +
                              " failed: " + e.what());
      }
    }
    con_.say("downloaded " + std::to_string(downloads_) + " datasets (" +
             agent::format_size(bytes_downloaded_) + ") and compared them with the uploads");
    return true;
  }

  static bool same_bytes(const fs::path& a, const fs::path& b) {
    std::ifstream x(a, std::ios::binary), y(b, std::ios::binary);
    const std::string sa((std::istreambuf_iterator<char>(x)), std::istreambuf_iterator<char>());
    const std::string sb((std::istreambuf_iterator<char>(y)), std::istreambuf_iterator<char>());
    return sa == sb;
  }

  // The providers' own figures: proofs the contract asked of them (the
  // counters start again at a restart, so this is a lower bound).
  double proofs_required() {
    double sum = 0;
    for (const NodeProcess& n : nodes_) {
      if (n.role != NodeRole::kProvider || !n.process) continue;
      try {
        const MetricSums m = scrape_metrics(n.metrics());
        auto it = m.find("codex_sales_proofs_required_total");
        if (it != m.end()) sum += it->second;
      } catch (const std::exception&) {
      }
    }
    return sum;
  }

  // Stops the nodes, checks the invariants, writes the report.
  int finish() {
    misses_->stop();  // before the validators stop
    watch_->poll();
    watch_->read_balances();
    const double required = proofs_required();
    unpaid_ = watch_->unpaid(lost_);
    stop_nodes();
    for (const NodeProcess& n : nodes_)
      if (n.role == NodeRole::kProvider) check_data(n);
    using Check = StressCheck;
    std::vector<Check> checks;
    checks.push_back({"tokens conserved", check_tokens(*watch_)});
    for (const std::string& v : violations_)
      if (v.starts_with("during the run: ")) checks.back().violations.push_back(v);
    JournalFigures journals;
    Check journal{"no double transaction (journals against the chain)", {}};
    for (const NodeProcess& n : nodes_)
      for (auto& v : check_journal(n.name, readable_data_dir(n) / "codex.sqlite3", chain_.anvil.url,
                                   journals))
        journal.violations.push_back(v);
    checks.push_back(journal);
    checks.push_back({"every filled slot's data held by its host", host_data_violations_});
    checks.push_back(
        {"every missed required proof marked within the window", misses_->judge(journals.marked)});
    checks.push_back({"every request ended as the contract allows",
                      check_end_states(*watch_, count_posted(), unsent_ids())});
    checks.push_back({"every freed slot filled again or its request failed",
                      check_freed_slots(*watch_, kRepairGrace)});
    Check data{"every dataset downloaded and identical", {}};
    Check other{"the run itself", {}};
    for (const std::string& v : violations_) {
      if (v.starts_with("during the run: ")) continue;
      (v.find("download") != std::string::npos ? data : other).violations.push_back(v);
    }
    checks.push_back(data);
    checks.push_back(other);
    return report(checks, journals, required);
  }

  std::set<market::RequestId> unsent_ids() const {
    std::set<market::RequestId> out;
    for (const PostedRequest& p : posted_)
      if (p.unsent) {
        market::RequestId rid{};
        base::from_hex_exact(p.id, rid);
        out.insert(rid);
      }
    return out;
  }

  size_t count_skipped() const {
    size_t n = 0;
    for (const PostedRequest& p : posted_)
      n += p.skipped;
    return n;
  }

  size_t count_posted() const {
    size_t n = 0;
    for (const PostedRequest& p : posted_)
      n += !p.id.empty();
    return n;
  }

  int report(std::vector<StressCheck> checks, const JournalFigures& journals, double required) {
    StressOutcome o{o_, schedule_, *watch_, posted_, applied_};
    o.checks = std::move(checks);
    o.journals = journals;
    o.proofs_required = required;
    o.misses = misses_->figures();
    o.rpc = proxy_->counts();
    o.host_slots_checked = host_slots_checked_;
    for (size_t i = 0; i < schedule_.faults.size(); ++i) {
      const auto it = disks_.find(applied_[i].provider);
      if (schedule_.faults[i].kind == StressFault::kFullDisk && it != disks_.end())
        applied_[i].outcome +=
            "; " + agent::format_size(it->second->free_bytes()) + " free on it at the end";
    }
    o.wall_seconds = std::chrono::duration<double>(Clock::now() - wall_start_).count();
    o.bytes_uploaded = bytes_uploaded_;
    o.bytes_downloaded = bytes_downloaded_;
    o.downloads = downloads_;
    o.dir = dir_;
    o.unpaid_slots = unpaid_;
    const StressReport r = make_stress_report(o);
    con_.print(r.summary);
    const std::string text = r.json.dump(2) + "\n";
    std::ofstream(dir_ / "report.json") << text;
    if (!o_.json.empty()) {
      std::ofstream out(o_.json);
      out << text;
      if (!out) throw std::runtime_error("cannot write " + o_.json.string());
    }
    const size_t n = r.json["violations"].size();
    con_.say(r.ok ? "OK: every invariant held"
                  : "FAILED: " + std::to_string(n) + " violation" + (n == 1 ? "" : "s") +
                        "; logs in " + dir_.string());
    return r.ok ? 0 : 1;
  }

  const StressOptions& o_;
  Console con_;
  const std::atomic<bool>& interrupted_;
  fs::path dir_;
  StressSchedule schedule_;
  LocalChain chain_;  // the development key, anvil and the deployment
  NodeLaunch launch_;
  std::string spr_;
  std::vector<NodeProcess> nodes_;
  std::unique_ptr<StressWatch> watch_;
  std::unique_ptr<MissWatch> misses_;
  std::unique_ptr<RpcFaultProxy> proxy_;
  // The providers' small disks: their files are read back after the nodes
  // stop, so the disks go last (the destructor stops the nodes first).
  std::map<std::string, std::unique_ptr<SmallDisk>> disks_;
  std::map<std::string, std::string> disk_notes_;  // why one could not be made
  std::vector<std::string> host_data_violations_;
  uint64_t host_slots_checked_ = 0;  // slots' data checked at their hosts
  Clock::time_point wall_start_, start_;
  size_t next_post_ = 0, next_fault_ = 0;
  std::vector<PostedRequest> posted_;
  std::vector<AppliedFault> applied_;
  std::vector<std::pair<double, std::string>> restarts_;  // (when, provider)
  std::vector<std::string> lost_;
  std::vector<std::string> violations_;
  std::set<std::string> during_run_;
  uint64_t bytes_uploaded_ = 0, bytes_downloaded_ = 0;
  size_t downloads_ = 0;
  size_t unpaid_ = 0;  // slots of ended requests their live hosts never collected
};

}  // namespace

int run_stress(const StressOptions& o, std::ostream& out, const std::atomic<bool>& interrupted) {
  o.validate();
  StressRun r(o, out, interrupted);
  return r.run();
}

}  // namespace codex::devnet
