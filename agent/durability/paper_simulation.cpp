#include "agent/durability/paper_simulation.h"

#include <charconv>
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "agent/durability/per_slot_model.h"
#include "base/seeded_random.h"

namespace codex::agent::durability {

namespace {

constexpr double kNever = std::numeric_limits<double>::infinity();

enum class SlotState : std::uint8_t {
  alive,        // next: its loss
  lost_unseen,  // next: the first missed proof
  lost_seen,    // lazy: waits for the dataset's repair (next: never); per-slot: next: repaired
};

struct Slot {
  SlotState state = SlotState::alive;
  double next = kNever;
};

struct Counts {
  std::uint64_t repairs = 0;
  std::uint64_t slot_losses = 0;
};

// One dataset from all slots alive until the horizon; returns the time of its loss, or
// kNever if it survives.
double run_dataset(const PaperSimulationParams& p, double horizon, base::SeededRandom& rng,
                   std::vector<Slot>& slots, Counts& counts) {
  const ReliabilityParams& m = p.model;
  const bool lazy = p.repair == RepairMode::lazy;
  for (auto& s : slots)
    s = {SlotState::alive, rng.exponential(m.mttf)};
  int lost = 0, seen = 0;
  double repair_at = kNever;  // lazy only: the running whole-dataset repair
  for (;;) {
    std::size_t first = 0;
    for (std::size_t i = 1; i < slots.size(); ++i)
      if (slots[i].next < slots[first].next) first = i;
    const double t = std::min(slots[first].next, repair_at);
    if (t > horizon) return kNever;
    if (repair_at <= slots[first].next) {
      // Restores every slot; slots that stayed alive keep their clocks (memoryless).
      for (auto& s : slots)
        if (s.state != SlotState::alive) s = {SlotState::alive, t + rng.exponential(m.mttf)};
      lost = seen = 0;
      repair_at = kNever;
      ++counts.repairs;
      continue;
    }
    Slot& s = slots[first];
    switch (s.state) {
      case SlotState::alive:
        ++counts.slot_losses;
        if (++lost > m.m) return t;
        s = {SlotState::lost_unseen, t + rng.exponential(m.mtbp)};
        break;
      case SlotState::lost_unseen:
        if (lazy) {
          s = {SlotState::lost_seen, kNever};
          if (++seen >= m.l0 && repair_at == kNever) repair_at = t + rng.exponential(m.mttr);
        } else {
          s = {SlotState::lost_seen, t + rng.exponential(m.mttr)};
        }
        break;
      case SlotState::lost_seen:  // per-slot: this slot's repair completes
        s = {SlotState::alive, t + rng.exponential(m.mttf)};
        --lost;
        ++counts.repairs;
        break;
    }
  }
}

void number(std::string& out, double v) {
  char buf[32];
  const auto [end, err] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, err == std::errc() ? end : buf);
}

}  // namespace

std::string_view name(RepairMode mode) {
  return mode == RepairMode::lazy ? "lazy" : "per-slot";
}

RepairMode parse_repair_mode(std::string_view text) {
  if (text == "lazy") return RepairMode::lazy;
  if (text == "per-slot") return RepairMode::per_slot;
  throw std::invalid_argument("repair mode '" + std::string(text) +
                              "': use lazy (the paper) or per-slot (the contract)");
}

PaperSimulationResult simulate_paper_model(const PaperSimulationParams& params) {
  validate(params.model);
  if (params.datasets == 0) throw std::invalid_argument("datasets must be at least 1");
  if (!std::isfinite(params.years) || params.years <= 0)
    throw std::invalid_argument("years must be finite and > 0, not " +
                                std::to_string(params.years));
  const double horizon = params.years * kSecondsPerYear;
  PaperSimulationResult r;
  r.params = params;
  // The exact chain first: parameters it refuses are refused before a long simulation.
  const bool lazy = params.repair == RepairMode::lazy;
  r.analytic_loss_probability = lazy ? loss_probability(params.model, horizon)
                                     : per_slot_loss_probability(params.model, horizon);
  r.analytic_mtta_years =
      (lazy ? mean_time_to_loss(params.model) : per_slot_mean_time_to_loss(params.model)) /
      kSecondsPerYear;
  r.analytic_paper_loss = params.years / r.analytic_mtta_years;
  const double pa = r.analytic_loss_probability;
  r.binomial_sigma = std::sqrt(pa * (1 - pa) / double(params.datasets));
  base::SeededRandom rng(params.seed);
  std::vector<Slot> slots(std::size_t(params.model.k + params.model.m));
  Counts counts;
  double observed = 0;  // seconds
  for (std::uint64_t d = 0; d < params.datasets; ++d) {
    const double at = run_dataset(params, horizon, rng, slots, counts);
    if (at == kNever) {
      observed += horizon;
    } else {
      observed += at;
      ++r.lost;
    }
  }
  r.repairs = counts.repairs;
  r.slot_losses = counts.slot_losses;
  r.loss_fraction = double(r.lost) / double(params.datasets);
  r.dataset_years = observed / kSecondsPerYear;
  if (r.lost > 0) r.mean_years_to_loss = r.dataset_years / double(r.lost);
  return r;
}

std::string to_json(const PaperSimulationResult& r) {
  const auto& p = r.params;
  std::string out = "{";
  bool first = true;
  const auto key = [&](const char* k) {
    out += first ? "\n  \"" : ",\n  \"";
    first = false;
    out += k;
    out += "\": ";
  };
  const auto real = [&](const char* k, double v) {
    key(k);
    number(out, v);
  };
  const auto integer = [&](const char* k, std::uint64_t v) {
    key(k);
    out += std::to_string(v);
  };
  key("model");
  out += "\"paper\"";
  key("repair");
  out += "\"" + std::string(name(p.repair)) + "\"";
  integer("k", std::uint64_t(p.model.k));
  integer("m", std::uint64_t(p.model.m));
  integer("l0", std::uint64_t(p.model.l0));
  real("mttf_seconds", p.model.mttf);
  real("mtbp_seconds", p.model.mtbp);
  real("mttr_seconds", p.model.mttr);
  real("years", p.years);
  integer("seed", p.seed);
  integer("datasets", p.datasets);
  integer("lost", r.lost);
  real("loss_fraction", r.loss_fraction);
  real("dataset_years", r.dataset_years);
  key("mean_years_to_loss");
  if (r.mean_years_to_loss)
    number(out, *r.mean_years_to_loss);
  else
    out += "null";
  integer("repairs", r.repairs);
  integer("slot_losses", r.slot_losses);
  real("analytic_loss_probability", r.analytic_loss_probability);
  real("analytic_mtta_years", r.analytic_mtta_years);
  real("analytic_paper_loss", r.analytic_paper_loss);
  real("binomial_sigma", r.binomial_sigma);
  out += "\n}\n";
  return out;
}

}  // namespace codex::agent::durability
