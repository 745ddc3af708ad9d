#pragma once
// `codex-agent stress`: many storage requests of random sizes and parameters
// on a local network of real processes (anvil with 10 s periods, N provider,
// V validator and C client `codex-agent node`s on loopback), with providers
// killed and restarted, killed for good and sending invalid proofs, all drawn
// from a seed (stress_schedule.h). The run stops by itself once every request
// has ended; then every dataset whose request did not fail is downloaded from
// its client and compared with what was uploaded, the nodes are stopped and
// the invariants (stress_invariants.h) are checked.
//
// Layout of the data directory: chain/ (anvil.log, keys, preset.json,
// devnet.json), clientN/, providerN/, validatorN/ (node.toml, node.log,
// eth.key, data/), uploads/ and downloads/ (request-N.bin), schedule.json,
// stress.sqlite3 (the chain watch's event position), report.json.
#include <atomic>
#include <ostream>

#include "agent/devnet/stress_options.h"

namespace codex::devnet {

// Returns the exit status: 0 when every invariant held, 1 when one did not
// (each violation printed and in the report), 130 when `interrupted` became
// true (Ctrl-C). Throws std::invalid_argument for bad options before anything
// starts, std::runtime_error when the network cannot be set up.
int run_stress(const StressOptions& o, std::ostream& out, const std::atomic<bool>& interrupted);

}  // namespace codex::devnet
