// The paper-model Monte Carlo (agent/durability/paper_simulation.h) against the exact chains,
// and `codex-agent durability` / `simulate --paper-model` refusing bad input.
//
// Statistical bounds: a loss fraction from D datasets is binomial; each comparison allows 4.5
// standard deviations sqrt(P(1−P)/D) of the exact P (a false alarm about once in 150,000 runs
// per comparison; the seeds are fixed, so a run either always passes or always fails).
// Parameters are chosen so that losses are in the percent range, where D = 20,000–100,000
// resolves a few percent of P in well under a second.
#include <sys/wait.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "agent/durability/paper_simulation.h"
#include "agent/durability/per_slot_model.h"
#include "agent/durability/reliability_model.h"
#include "tests/agent/support/agent_node.h"
#include "tests/support/require_tool.h"
#include "tests/support/temp_dir.h"

namespace {

namespace d = codex::agent::durability;
constexpr double kYear = d::kSecondsPerYear;
constexpr double kDay = 86400;

d::PaperSimulationParams sim(int k, int m, int l0, double mttf, double mtbp, double mttr,
                             d::RepairMode mode, std::uint64_t datasets, std::uint64_t seed = 1) {
  d::PaperSimulationParams p;
  p.model.k = k;
  p.model.m = m;
  p.model.l0 = l0;
  p.model.mttf = mttf;
  p.model.mtbp = mtbp;
  p.model.mttr = mttr;
  p.repair = mode;
  p.datasets = datasets;
  p.years = 1;
  p.seed = seed;
  return p;
}

// |simulated − exact| within 4.5 binomial standard deviations of the exact probability.
void expect_binomially_close(const d::PaperSimulationResult& r, double exact) {
  const double sigma = std::sqrt(exact * (1 - exact) / double(r.params.datasets));
  EXPECT_LT(std::fabs(r.loss_fraction - exact), 4.5 * sigma)
      << "simulated " << r.loss_fraction << ", exact " << exact << ", sigma " << sigma;
}

std::uint64_t fnv1a(const std::string& s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s)
    h = (h ^ c) * 1099511628211ull;
  return h;
}

TEST(DurabilitySimulation, SameSeedSameBytesOtherSeedOtherBytes) {
  const auto p = sim(3, 2, 1, 180 * kDay, 7 * kDay, 3 * kDay, d::RepairMode::lazy, 5000, 42);
  const std::string a = d::to_json(d::simulate_paper_model(p));
  const std::string b = d::to_json(d::simulate_paper_model(p));
  EXPECT_EQ(fnv1a(a), fnv1a(b));
  EXPECT_EQ(a, b);
  auto other = p;
  other.seed = 43;
  EXPECT_NE(fnv1a(d::to_json(d::simulate_paper_model(other))), fnv1a(a));
  auto slot = p;
  slot.repair = d::RepairMode::per_slot;
  EXPECT_EQ(d::to_json(d::simulate_paper_model(slot)), d::to_json(d::simulate_paper_model(slot)));

  const nlohmann::json j = nlohmann::json::parse(a);
  for (const char* key :
       {"datasets", "lost", "loss_fraction", "mean_years_to_loss", "repairs", "seed", "repair", "k",
        "m", "l0", "analytic_loss_probability", "analytic_mtta_years"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["datasets"], 5000);
  EXPECT_EQ(j["seed"], 42);
  EXPECT_EQ(j["repair"], "lazy");
  EXPECT_GT(j["lost"].get<int>(), 0);
  EXPECT_DOUBLE_EQ(j["loss_fraction"].get<double>(), j["lost"].get<double>() / 5000);
  // Nothing lost: no mean time to loss.
  const auto safe =
      d::simulate_paper_model(sim(3, 2, 1, kYear, kDay, kDay, d::RepairMode::lazy, 10));
  EXPECT_EQ(safe.lost, 0u);
  EXPECT_TRUE(nlohmann::json::parse(d::to_json(safe))["mean_years_to_loss"].is_null());
}

TEST(DurabilitySimulation, LazyRepairMatchesThePapersChain) {
  // The reference's default request (nodes 3, tolerance 1), MTTF 1 year, a proof a day, a
  // repair a day: P = 3.1%.
  {
    const auto r =
        d::simulate_paper_model(sim(2, 1, 1, kYear, kDay, kDay, d::RepairMode::lazy, 100000, 7));
    expect_binomially_close(r, d::loss_probability(r.params.model, kYear));
    EXPECT_DOUBLE_EQ(r.analytic_loss_probability, d::loss_probability(r.params.model, kYear));
    // Rare enough for the time to loss to be nearly exponential: the censored estimate of its
    // mean is within 4.5/sqrt(lost) of MTTA (plus 1% for the start from all slots alive).
    ASSERT_TRUE(r.mean_years_to_loss.has_value());
    EXPECT_LT(std::fabs(*r.mean_years_to_loss / r.analytic_mtta_years - 1),
              4.5 / std::sqrt(double(r.lost)) + 0.01);
  }
  // Lazier: repair after two losses seen, a proof a week: P = 11%.
  {
    const auto r = d::simulate_paper_model(
        sim(3, 2, 2, kYear, 7 * kDay, 3 * kDay, d::RepairMode::lazy, 50000, 8));
    const double exact = d::loss_probability(r.params.model, kYear);
    ASSERT_GT(exact, 0.01);
    ASSERT_LT(exact, 0.2);
    expect_binomially_close(r, exact);
  }
}

TEST(DurabilitySimulation, WithoutRepairLossIsTheBinomialTail) {
  // l0 > m: never repaired. 3+2 with MTTF 5 years over one year: the binomial tail
  // Σ_{i≥3} C(5,i) p^i (1−p)^(5−i), p = 1 − e^(−1/5), is 4.45%.
  const auto r =
      d::simulate_paper_model(sim(3, 2, 3, 5 * kYear, kDay, kDay, d::RepairMode::lazy, 50000, 9));
  const double p = -std::expm1(-0.2);
  double tail = 0;
  const double choose[] = {1, 5, 10, 10, 5, 1};
  for (int i = 3; i <= 5; ++i)
    tail += choose[i] * std::pow(p, i) * std::pow(1 - p, 5 - i);
  EXPECT_NEAR(tail, 0.0445, 1e-4);
  expect_binomially_close(r, tail);
  EXPECT_EQ(r.repairs, 0u);
}

TEST(DurabilitySimulation, PerSlotRepairMatchesTheContractsChain) {
  // Compared with the exact chain of the contract's semantics (per_slot_model.h, solved
  // independently of the simulator), and set beside the paper's lazy repair with l0 = 1.
  // Neither always wins: per-slot repair runs the repairs of several lost slots at once (better
  // when slots are seen quickly), lazy repair also restores slots not yet seen (better when
  // proofs are rare). Both orders are checked, each beyond 4.5 sigma of both fractions.
  struct Case {
    double mtbp, mttr;
    bool per_slot_loses_less;
  };
  for (const Case c : {Case{kDay, 30 * kDay, true}, Case{30 * kDay, kDay, false}}) {
    const auto slot = d::simulate_paper_model(
        sim(3, 2, 1, kYear, c.mtbp, c.mttr, d::RepairMode::per_slot, 40000, 10));
    const auto lazy = d::simulate_paper_model(
        sim(3, 2, 1, kYear, c.mtbp, c.mttr, d::RepairMode::lazy, 40000, 10));
    const double exact_slot = d::per_slot_loss_probability(slot.params.model, kYear);
    const double exact_lazy = d::loss_probability(lazy.params.model, kYear);
    expect_binomially_close(slot, exact_slot);
    expect_binomially_close(lazy, exact_lazy);
    EXPECT_DOUBLE_EQ(slot.analytic_loss_probability, exact_slot);
    const double sigma = std::sqrt(exact_slot * (1 - exact_slot) / 40000) +
                         std::sqrt(exact_lazy * (1 - exact_lazy) / 40000);
    if (c.per_slot_loses_less)
      EXPECT_LT(slot.loss_fraction + 4.5 * sigma, lazy.loss_fraction);
    else
      EXPECT_GT(slot.loss_fraction, lazy.loss_fraction + 4.5 * sigma);
  }
  // With one parity slot only one slot is ever repaired: both modes draw the same numbers and
  // lose the same datasets.
  const auto slot =
      d::simulate_paper_model(sim(2, 1, 1, kYear, kDay, kDay, d::RepairMode::per_slot, 20000, 3));
  const auto lazy =
      d::simulate_paper_model(sim(2, 1, 1, kYear, kDay, kDay, d::RepairMode::lazy, 20000, 3));
  EXPECT_EQ(slot.lost, lazy.lost);
  EXPECT_EQ(slot.mean_years_to_loss, lazy.mean_years_to_loss);
}

TEST(DurabilitySimulation, RefusesBadParameters) {
  auto p = sim(3, 2, 1, kYear, kDay, kDay, d::RepairMode::lazy, 10);
  p.datasets = 0;
  EXPECT_THROW(d::simulate_paper_model(p), std::invalid_argument);
  p.datasets = 10;
  for (double years : {0.0, -1.0, double(NAN), double(INFINITY)}) {
    p.years = years;
    EXPECT_THROW(d::simulate_paper_model(p), std::invalid_argument) << years;
  }
  p.years = 1;
  p.model.mtbp = 0;
  EXPECT_THROW(d::simulate_paper_model(p), std::invalid_argument);
  EXPECT_THROW(d::parse_repair_mode("eager"), std::invalid_argument);
  EXPECT_EQ(d::parse_repair_mode("per-slot"), d::RepairMode::per_slot);
  EXPECT_EQ(d::name(d::RepairMode::per_slot), "per-slot");
}

// The commands, through the real program.
class DurabilityCli : public ::testing::Test {
 protected:
  struct Result {
    int status = -1;
    std::string output;
  };
  void SetUp() override {
    CODEX_REQUIRE_TOOL(codex::testing::executable(codex::test::agent_binary()),
                       codex::test::agent_binary() << " (not built)");
  }
  Result run(const std::string& args) {
    const auto out = tmp_.path() / "out";
    const std::string cmd =
        "timeout 20 " + codex::test::agent_binary() + " " + args + " > " + out.string() + " 2>&1";
    const int st = std::system(cmd.c_str());
    std::ifstream in(out);
    Result r;
    r.output.assign(std::istreambuf_iterator<char>(in), {});
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
  }
  std::string file(const std::string& name) { return (tmp_.path() / name).string(); }
  codex::testing::TempDir tmp_{"durability_cli"};
};

TEST_F(DurabilityCli, RefusesBadInputWithAMessage) {
  struct Bad {
    std::string args, needle;
  };
  const std::vector<Bad> cases = {
      {"durability --ec 3", "--ec: erasure code '3': no '+'"},
      {"durability --ec 0+2", "K must be at least 1"},
      {"durability --ec 3+41", "M must be at most 40"},
      {"durability --ec x+2", "K is not a decimal number"},
      {"durability --ec 3+-1", "M is not a decimal number"},
      {"durability --lazy 0", "--lazy: 0 is out of range"},
      {"durability --lazy -1", "--lazy: -1 is not a non-negative decimal integer"},
      {"durability --mttf 0d", "--mttf: '0d': must be longer than 0 s"},
      {"durability --mtbp -1d", "--mtbp: duration"},
      {"durability --mttr 1x", "--mttr: duration: unknown unit"},
      {"durability --years 0", "--years: '0' is not a positive number of years"},
      {"durability --years nan", "is not a positive number"},
      {"durability --years -2", "is not a positive number"},
      {"simulate --paper-model --datasets 0", "--datasets: 0 is out of range"},
      {"simulate --paper-model --repair eager", "--repair: eager not in {lazy,per-slot}"},
      {"simulate --paper-model --seed -1", "--seed: -1 is not a non-negative"},
      {"simulate --paper-model --years 1e999", "is not a positive number"},
      {"simulate --paper-model --ec 3+2 --mttf 1d --mtbp 1s --years 100000000", "beyond 1e12"},
      {"simulate --paper-model --datasets 10 --json /nonexistent/dir/x.json",
       "cannot write /nonexistent/dir/x.json"},
  };
  for (const auto& c : cases) {
    const Result r = run(c.args);
    EXPECT_NE(r.status, 0) << c.args;
    EXPECT_NE(r.status, 124) << c.args << ": ran until the time limit";
    EXPECT_NE(r.output.find(c.needle), std::string::npos) << c.args << "\n" << r.output;
    EXPECT_EQ(r.output.find("terminate called"), std::string::npos) << c.args << "\n" << r.output;
  }
}

// Without --paper-model: the network simulation (agent/sim).
TEST_F(DurabilityCli, TheNetworkSimulationRefusesBadInputWithAMessage) {
  std::filesystem::create_directories(tmp_.path() / "full");
  std::ofstream(tmp_.path() / "full" / "x") << "x";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"simulate --providers 0", "--providers: 0 is out of range"},
      {"simulate --duration 1x", "--duration: duration: unknown unit"},
      {"simulate --duration 10m", "at least one hour"},
      {"simulate --droppers 2", "--droppers: a number from 0 to 1, not 2"},
      {"simulate --slow-miss nan", "a number from 0 to 1"},
      {"simulate --max-request-duration 40d", "above the contract's request duration limit"},
      {"simulate --min-request-duration 20d --max-request-duration 10d",
       "--min-request-duration must be"},
      {"simulate --capacity 1MiB", "at least 8 MiB"},
      {"simulate --capacity lots", "capacity"},
      {"simulate --block-time 600s", "--block-time"},
      {"simulate --data-dir " + file("full"), "is not empty"},
  };
  for (const auto& [args, needle] : cases) {
    const Result r = run(args);
    EXPECT_NE(r.status, 0) << args;
    EXPECT_NE(r.status, 124) << args << ": ran until the time limit";
    EXPECT_NE(r.output.find(needle), std::string::npos) << args << "\n" << r.output;
    EXPECT_EQ(r.output.find("terminate called"), std::string::npos) << args << "\n" << r.output;
  }
}

TEST_F(DurabilityCli, TheNetworkSimulationWritesItsReportLogAndPlots) {
  // The plots are drawn by Debian's gnuplot-nox (scripts/setup installs it).
  CODEX_REQUIRE_TOOL(codex::testing::executable("/usr/bin/gnuplot"), "gnuplot (gnuplot-nox)");
  const std::string args =
      "simulate --providers 8 --requests 4 --duration 2d --min-request-duration 12h "
      "--max-request-duration 1d --max-slots 4 --mttf 3d --seed 3 --json ";
  Result r =
      run(args + file("n.json") + " --log " + file("events.log") + " --plots " + file("plots"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("tokens: "), std::string::npos) << r.output;
  std::ifstream in(file("n.json"));
  const nlohmann::json j = nlohmann::json::parse(in);
  EXPECT_EQ(j["providers"], 8);
  EXPECT_EQ(j["totals"]["requestsPosted"], 4);
  EXPECT_TRUE(j["tokens"]["conserved"].get<bool>());
  EXPECT_EQ(j["days"].size(), 2u);
  EXPECT_GT(std::filesystem::file_size(file("events.log")), 100u);
  for (const char* png : {"datasets.png", "slots.png", "activity.png", "earnings.png"})
    EXPECT_GT(std::filesystem::file_size(tmp_.path() / "plots" / png), 1000u) << png;
  // The same seed, the same events.
  ASSERT_EQ(run(args + file("m.json")).status, 0);
  std::ifstream again(file("m.json"));
  EXPECT_EQ(nlohmann::json::parse(again)["eventLogHash"], j["eventLogHash"]);
}

TEST_F(DurabilityCli, PrintsTheModelAndWritesJson) {
  // l0 > m is valid: never repaired (the binomial tail, 0.711 for 5+5 over one MTTF).
  Result r = run("durability --ec 5+5 --lazy 6 --mttf 365d --years 1 --json " + file("d.json"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("never repaired"), std::string::npos) << r.output;
  std::ifstream in(file("d.json"));
  const nlohmann::json j = nlohmann::json::parse(in);
  EXPECT_NEAR(j["loss_probability"].get<double>(), 0.711, 5e-4);

  const std::string args =
      "simulate --paper-model --ec 2+1 --lazy 1 --mttf 365d --mtbp 1d "
      "--mttr 1d --datasets 2000 --years 1 --seed 5 --json ";
  ASSERT_EQ(run(args + file("a.json")).status, 0);
  ASSERT_EQ(run(args + file("b.json")).status, 0);
  const auto read = [](const std::string& f) {
    std::ifstream s(f);
    return std::string(std::istreambuf_iterator<char>(s), {});
  };
  EXPECT_EQ(read(file("a.json")), read(file("b.json")));
  const nlohmann::json s = nlohmann::json::parse(read(file("a.json")));
  EXPECT_EQ(s["datasets"], 2000);
  EXPECT_EQ(s["repair"], "lazy");
  EXPECT_EQ(s["mttf_seconds"], 365 * 86400);
}

}  // namespace
