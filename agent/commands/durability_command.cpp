// `codex-agent durability`: the whitepaper's reliability model of one dataset
// (spec/durability.md §1) computed exactly: the mean time to loss (the MTTA recursion of §1.3),
// the paper's figure p_loss = T/MTTA, and the probability of loss within T; beside them the
// same dataset under the contract's per-slot repair. Also the model options that
// `simulate --paper-model` shares.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

#include "agent/commands/commands.h"
#include "agent/config/units.h"
#include "agent/durability/per_slot_model.h"
#include "agent/durability/reliability_model.h"
#include "base/cli/unsigned_range.h"

namespace codex::agent {

namespace {

// A duration option's check: parse_duration's own message, and > 0.
std::string positive_duration(const std::string& v) {
  try {
    if (parse_duration(v).count() <= 0) return "'" + v + "': must be longer than 0 s";
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return {};
}

struct ModelText {
  std::string ec = "2+1";  // the reference's request defaults: nodes 3, tolerance 1
  unsigned l0 = 1;
  std::string mttf = "365d", mtbp = "1d", mttr = "1d";
};

std::string days(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g d", seconds / 86400);
  return buf;
}

}  // namespace

std::string positive_years_check(const std::string& v) {
  double y = 0;
  const auto [end, err] = std::from_chars(v.data(), v.data() + v.size(), y);
  if (err != std::errc() || end != v.data() + v.size() || !std::isfinite(y) || y <= 0)
    return "'" + v + "' is not a positive number of years";
  return {};
}

std::function<durability::ReliabilityParams()> add_reliability_options(CLI::App& cmd) {
  auto t = std::make_shared<ModelText>();
  cmd.add_option("--ec", t->ec,
                 "Erasure code K+M: K data and M parity slots, the dataset lost beyond M lost "
                 "(default: the reference's request, nodes 3, tolerance 1)")
      ->capture_default_str()
      ->check([](const std::string& v) {
        try {
          durability::parse_erasure_code(v);
        } catch (const std::invalid_argument& e) {
          return std::string(e.what());
        }
        return std::string();
      });
  cmd.add_option("--lazy", t->l0,
                 "l0: lost slots seen before one repair restores them all (l0 > M: never "
                 "repaired)")
      ->capture_default_str()
      ->check(base::cli::UnsignedRange(1, 1000));
  cmd.add_option("--mttf", t->mttf, "Mean time to a slot's permanent loss (s, m, h, d, w)")
      ->capture_default_str()
      ->check(positive_duration);
  cmd.add_option("--mtbp", t->mtbp, "Mean time between proofs: until a lost slot is seen")
      ->capture_default_str()
      ->check(positive_duration);
  cmd.add_option("--mttr", t->mttr, "Mean time of a repair")
      ->capture_default_str()
      ->check(positive_duration);
  return [t] {
    const durability::ErasureCode ec = durability::parse_erasure_code(t->ec);
    durability::ReliabilityParams p;
    p.k = ec.k;
    p.m = ec.m;
    p.l0 = int(t->l0);
    p.mttf = double(parse_duration(t->mttf).count());
    p.mtbp = double(parse_duration(t->mtbp).count());
    p.mttr = double(parse_duration(t->mttr).count());
    durability::validate(p);
    return p;
  };
}

std::string describe_reliability(const durability::ReliabilityParams& p) {
  return std::to_string(p.k) + "+" + std::to_string(p.m) + " (n = " + std::to_string(p.k + p.m) +
         "), l0 " + std::to_string(p.l0) + (p.l0 > p.m ? " (> m: never repaired)" : "") +
         ", MTTF " + days(p.mttf) + ", MTBP " + days(p.mtbp) + ", MTTR " + days(p.mttr);
}

void add_durability_command(CLI::App& app, int* rc) {
  CLI::App* cmd = app.add_subcommand(
      "durability",
      "The whitepaper's durability model of one dataset, computed exactly (spec/durability.md "
      "§1): mean time to loss, the paper's p_loss = T/MTTA, and P(lost within T)");
  auto model = add_reliability_options(*cmd);
  auto years = std::make_shared<std::string>("1");
  auto json = std::make_shared<std::string>();
  cmd->add_option("--years", *years, "Horizon T in years of 365 days")
      ->capture_default_str()
      ->check(positive_years_check);
  cmd->add_option("--json", *json, "Also write the figures to this file as JSON");
  cmd->callback([model, years, json, rc] {
    namespace d = durability;
    const d::ReliabilityParams p = model();
    const double t_years = std::stod(*years);
    const double horizon = t_years * d::kSecondsPerYear;
    const double mtta = d::mean_time_to_loss(p) / d::kSecondsPerYear;
    const double exact = d::loss_probability(p, horizon);
    const double slot_mtta = d::per_slot_mean_time_to_loss(p) / d::kSecondsPerYear;
    const double slot_exact = d::per_slot_loss_probability(p, horizon);
    std::printf("model: %s\n", describe_reliability(p).c_str());
    std::printf("horizon T: %.6g y (365 d each)\n", t_years);
    std::printf("paper (lazy repair):\n");
    std::printf("  mean time to loss (MTTA): %.6g years\n", mtta);
    std::printf("  paper's p_loss = T/MTTA:  %.6g (a rate, not a probability: may exceed 1)\n",
                t_years / mtta);
    std::printf("  P(lost within T), exact:  %.6g\n", exact);
    std::printf("contract (per-slot repair, l0 not used):\n");
    std::printf("  mean time to loss:        %.6g years\n", slot_mtta);
    std::printf("  P(lost within T), exact:  %.6g\n", slot_exact);
    if (!json->empty()) {
      const nlohmann::ordered_json j = {
          {"k", p.k},
          {"m", p.m},
          {"l0", p.l0},
          {"mttf_seconds", p.mttf},
          {"mtbp_seconds", p.mtbp},
          {"mttr_seconds", p.mttr},
          {"years", t_years},
          {"mtta_years", mtta},
          {"paper_loss", t_years / mtta},
          {"loss_probability", exact},
          {"per_slot_mtta_years", slot_mtta},
          {"per_slot_loss_probability", slot_exact},
      };
      std::ofstream out(*json);
      out << j.dump(2) << "\n";
      if (!out.flush()) throw std::runtime_error("cannot write " + *json);
    }
    *rc = 0;
  });
}

}  // namespace codex::agent
