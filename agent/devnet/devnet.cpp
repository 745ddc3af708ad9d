#include "agent/devnet/devnet.h"

#include <signal.h>
#include <stdlib.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "agent/client/rest_client.h"
#include "agent/config/units.h"
#include "agent/devnet/anvil_process.h"
#include "agent/devnet/chain_deploy.h"
#include "agent/devnet/child_process.h"
#include "agent/devnet/console.h"
#include "agent/devnet/dev_circuit.h"
#include "agent/devnet/local_chain.h"
#include "agent/devnet/metrics_scrape.h"
#include "agent/devnet/network_watch.h"
#include "agent/devnet/node_process.h"
#include "agent/devnet/project_files.h"
#include "agent/devnet/run_files.h"
#include "agent/eth/address.h"
#include "base/hex.h"

namespace codex::devnet {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

class Devnet {
 public:
  Devnet(const DevnetOptions& o, std::ostream& out, const std::atomic<bool>& interrupted)
      : o_(o), p_(o.preset), con_(out, o.live), interrupted_(interrupted) {}

  ~Devnet() {
    if (o_.keep && kept_) return;
    // Providers and client first (they talk to the chain), anvil last.
    for (auto it = nodes_.rbegin(); it != nodes_.rend(); ++it)
      if (it->process) it->process->stop(std::chrono::seconds(10));
    if (chain_.anvil.process) chain_.anvil.process->stop(std::chrono::seconds(5));
  }

  int run() {
    temp_dir_ = o_.data_dir.empty();
    dir_ = prepare_run_dir(o_.data_dir, "codex-devnet");
    // A fault that frees a slot needs every slot on its own host (the first
    // `nodes` providers) and a spare to repair it, started once the request
    // has started so that it cannot take a slot first.
    providers_ = frees_a_slot(o_.fault) ? uint32_t(p_.nodes) : p_.providers;
    if (providers_ + 3 + o_.validators > 20)
      throw std::runtime_error("anvil's 20 accounts fit the client, " + std::to_string(providers_) +
                               " providers, a spare and at most " +
                               std::to_string(20 - 3 - int(providers_)) + " validators");
    con_.say("devnet in " + dir_.string() + ": " + std::to_string(providers_) + " providers" +
             (frees_a_slot(o_.fault) ? " (and a spare)" : "") + ", " +
             std::to_string(o_.validators) + " validator" + (o_.validators == 1 ? "" : "s") +
             ", a client, a " + agent::format_size(p_.file_size) + " request for " +
             std::to_string(p_.duration) + " s (" + std::to_string(p_.nodes) +
             " slots, tolerance " + std::to_string(p_.tolerance) + ")" +
             (o_.fault == Fault::kNone ? "" : std::string("; fault: ") + to_string(o_.fault)));
    if (!start_network()) return interrupted();
    if (!request_storage()) return interrupted();
    const int rc = follow();
    return rc;
  }

 private:
  int interrupted() {
    con_.say("interrupted: stopping every process");
    return 130;
  }
  bool stop_requested() const { return interrupted_.load(); }

  // Sleeps up to `d`, waking early on Ctrl-C.
  void nap(std::chrono::milliseconds d) {
    const auto end = std::chrono::steady_clock::now() + d;
    while (!stop_requested() && std::chrono::steady_clock::now() < end)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }

  bool start_network() {
    LocalChainOptions lo;
    lo.run_dir = dir_;
    lo.circuit_dir = o_.circuit_dir;
    lo.preset = read_chain_preset(p_.chain);
    lo.survive_parent = o_.keep;
    lo.keep_state = o_.fault == Fault::kChainRestart;
    if (!start_local_chain(
            lo, chain_, [&](const std::string& m) { con_.say(m); },
            [&] { return stop_requested(); }))
      return false;
    marketplace_ = chain_.marketplace();
    con_.say("chain " + chain_.anvil.url + " (anvil pid " +
             std::to_string(chain_.anvil.process->pid()) + "): marketplace " + marketplace_.hex() +
             ", " + std::to_string(chain_.period_seconds()) +
             " s periods, Groth16 verifier with the development key");
    if (stop_requested()) return false;

    start_node("client", NodeRole::kClient, 1, {});
    if (stop_requested()) return false;
    spr_ = json::parse(agent::RestClient(nodes_[0].api()).get("/spr"))["spr"].get<std::string>();
    con_.say("client up: " + nodes_[0].api() + " (account " + nodes_[0].address.hex() + ")");
    for (uint32_t i = 1; i <= providers_; ++i) {
      if (stop_requested()) return false;
      start_node("provider" + std::to_string(i), NodeRole::kProvider, i + 1, spr_);
      con_.say(nodes_.back().name + " up: " + nodes_.back().api() +
               (o_.fault == Fault::kBadProofs && i == 1 ? " (sends every proof invalid)" : ""));
    }
    // Accounts: the client 1, providers 2…, the spare after them, then the
    // validators (anvil has 20).
    for (uint32_t i = 1; i <= o_.validators; ++i) {
      if (stop_requested()) return false;
      start_node("validator" + std::to_string(i), NodeRole::kValidator, providers_ + 2 + i, spr_);
      con_.say(nodes_.back().name + " up: " + nodes_.back().api() +
               (o_.validators > 1 ? " (group " + std::to_string(i - 1) + " of " +
                                        std::to_string(o_.validators) + ")"
                                  : ""));
    }
    std::vector<Party> parties;
    for (const NodeProcess& n : nodes_)
      parties.push_back(party_of(n));
    if (frees_a_slot(o_.fault)) {
      // Known now, started later: its balance is part of the verdict.
      const json& acct = chain_.deployment["accounts"].at(providers_ + 2);
      parties.push_back(
          party(spare_name(), eth::Address::parse(acct["address"].get<std::string>()), false));
    }
    watch_ = std::make_unique<NetworkWatch>(chain_.anvil.url, marketplace_, dir_ / "devnet.sqlite3",
                                            std::move(parties));
    return !stop_requested();
  }

  std::string spare_name() const { return "provider" + std::to_string(providers_ + 1); }

  static Party party(const std::string& name, const eth::Address& address, bool validator) {
    Party p;
    p.name = name;
    p.address = address;
    p.validator = validator;
    return p;
  }
  static Party party_of(const NodeProcess& n) {
    return party(n.name, n.address, n.role == NodeRole::kValidator);
  }

  void start_node(const std::string& name, NodeRole role, size_t account,
                  const std::string& bootstrap) {
    NodeLaunch l;
    l.run_dir = dir_;
    l.agent = o_.agent;
    l.rpc_url = chain_.anvil.url;
    l.marketplace = marketplace_;
    l.circuit_dir = chain_.circuit.dir;
    l.survive_parent = o_.keep;
    NodeSpec s = chain_.node_spec(name, role, account);
    s.bootstrap = bootstrap;
    if (role == NodeRole::kProvider && o_.fault == Fault::kBadProofs && name == "provider1")
      s.extra_config += "simulate-proof-failures = 1\n";
    if (role == NodeRole::kValidator && o_.validators > 1)
      s.extra_config += "validator-groups = " + std::to_string(o_.validators) +
                        "\nvalidator-group-index = " + std::to_string(account - providers_ - 3) +
                        "\n";
    auto n = devnet::start_node(l, s, [this] { return stop_requested(); });
    if (n) nodes_.push_back(std::move(*n));
  }

  bool request_storage() {
    NodeProcess& client = nodes_[0];
    agent::RestClient c(client.api());
    const fs::path sample = dir_ / "sample.bin";
    {
      std::mt19937_64 rng(std::random_device{}());
      std::ofstream out(sample, std::ios::binary);
      std::vector<uint64_t> buf(8192);
      for (uint64_t done = 0; done < p_.file_size;) {
        for (auto& w : buf)
          w = rng();
        const uint64_t n = std::min<uint64_t>(p_.file_size - done, buf.size() * 8);
        out.write(reinterpret_cast<const char*>(buf.data()), std::streamsize(n));
        done += n;
      }
    }
    cid_ = c.upload(sample);
    con_.say("client uploaded " + agent::format_size(p_.file_size) + " as " + cid_);
    const json ask = {{"duration", p_.duration},
                      {"proofProbability", std::to_string(p_.proof_probability)},
                      {"pricePerBytePerSecond", p_.price_per_byte_per_second},
                      {"collateralPerByte", p_.collateral_per_byte},
                      {"expiry", p_.expiry},
                      {"nodes", p_.nodes},
                      {"tolerance", p_.tolerance}};
    request_id_ = c.post_json("/storage/request/" + cid_, ask.dump());
    while (!request_id_.empty() && std::isspace(uint8_t(request_id_.back())))
      request_id_.pop_back();
    if (request_id_.rfind("0x", 0) == 0) request_id_ = request_id_.substr(2);
    const json purchase = json::parse(c.get("/storage/purchases/" + request_id_));
    slot_size_ = purchase["request"]["ask"]["slotSize"].get<uint64_t>();
    market::RequestId id{};
    base::from_hex_exact(request_id_, id);
    watch_->watch_request(id);
    con_.say("client requested storage: request 0x" + request_id_ + ", " +
             std::to_string(p_.nodes) + " slots of " + agent::format_size(slot_size_) + ", price " +
             p_.price_per_byte_per_second + " per byte-second, expiry " +
             std::to_string(p_.expiry) + " s");
    // Each provider offers room for exactly one slot, so that the slots go to
    // different providers rather than all to whichever reserves first.
    for (const NodeProcess& n : nodes_)
      if (n.role == NodeRole::kProvider) offer_one_slot(n);
    con_.say("each provider offers room for one slot (" + agent::format_size(slot_size_) + ")");
    return !stop_requested();
  }

  void offer_one_slot(const NodeProcess& n) {
    // The provider that sends bad proofs can afford one slot's collateral
    // only: once it is lost, it cannot take the freed slot back.
    const std::string collateral =
        o_.fault == Fault::kBadProofs && n.name == "provider1"
            ? (market::Uint256::from_string(p_.collateral_per_byte) * market::Uint256(slot_size_))
                  .to_dec()
            : p_.total_collateral;
    const json offer = {{"totalSize", slot_size_},
                        {"duration", 86400},
                        {"minPricePerBytePerSecond", p_.price_per_byte_per_second},
                        {"totalCollateral", collateral}};
    agent::RestClient(n.api()).post_json("/sales/availability", offer.dump());
  }

  // The fault, injected by the state of the run (fault.h says what each does).
  void inject_fault() {
    if (o_.fault == Fault::kNone || watch_->request_state() != "started") return;
    const uint64_t len = period_length();
    const uint64_t now = uint64_t(std::time(nullptr));  // anvil stamps blocks with this clock
    if (!started_period_) started_period_ = now / len;
    if (frees_a_slot(o_.fault) && !spare_started_) {
      spare_started_ = true;
      start_node(spare_name(), NodeRole::kProvider, providers_ + 2, spr_);
      if (stop_requested()) return;
      offer_one_slot(nodes_.back());
      con_.say("fault: " + spare_name() + " (a spare) up: " + nodes_.back().api() +
               ", offering room for one slot");
    }
    if (!victim_.empty() || now / len < *started_period_ + 1) {
      maybe_restart(now);
      return;
    }
    if (o_.fault == Fault::kBadProofs) {
      victim_ = "provider1";
      return;
    }
    if (o_.fault == Fault::kChainRestart) {
      if (now % len < len / 3 || now % len > 2 * len / 3) return;
      victim_ = "chain";
      con_.say("fault: the chain (anvil) stops; it comes back from its saved state in 5 s");
      restart_anvil(chain_.anvil, dir_ / "chain", o_.keep, std::chrono::seconds(5));
      con_.say("fault: the chain is back at " + chain_.anvil.url);
      return;
    }
    // The middle of a period: a restart then misses this period's proof at most.
    if (o_.fault == Fault::kRestartProvider && (now % len < len / 3 || now % len > 2 * len / 3))
      return;
    const auto host = watch_->host_of(0);
    if (!host) return;
    for (NodeProcess& n : nodes_) {
      if (n.name != *host || !n.process) continue;
      n.process->kill();
      n.process.reset();
      n.killed = true;
      victim_ = n.name;
      con_.say("fault: " + n.name + " (host of slot 0) killed with SIGKILL" +
               (o_.fault == Fault::kRestartProvider ? "; it starts again in one period" : ""));
      if (o_.fault == Fault::kRestartProvider) restart_at_ = now + len;
    }
  }

  void maybe_restart(uint64_t now) {
    if (!restart_at_ || now < *restart_at_) return;
    restart_at_.reset();
    for (NodeProcess& n : nodes_) {
      if (n.name != victim_) continue;
      con_.say(restart_node(n, o_.keep, [this] { return stop_requested(); })
                   ? "fault: " + n.name + " started again: " + n.api()
                   : "fault: " + n.name + " did not answer after its restart");
    }
  }

  uint64_t period_length() const { return chain_.period_seconds(); }

  std::string purchase_state() {
    try {
      const json j =
          json::parse(agent::RestClient(nodes_[0].api()).get("/storage/purchases/" + request_id_));
      return j.value("state", std::string("?"));
    } catch (const std::exception&) {
      return "?";
    }
  }

  // The providers' own figures (their /metrics): proofs the contract asked
  // for, proofs that failed; what the chain shows is beside them.
  void scrape() {
    for (size_t i = 1; i < nodes_.size(); ++i) {
      if (!nodes_[i].process || nodes_[i].role != NodeRole::kProvider) continue;
      try {
        figures_[nodes_[i].name] = scrape_metrics(nodes_[i].metrics());
      } catch (const std::exception&) {
        // a node restarting: keep its last figures
      }
    }
  }
  double figure(const std::string& node, const std::string& metric) const {
    auto n = figures_.find(node);
    if (n == figures_.end()) return 0;
    auto m = n->second.find(metric);
    return m == n->second.end() ? 0 : m->second;
  }

  std::string status_line(const std::string& purchase) const {
    std::string s = "period " + std::to_string(watch_->period()) + " | request " +
                    watch_->request_state() + " | purchase " + purchase + " |";
    for (const Party& p : watch_->parties()) {
      s += " " + p.name + " " + signed_delta(p.start_balance, p.balance);
      if (p.name != "client" && !p.validator)
        s += " (" + std::to_string(p.proofs) + "/" +
             std::to_string(int64_t(figure(p.name, "codex_sales_proofs_required_total"))) +
             " proofs)";
    }
    return s;
  }

  // Follows the run to its end; returns the exit status.
  int follow() {
    const uint64_t period = chain_.period_seconds();
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::seconds(p_.expiry + p_.duration + 6 * period + 60);
    std::optional<std::chrono::steady_clock::time_point> over_since;
    std::string purchase = purchase_state(), last_purchase;
    std::vector<std::string> died;
    while (!stop_requested()) {
      for (const std::string& line : watch_->poll())
        con_.say(line);
      purchase = purchase_state();
      if (purchase != last_purchase) con_.say("client purchase: " + purchase);
      last_purchase = purchase;
      inject_fault();
      for (NodeProcess& n : nodes_) {
        const auto st = n.process ? n.process->exited() : std::nullopt;
        if (!st) continue;
        died.push_back(n.name + " stopped unexpectedly (" + describe_status(*st) +
                       "); the end of its log:\n" + last_lines(n.log(), 6));
        con_.say(died.back());
        n.process.reset();  // reaped
      }
      if (!died.empty()) break;
      scrape();
      con_.status(status_line(purchase));
      const bool over = watch_->request_over();
      if (over && !over_since) over_since = std::chrono::steady_clock::now();
      // After the end the providers collect their pay (freeSlot) in the next
      // periods and the client withdraws.
      if (over &&
          (watch_->request_state() != "finished" || (watch_->all_paid() && purchase == "finished")))
        break;
      if (over &&
          std::chrono::steady_clock::now() - *over_since > std::chrono::seconds(4 * period + 30))
        break;
      if (std::chrono::steady_clock::now() > deadline) {
        died.push_back("the run took too long (more than expiry + duration + 6 periods + 60 s)");
        break;
      }
      nap(std::chrono::seconds(1));
    }
    if (stop_requested()) return interrupted();
    return verdict(purchase, died);
  }

  int verdict(const std::string& purchase, const std::vector<std::string>& died) {
    watch_->poll();
    scrape();
    std::ostringstream t;
    t << "\n== summary (request 0x" << request_id_ << ": " << watch_->request_state()
      << ", purchase " << purchase << ")\n"
      << std::left << std::setw(12) << "node" << std::setw(7) << "slots" << std::setw(10)
      << "required" << std::setw(8) << "proofs" << std::setw(8) << "failed" << std::setw(6)
      << "paid" << std::setw(20) << "tokens (change)"
      << "expected by the contract\n";
    json parties = json::array();
    for (const Party& p : watch_->parties()) {
      const std::string expected =
          p.validator || p.name == "client"
              ? "-"
              : signed_delta(p.expected_loss, p.expected_pay.value_or(market::Uint256(0)));
      const bool host = p.name != "client" && !p.validator;
      const auto shown = [&](const char* metric) {
        return host ? std::to_string(int64_t(figure(p.name, metric))) : std::string("-");
      };
      t << std::setw(12) << p.name << std::setw(7) << p.slots_filled << std::setw(10)
        << shown("codex_sales_proofs_required_total") << std::setw(8) << p.proofs << std::setw(8)
        << shown("codex_sales_proofs_failed_total") << std::setw(6) << p.paid << std::setw(20)
        << signed_delta(p.start_balance, p.balance) << expected << "\n";
      parties.push_back({{"name", p.name},
                         {"address", p.address.hex()},
                         {"slotsFilled", p.slots_filled},
                         {"proofs", p.proofs},
                         {"proofsRequired", figure(p.name, "codex_sales_proofs_required_total")},
                         {"proofsFailed", figure(p.name, "codex_sales_proofs_failed_total")},
                         {"slotsPaid", p.paid},
                         {"tokensStart", p.start_balance.to_dec()},
                         {"tokensEnd", p.balance.to_dec()},
                         {"expectedPay", p.expected_pay ? p.expected_pay->to_dec() : ""}});
    }
    t << std::setw(12) << "marketplace" << std::setw(39) << ""
      << signed_delta(watch_->marketplace_start_balance(), watch_->marketplace_balance()) << "\n";
    const market::Uint256 rewards = market::Uint256(watch_->marks()) * watch_->mark_reward();
    if (o_.validators > 0)
      t << "validators: " << watch_->marks() << " missed proofs marked, "
        << watch_->mark_reward().to_dec() << " tokens each: " << rewards.to_dec()
        << " tokens between them\n";
    json freed = json::array();
    for (const FreedSlot& f : watch_->freed()) {
      t << "slot " << f.index << ": freed in period " << f.period << " (" << f.host
        << " lost its collateral); "
        << (f.repaired_by.empty() ? std::string("never repaired")
                                  : "repaired by " + f.repaired_by + " in period " +
                                        std::to_string(f.repaired_period))
        << "\n";
      freed.push_back({{"slot", f.index},
                       {"host", f.host},
                       {"period", f.period},
                       {"repairedBy", f.repaired_by},
                       {"repairedPeriod", f.repaired_period}});
    }
    con_.print(t.str());
    std::vector<std::string> failures = died;
    for (auto& f : watch_->failures(purchase))
      failures.push_back(f);
    for (auto& f : fault_failures())
      failures.push_back(f);
    // Every proof a provider says the contract asked of it reached the chain
    // (the fault's victim: at most one missed while it was down).
    for (const Party& p : watch_->parties()) {
      const auto required = uint64_t(figure(p.name, "codex_sales_proofs_required_total"));
      if (p.name == "client" || p.validator) continue;
      if (p.name == victim_ && o_.fault != Fault::kRestartProvider) continue;
      // A proof due while its host or the chain was down may be missed.
      const uint64_t slack = p.name == victim_ || o_.fault == Fault::kChainRestart ? 1 : 0;
      if (required > p.proofs + slack)
        failures.push_back(p.name + ": " + std::to_string(required) + " proofs required, " +
                           std::to_string(p.proofs) + " on chain");
    }
    std::ofstream(dir_ / "summary.json") << json{{"request", "0x" + request_id_},
                                                 {"cid", cid_},
                                                 {"requestState", watch_->request_state()},
                                                 {"purchaseState", purchase},
                                                 {"parties", parties},
                                                 {"fault", to_string(o_.fault)},
                                                 {"faultVictim", victim_},
                                                 {"freedSlots", freed},
                                                 {"proofsMarkedMissing", watch_->marks()},
                                                 {"validatorRewards", rewards.to_dec()},
                                                 {"ok", failures.empty()},
                                                 {"failures", failures}}
                                                .dump(2)
                                         << "\n";
    if (failures.empty()) {
      con_.say(ok_message());
    } else {
      for (const auto& f : failures)
        con_.say("FAILED: " + f);
    }
    if (o_.keep) {
      keep_running();
    } else if (failures.empty() && temp_dir_) {
      std::error_code ec;
      fs::remove_all(dir_, ec);
    } else {
      con_.say("logs kept in " + dir_.string());
    }
    return failures.empty() ? 0 : 1;
  }

  // What the fault must have caused.
  std::vector<std::string> fault_failures() const {
    std::vector<std::string> out;
    if (o_.fault == Fault::kNone) return out;
    if (victim_.empty()) return {"the fault was never injected (the request did not start?)"};
    const auto& freed = watch_->freed();
    const bool victim_freed = std::any_of(freed.begin(), freed.end(),
                                          [&](const FreedSlot& f) { return f.host == victim_; });
    if (frees_a_slot(o_.fault) && !victim_freed) out.push_back(victim_ + "'s slot was never freed");
    if (o_.fault == Fault::kRestartProvider && !freed.empty())
      out.push_back("a slot was freed although its host was down for one period only");
    if (o_.fault == Fault::kRestartProvider)
      for (const NodeProcess& n : nodes_)
        if (n.name == victim_ && !n.process) out.push_back(victim_ + " was not restarted");
    return out;
  }

  // Who repaired the freed slots, in order ("provider4", "provider1 then provider4").
  std::string repairers() const {
    std::string out;
    for (const FreedSlot& f : watch_->freed())
      if (!f.repaired_by.empty()) out += (out.empty() ? "" : " then ") + f.repaired_by;
    return out.empty() ? "nobody" : out;
  }

  std::string ok_message() const {
    switch (o_.fault) {
      case Fault::kKillProvider:
      case Fault::kBadProofs:
        return "OK: " + victim_ +
               (o_.fault == Fault::kKillProvider ? " was killed" : " sent invalid proofs") +
               "; the validators marked its missing proofs until its slot was freed, " +
               repairers() +
               " repaired the slot and filled it again, the request finished, and every "
               "party's tokens changed by exactly what the contract's formulas say";
      case Fault::kChainRestart:
        return "OK: the chain stopped for 5 s mid-period and came back from its saved state; "
               "every node went on, the request finished and every party's tokens changed by "
               "exactly what the contract's formulas say";
      case Fault::kRestartProvider:
        return "OK: " + victim_ +
               " was killed mid-period and restarted; it kept its slot, the request finished "
               "and every party's tokens changed by exactly what the contract's formulas say";
      case Fault::kNone:
        break;
    }
    return "OK: the request ran to its end with a real proof every period; every provider "
           "was paid what the contract says, the client withdrew the rest, no token lost";
  }

  void keep_running() {
    json pids = json::array();
    pids.push_back(chain_.anvil.process->pid());
    for (const NodeProcess& n : nodes_)
      if (n.process) pids.push_back(n.process->pid());
    std::ofstream(dir_ / "pids") << pids.dump() << "\n";
    chain_.anvil.process->release();
    for (NodeProcess& n : nodes_)
      if (n.process) n.process->release();
    kept_ = true;
    std::string apis;
    for (const NodeProcess& n : nodes_)
      apis += "\n  " + n.name + "  " + n.api();
    con_.say("the network keeps running (--keep): chain " + chain_.anvil.url + ", marketplace " +
             marketplace_.hex() + apis + "\nstop it with: codex-agent devnet stop --data-dir " +
             dir_.string());
  }

  const DevnetOptions& o_;
  const DevnetPreset& p_;
  Console con_;
  const std::atomic<bool>& interrupted_;
  fs::path dir_;
  bool temp_dir_ = false;
  bool kept_ = false;
  LocalChain chain_;  // the development key, anvil and the deployment
  eth::Address marketplace_;
  std::vector<NodeProcess> nodes_;
  std::unique_ptr<NetworkWatch> watch_;
  std::map<std::string, MetricSums> figures_;  // by node name
  std::string cid_, request_id_;
  uint64_t slot_size_ = 0;
  uint32_t providers_ = 0;  // started with the network (the spare comes later)
  std::string spr_;         // the client's signed peer record
  std::optional<uint64_t> started_period_;
  bool spare_started_ = false;
  std::string victim_;  // the provider the fault hit
  std::optional<uint64_t> restart_at_;
};

bool ours(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline");
  std::string argv0;
  std::getline(in, argv0, '\0');
  return argv0.ends_with("anvil") || argv0.ends_with("codex-agent");
}

}  // namespace

int run_devnet(const DevnetOptions& o, std::ostream& out, const std::atomic<bool>& interrupted) {
  o.preset.validate();
  Devnet d(o, out, interrupted);
  return d.run();
}

size_t stop_kept_devnet(const fs::path& data_dir, std::ostream& out) {
  std::ifstream in(data_dir / "pids");
  if (!in)
    throw std::runtime_error("no devnet kept running in " + data_dir.string() + " (no pids file)");
  const json pids = json::parse(in, nullptr, false);
  if (!pids.is_array()) throw std::runtime_error((data_dir / "pids").string() + ": not a pid list");
  size_t stopped = 0;
  // Nodes first, anvil (the first entry) last.
  for (auto it = pids.rbegin(); it != pids.rend(); ++it) {
    if (!it->is_number_integer()) continue;
    const pid_t pid = it->get<pid_t>();
    if (pid <= 1 || !ours(pid)) continue;
    ::kill(pid, SIGTERM);
    for (int i = 0; i < 500 && ::kill(pid, 0) == 0 && ours(pid); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (::kill(pid, 0) == 0 && ours(pid)) ::kill(pid, SIGKILL);
    ++stopped;
  }
  fs::remove(data_dir / "pids");
  out << "devnet: stopped " << stopped << " processes of " << data_dir.string() << "\n";
  return stopped;
}

}  // namespace codex::devnet
