#include "agent/sim/sim_options.h"

#include <stdexcept>

namespace codex::sim {

void SimOptions::validate() const {
  auto need = [](bool ok, const char* what) {
    if (!ok) throw std::invalid_argument(what);
  };
  need(seconds >= 3600, "--duration: at least one hour of simulated time");
  need(providers >= 1 && providers <= 100'000, "--providers: 1 to 100000");
  need(validators <= 64, "--validators: 0 to 64");
  need(max_slots >= 3 && max_slots <= 64, "--max-slots: 3 to 64");
  need(min_duration >= 1 && min_duration <= max_duration,
       "--min-request-duration must be at least 1 s and not above --max-request-duration");
  need(max_duration <= config.request_duration_limit,
       "--max-request-duration: above the contract's request duration limit");
  need(block_time >= 1 && block_time <= config.proofs.period, "--block-time: 1 s up to a period");
  need(proof_probability >= 1, "--proof-probability: at least 1");
  need(scenario || provider_capacity >= (8ull << 20),
       "--capacity: at least 8 MiB (the largest slot)");
  if (scenario)
    need(scenario->ask.slots >= 1 && scenario->ask.slot_size >= 1 && scenario->expiry >= 1 &&
             (!scenario->lose_host_of_slot || *scenario->lose_host_of_slot < scenario->ask.slots),
         "scenario: a request of at least one slot, an expiry, a slot to lose among them");
  need(mttf >= 0 && mtbo >= 0 && outage > 0 && validator_mtbo >= 0 && validator_outage > 0,
       "fault durations must not be negative");
  auto share = [&](double v, const char* what) { need(v >= 0 && v <= 1, what); };
  share(slow_provers, "--slow-provers: a share between 0 and 1");
  share(slow_miss, "--slow-miss: a probability between 0 and 1");
  share(droppers, "--droppers: a share between 0 and 1");
  share(withholders, "--withholders: a share between 0 and 1");
  share(corrupters, "--corrupters: a share between 0 and 1");
  share(corrupted_fraction, "--corrupted-fraction: between 0 and 1");
  share(dropped_fraction, "--dropped-fraction: between 0 and 1");
  need(latency >= 0 && latency <= 3600, "--latency: 0 to 3600 seconds");
  need(bandwidth >= 0, "--bandwidth: not negative (0: instantaneous transfers)");
  need(bandwidth == 0 || bandwidth >= 1000, "--bandwidth: at least 1000 bytes per second");
  need(partition_mtbp >= 0 && partition_duration > 0,
       "--partition-mtbp must not be negative and --partition-duration must be positive");
  share(partition_share, "--partition-share: a share between 0 and 1");
}

}  // namespace codex::sim
