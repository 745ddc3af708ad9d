// `codex-agent simulate` without --paper-model: the network simulation of
// agent/sim (the production provider and validator roles on the marketplace
// model and a virtual clock), its human summary, JSON report, event log and
// plots.
#include <spdlog/spdlog.h>

#include <unistd.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "agent/commands/commands.h"
#include "agent/config/units.h"
#include "agent/sim/sim_plots.h"
#include "agent/sim/simulation.h"
#include "base/cli/unsigned_range.h"

namespace codex::agent {

namespace fs = std::filesystem;

namespace {

struct NetworkArgs {
  sim::SimOptions o;
  std::string duration = "30d", min_request = "7d", max_request = "30d";
  std::string capacity = "256MiB";
  std::string mtbo = "0", outage = "1h", validator_mtbo = "0", validator_outage = "1h";
  std::string block_time = "12s";
  std::string bandwidth = "12500000", partition_mtbp = "0", partition_duration = "1h";
  std::string plots, log, data_dir;
};

// A CLI11 check from one of units.h's parsers (they throw the reason).
template <auto Parse>
std::string parses(const std::string& v) {
  try {
    Parse(v);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}
constexpr auto duration_check = parses<parse_duration>;
constexpr auto size_check = parses<parse_size>;

double seconds(const std::string& v) {
  return double(parse_duration(v).count());
}

std::string share_check(const std::string& v) {
  try {
    size_t used = 0;
    const double x = std::stod(v, &used);
    if (used == v.size() && x >= 0 && x <= 1) return "";
  } catch (const std::exception&) {
  }
  return "a number from 0 to 1, not " + v;
}

void print_summary(const sim::SimReport& r) {
  const sim::SimTotals& t = r.totals;
  std::printf(
      "\n== %llu providers, %llu validators, %.1f simulated days in %.1f s (%.1f "
      "provider-days/s)\n",
      (unsigned long long)r.providers, (unsigned long long)r.validators, r.simulated_days,
      r.wall_seconds, r.provider_days_per_second);
  std::printf("requests: %llu posted, %llu started, %llu finished, %llu failed (datasets lost)\n",
              (unsigned long long)t.requests_posted, (unsigned long long)t.requests_started,
              (unsigned long long)t.requests_finished, (unsigned long long)t.requests_failed);
  std::printf(
      "slots: %llu fills, %llu freed, %llu repaired; proofs %llu, missed proofs marked "
      "%llu (validators earned %s tokens)\n",
      (unsigned long long)t.slots_filled, (unsigned long long)t.slots_freed,
      (unsigned long long)t.repairs, (unsigned long long)t.proofs_submitted,
      (unsigned long long)t.marks, t.validator_rewards.c_str());
  std::printf(
      "missed proofs the contract would let be marked: %llu marked in their window, %llu left to "
      "an offline validator, %llu unmarked%s\n",
      (unsigned long long)t.misses_marked, (unsigned long long)t.misses_excused,
      (unsigned long long)t.misses_unmarked,
      t.misses_unmarked ? " (a defect: please report it)" : "");
  std::printf(
      "faults: %llu providers lost, %llu provider outages, %llu validator outages, %llu "
      "partitions\n",
      (unsigned long long)t.providers_lost, (unsigned long long)t.outages,
      (unsigned long long)t.validator_outages, (unsigned long long)t.partitions);
  std::printf("data moved between nodes: %.1f MiB\n", double(t.bytes_moved) / (1 << 20));
  std::printf("tokens: client %s, marketplace holds %s, %s\n", r.tokens.client.c_str(),
              r.tokens.marketplace.c_str(),
              r.tokens.conserved ? "conserved" : "NOT CONSERVED (a defect: please report it)");
  std::printf("event log: %llu events, keccak %s\n", (unsigned long long)r.events,
              r.event_log_hash.c_str());
}

}  // namespace

std::function<int(uint64_t, double, const std::string&)> add_network_simulation_options(
    CLI::App& cmd) {
  auto a = std::make_shared<NetworkArgs>();
  sim::SimOptions& o = a->o;
  using base::cli::UnsignedRange;
  cmd.add_option("--providers", o.providers, "Network mode: provider nodes")
      ->capture_default_str()
      ->check(UnsignedRange(1, 100000));
  cmd.add_option("--validators", o.validators,
                 "Network mode: validator nodes (two or more split the slots into groups)")
      ->capture_default_str()
      ->check(UnsignedRange(0, 64));
  cmd.add_option("--requests", o.requests, "Network mode: storage requests posted over the run")
      ->capture_default_str()
      ->check(UnsignedRange(0, 10000000));
  cmd.add_option("--duration", a->duration, "Network mode: simulated time (s, m, h, d, w)")
      ->capture_default_str()
      ->check(duration_check);
  cmd.add_option("--max-slots", o.max_slots, "Network mode: most slots of a request (3 or more)")
      ->capture_default_str()
      ->check(UnsignedRange(3, 64));
  cmd.add_option("--min-request-duration", a->min_request, "Network mode: shortest request")
      ->capture_default_str()
      ->check(duration_check);
  cmd.add_option("--max-request-duration", a->max_request,
                 "Network mode: longest request (the contract allows 30 days)")
      ->capture_default_str()
      ->check(duration_check);
  cmd.add_option("--proof-probability", o.proof_probability,
                 "Network mode: the requests' proofProbability (a proof about every N periods)")
      ->capture_default_str()
      ->check(UnsignedRange(1, 1000000));
  cmd.add_option("--capacity", a->capacity, "Network mode: room each provider offers")
      ->capture_default_str()
      ->check(size_check);
  cmd.add_option("--mtbo", a->mtbo,
                 "Network mode: mean up time between a provider's outages (0: none)")
      ->capture_default_str()
      ->check(duration_check);
  cmd.add_option("--outage", a->outage, "Network mode: mean length of an outage")
      ->capture_default_str()
      ->check(duration_check);
  cmd.add_option("--slow-provers", o.slow_provers,
                 "Network mode: share of providers whose proofs may miss the deadline")
      ->capture_default_str()
      ->check(share_check);
  cmd.add_option("--slow-miss", o.slow_miss,
                 "Network mode: chance that a slow prover misses a required proof")
      ->capture_default_str()
      ->check(share_check);
  cmd.add_option("--droppers", o.droppers,
                 "Network mode: share of providers that keep only part of each slot")
      ->capture_default_str()
      ->check(share_check);
  cmd.add_option("--dropped-fraction", o.dropped_fraction,
                 "Network mode: the part of each slot they dropped (caught by the proofs' "
                 "samples)")
      ->capture_default_str()
      ->check(share_check);
  cmd.add_option("--withholders", o.withholders,
                 "Network mode: share of providers that prove their slots but never send their "
                 "blocks to a peer repairing another slot")
      ->capture_default_str()
      ->check(share_check);
  cmd.add_option("--corrupters", o.corrupters,
                 "Network mode: share of providers whose disks corrupt part of every slot (their "
                 "proofs fail when a sample meets it; repairing peers reject the corrupt blocks)")
      ->capture_default_str()
      ->check(share_check);
  cmd.add_option("--corrupted-fraction", o.corrupted_fraction,
                 "Network mode: the part of each slot a corrupter's disk corrupted")
      ->capture_default_str()
      ->check(share_check);
  cmd.add_option("--validator-mtbo", a->validator_mtbo,
                 "Network mode: mean up time between a validator's outages (0: none)")
      ->capture_default_str()
      ->check(duration_check);
  cmd.add_option("--validator-outage", a->validator_outage,
                 "Network mode: mean length of a validator's outage")
      ->capture_default_str()
      ->check(duration_check);
  cmd.add_option("--latency", o.latency,
                 "Network mode: seconds before a transfer's first byte arrives")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 3600.0));
  cmd.add_option("--bandwidth", a->bandwidth,
                 "Network mode: mean bytes per second of a provider's link (each drawn between "
                 "half and 1.5 times it; 0: instantaneous transfers)")
      ->capture_default_str()
      ->check(size_check);
  cmd.add_option("--partition-mtbp", a->partition_mtbp,
                 "Network mode: mean time between network partitions (0: none)")
      ->capture_default_str()
      ->check(duration_check);
  cmd.add_option("--partition-duration", a->partition_duration,
                 "Network mode: mean length of a partition")
      ->capture_default_str()
      ->check(duration_check);
  cmd.add_option("--partition-share", o.partition_share,
                 "Network mode: share of the providers a partition cuts off from the others and "
                 "from the clients")
      ->capture_default_str()
      ->check(share_check);
  cmd.add_option("--block-time", a->block_time, "Network mode: seconds between blocks")
      ->capture_default_str()
      ->check(duration_check);
  cmd.add_option("--plots", a->plots,
                 "Network mode: write PNG plots (gnuplot) and their TSV data into this folder");
  cmd.add_option("--log", a->log, "Network mode: write the event log to this file");
  cmd.add_option("--data-dir", a->data_dir,
                 "Network mode: where the simulated nodes' databases go (new or empty; "
                 "default: a temporary folder, in memory where /dev/shm exists, removed)");

  return [a](uint64_t seed, double mttf, const std::string& json) {
    sim::SimOptions o = a->o;
    o.seed = seed;
    o.mttf = mttf;
    o.seconds = uint64_t(seconds(a->duration));
    o.min_duration = uint64_t(seconds(a->min_request));
    o.max_duration = uint64_t(seconds(a->max_request));
    o.provider_capacity = parse_size(a->capacity);
    o.mtbo = seconds(a->mtbo);
    o.outage = seconds(a->outage);
    o.validator_mtbo = seconds(a->validator_mtbo);
    o.validator_outage = seconds(a->validator_outage);
    o.block_time = uint64_t(seconds(a->block_time));
    o.bandwidth = double(parse_size(a->bandwidth));
    o.partition_mtbp = seconds(a->partition_mtbp);
    o.partition_duration = seconds(a->partition_duration);
    o.validate();

    // Thousands of databases: in memory unless told otherwise.
    fs::path dir = a->data_dir;
    bool remove = false;
    if (dir.empty()) {
      const fs::path base =
          fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
      dir = base / ("codex-simulate." + std::to_string(::getpid()));
      remove = true;
    } else if (fs::exists(dir) && !fs::is_empty(dir)) {
      throw std::invalid_argument("--data-dir " + dir.string() + " is not empty");
    }
    struct Cleanup {
      fs::path dir;
      bool on;
      ~Cleanup() {
        std::error_code ec;
        if (on) fs::remove_all(dir, ec);
      }
    } cleanup{dir, remove};

    // The roles log every sale and mark (and errors a simulation means to cause):
    // the event log and the report say what happened.
    spdlog::set_level(spdlog::level::off);
    std::ofstream log;
    if (!a->log.empty()) {
      log.open(a->log);
      if (!log) throw std::runtime_error("cannot write " + a->log);
    }
    std::printf(
        "simulating %llu providers, %llu validators, %llu requests for %.1f days "
        "(seed %llu)\n",
        (unsigned long long)o.providers, (unsigned long long)o.validators,
        (unsigned long long)o.requests, double(o.seconds) / 86400, (unsigned long long)seed);
    std::fflush(stdout);
    const uint64_t every = std::max<uint64_t>(1, o.seconds / 86400 / 30);
    sim::Simulation s(o, dir / "net");
    const sim::SimReport r = s.run(
        [&](const sim::DayRow& d) {
          if (d.day % every != 0) return;
          std::printf(
              "day %4llu: %llu datasets alive, %llu lost; %llu slots filled, %llu "
              "awaiting repair; %llu proofs, %llu marks, %llu repairs that day\n",
              (unsigned long long)d.day, (unsigned long long)d.datasets_alive,
              (unsigned long long)d.datasets_lost, (unsigned long long)d.slots_filled,
              (unsigned long long)d.slots_repairing, (unsigned long long)d.proofs,
              (unsigned long long)d.marks, (unsigned long long)d.repairs);
          std::fflush(stdout);
        },
        a->log.empty() ? nullptr : &log);
    print_summary(r);
    if (!json.empty()) {
      std::ofstream out(json);
      out << r.to_json().dump(2) << '\n';
      if (!out.flush()) throw std::runtime_error("cannot write " + json);
      std::printf("report: %s\n", json.c_str());
    }
    if (!a->plots.empty())
      for (const fs::path& p : sim::write_plots(r, a->plots))
        std::printf("plot: %s\n", p.c_str());
    return r.tokens.conserved ? 0 : 1;
  };
}

}  // namespace codex::agent
