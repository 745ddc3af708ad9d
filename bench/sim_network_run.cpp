// The network simulation's speed (issue 15's goal: 10,000 providers for a
// simulated year in 10 minutes, i.e. about 6,100 simulated provider-days per
// second): runs `codex-agent simulate`'s Simulation with N providers for D
// days (a request per provider, proofs about every 4th period of 120 s, two
// validators) and prints provider-days per second, the wall time, the
// peak memory (VmHWM) and the size of the nodes' databases (memory too on
// /dev/shm). --proof-probability 100 is the node's default (the
// contract's slotProbability 75: a proof about every 75th period);
// --no-shortcuts makes hosts and validators read every slot every period as
// on a chain (the speed without the model's shortcuts; the same run). The
// nodes' databases go where `codex-agent simulate` puts them by default: in
// memory (/dev/shm) where it exists.
//   sim_network_run [--providers 100] [--days 10] [--seed 1] [--requests N]
//                   [--proof-probability 4] [--no-shortcuts]   (--help)
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "agent/sim/simulation.h"
#include "base/cli/unsigned_range.h"
#include "tests/support/temp_dir.h"

namespace {

std::string peak_memory() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return line.substr(6);
  return "?";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Times the network simulation: simulated provider-days per second");
  uint64_t providers = 100, days = 10, seed = 1;
  app.add_option("--providers", providers, "Providers")
      ->check(codex::base::cli::UnsignedRange(1, 100000));
  app.add_option("--days", days, "Simulated days")->check(codex::base::cli::UnsignedRange(1, 3650));
  app.add_option("--seed", seed, "Seed");
  uint64_t probability = codex::sim::SimOptions{}.proof_probability;
  app.add_option("--proof-probability", probability, "A proof about every N periods")
      ->check(codex::base::cli::UnsignedRange(1, 1000000));
  uint64_t requests = 0;
  app.add_option("--requests", requests, "Requests posted over the run (default: one per provider)")
      ->check(codex::base::cli::UnsignedRange(1, 100000000));
  bool every_period = false;
  app.add_flag("--no-shortcuts", every_period,
               "Hosts and validators read every slot every period (as on a chain)");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);

  codex::sim::SimOptions o;
  o.seed = seed;
  o.providers = providers;
  o.requests = requests ? requests : providers;
  o.seconds = days * 86400;
  o.proof_probability = probability;
  o.model_shortcuts = !every_period;
  const std::filesystem::path shm = "/dev/shm";
  codex::testing::TempDir dir("sim-bench", std::filesystem::is_directory(shm)
                                               ? shm
                                               : std::filesystem::temp_directory_path());
  codex::sim::Simulation s(o, dir.path() / "net");
  const codex::sim::SimReport r = s.run();
  // The nodes' databases: in memory too when they are on /dev/shm.
  uint64_t data_bytes = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir.path()))
    if (e.is_regular_file()) data_bytes += e.file_size();
  std::printf(
      "%llu providers, %llu days, %llu requests, proof probability %llu%s: %.1f s wall, %.1f "
      "provider-days/s, %llu proofs, %llu events, peak memory%s, databases %.0f MB, event log "
      "%s\n",
      static_cast<unsigned long long>(providers), static_cast<unsigned long long>(days),
      static_cast<unsigned long long>(o.requests), static_cast<unsigned long long>(probability),
      every_period ? ", no shortcuts" : "", r.wall_seconds, r.provider_days_per_second,
      static_cast<unsigned long long>(r.totals.proofs_submitted),
      static_cast<unsigned long long>(r.events), peak_memory().c_str(), double(data_bytes) / 1e6,
      r.event_log_hash.substr(0, 18).c_str());
  return 0;
}
