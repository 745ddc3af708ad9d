// The network simulation (agent/sim): the production provider and validator
// roles on the marketplace model. A run is a pure function of its options
// (same seed, same event log hash; another seed, another log); requests
// start, proofs are made and paid; faults are caught: a lost provider's
// slots are marked, freed and repaired by others; a provider that dropped
// most of its data is caught by sampling and loses its slots.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include <spdlog/spdlog.h>

#include <sys/resource.h>
#include <unistd.h>

#include "agent/sim/open_files.h"
#include "agent/sim/simulation.h"
#include "tests/support/temp_dir.h"

namespace codex::sim {
namespace {

SimOptions small(uint64_t seed) {
  SimOptions o;
  o.seed = seed;
  o.seconds = 4 * 86400;
  o.providers = 12;
  o.validators = 2;
  o.requests = 8;
  o.max_slots = 5;
  o.min_duration = 86400;
  o.max_duration = 2 * 86400;
  o.proof_probability = 2;
  return o;
}

SimReport run(const SimOptions& o, std::string* log = nullptr) {
  spdlog::set_level(spdlog::level::warn);  // the roles' info lines, thousands of them
  codex::testing::TempDir dir("sim");
  Simulation s(o, dir.path() / "net");
  std::ostringstream out;
  SimReport r = s.run(nullptr, &out);
  if (log) *log = out.str();
  return r;
}

TEST(SimNetwork, TheSameSeedGivesTheSameEventLogAndAnotherSeedAnother) {
  std::string log1, log2;
  const SimReport a = run(small(3), &log1);
  const SimReport b = run(small(3), &log2);
  EXPECT_EQ(a.event_log_hash, b.event_log_hash);
  EXPECT_EQ(log1, log2);
  EXPECT_GT(a.events, 20u);
  const SimReport c = run(small(4));
  EXPECT_NE(a.event_log_hash, c.event_log_hash);
}

// The model's shortcuts only let hosts and validators skip reads that find
// nothing: with faults of every kind the run is the same, event for event.
TEST(SimNetwork, TheModelsShortcutsChangeNothingButTheTime) {
  SimOptions o = small(6);
  o.proof_probability = 3;
  o.mttf = 6 * 86400;
  o.mtbo = 86400;
  o.outage = 3 * 3600;
  o.slow_provers = 0.2;
  o.droppers = 0.2;
  o.dropped_fraction = 0.01;
  o.validator_mtbo = 86400;
  o.partition_mtbp = 86400;
  std::string with_log, without_log;
  const SimReport with = run(o, &with_log);
  o.model_shortcuts = false;
  const SimReport without = run(o, &without_log);
  EXPECT_EQ(with.event_log_hash, without.event_log_hash);
  EXPECT_EQ(with_log, without_log);
  nlohmann::json a = with.to_json(), b = without.to_json();
  for (nlohmann::json* j : {&a, &b}) {
    ASSERT_TRUE(j->contains("wallSeconds"));
    j->erase("wallSeconds");
    j->erase("providerDaysPerSecond");
  }
  EXPECT_EQ(a, b);
  EXPECT_GT(with.totals.proofs_submitted, 100u);
  EXPECT_GT(with.totals.marks, 0u) << "faults were caught";
  EXPECT_GT(with.totals.outages, 0u);
  EXPECT_GT(with.totals.partitions, 0u);
  // Every miss the contract would let be marked was marked, or its
  // validator was offline.
  EXPECT_GT(with.totals.misses_marked, 0u) << a["totals"].dump();
  EXPECT_EQ(with.totals.misses_unmarked, 0u) << a["totals"].dump();
}

TEST(SimNetwork, RequestsStartProveAndFinishWithoutFaults) {
  const SimReport r = run(small(5));
  const SimTotals& t = r.totals;
  EXPECT_EQ(t.requests_posted, 8u);
  EXPECT_EQ(t.requests_started, 8u) << r.to_json().dump(2);
  EXPECT_EQ(t.requests_failed, 0u);
  EXPECT_GT(t.requests_finished, 0u);
  EXPECT_GT(t.proofs_submitted, 100u);
  EXPECT_EQ(t.marks, 0u) << "nobody misses a proof";
  EXPECT_EQ(t.slots_freed, 0u);
  EXPECT_EQ(r.days.size(), 4u);
  // Hosts of finished requests were paid; every token is accounted for.
  int earners = 0;
  for (const std::string& e : r.provider_earnings)
    earners += e != "0" && e[0] != '-' ? 1 : 0;
  EXPECT_GE(earners, 2);
  EXPECT_TRUE(r.tokens.conserved) << r.to_json()["tokens"].dump();
  EXPECT_EQ(r.tokens.client[0], '-');
}

TEST(SimNetwork, LostProvidersAreMarkedFreedAndRepairedByOthers) {
  SimOptions o = small(6);
  o.providers = 20;
  o.mttf = 2 * 86400;  // most of them die within the run
  const SimReport r = run(o);
  const SimTotals& t = r.totals;
  EXPECT_GT(t.providers_lost, 5u);
  EXPECT_GT(t.marks, 0u) << r.to_json()["totals"].dump();
  EXPECT_GT(t.slots_freed, 0u);
  EXPECT_GT(t.repairs, 0u) << "other providers refilled freed slots";
  EXPECT_TRUE(r.tokens.conserved);
  EXPECT_GT(t.misses_marked, 0u) << r.to_json()["totals"].dump();
  EXPECT_EQ(t.misses_unmarked, 0u);
  EXPECT_EQ(t.misses_excused, 0u) << "no validator was offline";
}

TEST(SimNetwork, WhenEveryHostWithholdsItsBlocksNoFreedSlotIsRepaired) {
  SimOptions o = small(6);
  o.providers = 20;
  o.mttf = 2 * 86400;
  o.withholders = 1;
  const SimReport r = run(o);
  EXPECT_GT(r.totals.slots_freed, 0u);
  EXPECT_EQ(r.totals.repairs, 0u) << r.to_json()["totals"].dump();
  EXPECT_TRUE(r.tokens.conserved);
}

// Disks that corrupted half of every slot: proofs meet corrupt cells and
// fail, the slots are freed, and no repair finds every row of blocks among
// such hosts. Hosts that dropped half are no better sources; hosts that
// lost a few blocks still are.
TEST(SimNetwork, CorruptHostsAreCaughtBySamplingAndServeNoRepair) {
  SimOptions o = small(6);
  o.providers = 20;
  o.corrupters = 1;
  o.corrupted_fraction = 0.5;
  const SimReport r = run(o);
  EXPECT_GT(r.totals.marks, 0u);
  EXPECT_GT(r.totals.slots_freed, 0u);
  EXPECT_EQ(r.totals.repairs, 0u) << r.to_json()["totals"].dump();
  EXPECT_TRUE(r.tokens.conserved);
  EXPECT_EQ(r.totals.misses_unmarked, 0u);
  o.corrupters = 0;
  o.droppers = 1;
  o.dropped_fraction = 0.5;
  const SimReport dropped = run(o);
  EXPECT_GT(dropped.totals.slots_freed, 0u);
  EXPECT_EQ(dropped.totals.repairs, 0u) << dropped.to_json()["totals"].dump();
  // A twentieth of a percent corrupt: rarely caught; providers lost for
  // good free the slots, and the others' blocks repair them.
  o.droppers = 0;
  o.corrupters = 1;
  o.corrupted_fraction = 0.0005;
  o.mttf = 2 * 86400;
  const SimReport little = run(o);
  EXPECT_GT(little.totals.repairs, 0u) << little.to_json()["totals"].dump();
}

TEST(SimNetwork, CrashedProvidersResumeTheirSalesFromTheirDatabases) {
  SimOptions o = small(8);
  o.mtbo = 86400;   // about one crash a day each
  o.outage = 1800;  // back half an hour later: missed proofs by then
  const SimReport r = run(o);
  const SimTotals& t = r.totals;
  EXPECT_GT(t.outages, 10u);
  EXPECT_EQ(t.requests_started, 8u) << r.to_json()["totals"].dump();
  EXPECT_GT(t.marks, 0u);
  EXPECT_GT(t.repairs, 0u);
  EXPECT_GT(t.proofs_submitted, 100u);
  EXPECT_TRUE(r.tokens.conserved);
}

TEST(SimNetwork, ProvidersThatDroppedMostOfTheirDataAreCaughtBySampling) {
  SimOptions o = small(7);
  o.providers = 20;
  o.droppers = 0.3;
  o.dropped_fraction = 0.5;  // caught by 5 samples with probability 0.97
  const SimReport r = run(o);
  EXPECT_GT(r.totals.marks, 0u);
  EXPECT_GT(r.totals.slots_freed, 0u);
  EXPECT_GT(r.totals.repairs, 0u) << r.to_json()["totals"].dump();
  EXPECT_TRUE(r.tokens.conserved);
}

// Seconds from each request to its first fill, from the event log.
std::vector<uint64_t> first_fill_delays(const std::string& log) {
  std::map<std::string, uint64_t> posted;
  std::vector<uint64_t> out;
  std::istringstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    uint64_t t = 0;
    std::string what, id;
    words >> t >> what >> id;
    if (what == "StorageRequested") posted[id] = t;
    if (what == "SlotFilled" && posted.contains(id)) {
      out.push_back(t - posted[id]);
      posted.erase(id);
    }
  }
  return out;
}

// A slot's data takes latency + size / bandwidth to arrive: on links of
// 0.5–1.5 kB/s a slot of 1 MiB or more takes over 11 minutes; at 100 Mbit/s
// a fill waits only for the next period's start (2 minutes) to prove.
TEST(SimNetwork, TransfersTakeTheTimeTheirLinksAllow) {
  SimOptions o = small(5);
  std::string fast_log, slow_log;
  const SimReport fast = run(o, &fast_log);
  EXPECT_EQ(fast.totals.requests_started, 8u);
  EXPECT_GE(fast.totals.bytes_moved, fast.totals.slots_filled << 20) << "slots are 1 MiB or more";
  const std::vector<uint64_t> quick = first_fill_delays(fast_log);
  ASSERT_EQ(quick.size(), 8u);
  EXPECT_LT(*std::max_element(quick.begin(), quick.end()), 300u);
  o.bandwidth = 1000;
  const SimReport slow = run(o, &slow_log);
  const std::vector<uint64_t> late = first_fill_delays(slow_log);
  ASSERT_FALSE(late.empty()) << slow.to_json()["totals"].dump();
  EXPECT_GE(*std::min_element(late.begin(), late.end()), (1u << 20) / 1500);
  EXPECT_TRUE(slow.tokens.conserved);
}

// A partition that cuts every provider off from the clients (share 1) from
// the first minutes on: no fill can fetch its data, no request starts.
// Short partitions of a fifth of the network: requests still start.
TEST(SimNetwork, ProvidersCutOffFromTheClientsFillNothing) {
  SimOptions o = small(5);
  o.partition_mtbp = 60;
  o.partition_duration = 30 * 86400;
  o.partition_share = 1;
  std::string log;
  const SimReport apart = run(o, &log);
  EXPECT_EQ(apart.totals.partitions, 1u);
  EXPECT_NE(log.find("partition-start 12"), std::string::npos);
  EXPECT_EQ(apart.totals.slots_filled, 0u) << apart.to_json()["totals"].dump();
  EXPECT_EQ(apart.totals.bytes_moved, 0u);
  EXPECT_TRUE(apart.tokens.conserved);
  o.partition_mtbp = 6 * 3600;
  o.partition_duration = 1800;
  o.partition_share = 0.2;
  const SimReport brief = run(o);
  EXPECT_GT(brief.totals.partitions, 5u);
  EXPECT_GT(brief.totals.requests_started, 5u) << brief.to_json()["totals"].dump();
  EXPECT_EQ(brief.totals.misses_unmarked, 0u);
}

// In a child of its own (the limit cannot go back up): 100 providers under a
// limit of 200 files (6 per provider, 4 per validator, 64 for the rest). 0 when refused with the
// need and the fix.
int simulate_with_few_files() {
  const rlimit low{200, 200};
  if (::setrlimit(RLIMIT_NOFILE, &low) != 0) return 2;
  // Root may raise its hard limit again: be nobody.
  if (::geteuid() == 0 && ::setuid(65534) != 0) return 5;
  SimOptions o = small(1);
  o.providers = 100;
  try {
    run(o);
  } catch (const std::runtime_error& e) {
    const std::string why = e.what();
    return why.find("about 672 files open") != std::string::npos &&
                   why.find("ulimit -Hn") != std::string::npos
               ? 0
               : 3;
  }
  return 4;
}

// Six files per provider: a network the process may not open fails at once
// with the reason and the fix, not at the 3,000th provider's data directory.
TEST(SimNetwork, ANetworkNeedingMoreFilesThanAllowedIsRefusedWithTheFix) {
  EXPECT_EXIT(std::_Exit(simulate_with_few_files()), ::testing::ExitedWithCode(0), "");
  // Within the hard limit the soft one is raised as needed.
  ensure_open_files(open_files_needed(10, 2), "ten providers");
  rlimit now{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &now), 0);
  EXPECT_GE(now.rlim_cur, open_files_needed(10, 2));
}

TEST(SimNetwork, BadOptionsAreRefused) {
  SimOptions o = small(1);
  o.providers = 0;
  EXPECT_THROW(run(o), std::invalid_argument);
  o = small(1);
  o.max_duration = 40 * 86400;  // above the contract's 30-day limit
  EXPECT_THROW(run(o), std::invalid_argument);
  o = small(1);
  o.droppers = 1.5;
  EXPECT_THROW(run(o), std::invalid_argument);
  o = small(1);
  o.max_slots = 2;  // requests have 3 slots at least
  EXPECT_THROW(run(o), std::invalid_argument);
  o = small(1);
  o.latency = -1;
  EXPECT_THROW(run(o), std::invalid_argument);
  o = small(1);
  o.bandwidth = 10;  // bytes per second: not a network
  EXPECT_THROW(run(o), std::invalid_argument);
  o = small(1);
  o.partition_share = 1.5;
  EXPECT_THROW(run(o), std::invalid_argument);
  o = small(1);
  o.corrupted_fraction = -0.1;
  EXPECT_THROW(run(o), std::invalid_argument);
  o = small(1);
  o.partition_duration = 0;
  EXPECT_THROW(run(o), std::invalid_argument);
}

}  // namespace
}  // namespace codex::sim

namespace codex::sim {
namespace {

// The devnet's CI run (`devnet --preset ci --fault kill-provider`, 10 s
// periods, a 3-slot request, a host killed after the start, a spare),
// simulated: the same counts and the same marketplace holdings by the
// contract's formulas (tests/agent/devnet_test.cpp compares them with the
// real run's summary).
SimOptions devnet_scenario() {
  SimOptions o;
  o.seed = 11;
  o.seconds = 3600;
  o.providers = 4;
  o.validators = 2;
  o.block_time = 1;  // anvil mines a block per transaction
  o.config.proofs.period = 10;
  o.config.proofs.timeout = 5;
  SimOptions::Scenario s;
  s.ask = {market::Uint256(1), market::Uint256(1), market::Uint256(1), 3, 262144, 120, 1};
  s.expiry = 80;
  s.lose_host_of_slot = 0;
  s.lose_after_start = 3;
  o.scenario = s;
  return o;
}

TEST(SimNetwork, TheDevnetKillProviderScenarioEndsAsTheContractSays) {
  const SimReport r = run(devnet_scenario());
  const SimTotals& t = r.totals;
  EXPECT_EQ(t.requests_started, 1u);
  EXPECT_EQ(t.requests_finished, 1u) << r.to_json()["totals"].dump();
  EXPECT_EQ(t.providers_lost, 1u);
  EXPECT_EQ(t.slots_freed, 1u);
  EXPECT_EQ(t.repairs, 1u);
  EXPECT_EQ(t.slots_filled, 4u);
  EXPECT_EQ(t.marks, 2u) << "maxNumberOfSlashes";
  // The marketplace keeps marks·(S − R) + (C − 2S) − repair bonus, the rest
  // is paid out: C collateral, S = 20 % of it, R = 20 % of S, bonus 10 % of C.
  const uint64_t c = 262144, slash = c / 5, reward = slash / 5, bonus = c / 10;
  EXPECT_EQ(r.tokens.marketplace, std::to_string(2 * (slash - reward) + (c - 2 * slash) - bonus));
  EXPECT_EQ(t.validator_rewards, std::to_string(2 * reward));
  EXPECT_TRUE(r.tokens.conserved);
}

}  // namespace
}  // namespace codex::sim
