#include "agent/devnet/stress_report.h"

#include <iomanip>
#include <sstream>

#include "agent/config/units.h"
#include "agent/devnet/chain_reader.h"
#include "agent/devnet/network_watch.h"
#include "base/hex.h"

namespace codex::devnet {
using nlohmann::json;

StressReport make_stress_report(const StressOutcome& o) {
  const StressWatch& w = o.watch;
  size_t posted = 0, skipped = 0;
  for (const PostedRequest& p : o.posted) {
    posted += !p.id.empty();
    skipped += p.skipped;
  }
  size_t started = 0, finished = 0, failed = 0, cancelled = 0;
  for (const auto& [id, r] : w.requests()) {
    started += r.fulfilled;
    if (!r.state) continue;
    finished += *r.state == market::RequestState::Finished;
    failed += *r.state == market::RequestState::Failed;
    cancelled += *r.state == market::RequestState::Cancelled;
  }
  const double wall = o.wall_seconds;
  const auto& start = w.start_balances();
  const auto& end = w.balances();
  // The providers' count of required proofs is a lower bound (it starts
  // again at a restart): what exceeds the proofs on chain and the marks went
  // missing without a validator marking it. Reported, not judged: a slot's
  // request may end before a miss can be marked.
  const uint64_t accounted = w.proofs() + o.journals.marks;
  const uint64_t unaccounted =
      o.proofs_required > double(accounted) ? uint64_t(o.proofs_required) - accounted : 0;
  json providers = json::array();
  std::ostringstream t;
  t << "\n== stress summary (seed " << o.options.seed << ", " << int(wall) << " s)\n"
    << "requests: " << posted << " posted (" << skipped << " skipped by --max-pending), " << started
    << " started, " << finished << " finished, " << failed << " failed, " << cancelled
    << " cancelled\n"
    << "proofs: " << w.proofs() << " submitted on chain (" << int64_t(o.proofs_required)
    << " required by the providers' own count, from their last start); " << o.journals.marks
    << " marked missing (each a slash), " << unaccounted
    << " required but neither submitted nor marked; " << o.misses.missed
    << " missed that the contract would let be marked (" << o.misses.marked << " marked in time, "
    << o.misses.unjudged << " not judged); " << w.freed().size() << " slots freed, "
    << w.refilled().size() << " repaired; " << o.unpaid_slots
    << " slots of ended requests left uncollected by their hosts\n"
    << "json-rpc: " << o.rpc.requests << " requests of the nodes; " << o.rpc.refused << " refused, "
    << o.rpc.lost << " answers lost after forwarding, " << o.rpc.slowed << " slowed\n"
    << "bytes: " << agent::format_size(o.bytes_uploaded) << " uploaded, "
    << agent::format_size(o.bytes_downloaded) << " downloaded and compared (" << o.downloads
    << " datasets); " << o.host_slots_checked
    << " hosted slots rebuilt from their hosts' stores (at restarts and at the end)\n"
    << std::left << std::setw(12) << "provider" << std::setw(7) << "fills" << std::setw(9)
    << "repairs" << std::setw(8) << "proofs" << std::setw(6) << "lost"
    << "tokens (change)\n";
  for (const HostFigures& h : w.hosts()) {
    const std::string delta = signed_delta(start.at(h.name), end.at(h.name));
    t << std::setw(12) << h.name << std::setw(7) << h.fills << std::setw(9) << h.repairs
      << std::setw(8) << h.proofs << std::setw(6) << h.lost << delta << "\n";
    providers.push_back({{"name", h.name},
                         {"address", h.address.hex()},
                         {"fills", h.fills},
                         {"repairs", h.repairs},
                         {"proofs", h.proofs},
                         {"slotsLost", h.lost},
                         {"tokensStart", start.at(h.name).to_dec()},
                         {"tokensEnd", end.at(h.name).to_dec()},
                         {"earnings", delta}});
  }
  json parties = json::object();
  for (const auto& [name, b] : end)
    parties[name] = {{"start", start.at(name).to_dec()},
                     {"end", b.to_dec()},
                     {"change", signed_delta(start.at(name), b)}};
  json invariants = json::array(), all = json::array();
  t << "invariants:\n";
  for (const StressCheck& c : o.checks) {
    t << "  " << (c.violations.empty() ? "ok    " : "FAILED") << " " << c.name << "\n";
    invariants.push_back(
        {{"name", c.name}, {"ok", c.violations.empty()}, {"violations", c.violations}});
    for (const std::string& v : c.violations) {
      t << "         " << v << "\n";
      all.push_back(v);
    }
  }

  json faults = json::array();
  for (size_t i = 0; i < o.schedule.faults.size(); ++i) {
    const PlannedFault& f = o.schedule.faults[i];
    faults.push_back({{"kind", to_string(f.kind)},
                      {"provider", f.provider ? "provider" + std::to_string(f.provider) : "all"},
                      {"plannedAt", f.at},
                      {"injectedAt", o.applied[i].at},
                      {"down", f.down},
                      {"victim", o.applied[i].provider},
                      {"outcome", o.applied[i].outcome}});
  }
  json requests = json::array();
  for (const PlannedRequest& q : o.schedule.requests) {
    const PostedRequest& p = o.posted[q.index];
    json r = {{"index", q.index},
              {"id", p.id.empty() ? "" : "0x" + p.id},
              {"cid", p.cid},
              {"fileSize", q.file_size},
              {"slotSize", p.slot_size},
              {"nodes", q.nodes},
              {"tolerance", q.tolerance},
              {"duration", q.duration},
              {"proofProbability", q.proof_probability},
              {"plannedAt", q.at},
              {"postedAt", p.at},
              {"state", p.skipped ? "skipped" : "not posted"}};
    market::RequestId rid{};
    if (!p.id.empty()) {
      base::from_hex_exact(p.id, rid);
      const auto it = w.requests().find(rid);
      if (it != w.requests().end()) {
        const WatchedRequest& seen = it->second;
        r["state"] = seen.state ? request_state_name(*seen.state) : "unknown";
        r["fills"] = seen.fills;
        r["frees"] = seen.frees;
        r["repairs"] = seen.repairs;
      }
    }
    if (p.unsent) r["state"] = "never on chain";
    if (!p.error.empty()) r["error"] = p.error;
    requests.push_back(r);
  }
  const json report = {{"seed", o.options.seed},
                       {"options",
                        {{"providers", o.options.providers},
                         {"validators", o.options.validators},
                         {"clients", o.options.clients},
                         {"requests", o.options.requests},
                         {"duration", o.options.duration},
                         {"killRestart", o.options.kill_restart},
                         {"killForever", o.options.kill_forever},
                         {"badProofs", o.options.bad_proofs},
                         {"rpcFaults", o.options.rpc_faults},
                         {"rpcFaultRate", o.options.rpc_fault_rate}}},
                       {"wallSeconds", wall},
                       {"dataDir", o.dir.string()},
                       {"requests",
                        {{"planned", o.schedule.requests.size()},
                         {"posted", posted},
                         {"skipped", skipped},
                         {"started", started},
                         {"finished", finished},
                         {"failed", failed},
                         {"cancelled", cancelled}}},
                       {"proofs",
                        {{"submitted", w.proofs()},
                         {"submittedByJournals", o.journals.proofs},
                         {"requiredByProviders", o.proofs_required},
                         {"markedMissing", o.journals.marks},
                         {"requiredNeitherSubmittedNorMarked", unaccounted},
                         {"missedMarkable", o.misses.missed},
                         {"missedMarkedInWindow", o.misses.marked},
                         {"missedNotJudged", o.misses.unjudged},
                         {"periodsChecked", o.misses.periods},
                         {"missChecksTooLate", o.misses.too_late}}},
                       {"slashes", o.journals.marks},
                       {"slotsFreed", w.freed().size()},
                       {"repairs", w.refilled().size()},
                       {"unpaidSlots", o.unpaid_slots},
                       {"rpc",
                        {{"requests", o.rpc.requests},
                         {"refused", o.rpc.refused},
                         {"answersLost", o.rpc.lost},
                         {"slowed", o.rpc.slowed}}},
                       {"bytesUploaded", o.bytes_uploaded},
                       {"bytesDownloaded", o.bytes_downloaded},
                       {"datasetsDownloaded", o.downloads},
                       {"hostedSlotsChecked", o.host_slots_checked},
                       {"transactions",
                        {{"journaled", o.journals.entries},
                         {"onChain", o.journals.on_chain},
                         {"intents", o.journals.intents},
                         {"reverted", o.journals.reverted}}},
                       {"tokens", {{"supply", w.supply().to_dec()}, {"parties", parties}}},
                       {"providers", providers},
                       {"faults", faults},
                       {"requestsDetail", requests},
                       {"invariants", invariants},
                       {"violations", all},
                       {"ok", all.empty()}};
  return {report, t.str(), all.empty()};
}

}  // namespace codex::devnet
