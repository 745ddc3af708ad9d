#include "agent/sim/sim_report.h"

#include <nlohmann/json.hpp>

namespace codex::sim {

nlohmann::json SimReport::to_json() const {
  nlohmann::json days_json = nlohmann::json::array();
  for (const DayRow& d : days)
    days_json.push_back({{"day", d.day},
                         {"datasetsAlive", d.datasets_alive},
                         {"datasetsLost", d.datasets_lost},
                         {"datasetsFinished", d.datasets_finished},
                         {"slotsFilled", d.slots_filled},
                         {"slotsRepairing", d.slots_repairing},
                         {"providersUp", d.providers_up},
                         {"providersDown", d.providers_down},
                         {"providersLost", d.providers_lost},
                         {"proofs", d.proofs},
                         {"marks", d.marks},
                         {"repairs", d.repairs}});
  const SimTotals& t = totals;
  return {{"seed", seed},
          {"providers", providers},
          {"validators", validators},
          {"simulatedDays", simulated_days},
          {"wallSeconds", wall_seconds},
          {"providerDaysPerSecond", provider_days_per_second},
          {"totals",
           {{"requestsPosted", t.requests_posted},
            {"requestsStarted", t.requests_started},
            {"requestsFinished", t.requests_finished},
            {"requestsFailed", t.requests_failed},
            {"requestsCancelled", t.requests_cancelled},
            {"slotsFilled", t.slots_filled},
            {"slotsFreed", t.slots_freed},
            {"repairs", t.repairs},
            {"proofsSubmitted", t.proofs_submitted},
            {"marks", t.marks},
            {"providersLost", t.providers_lost},
            {"outages", t.outages},
            {"validatorOutages", t.validator_outages},
            {"partitions", t.partitions},
            {"bytesMoved", t.bytes_moved},
            {"missesMarked", t.misses_marked},
            {"missesExcused", t.misses_excused},
            {"missesUnmarked", t.misses_unmarked},
            {"validatorRewards", t.validator_rewards}}},
          {"days", days_json},
          {"providerEarnings", provider_earnings},
          {"tokens",
           {{"client", tokens.client},
            {"marketplace", tokens.marketplace},
            {"conserved", tokens.conserved}}},
          {"events", events},
          {"eventLogHash", event_log_hash}};
}

}  // namespace codex::sim
