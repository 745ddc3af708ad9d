#pragma once
// `codex-agent devnet`: a whole local marketplace on this machine doing real
// work. Anvil with the contracts deployed (the Groth16 verifier holds a
// development key of the production circuit), one client, N providers and V
// validators as separate `codex-agent node` processes on loopback (each with
// its own data directory, config file and log), a storage request that runs
// to its end with a real proof every period, an optional fault (fault.h),
// and a verdict read from the chain.
//
// Layout of the data directory: chain/ (anvil.log, keys, devnet.json),
// client/, providerN/ and validatorN/ (node.toml, node.log, eth.key, data/), sample.bin,
// summary.json, devnet.sqlite3 (the watcher's event position) and, with
// --keep, pids (what `codex-agent devnet stop` stops).
#include <atomic>
#include <filesystem>
#include <ostream>

#include "agent/devnet/devnet_preset.h"
#include "agent/devnet/fault.h"

namespace codex::devnet {

struct DevnetOptions {
  DevnetPreset preset;
  std::filesystem::path data_dir;     // empty: a new /tmp/codex-devnet.XXXXXX
  bool keep = false;                  // leave the network running afterwards
  std::filesystem::path agent;        // the codex-agent program to run nodes with
  std::filesystem::path circuit_dir;  // empty: <cache>/devnet-circuit
  bool live = false;                  // a terminal: keep a status line at the bottom
  // Validator nodes; with 2 or more they split the slots into as many groups.
  uint32_t validators = 1;
  Fault fault = Fault::kNone;
};

// Runs the network and the request. Returns the exit status: 0 when
// everything went as expected, 1 when a check failed (the reasons printed),
// 130 when `interrupted` became true (Ctrl-C). Throws std::runtime_error
// when the network cannot be set up.
int run_devnet(const DevnetOptions& o, std::ostream& out, const std::atomic<bool>& interrupted);

// Stops a network left running with --keep (the processes listed in
// <data_dir>/pids that are still ours). Returns how many were stopped.
size_t stop_kept_devnet(const std::filesystem::path& data_dir, std::ostream& out);

}  // namespace codex::devnet
