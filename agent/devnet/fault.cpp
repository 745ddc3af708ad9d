#include "agent/devnet/fault.h"

namespace codex::devnet {

std::optional<Fault> fault_from(const std::string& name) {
  for (Fault f : {Fault::kNone, Fault::kKillProvider, Fault::kRestartProvider, Fault::kBadProofs,
                  Fault::kChainRestart})
    if (name == to_string(f)) return f;
  return std::nullopt;
}

const char* to_string(Fault f) {
  switch (f) {
    case Fault::kNone:
      return "none";
    case Fault::kKillProvider:
      return "kill-provider";
    case Fault::kRestartProvider:
      return "restart-provider";
    case Fault::kBadProofs:
      return "bad-proofs";
    case Fault::kChainRestart:
      return "chain-restart";
  }
  return "?";
}

bool frees_a_slot(Fault f) {
  return f == Fault::kKillProvider || f == Fault::kBadProofs;
}

}  // namespace codex::devnet
