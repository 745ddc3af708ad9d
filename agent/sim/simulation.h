#pragma once
// The deterministic simulation of a whole network (`codex-agent simulate`):
// the production provider and validator roles (agent/sales, agent/validator)
// on the in-memory marketplace (agent/market/model) and a virtual clock,
// with clients posting storage requests and faults drawn from the seed.
// The same options give the same event log, byte for byte.
//
// What is modelled and what is not (see README "Simulation"):
// - The marketplace is the model of the contract, held to the Solidity
//   contract by the differential test; every call the roles make is real.
// - Clients post requests straight to the marketplace (the purchasing
//   role's erasure coding needs real datasets); providers and validators
//   run the production state machines with their SQLite records.
// - A provider's outage is a crash and a restart: its process state goes,
//   its data directory stays, and its Sales resumes from its records.
// - The network and the stores are drawn, not run: a repair succeeds when
//   every row of blocks finds K intact among the request's other hosts
//   reachable; a host that dropped part of its slot is caught with the
//   sampler's odds; a slow prover misses required proofs with a given
//   chance.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <memory>

#include "agent/sim/sim_options.h"
#include "agent/sim/sim_report.h"

namespace codex::sim {

class Simulation {
 public:
  // `dir`: where the providers' and validators' data directories go (new or
  // empty). Throws std::invalid_argument for bad options.
  Simulation(SimOptions options, std::filesystem::path dir);
  ~Simulation();

  // Runs to the end; `progress(day)` is called after each simulated day;
  // `log`, when given, gets the event log (one line per event: seconds since
  // the start, what, ids), whose hash the report carries either way.
  SimReport run(const std::function<void(const DayRow&)>& progress = nullptr,
                std::ostream* log = nullptr);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace codex::sim
