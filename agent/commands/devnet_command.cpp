// `codex-agent devnet`: a local marketplace doing real work (agent/devnet/),
// and `codex-agent devnet stop` for one left running with --keep.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <iostream>
#include <memory>
#include <optional>

#include "agent/commands/commands.h"
#include "agent/commands/stop_signals.h"
#include "agent/devnet/devnet.h"
#include "agent/devnet/project_files.h"
#include "base/cli/unsigned_range.h"

namespace codex::agent {
namespace {

struct DevnetArgs {
  std::string preset = "default";
  std::optional<uint32_t> providers;
  std::optional<uint64_t> duration;
  std::string data_dir;
  bool keep = false;
  bool plain = false;
  uint32_t validators = 1;
  std::string fault = "none";
};

}  // namespace

void add_devnet_command(CLI::App& app, int* rc) {
  auto a = std::make_shared<DevnetArgs>();
  CLI::App* cmd = app.add_subcommand(
      "devnet",
      "Run a local marketplace: anvil with the contracts, a client and providers as separate "
      "node processes, a storage request proved every period to its end; exit 0 only if "
      "everything went as expected");
  cmd->add_option("--preset", a->preset, "configs/devnet/NAME.toml (default, ci) or a preset file")
      ->capture_default_str();
  cmd->add_option("--providers", a->providers, "Provider nodes (overrides the preset)")
      ->check(base::cli::UnsignedRange(1, 16));
  cmd->add_option("--duration", a->duration,
                  "Seconds the storage request runs (overrides the preset)")
      ->check(base::cli::UnsignedRange(20, 86400));
  cmd->add_option("--data-dir", a->data_dir,
                  "Where the chain, the nodes' data directories, config files and logs go (new "
                  "or empty; kept). Default: a temporary directory, removed after a good run");
  cmd->add_flag("--keep", a->keep,
                "Leave the network running after the run (stop it with `codex-agent devnet "
                "stop --data-dir DIR`)");
  cmd->add_flag("--plain", a->plain, "No status line, even on a terminal");
  cmd->add_option("--validators", a->validators,
                  "Validator nodes; two or more split the slots into groups")
      ->capture_default_str()
      ->check(base::cli::UnsignedRange(0, 8));
  cmd->add_option("--fault", a->fault,
                  "none | kill-provider (a host killed for good: slashed, freed, repaired by a "
                  "spare) | restart-provider (a host killed mid-period and restarted) | "
                  "bad-proofs (a host sends invalid proofs: freed and repaired) | chain-restart "
                  "(anvil stops mid-period and comes back from its saved state)")
      ->capture_default_str()
      ->check([](const std::string& v) {
        return devnet::fault_from(v)
                   ? std::string()
                   : "unknown fault '" + v +
                         "' (none, kill-provider, restart-provider, bad-proofs, chain-restart)";
      });

  auto stop_dir = std::make_shared<std::string>();
  CLI::App* stop = cmd->add_subcommand("stop", "Stop a devnet left running with --keep");
  stop->add_option("--data-dir", *stop_dir, "The devnet's data directory")->required();
  stop->callback([stop_dir, rc] {
    devnet::stop_kept_devnet(*stop_dir, std::cout);
    *rc = 0;
  });

  cmd->callback([a, cmd, rc] {
    if (cmd->got_subcommand("stop")) return;
    devnet::DevnetOptions o;
    o.preset = devnet::load_devnet_preset(devnet::devnet_preset_file(a->preset));
    if (a->providers) {
      o.preset.providers = *a->providers;
      o.preset.nodes = std::min<uint64_t>(o.preset.nodes, *a->providers);
      if (o.preset.tolerance >= o.preset.nodes) o.preset.tolerance = o.preset.nodes - 1;
    }
    if (a->duration) {
      o.preset.duration = *a->duration;
      if (o.preset.expiry >= o.preset.duration) o.preset.expiry = o.preset.duration * 3 / 4;
    }
    o.data_dir = a->data_dir;
    o.keep = a->keep;
    o.agent = this_program();
    o.live = !a->plain && ::isatty(STDOUT_FILENO);
    o.validators = a->validators;
    o.fault = *devnet::fault_from(a->fault);
    if (devnet::frees_a_slot(o.fault) && o.validators == 0)
      throw CLI::ValidationError("--fault " + a->fault,
                                 "needs a validator to mark the missing proofs (--validators)");
    StopSignals signals;
    *rc = devnet::run_devnet(o, std::cout, signals.flag());
  });
}

}  // namespace codex::agent
