#pragma once
// The faults `codex-agent devnet --fault` injects, and what a good run then
// looks like (README "Faults on the devnet").
#include <optional>
#include <string>

namespace codex::devnet {

enum class Fault {
  kNone,
  // The host of slot 0 is killed (SIGKILL) one period after the request
  // starts and stays down: the validators mark its missing proofs until the
  // slot is freed, a spare provider repairs and fills it, the request ends.
  kKillProvider,
  // The host of slot 0 is killed in the middle of a period and restarted a
  // period later: it misses at most the proofs due while it was down.
  kRestartProvider,
  // Provider 1 sends every proof invalid (--simulate-proof-failures 1): its
  // slot is freed like a dead host's and repaired by the spare.
  kBadProofs,
  // The chain (anvil) stops in the middle of a period and comes back from its
  // saved state 5 s later: every node reconnects, nothing is lost or sent
  // twice.
  kChainRestart,
};

// "kill-provider" → kKillProvider; nullopt for an unknown name.
std::optional<Fault> fault_from(const std::string& name);
const char* to_string(Fault f);
// Whether the fault frees a slot, so the devnet needs a spare provider.
bool frees_a_slot(Fault f);

}  // namespace codex::devnet
