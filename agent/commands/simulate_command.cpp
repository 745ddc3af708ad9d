// `codex-agent simulate`: the network simulation (simulate_network.cpp: the production roles on
// the marketplace model), or with `--paper-model` the Monte Carlo of the whitepaper's durability
// model (agent/durability/paper_simulation.h) set beside the exact chain, with the paper's lazy
// repair or the contract's per-slot repair.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

#include "agent/commands/commands.h"
#include "agent/durability/paper_simulation.h"
#include "base/cli/unsigned_range.h"

namespace codex::agent {

namespace {

struct PaperModelArgs {
  bool paper_model = false;
  std::uint64_t datasets = 100000;
  std::string years = "1";
  std::uint64_t seed = 1;
  std::string repair = "lazy";
  std::string json;
};

int run_paper_model(const durability::ReliabilityParams& model, const PaperModelArgs& a) {
  namespace d = durability;
  d::PaperSimulationParams p;
  p.model = model;
  p.repair = d::parse_repair_mode(a.repair);
  p.datasets = a.datasets;
  p.years = std::stod(a.years);
  p.seed = a.seed;
  const auto start = std::chrono::steady_clock::now();
  const d::PaperSimulationResult r = d::simulate_paper_model(p);
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("paper model, %s repair: %s\n", std::string(d::name(p.repair)).c_str(),
              describe_reliability(model).c_str());
  std::printf("datasets %llu, horizon %.6g y each, seed %llu\n", (unsigned long long)p.datasets,
              p.years, (unsigned long long)p.seed);
  const double sigma = r.binomial_sigma;
  std::printf("lost %llu: fraction %.6g; exact chain %.6g ± %.3g (binomial sigma)",
              (unsigned long long)r.lost, r.loss_fraction, r.analytic_loss_probability, sigma);
  if (sigma > 0)
    std::printf(", %+.2f sigma\n", (r.loss_fraction - r.analytic_loss_probability) / sigma);
  else
    std::printf("\n");
  if (r.mean_years_to_loss)
    std::printf("mean years to loss %.6g (dataset-years / losses); exact chain %.6g\n",
                *r.mean_years_to_loss, r.analytic_mtta_years);
  else
    std::printf("nothing lost; exact chain's mean time to loss %.6g years\n",
                r.analytic_mtta_years);
  std::printf("repairs %llu, slots lost %llu; %.3g dataset-years simulated in %.3f s\n",
              (unsigned long long)r.repairs, (unsigned long long)r.slot_losses, r.dataset_years,
              secs);
  if (!a.json.empty()) {
    std::ofstream out(a.json);
    out << d::to_json(r);
    if (!out.flush()) throw std::runtime_error("cannot write " + a.json);
  }
  return 0;
}

}  // namespace

void add_simulate_command(CLI::App& app, int* rc) {
  auto a = std::make_shared<PaperModelArgs>();
  CLI::App* cmd = app.add_subcommand(
      "simulate",
      "Deterministic simulation from --seed. Without --paper-model: a network of providers, "
      "validators and a client (the node's own sales and validator code on the marketplace "
      "model, a virtual clock) with the faults asked for; a summary, --json, --plots. "
      "--paper-model: D independent datasets under the whitepaper's durability model "
      "(spec/durability.md §1), beside the exact chain");
  cmd->add_flag("--paper-model", a->paper_model,
                "Simulate the whitepaper's model: slots lost, seen and repaired on exponential "
                "clocks");
  auto model = add_reliability_options(*cmd);
  cmd->add_option("--datasets", a->datasets, "Independent datasets D")
      ->capture_default_str()
      ->check(base::cli::UnsignedRange(1, 1000000000000ull));
  cmd->add_option("--years", a->years, "Years (of 365 days) each dataset is followed")
      ->capture_default_str()
      ->check(positive_years_check);
  cmd->add_option("--seed", a->seed, "Seed of the random numbers: the same seed, the same JSON")
      ->capture_default_str()
      ->check(base::cli::UnsignedRange());
  cmd->add_option("--repair", a->repair,
                  "lazy (the paper: one repair restores every slot once l0 losses are seen) or "
                  "per-slot (the contract: each lost slot refilled on its own; l0 not used)")
      ->capture_default_str()
      ->check(CLI::IsMember({"lazy", "per-slot"}));
  cmd->add_option("--json", a->json, "Write the report to this file as JSON");
  auto network = add_network_simulation_options(*cmd);
  CLI::Option* mttf = cmd->get_option("--mttf");
  cmd->callback([a, model, network, mttf, rc] {
    if (!a->paper_model) {
      // Providers are lost only when --mttf says how often.
      *rc = network(a->seed, mttf->count() > 0 ? model().mttf : 0, a->json);
      return;
    }
    *rc = run_paper_model(model(), *a);
  });
}

}  // namespace codex::agent
