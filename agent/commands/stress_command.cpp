// `codex-agent stress`: many random storage requests on a local network of
// real processes with providers killed, restarted and lying, judged by
// invariants read from the chain and the nodes' journals (agent/devnet/stress.h).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "agent/commands/commands.h"
#include "agent/commands/stop_signals.h"
#include "agent/config/units.h"
#include "agent/devnet/stress.h"
#include "base/cli/unsigned_range.h"

namespace codex::agent {
namespace {

struct StressArgs {
  devnet::StressOptions o;
  std::string file_size = "64KiB-1MiB";
  std::string request_duration = "60-300";
  std::string proof_probability = "2-5";
  std::string data_dir, json;
  bool plain = false;
};

// "A-B" (or "A": both) into two values read by `parse`; throws
// CLI::ValidationError naming the option.
template <class Parse>
void parse_range(const std::string& option, const std::string& text, Parse parse, uint64_t& lo,
                 uint64_t& hi) {
  const auto dash = text.find('-');
  try {
    lo = parse(text.substr(0, dash));
    hi = dash == std::string::npos ? lo : parse(text.substr(dash + 1));
  } catch (const std::exception& e) {
    throw CLI::ValidationError(option, "'" + text + "': " + e.what() + " (write MIN-MAX)");
  }
  if (lo > hi)
    throw CLI::ValidationError(option, "'" + text + "': the minimum is above the maximum");
}

uint64_t parse_count(const std::string& s) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 12)
    throw std::invalid_argument("not a whole number");
  return std::stoull(s);
}

}  // namespace

void add_stress_command(CLI::App& app, int* rc) {
  auto a = std::make_shared<StressArgs>();
  CLI::App* cmd = app.add_subcommand(
      "stress",
      "Stress a local marketplace: many random storage requests on anvil with real provider, "
      "validator and client processes, providers killed, restarted and sending invalid proofs "
      "(all drawn from --seed); checks token conservation, no double transaction, the requests' "
      "end states, repairs and every dataset's bytes; exit 0 only if every invariant held");
  devnet::StressOptions& o = a->o;
  cmd->add_option("--providers", o.providers, "Provider nodes")
      ->capture_default_str()
      ->check(base::cli::UnsignedRange(3, 64));
  cmd->add_option("--validators", o.validators,
                  "Validator nodes; two or more split the slots into groups")
      ->capture_default_str()
      ->check(base::cli::UnsignedRange(0, 8));
  cmd->add_option("--clients", o.clients, "Client nodes posting the requests")
      ->capture_default_str()
      ->check(base::cli::UnsignedRange(1, 8));
  cmd->add_option("--requests", o.requests, "Storage requests posted over the run")
      ->capture_default_str()
      ->check(base::cli::UnsignedRange(1, 10000));
  cmd->add_option("--duration", o.duration,
                  "Seconds during which requests are posted (the first two thirds) and faults "
                  "injected; the run then waits for every request to end")
      ->capture_default_str()
      ->check(base::cli::UnsignedRange(30, 7 * 86400));
  cmd->add_option("--seed", o.seed, "Seed of every draw (requests, their times, faults)")
      ->capture_default_str()
      ->check(base::cli::UnsignedRange());
  cmd->add_option("--kill-restart", o.kill_restart,
                  "Providers killed with SIGKILL and started again a few seconds later")
      ->capture_default_str()
      ->check(base::cli::UnsignedRange(0, 1000));
  cmd->add_option("--kill-forever", o.kill_forever, "Providers killed for good")
      ->capture_default_str()
      ->check(base::cli::UnsignedRange(0, 64));
  cmd->add_option("--bad-proofs", o.bad_proofs,
                  "Providers started with --simulate-proof-failures 1 (every proof invalid)")
      ->capture_default_str()
      ->check(base::cli::UnsignedRange(0, 64));
  cmd->add_option("--rpc-faults", o.rpc_faults,
                  "Windows of 15-30 s in which the nodes' JSON-RPC requests fail (refused, slow, "
                  "or the answer lost after the request went through)")
      ->capture_default_str()
      ->check(base::cli::UnsignedRange(0, 1000));
  cmd->add_option("--rpc-fault-rate", o.rpc_fault_rate,
                  "The share of JSON-RPC requests failed in those windows")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--full-disks", o.full_disks,
                  "Providers whose data directory is a small disk that fills up (a tmpfs in a "
                  "user namespace; skipped where the machine does not allow one)")
      ->capture_default_str()
      ->check(base::cli::UnsignedRange(0, 64));
  cmd->add_option("--full-disk-size", o.full_disk_size,
                  "Their disks' size in bytes (0: 1.5 MiB for the node's database and half of "
                  "the largest slot)")
      ->capture_default_str()
      ->check(base::cli::UnsignedRange(0, uint64_t(1) << 40));
  cmd->add_option("--file-size", a->file_size, "The requests' file sizes, MIN-MAX")
      ->capture_default_str();
  cmd->add_option("--request-duration", a->request_duration,
                  "The requests' durations in seconds, MIN-MAX")
      ->capture_default_str();
  cmd->add_option("--proof-probability", a->proof_probability,
                  "The requests' proofProbability (a proof 1 in N periods), MIN-MAX")
      ->capture_default_str();
  cmd->add_option("--slots-per-provider", o.slots_per_provider,
                  "Each provider offers room for this many of the largest slots")
      ->capture_default_str()
      ->check(base::cli::UnsignedRange(1, 1000));
  cmd->add_option("--max-pending", o.max_pending,
                  "At most this many requests wait to be filled at once (0: no limit); a "
                  "request due meanwhile is posted later, or skipped once --duration is over")
      ->capture_default_str()
      ->check(base::cli::UnsignedRange(0, 10000));
  cmd->add_option("--data-dir", a->data_dir,
                  "Where the chain, the nodes' directories, uploads, downloads and report.json "
                  "go (new or empty; kept). Default: a new temporary directory (kept)");
  cmd->add_option("--json", a->json, "Also write the report (JSON) to this file");
  cmd->add_flag("--plain", a->plain, "No status line, even on a terminal");

  cmd->callback([a, rc] {
    devnet::StressOptions o = a->o;
    parse_range(
        "--file-size", a->file_size, [](const std::string& s) { return parse_size(s); },
        o.min_file_size, o.max_file_size);
    parse_range("--request-duration", a->request_duration, parse_count, o.min_request_duration,
                o.max_request_duration);
    parse_range("--proof-probability", a->proof_probability, parse_count, o.min_proof_probability,
                o.max_proof_probability);
    o.data_dir = a->data_dir;
    o.json = a->json;
    o.agent = this_program();
    o.live = !a->plain && ::isatty(STDOUT_FILENO);
    try {
      o.validate();
    } catch (const std::invalid_argument& e) {
      throw CLI::ValidationError(e.what());
    }
    StopSignals signals;
    *rc = devnet::run_stress(o, std::cout, signals.flag());
  });
}

}  // namespace codex::agent
